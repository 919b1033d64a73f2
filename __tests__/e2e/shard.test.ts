// End to end: a scan split into two shards and merged reports exactly what one unsharded run reports,
// on a fleet with a name whose two addresses land in different shards, a name that does not
// resolve, a block that overlaps an address named alone, and drift of every kind. Needs root.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/report/report.js';
import { brief, runAction, type ActionRun } from '../helpers/action.js';
import { createFleet, type Fleet } from '../helpers/fleet.js';
import { canBuildFleets } from '../helpers/netns.js';
import { sharedDir } from '../helpers/paths.js';
import { sarifValidator } from '../helpers/sarif.js';

const skip = canBuildFleets === true ? false : canBuildFleets;

const HOSTS = [
  { name: 'clean', ipv4: '203.0.113.30', tcp: [22, 443] },
  {
    name: 'leaky',
    ipv4: '203.0.113.31',
    tcp: [22, { port: 6379, banner: '-ERR unknown command\r\n' }],
  },
  { name: 'quiet', ipv4: '203.0.113.32', tcp: [22] },
  { name: 'walled', ipv4: '203.0.113.33', tcp: [22, 443], dropTcp: [443] },
  { name: 'mongo', ipv4: '203.0.113.34', tcp: [22, 27017] },
  { name: 'web', ipv4: '203.0.113.35', tcp: [8080] },
] as const;

const INPUTS = {
  name: 'sharded watch',
  targets: [
    'multi.fleet.test', // 203.0.113.31 and .34: shard 1 and shard 2
    '203.0.113.30',
    '203.0.113.32/29', // .32-.39, of which .36-.39 are empty
    '203.0.113.37', // empty, and named alone: host-down
    'gone.fleet.test', // does not resolve: host-down, once
  ].join('\n'),
  expected: [
    'multi.fleet.test: 22',
    '203.0.113.30: 22, 443',
    '203.0.113.32/29: 22?',
    '203.0.113.33: 22, 443',
    '203.0.113.37: 22',
    'gone.fleet.test: 443',
  ].join('\n'),
  ports: '22, 443, 6379, 8080, 27017',
  'ip-version': '4',
  'scan-timeout': '4m',
};

describe('two shards and a merge, against one run over everything', { skip }, () => {
  let fleet: Fleet<(typeof HOSTS)[number]['name']>;
  let work: string;
  let whole: ActionRun;
  let shards: ActionRun[];
  let shardReports: Report[];
  let merge: ActionRun;
  let merged: Report;

  before(async () => {
    fleet = await createFleet(HOSTS, {
      hostsFile: { 'multi.fleet.test': ['203.0.113.31', '203.0.113.34'] },
    });
    work = mkdtempSync(join(tmpdir(), 'port-drift-shards-'));
    const inFleet = (
      argv: string[],
      opts: Parameters<typeof fleet.exec>[1],
    ): ReturnType<typeof fleet.exec> => fleet.exec(argv, opts);
    whole = await runAction(INPUTS, inFleet);
    shards = [];
    for (const i of [1, 2]) {
      shards.push(
        await runAction(
          { ...INPUTS, shard: `${i}/2`, 'report-dir': join(work, `shard-${i}`) },
          inFleet,
        ),
      );
    }
    shardReports = [1, 2].map(
      (i) => JSON.parse(readFileSync(join(work, `shard-${i}`, 'report.json'), 'utf8')) as Report,
    );
    // The merge job: no targets, no rules, no name; only where the shards' results are.
    merge = await runAction(
      {
        mode: 'merge',
        results: join(work, 'shard-*', 'report.json'),
        'report-dir': join(work, 'merged'),
      },
      undefined,
      { GITHUB_WORKFLOW: 'another name that must not matter' },
    );
    merged = JSON.parse(readFileSync(join(work, 'merged', 'report.json'), 'utf8')) as Report;
  });

  after(async () => {
    await fleet?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('finds the drift of every kind in one run', () => {
    assert.deepEqual(brief(whole.findings), [
      'host-down 203.0.113.32/29 203.0.113.37 no answer',
      'host-down gone.fleet.test unresolved',
      'missing 203.0.113.32/29 203.0.113.33 443/tcp filtered',
      'unexpected-open 203.0.113.32/29 203.0.113.35 8080/tcp open',
      'unexpected-open multi.fleet.test 203.0.113.31 6379/tcp open',
      'unexpected-open multi.fleet.test 203.0.113.34 27017/tcp open',
    ]);
    assert.equal(whole.code, 1);
  });

  it('merges into exactly the findings, verdict and exit code of the one run', () => {
    assert.deepEqual(brief(merge.findings), brief(whole.findings));
    assert.deepEqual(merged.verdict, whole.report?.['verdict']);
    assert.equal(merge.code, whole.code, merge.stdout);
    const failLine = (run: ActionRun): string | undefined =>
      run.stdout.split('\n').find((l) => l.startsWith('::error::'));
    assert.equal(failLine(merge), failLine(whole));
    assert.equal(merge.outputs['drift'], 'true');
    assert.equal(merged.name, 'sharded watch');
    assert.equal(merged.scanned.addresses, 10, '.30, .31 (via the name), and .32-.39: each once');
  });

  it('splits the addresses between the shards: each scanned once, the name across both', () => {
    const scanned = shardReports.map((r) =>
      r.observed.filter((o) => o.status === 'up' || o.status === 'down').map((o) => o.address),
    );
    assert.equal(scanned[0]!.filter((a) => scanned[1]!.includes(a)).length, 0, 'no address twice');
    assert.equal(scanned.flat().length, 10);
    const owner = (address: string): number => scanned.findIndex((s) => s.includes(address));
    assert.notEqual(owner('203.0.113.31'), owner('203.0.113.34'), 'multi.fleet.test is split');
    const unresolved = shardReports.flatMap((r) =>
      r.findings.filter((f) => f.target === 'gone.fleet.test'),
    );
    assert.equal(
      unresolved.length,
      1,
      'the name that does not resolve is reported by one shard only',
    );
    assert.deepEqual(
      brief([...shards[0]!.findings, ...shards[1]!.findings]),
      brief(whole.findings),
      "the shards' own findings add up to the one run's",
    );
  });

  it('lets the shard jobs pass and leaves the verdict to the merge job', () => {
    for (const [i, run] of shards.entries()) {
      assert.equal(run.code, 0, run.stdout);
      assert.match(
        run.stdout,
        new RegExp(
          `^::notice::Shard ${i + 1}/2: Drift: .* The merge job reports and fails\\.$`,
          'm',
        ),
      );
      assert.match(run.summary, new RegExp(`^## ⚠️ Shard ${i + 1}/2: Drift found`));
    }
  });

  it('writes the merged summary and SARIF as one run would', () => {
    assert.match(merge.summary, /^## ❌ Drift found: `sharded watch`/);
    assert.match(merge.summary, /Merged from 2 shards\./);
    assert.match(
      merge.summary,
      /\| `multi\.fleet\.test` \| `203\.0\.113\.34` \| 27017\/tcp \| \*\*unexpected-open\*\*/,
    );
    assert.equal(merge.outputs['sarif'], join(work, 'merged', 'report.sarif'));
    const sarif = JSON.parse(readFileSync(join(work, 'merged', 'report.sarif'), 'utf8')) as {
      runs: { results: unknown[] }[];
    };
    assert.equal(sarif.runs[0]!.results.length, whole.findings.length);
    const schema = join(sharedDir, 'schemas/sarif-schema-2.1.0.json');
    if (existsSync(schema)) {
      const validate = sarifValidator(readFileSync(schema, 'utf8'));
      assert.equal(validate(sarif), true, JSON.stringify(validate.errors));
    }
  });

  it('refuses to merge when a shard is missing, naming it', async () => {
    const partial = await runAction({
      mode: 'merge',
      results: join(work, 'shard-1', 'report.json'),
    });
    assert.equal(partial.code, 1);
    assert.match(partial.stdout, /^::error::Input 'results': shard 2\/2 missing: found 1\/2\./m);
    assert.equal(partial.files.length, 0);
  });
});
