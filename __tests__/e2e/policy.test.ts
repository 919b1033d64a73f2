// End to end, the whole policy model on a fleet: a policy file with groups and blocks, a dual-stack
// host whose IPv6 side exposes more than its IPv4 side, UDP services, a runner with no IPv6 route,
// and record mode. Needs root (skips, saying so, without).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brief, runAction } from '../helpers/action.js';
import type { ExecOptions } from '../helpers/exec.js';
import { createFleet, type Fleet } from '../helpers/fleet.js';
import { canBuildFleets } from '../helpers/netns.js';

const skip = canBuildFleets === true ? false : canBuildFleets;

const HOSTS = [
  // SSH on both sides; a Redis that listens on IPv6 only, where nobody wrote a firewall rule.
  {
    name: 'dual',
    ipv4: '203.0.113.40',
    ipv6: '2001:db8::40',
    tcp: [22, { port: 6379, ipv6Only: true }],
  },
  { name: 'v6only', ipv6: '2001:db8::41', tcp: [443] },
  // DNS answers; SNMP is bound but silent (open|filtered); a stray mDNS responder answers.
  {
    name: 'udp',
    ipv4: '203.0.113.42',
    tcp: [22],
    udp: [{ port: 53, reply: 'dns' }, 161, { port: 5353, reply: 'mdns' }],
  },
  // A runner with IPv4 only, like GitHub-hosted runners.
  { name: 'v4runner', ipv4: '203.0.113.43' },
] as const;

describe('the policy model on a fleet', { skip }, () => {
  let fleet: Fleet<(typeof HOSTS)[number]['name']>;
  let work: string;
  const inScanner = (argv: string[], opts: ExecOptions) => fleet.exec(argv, opts);

  before(async () => {
    fleet = await createFleet(HOSTS, {
      hostsFile: { 'dual.fleet.test': ['203.0.113.40', '2001:db8::40'] },
    });
    work = mkdtempSync(join(tmpdir(), 'port-drift-policy-'));
  });

  after(async () => {
    await fleet?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it('catches the Redis that only the forgotten IPv6 firewall lets through', async () => {
    writeFileSync(
      join(work, 'ports.yml'),
      [
        'name: dual stack',
        'targets: [dual.fleet.test, 203.0.113.40/30, gone.fleet.test]',
        'groups:',
        '  v6hosts: [2001:db8::41]',
        'rules:',
        '  dual.fleet.test: [22]',
        '  203.0.113.40/30: "22?"',
        '  v6hosts: [443]',
        '  gone.fleet.test: [22]',
        '',
      ].join('\n'),
    );
    const run = await runAction({ policy: 'ports.yml', ports: '22,443,6379,8080' }, inScanner, {
      GITHUB_WORKSPACE: work,
    });
    assert.deepEqual(brief(run.findings), [
      'host-down gone.fleet.test unresolved',
      'unexpected-open dual.fleet.test 2001:db8::40 6379/tcp open',
    ]);
    assert.equal(run.code, 1);
    const observed = (run.report as { observed: { address: string; targets: string[] }[] })
      .observed;
    // Both addresses of the name are scanned and reported on their own.
    const v4 = observed.filter((o) => o.address === '203.0.113.40');
    const v6 = observed.filter((o) => o.address === '2001:db8::40');
    assert.equal(v4.length, 1, 'an address named by a name and a block is reported once');
    assert.deepEqual(v4[0]?.targets, ['dual.fleet.test', '203.0.113.40/30']);
    assert.deepEqual(v6[0]?.targets, ['dual.fleet.test']);
    assert.ok(run.files.includes('nmap-ipv4-tcp.xml') && run.files.includes('nmap-ipv6-tcp.xml'));
    assert.match(run.summary, /## ❌ Drift found: `dual stack`/);
  });

  it('reads UDP: an answering service is open, a silent required one is inconclusive', async () => {
    const run = await runAction(
      {
        targets: '203.0.113.42',
        expected: '203.0.113.42: 22, 53/udp, 161/udp',
        ports: '22,80',
        'udp-ports': '53,161,162,5353',
      },
      inScanner,
    );
    assert.deepEqual(brief(run.findings), [
      'inconclusive 203.0.113.42 203.0.113.42 161/udp open|filtered',
      'unexpected-open 203.0.113.42 203.0.113.42 5353/udp open',
    ]);
    assert.equal(run.code, 1, 'the unexpected UDP service fails the step');
    const scanned = JSON.parse(run.outputs['scanned'] ?? '{}') as Record<string, number>;
    assert.equal(scanned['udpPorts'], 4);
  });

  it('calls IPv6 addresses inconclusive, with a hint, on a runner with no IPv6 route', async () => {
    const run = await runAction(
      { targets: '203.0.113.40\n2001:db8::41', expected: '*: 22?, 443?', ports: '22,443' },
      (argv, opts) => fleet.execIn('v4runner', argv, opts),
    );
    assert.deepEqual(brief(run.findings), ['inconclusive 2001:db8::41 2001:db8::41 not scanned']);
    assert.match(run.findings[0]?.detail ?? '', /no IPv6 route.*ip-version: 4/);
    assert.equal(run.code, 0, 'inconclusive is not in the default fail-on');
    assert.match(run.stdout, /::warning::/);
    const failing = await runAction(
      { targets: '2001:db8::41', 'fail-on': 'inconclusive', ports: '443' },
      (argv, opts) => fleet.execIn('v4runner', argv, opts),
    );
    assert.equal(failing.code, 1);
    // Its one address could not be judged: the run says so (docs/reference.md, exit behaviour).
    assert.match(
      failing.stdout,
      /::error::Nothing could be judged: its one address is inconclusive \(this runner has no IPv6 route to 2001:db8::41 \(it has no IPv6 address beyond link-local\)\)\./,
    );
  });

  it('records the observed state as a policy that a later check passes', async () => {
    const common = { ports: '22,443,6379', 'udp-ports': '53,161' };
    const targets = 'dual.fleet.test\n203.0.113.42\n2001:db8::41';
    const record = await runAction(
      { ...common, targets, mode: 'record', policy: 'recorded.yml' },
      inScanner,
      { GITHUB_WORKSPACE: work },
    );
    assert.equal(record.code, 0, record.stdout);
    assert.equal(record.outputs['policy-path'], join(work, 'recorded.yml'));
    const text = readFileSync(join(work, 'recorded.yml'), 'utf8');
    assert.match(text, /2001:db8::40:\n\s+- 6379\n/);
    assert.match(text, /- 161\/udp\?/);
    const check = await runAction({ ...common, policy: 'recorded.yml' }, inScanner, {
      GITHUB_WORKSPACE: work,
    });
    assert.deepEqual(check.findings, []);
    assert.equal(check.code, 0);
  });
});
