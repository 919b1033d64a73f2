import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertAllowed,
  buildNmapArgs,
  describeArgs,
  MAX_ARGUMENT_CHARS,
  nmapEnv,
  portArgument,
  splitPorts,
} from '../../src/nmap/command.js';
import { describeProgress } from '../../src/nmap/run.js';

const base = {
  profile: 'sweep' as const,
  rate: 4000,
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

  it('holds the sweep to its rate, re-checks with normal timing, identifies with -sV', () => {
    const sweep = buildNmapArgs(base);
    assert.equal(sweep[sweep.indexOf('--min-rate') + 1], '4000');
    assert.equal(sweep[sweep.indexOf('--max-rate') + 1], '4000');
    assert.equal(sweep[sweep.indexOf('--max-retries') + 1], '0');
    assert.ok(sweep.includes('-T4') && !sweep.includes('-sV'));
    assert.throws(() => buildNmapArgs({ ...base, rate: undefined }), /needs a rate/);
    const verify = buildNmapArgs({ ...base, profile: 'verify' });
    assert.ok(!verify.includes('--min-rate') && !verify.includes('-T4'));
    assert.ok(!verify.includes('--max-rate'), 'no ceiling unless one is given');
    assert.equal(verify[verify.indexOf('--max-retries') + 1], '6');
    const capped = buildNmapArgs({ ...base, profile: 'verify', maxRate: 500 });
    assert.equal(capped[capped.indexOf('--max-rate') + 1], '500');
    assert.ok(buildNmapArgs({ ...base, profile: 'identify' }).includes('-sV'));
    // A careful probe may start with a shorter first timeout, always written in milliseconds.
    assert.ok(!verify.includes('--initial-rtt-timeout'), "nmap's own first timeout by default");
    const quick = buildNmapArgs({ ...base, profile: 'verify', initialRttMs: 328.6 });
    assert.equal(quick[quick.indexOf('--initial-rtt-timeout') + 1], '329ms');
    assert.ok(
      !buildNmapArgs({ ...base, initialRttMs: 300 }).includes('--initial-rtt-timeout'),
      'never in a sweep',
    );
  });

  it('decides silent addresses together: held to a rate, retransmissions, a first timeout, one group', () => {
    const decide = buildNmapArgs({
      ...base,
      profile: 'decide',
      retries: 2,
      initialRttMs: 400,
      hostgroup: 249,
      targets: Array.from({ length: 249 }, (_, i) => `203.0.113.${i + 1}`),
    });
    assert.equal(decide[decide.indexOf('--min-rate') + 1], '4000');
    assert.equal(decide[decide.indexOf('--max-retries') + 1], '2');
    assert.equal(decide[decide.indexOf('--initial-rtt-timeout') + 1], '400ms');
    assert.equal(decide[decide.indexOf('--min-hostgroup') + 1], '249');
    // The log shows a few of the addresses and counts the rest; report.json keeps the argv whole.
    assert.match(describeArgs(decide), /-- 203\.0\.113\.1 .* 203\.0\.113\.8 <241 more addresses>$/);
    assert.equal(
      describeProgress('Completed SYN Stealth Scan against 203.0.113.7 in 0.87s (49 hosts left)'),
      undefined,
    );
    assert.equal(
      describeProgress(
        'Warning: 203.0.113.7 giving up on port because retransmission cap hit (0).',
      ),
      undefined,
    );
    assert.equal(
      describeProgress('Completed SYN Stealth Scan at 06:32, 0.88s elapsed (3233 total ports)'),
      'Completed SYN Stealth Scan at 06:32, 0.88s elapsed (3233 total ports)',
    );
  });

  it('escapes % in the XML path, which nmap would expand like strftime', () => {
    const args = buildNmapArgs({ ...base, xmlPath: '/tmp/100%d/nmap.xml' });
    assert.equal(args[args.indexOf('-oX') + 1], '/tmp/100%%d/nmap.xml');
  });

  it('splits a port list too long for one argument, and never builds one', () => {
    // Every other port: 32,768 ranges, about 190 KB as one -p value.
    const scattered = Array.from({ length: 32768 }, (_, i) => ({
      from: i * 2 + 1,
      to: i * 2 + 1,
      protocol: 'tcp' as const,
    }));
    assert.throws(() => buildNmapArgs({ ...base, tcp: scattered }), /split the port list/);
    const pieces = splitPorts(scattered);
    assert.ok(pieces.length > 1);
    assert.deepEqual(pieces.flat(), scattered, 'every port is in exactly one piece, in order');
    for (const piece of pieces) {
      const args = buildNmapArgs({ ...base, tcp: piece });
      assert.ok(args.every((a) => a.length <= MAX_ARGUMENT_CHARS));
    }
  });

  it('shows a long port list in the log as its size', () => {
    const args = buildNmapArgs({ ...base, tcp: [{ from: 1, to: 65535, protocol: 'tcp' }] });
    assert.match(describeArgs(args), / -p 1-65535 /);
    const long = buildNmapArgs({
      ...base,
      tcp: Array.from({ length: 40 }, (_, i) => ({
        from: i * 3 + 1,
        to: i * 3 + 1,
        protocol: 'tcp' as const,
      })),
    });
    assert.match(describeArgs(long), / -p <40 ports> /);
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
