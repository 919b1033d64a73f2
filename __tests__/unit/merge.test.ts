// mode: merge: the shards' results become the report one run over every target would make, and
// results that are not all the shards of one scan are refused, saying what is wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../../src/base/errors.js';
import { mergeReports, type ShardResult } from '../../src/report/merge.js';
import { unitKey } from '../../src/settings/targets.js';
import type { FindingKind, ObservedAddress } from '../../src/base/types.js';
import { brief } from '../helpers/action.js';
import { down, report, resolvedOf, unresolved, up } from '../helpers/reports.js';

const EXPECTED = 'web.example.com: 443\n203.0.113.0/29: 22?\ngone.example.com: 443';
const TARGETS = ['web.example.com', '203.0.113.0/29', 'gone.example.com'];
const failOn = new Set<FindingKind>(['unexpected-open', 'missing', 'host-down']);

const observed: ObservedAddress[] = [
  unresolved('gone.example.com'),
  up('203.0.113.40', ['web.example.com'], [{ port: 443 }, { port: 6379, service: 'redis' }]),
  up('2001:db8::40', ['web.example.com'], [{ port: 8080 }]),
  up('203.0.113.1', ['203.0.113.0/29'], [{ port: 22 }, { port: 27017, service: 'mongodb' }]),
  up('203.0.113.2', ['203.0.113.0/29'], []),
  up('203.0.113.3', ['203.0.113.0/29'], [{ port: 9200 }]),
  ...[0, 4, 5, 6, 7].map((n) => down(`203.0.113.${n}`, ['203.0.113.0/29'])),
];

/** The shard reports n jobs would write: each observed entry owned by one shard. */
function shards(
  n: number,
  extra: (i: number) => Record<string, unknown> = () => ({}),
): ShardResult[] {
  const sorted = [...observed].sort((a, b) =>
    unitKey(a.address, a.targets[0]!) < unitKey(b.address, b.targets[0]!) ? -1 : 1,
  );
  return Array.from({ length: n }, (_, i) => ({
    file: `shard-${i + 1}/report.json`,
    report: report(
      sorted.filter((_, k) => k % n === i),
      EXPECTED,
      {
        targets: TARGETS,
        settings: { shard: { index: i + 1, count: n }, ...extra(i) },
        startedAt: `2026-01-01T00:0${i}:00.000Z`,
      },
    ),
  })).map((r) => {
    // Every shard records the whole of DNS's answers, as shardPlan keeps `resolved` whole.
    r.report.scan.resolved = resolvedOf(observed);
    return r;
  });
}

function refuses(results: ShardResult[], words: RegExp, name = ''): void {
  assert.throws(
    () =>
      mergeReports(
        results,
        { name, failOn, targets: [], rules: [], maxAddresses: 4096 },
        new Date(),
      ),
    (error: unknown) => {
      assert.ok(error instanceof ConfigurationError, String(error));
      assert.match(error.message, words);
      return true;
    },
  );
}

describe('merge', () => {
  const whole = report(observed, EXPECTED, { targets: TARGETS });

  for (const n of [1, 2, 3, 6]) {
    it(`makes exactly the findings and verdict of one unsharded run from ${n} shards`, () => {
      const { report: merged, warnings } = mergeReports(
        shards(n).reverse(),
        { name: '', failOn, targets: [], rules: [], maxAddresses: 4096 },
        new Date(),
      );
      assert.deepEqual(brief(merged.findings), brief(whole.findings));
      assert.deepEqual(merged.verdict, whole.verdict);
      assert.equal(merged.observed.length, observed.length);
      assert.equal(merged.scanned.addresses, observed.length);
      assert.equal(merged.name, 'fleet watch');
      assert.equal(merged.settings['mode'], 'merge');
      assert.equal(merged.settings['shard'], undefined);
      assert.equal(merged.startedAt, '2026-01-01T00:00:00.000Z');
      assert.deepEqual(merged.merged?.shards, n);
      assert.deepEqual(warnings, []);
    });
  }

  it('decides with the merge job’s fail-on', () => {
    const { report: merged } = mergeReports(
      shards(2),
      { name: '', failOn: new Set(), targets: [], rules: [], maxAddresses: 4096 },
      new Date(),
    );
    assert.equal(merged.verdict.failed, false);
    assert.equal(merged.verdict.drift, true);
  });

  it('names the shards that are missing', () => {
    refuses(
      shards(4).filter((_, i) => i === 0 || i === 2),
      /shards 2\/4, 4\/4 missing: found 1\/4, 3\/4/,
    );
  });

  it('refuses a shard given twice, and results of different matrices', () => {
    const two = shards(2);
    refuses(
      [...two, { ...two[1]!, file: 'copy/report.json' }],
      /shard 2\/2 is there 2 times \(shard-2\/report\.json, copy\/report\.json\)/,
    );
    refuses([shards(2)[0]!, shards(3)[1]!, shards(3)[2]!], /a shard of 2 and .* a shard of 3/);
  });

  it('refuses shards of different policies, and a result that is no shard', () => {
    const other = shards(2);
    other[1]!.report.settings['rules'] = [];
    refuses(
      other,
      /shard-1\/report\.json and shard-2\/report\.json are not shards of one scan: their rules differ/,
    );
    refuses([{ file: 'whole.json', report: whole }], /whole\.json is not a shard result/);
  });

  it('refuses a merge job name other than the shards’ name', () => {
    refuses(
      shards(2),
      /'prod' differs from the name the shards scanned under \('fleet watch'\)/,
      'prod',
    );
  });

  it('warns when shard jobs saw a name resolve differently', () => {
    const results = shards(2);
    results[0]!.report.scan.resolved = { 'web.example.com': ['203.0.113.40'] };
    results[1]!.report.scan.resolved = { 'web.example.com': ['203.0.113.41'] };
    const { warnings } = mergeReports(
      results,
      { name: '', failOn, targets: [], rules: [], maxAddresses: 4096 },
      new Date(),
    );
    assert.match(warnings[0] ?? '', /web\.example\.com resolved to different addresses/);
  });
});
