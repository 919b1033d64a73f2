// The internet-like path of __tests__/helpers/netpath.ts does what the engine tests and the
// bench rely on: targets two routed hops away, the round-trip time it is set to, a policer that
// drops above its rate, a dead address that is simply silent, a host that answers on every port,
// and the action running across it as across a fleet. Needs root (skips, saying so, without).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brief, runAction } from '../helpers/action.js';
import type { ExecOptions } from '../helpers/exec.js';
import { canBuildPaths, createPath, type NetPath } from '../helpers/netpath.js';

const skip = canBuildPaths === true ? false : canBuildPaths;

const HOSTS = [
  { name: 'rst', ipv4: '203.0.113.10', ipv6: '2001:db8::10', tcp: [22, 80] },
  { name: 'proxy', ipv4: '203.0.113.12', ipv6: '2001:db8::12', tcp: [8000], everyPort: true },
] as const;

/** Ports of one nmap XML run: `port state reason ttl`, and whether nmap saw a MAC address. */
function readXml(xml: string): { ports: string[]; mac: boolean } {
  const ports = [
    ...xml.matchAll(
      /<port protocol="tcp" portid="(\d+)"><state state="([a-z|]+)" reason="([a-z-]+)" reason_ttl="(\d+)"/g,
    ),
  ].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]}`);
  return { ports, mac: xml.includes('addrtype="mac"') };
}

describe('the internet-like path', { skip }, () => {
  let path: NetPath<(typeof HOSTS)[number]['name']>;
  const inScanner = (argv: string[], opts: ExecOptions) => path.exec(argv, opts);
  const nmap = async (family: 4 | 6, ports: string, target: string) => {
    const r = await path.exec(
      [
        'nmap',
        ...(family === 6 ? ['-6'] : []),
        '-sS',
        '-Pn',
        '-n',
        '--reason',
        '--max-retries',
        '1',
        '-p',
        ports,
        '-oX',
        '-',
        '--',
        target,
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    return readXml(r.stdout);
  };

  before(async () => {
    path = await createPath({ rttMs: 40, hosts: HOSTS });
  });
  after(async () => {
    await path?.destroy();
  });

  it('puts the targets two routed hops and the set round-trip time away, in both families', async () => {
    for (const [family, target] of [
      [4, '203.0.113.10'],
      [6, '2001:db8::10'],
    ] as const) {
      const { ports, mac } = await nmap(family, '22,80,81', target);
      // TTL 64 less two routers; no MAC address: nmap could not see the host on its link.
      assert.deepEqual(ports, ['22 open syn-ack 62', '80 open syn-ack 62', '81 closed reset 62']);
      assert.equal(mac, false);
    }
    // TCP connects from the scanner: the handshake takes at least the path's round trip.
    const script = `const net = require('node:net');
(async () => {
  const out = [];
  for (const host of ['203.0.113.10', '2001:db8::10'])
    for (let i = 0; i < 4; i++)
      out.push(await new Promise((ok, ko) => {
        const t = process.hrtime.bigint();
        const s = net.connect({ host, port: 22 }, () => { ok(Number(process.hrtime.bigint() - t) / 1e6); s.destroy(); });
        s.on('error', ko);
      }));
  console.log(JSON.stringify(out));
})();`;
    const r = await path.exec([process.execPath, '-e', script]);
    assert.equal(r.code, 0, r.stderr);
    const rtts = JSON.parse(r.stdout) as number[];
    assert.equal(rtts.length, 8);
    for (const ms of rtts) assert.ok(ms >= 40 && ms < 1000, `connect took ${ms} ms`);
  });

  it('drops what exceeds its policer, and counts it', async () => {
    const sent = 2000;
    await path.set({ pps: 500, burst: 20 });
    try {
      // Let what an earlier test left on the path (a closing handshake) drain first.
      for (let i = 0; i < 50; i++) {
        const c = await path.counters();
        if (c.forward.queued === 0 && c.reverse.queued === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const started = Date.now();
      await path.resetCounters();
      // A burst of UDP datagrams to the discard port, far above 500 a second.
      const script = `const s = require('node:dgram').createSocket('udp4');
let n = 0;
const more = () => { while (n < ${sent}) { n++; if (!s.send(Buffer.alloc(32), 9, '203.0.113.10')) break; } };
s.on('error', () => {});
more();
const t = setInterval(() => { if (n >= ${sent}) { clearInterval(t); setTimeout(() => s.close(), 200); } else more(); }, 1);`;
      const r = await path.exec([process.execPath, '-e', script]);
      assert.equal(r.code, 0, r.stderr);
      const c = (await path.counters()).forward;
      const seconds = (Date.now() - started) / 1000;
      // Every datagram reached the forwarder (a straggler of an earlier test may have too).
      assert.ok(c.in + c.queueDropped >= sent, JSON.stringify(c));
      assert.equal(c.passed + c.policed + c.lost + c.overflow + c.errors + c.queued, c.in);
      assert.ok(c.policed > 0, JSON.stringify(c));
      // Never more than the bucket plus the rate over the time it had.
      assert.ok(c.passed >= 20 && c.passed <= 20 + 500 * seconds, `${c.passed} in ${seconds} s`);
    } finally {
      await path.set({ pps: 0 });
    }
  });

  it('keeps a dead address silent: no answer, no ICMP', async () => {
    await path.resetCounters();
    for (const [family, target] of [
      [4, path.unusedIpv4],
      [6, path.unusedIpv6],
    ] as const) {
      const { ports } = await nmap(family, '22,80', target);
      assert.deepEqual(ports, ['22 filtered no-response 0', '80 filtered no-response 0']);
    }
    const c = await path.counters();
    assert.ok(c.forward.passed >= 8, JSON.stringify(c.forward));
    assert.equal(c.reverse.in, 0, 'nothing at all came back across the path');
  });

  it('has a host that answers on every TCP port', async () => {
    const ports = Array.from({ length: 6 }, () => 1024 + Math.floor(Math.random() * 64_512));
    const list = [...new Set(ports)].sort((a, b) => a - b);
    for (const [family, target] of [
      [4, '203.0.113.12'],
      [6, '2001:db8::12'],
    ] as const) {
      const { ports: seen } = await nmap(family, list.join(','), target);
      assert.deepEqual(
        seen,
        list.map((p) => `${p} open syn-ack 62`),
      );
    }
  });

  it('carries the action across, as a fleet does', async () => {
    const run = await runAction(
      { targets: '203.0.113.10', expected: '203.0.113.10: 22', ports: '22,80,443' },
      inScanner,
    );
    assert.deepEqual(brief(run.findings), [
      'unexpected-open 203.0.113.10 203.0.113.10 80/tcp open',
    ]);
  });
});
