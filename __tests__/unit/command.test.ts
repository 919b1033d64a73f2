import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertAllowed, buildNmapArgs, nmapEnv, portArgument } from '../../src/nmap/command.js';
import { describeProgress } from '../../src/nmap/run.js';

const base = {
  profile: 'sweep' as const,
  targetAddresses: 17,
  family: 4 as const,
  scanType: 'syn' as const,
  tcp: [
    { from: 22, to: 22, protocol: 'tcp' as const },
    { from: 8000, to: 8100, protocol: 'tcp' as const },
  ],
  udp: [],
  targets: ['203.0.113.10', '203.0.113.0/28'],
  xmlPath: '/tmp/r/nmap-ipv4.xml',
};

describe('nmap command', () => {
  it('puts the targets after -- and writes XML to the report dir', () => {
    const args = buildNmapArgs(base);
    assert.deepEqual(args.slice(args.indexOf('--')), ['--', '203.0.113.10', '203.0.113.0/28']);
    assert.deepEqual(args.slice(args.indexOf('-oX'), args.indexOf('-oX') + 2), [
      '-oX',
      '/tmp/r/nmap-ipv4.xml',
    ]);
    assert.ok(args.includes('-sS') && args.includes('-Pn') && args.includes('-v'));
    assert.equal(args[args.indexOf('-p') + 1], '22,8000-8100');
  });

  it('sweeps fast at a floor rate, re-checks with normal timing, identifies with -sV', () => {
    const sweep = buildNmapArgs(base);
    assert.equal(sweep[sweep.indexOf('--min-rate') + 1], '1000');
    assert.ok(sweep.includes('-T4') && !sweep.includes('-sV'));
    const full = buildNmapArgs({
      ...base,
      tcp: [{ from: 1, to: 65535, protocol: 'tcp' }],
      targetAddresses: 3,
    });
    assert.equal(full[full.indexOf('--min-rate') + 1], '50000');
    const verify = buildNmapArgs({ ...base, profile: 'verify' });
    assert.ok(!verify.includes('--min-rate') && !verify.includes('-T4'));
    assert.equal(verify[verify.indexOf('--max-retries') + 1], '6');
    assert.ok(buildNmapArgs({ ...base, profile: 'identify' }).includes('-sV'));
  });

  it('scans IPv6 with -6, connect with -sT, UDP with -sU and T:/U: ports', () => {
    const args = buildNmapArgs({
      ...base,
      family: 6,
      scanType: 'connect',
      targets: ['2001:db8::10'],
      udp: [{ from: 53, to: 53, protocol: 'udp' }],
    });
    assert.ok(args.includes('-6') && args.includes('-sT') && args.includes('-sU'));
    assert.equal(
      portArgument(base.tcp, [{ from: 53, to: 53, protocol: 'udp' }]),
      'T:22,8000-8100,U:53',
    );
  });

  it('refuses anything off the allow-list, and option-like targets, even if a bug let them through', () => {
    assert.throws(() => assertAllowed(['-sS', '--script', 'x', '--', '203.0.113.1']), /allow-list/);
    assert.throws(() => assertAllowed(['-sS', '--', '-iL', '/etc/passwd']), /not a target/);
    assert.throws(() => assertAllowed(['-sS', '203.0.113.1']), /without --/);
    assert.throws(() => buildNmapArgs({ ...base, targets: ['--script=evil'] }), /not a target/);
  });

  it('removes NMAP_ARGS, NMAPDIR and NMAP_PRIVILEGED from nmap environment', () => {
    const env = nmapEnv({
      PATH: '/usr/bin',
      NMAP_ARGS: '-iL /etc/passwd',
      NMAPDIR: '/tmp/evil',
      NMAP_PRIVILEGED: '1',
    });
    assert.deepEqual(env, { PATH: '/usr/bin' });
  });
});

describe('nmap progress in the log', () => {
  it('turns progress lines into percent and seconds left, and keeps only lines worth reading', () => {
    assert.equal(
      describeProgress(
        'SYN Stealth Scan Timing: About 52.67% done; ETC: 09:31 (0:01:27 remaining)',
      ),
      'SYN Stealth Scan: 52% done, about 87 s left',
    );
    assert.equal(
      describeProgress('Discovered open port 27017/tcp on 203.0.113.5'),
      'Discovered open port 27017/tcp on 203.0.113.5',
    );
    assert.equal(describeProgress('22/tcp  open  ssh     syn-ack ttl 64'), undefined);
    assert.equal(describeProgress('Nmap scan report for 203.0.113.5'), undefined);
  });
});
