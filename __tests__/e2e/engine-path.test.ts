// End to end, the scan engine across the internet-like path (40 ms round trip, a policer):
// every open port found, those the policy does not list included; a default-drop host with open
// ports is up, not down; a dead address is down only after the careful probe; a host that
// answers on every port is reported once. Needs root (skips, saying so, without).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brief, runAction } from '../helpers/action.js';
import type { ExecOptions } from '../helpers/exec.js';
import { canBuildPaths, createPath, type NetPath } from '../helpers/netpath.js';

const skip = canBuildPaths === true ? false : canBuildPaths;

const HOSTS = [
  // Answers closed ports with a reset: the pacer's ground truth. 31337 is in no rule.
  { name: 'server', ipv4: '203.0.113.10', tcp: [22, 80, 31337] },
  // A firewall that drops everything but two open ports.
  {
    name: 'wall',
    ipv4: '203.0.113.13',
    tcp: [22, 8443],
    dropAll: true,
    nft: ['tcp dport { 22, 8443 } accept'],
  },
  { name: 'proxy', ipv4: '203.0.113.12', tcp: [8000], everyPort: true },
] as const;

interface Observed {
  address: string;
  status: string;
  coverage?: { ports: number; answered: number; silent: number; unanswered: number };
  everyPort?: { open: number; sampled: number };
}

describe('the scan engine across an internet-like path', { skip }, () => {
  let path: NetPath<(typeof HOSTS)[number]['name']>;
  const inScanner = (argv: string[], opts: ExecOptions) => path.exec(argv, opts);

  before(async () => {
    // A policer at 3,000 packets/s each way: the sweep's first rate already runs into it.
    path = await createPath({ rttMs: 40, pps: 3000, hosts: HOSTS });
  });
  after(async () => {
    await path?.destroy();
  });

  it('finds every open port under a policer, calls no wall down, and the dead address only after a careful probe', async () => {
    const run = await runAction(
      {
        targets: `203.0.113.10, 203.0.113.13, 203.0.113.12, ${path.unusedIpv4}`,
        expected: '*: 22\n203.0.113.10: 80',
        ports: '1-3000,8443,31337',
      },
      inScanner,
    );
    assert.deepEqual(
      brief(run.findings),
      [
        `host-down ${path.unusedIpv4} ${path.unusedIpv4} no answer`,
        'inconclusive 203.0.113.12 203.0.113.12 answers on every port',
        'unexpected-open 203.0.113.10 203.0.113.10 31337/tcp open',
        'unexpected-open 203.0.113.13 203.0.113.13 8443/tcp open',
      ],
      run.stdout,
    );
    const down = run.findings.find((f) => f.kind === 'host-down');
    assert.match(down?.detail ?? '', /nor to a careful probe of \d+ ports/);
    const proxy = run.findings.find((f) => f.address === '203.0.113.12');
    assert.match(proxy?.detail ?? '', /answers on every port.*expected ports \(22\)/);

    const report = run.report as {
      observed: Observed[];
      scan: { pace: { rate: number; reason: string; steps: unknown[] } };
    };
    const byAddress = new Map(report.observed.map((o) => [o.address, o]));
    // Every port of the server answered in the end, policed probes or not.
    assert.deepEqual(byAddress.get('203.0.113.10')?.coverage, {
      ports: 3002,
      answered: 3002,
      silent: 0,
      unanswered: 0,
      probes: 0,
    });
    // The wall's silence is its firewall's answer: judged, not unanswered.
    const wall = byAddress.get('203.0.113.13')?.coverage;
    assert.equal(wall?.answered, 2);
    assert.equal(wall?.unanswered, 0);
    assert.equal(byAddress.get('203.0.113.12')?.everyPort?.sampled, 8);
    // The pace settled at the policer (what gets through it, give or take a tenth), far below the
    // rate it started at, and the summary says so.
    assert.ok(report.scan.pace.rate <= 3300, JSON.stringify(report.scan.pace));
    assert.match(report.scan.pace.reason, /rate limit on the path/);
    assert.match(run.summary, /Pace: [\d,]+ packets\/s, `settled below a rate limit/);
    assert.match(run.summary, /\| `203\.0\.113\.10` \| up \| .* \| 3,002 of 3,002 answered \|/);
  });
});

describe('the empty addresses of a block, across the path', { skip }, () => {
  let path: NetPath<'web' | 'mongo'>;
  const inScanner = (argv: string[], opts: ExecOptions) => path.exec(argv, opts);

  before(async () => {
    path = await createPath({
      rttMs: 40,
      pps: 20000,
      emptySilent: true,
      hosts: [
        { name: 'web', ipv4: '203.0.113.10', tcp: [22, 443] },
        // Default-drop, only MongoDB open: no ping, no 443, no 80 answers. Host discovery misses it.
        {
          name: 'mongo',
          ipv4: '203.0.113.20',
          tcp: [27017],
          dropAll: true,
          nft: ['tcp dport 27017 accept'],
        },
      ],
    });
  });
  after(async () => {
    await path?.destroy();
  });

  it('decides them together in one run, finds the host only MongoDB answers on, and folds them into one line', async () => {
    const run = await runAction({ targets: '203.0.113.0/27', expected: '*: 22?, 443?' }, inScanner);
    assert.deepEqual(
      brief(run.findings),
      ['unexpected-open 203.0.113.0/27 203.0.113.20 27017/tcp open'],
      run.stdout,
    );
    const report = run.report as {
      observed: { address: string; status: string; reason: string }[];
      scan: { runs: { phase?: string; args?: string[] }[] };
    };
    assert.equal(report.observed.length, 32, 'the report keeps every address');
    const empty = report.observed.filter((o) => o.status === 'down');
    assert.equal(empty.length, 30);
    for (const o of empty) assert.match(o.reason, /nor to \d probes of each of \d+ ports/);
    // One nmap run decided the 30 together, in one group, with MongoDB's port among its ports.
    const decide = report.scan.runs.filter((r) => r.phase === 'decide');
    assert.equal(decide.length, 1);
    const args = decide[0]?.args ?? [];
    assert.equal(args[args.indexOf('--min-hostgroup') + 1], '30');
    assert.match(args[args.indexOf('-p') + 1] ?? '', /(^|,)27017(,|-|$)/);
    assert.equal(
      report.scan.runs.filter((r) => r.phase === 'verify').length,
      1,
      'the re-check only',
    );
    // The summary: a row per live address, one line for the empty ones.
    assert.match(run.summary, /^30 empty addresses \(no rule requires a port there\): /m);
    assert.equal(run.summary.match(/\| down \|/g), null);
    // The log names the run once, not each address.
    assert.doesNotMatch(run.stdout, /Completed SYN Stealth Scan against/);
  });
});
