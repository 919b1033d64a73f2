// Exceptions end to end: the built action scans a fleet with nmap, with a MongoDB accepted for a
// while. Ending within 7 days: a warning names it, the summary lists it under "Accepted until",
// and the step passes. Ending while the scan runs: the port is drift again when the scan finishes,
// and says which exception ended. Needs root (skips, saying so, without).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brief, runAction } from '../helpers/action.js';
import type { ExecOptions } from '../helpers/exec.js';
import { createFleet, type Fleet } from '../helpers/fleet.js';
import { canBuildFleets } from '../helpers/netns.js';

const skip = canBuildFleets === true ? false : canBuildFleets;

const HOSTS = [{ name: 'db', ipv4: '203.0.113.70', tcp: [22, 27017] }] as const;
const DB = '203.0.113.70';

describe('exceptions on a fleet', { skip }, () => {
  let fleet: Fleet<(typeof HOSTS)[number]['name']>;
  let work: string;
  const inScanner = (argv: string[], opts: ExecOptions) => fleet.exec(argv, opts);

  before(async () => {
    fleet = await createFleet(HOSTS);
    work = mkdtempSync(join(tmpdir(), 'port-drift-exceptions-'));
  });
  after(async () => {
    await fleet?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it('an exception ending in 3 days: not drift, listed with its reason, and named in a warning', async () => {
    const until = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    writeFileSync(
      join(work, 'ports.yml'),
      [
        `targets: [${DB}]`,
        'rules:',
        `  ${DB}:`,
        '    - 22',
        `    - {port: 27017, until: ${until}, reason: 'OPS-41: data migration, owner alice'}`,
        '',
      ].join('\n'),
    );
    const run = await runAction({ policy: 'ports.yml', ports: '1-1000' }, inScanner, {
      GITHUB_WORKSPACE: work,
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(run.findings, []);
    const warning = run.stdout.split('\n').find((l) => l.includes('The exception for'));
    assert.match(
      warning ?? '',
      new RegExp(
        `^::warning::The exception for 27017/tcp on ${DB.replace(/\./g, '\\.')} \\(ports\\.yml:3, OPS-41: data migration, owner alice\\) ends after ${until} \\(UTC\\): renew it`,
      ),
      run.stdout,
    );
    assert.match(run.summary, new RegExp(`### Accepted until \`${until}\`: 1 open port`));
    const report = run.report as { accepted: { port: number; reason: string }[] };
    assert.deepEqual(
      report.accepted.map((a) => [a.port, a.reason]),
      [[27017, 'OPS-41: data migration, owner alice']],
    );
  });

  it('an exception that ends while the scan runs: drift when the scan finishes, saying it ended', async () => {
    // The scan takes several seconds (an address that answers nothing is waited for); the
    // exception ends one to two seconds after the action starts (a whole second, as people write).
    // A run that ended before the exception did (seen once in CI, the whole run under 2 s) is not
    // this case: it is run again, at most three times, and the test fails if none lasted.
    let until = '';
    let run: Awaited<ReturnType<typeof runAction>> | undefined;
    let report: { startedAt: string; finishedAt: string } | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      until = new Date(Math.ceil((Date.now() + 1000) / 1000) * 1000)
        .toISOString()
        .replace(/\.000Z$/, 'Z');
      run = await runAction(
        {
          targets: `${DB}, ${fleet.unusedIpv4}`,
          expected: `${DB}: 22\n${DB}: 27017 until ${until} "OPS-42 #7, owner bob"\n${fleet.unusedIpv4}: none`,
          ports: '1-1000',
        },
        inScanner,
      );
      report = run.report as { startedAt: string; finishedAt: string } | undefined;
      if (report && Date.parse(report.finishedAt) > Date.parse(until)) break;
    }
    assert.ok(run && report, run?.stdout);
    assert.ok(Date.parse(report.startedAt) < Date.parse(until), 'started before the end');
    assert.ok(
      Date.parse(report.finishedAt) > Date.parse(until),
      `finished after the end, in one of 3 runs; the last:\n${run.stdout}\n${run.stderr}`,
    );
    assert.equal(run.code, 1, run.stdout);
    assert.deepEqual(brief(run.findings.filter((f) => f.address === DB)), [
      `unexpected-open ${DB} ${DB} 27017/tcp open`,
    ]);
    const [expired] = run.findings.filter((f) => f.port === 27017);
    assert.deepEqual(expired?.expiredException, {
      until,
      reason: 'OPS-42 #7, owner bob',
      source: 'expected line 2',
    });
    assert.match(run.summary, /\*\*unexpected-open\*\* \(exception ended `[^`]+`\)/);
    assert.match(run.summary, /The exception that accepted this port until .* has ended: renew it/);
  });
});
