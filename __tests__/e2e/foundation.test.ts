// End to end: the built action, run as the runner runs it, inside a scanner namespace that reaches
// a fleet of hosts in network namespaces, with real nmap. Needs root (skips, saying so, without).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brief, runAction, type ActionRun } from '../helpers/action.js';
import { createFleet, type Fleet } from '../helpers/fleet.js';
import { canBuildFleets } from '../helpers/netns.js';

const skip = canBuildFleets === true ? false : canBuildFleets;

const HOSTS = [
  // Exactly what the policy says: SSH and HTTPS.
  { name: 'exact', ipv4: '203.0.113.10', tcp: [22, 443] },
  // SSH as meant, plus a MongoDB and a Redis nobody meant to expose.
  {
    name: 'leaky',
    ipv4: '203.0.113.11',
    tcp: [22, { port: 27017 }, { port: 6379, banner: '-ERR unknown command\r\n' }],
  },
  // HTTPS runs, but the firewall drops it.
  { name: 'walled', ipv4: '203.0.113.12', tcp: [22, 443], dropTcp: [443] },
] as const;

describe('the action on a fleet', { skip }, () => {
  let fleet: Fleet<(typeof HOSTS)[number]['name']>;
  let run: ActionRun;

  before(async () => {
    fleet = await createFleet(HOSTS, {
      hostsFile: { 'exact.fleet.test': ['203.0.113.10'], 'leaky.fleet.test': ['203.0.113.11'] },
    });
    run = await runAction(
      {
        name: 'fleet watch',
        targets: [
          'exact.fleet.test',
          'leaky.fleet.test',
          fleet.address('walled'),
          fleet.unusedIpv4,
        ].join('\n'),
        expected: [
          'exact.fleet.test: 22, 443',
          'leaky.fleet.test: 22',
          `${fleet.address('walled')}: 22, 443`,
          `${fleet.unusedIpv4}: 22`,
        ].join('\n'),
        'ip-version': '4',
        'scan-timeout': '4m',
      },
      (argv, opts) => fleet.exec(argv, opts),
    );
  });

  after(async () => {
    await fleet?.destroy();
  });

  it('reports exactly the drift: an open MongoDB and Redis, a dropped HTTPS, a dead address', () => {
    assert.deepEqual(brief(run.findings), [
      `host-down ${fleet.unusedIpv4} ${fleet.unusedIpv4} no answer`,
      'missing 203.0.113.12 203.0.113.12 443/tcp filtered',
      'unexpected-open leaky.fleet.test 203.0.113.11 27017/tcp open',
      'unexpected-open leaky.fleet.test 203.0.113.11 6379/tcp open',
    ]);
  });

  it('fails the step with one line counting the findings by kind', () => {
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^::error::Drift: 2 unexpected-open, 1 missing, 1 host-down\.$/m);
    assert.equal(run.outputs['drift'], 'true');
  });

  it('sets the outputs: findings, the report path and what was scanned', () => {
    assert.equal(run.outputs['report']?.endsWith('/report.json'), true);
    const scanned = JSON.parse(run.outputs['scanned'] ?? '{}') as Record<string, number>;
    assert.equal(scanned['addresses'], 4);
    // nmap's top 1000, the built-in exposed services and the expected ports, without duplicates.
    assert.ok((scanned['tcpPorts'] ?? 0) > 1000, JSON.stringify(scanned));
    assert.equal(scanned['udpPorts'], 0);
    assert.ok(run.files.includes('report.json') && run.files.includes('nmap-ipv4-tcp.xml'));
  });

  it('writes report.json with the verdict, the findings and every observed address', () => {
    const report = run.report as {
      verdict: { failed: boolean };
      findings: unknown[];
      observed: { address: string; targets: string[]; status: string }[];
    };
    assert.equal(report.verdict.failed, true);
    assert.equal(report.findings.length, 4);
    const byAddress = new Map(report.observed.map((o) => [o.address, o]));
    assert.deepEqual(byAddress.get('203.0.113.10')?.targets, ['exact.fleet.test']);
    assert.equal(byAddress.get('203.0.113.10')?.status, 'up');
    assert.equal(byAddress.get(fleet.unusedIpv4)?.status, 'down');
  });

  it('writes a summary with the verdict first and each drift under its target', () => {
    const lines = run.summary.split('\n').filter(Boolean);
    assert.match(lines[0] ?? '', /^## ❌ Drift found: `fleet watch`/);
    assert.match(
      run.summary,
      /\| `leaky\.fleet\.test` \| `203\.0\.113\.11` \| 27017\/tcp \| \*\*unexpected-open\*\*/,
    );
    assert.match(run.summary, /443\/tcp \| \*\*missing\*\* \| `open` \| `filtered`/);
  });

  it('passes when the policy allows what is open', async () => {
    const clean = await runAction(
      {
        targets: 'exact.fleet.test, leaky.fleet.test',
        expected: 'exact.fleet.test: 22, 443\nleaky.fleet.test: 22, 6379, 27017',
        'ip-version': '4',
      },
      (argv, opts) => fleet.exec(argv, opts),
    );
    assert.equal(clean.code, 0, clean.stdout);
    assert.deepEqual(clean.findings, []);
    assert.equal(clean.outputs['drift'], 'false');
    assert.match(clean.summary, /^## ✅ No drift/);
  });

  it('refuses a bad input before any scan, naming the input, with no stack trace', async () => {
    const bad = await runAction(
      { targets: `${fleet.address('exact')}\n-iL /etc/passwd`, expected: '*: 22' },
      (argv, opts) => fleet.exec(argv, opts),
    );
    assert.equal(bad.code, 1);
    const errors = bad.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    assert.equal(errors.length, 1, bad.stdout);
    assert.match(errors[0] ?? '', /Input 'targets': '-iL \/etc\/passwd' starts with '-'/);
    assert.doesNotMatch(bad.stdout + bad.stderr, /\n\s+at /);
    assert.equal(bad.files.length, 0, 'nothing was scanned or written');
    assert.match(
      bad.summary,
      /^## ❌ A configuration error\n\n`Input 'targets': '-iL \/etc\/passwd'/,
    );
  });
});
