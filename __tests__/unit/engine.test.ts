// The scan engine's pure parts: what an nmap run says about each host, how the pace follows the
// path, how silence is judged, and which hosts answer on every port.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findDrift } from '../../src/findings/drift.js';
import { parseNmapXml } from '../../src/nmap/parse.js';
import { parseRules } from '../../src/settings/rules.js';
import {
  MISS_TOLERATED,
  addSweep,
  afterProbe,
  coverageOf,
  toProbe,
  type Silence,
} from '../../src/scan/coverage.js';
import { markEveryPort, samplePorts, suspects } from '../../src/scan/everyport.js';
import { answersClosed, intersect, runFacts, subtract, takePorts } from '../../src/scan/facts.js';
import { bulkProbes, firstTimeoutMs, needsCare } from '../../src/scan/careful.js';
import {
  idleBetween,
  lostOnRunner,
  parseCpu,
  parseNetDev,
  parseSoftnet,
} from '../../src/scan/intake.js';
import { ASSUMED_DELIVERY, Pacer, START_RATE, TOP_RATE } from '../../src/scan/pacing.js';
import { rescueBatches } from '../../src/scan/rescue.js';
import type { ObservedAddress, PortRange } from '../../src/base/types.js';
import { fixturesDir } from '../helpers/paths.js';

const tcp = (from: number, to = from): PortRange => ({ from, to, protocol: 'tcp' });
const fleetScan = parseNmapXml(readFileSync(join(fixturesDir, 'nmap', 'fleet-ipv4.xml'), 'utf8'));

function up(address: string, more: Partial<ObservedAddress> = {}): ObservedAddress {
  return {
    address,
    family: 4,
    targets: [address],
    hostnames: [],
    status: 'up',
    reason: 'user-set',
    ports: [],
    extraports: [],
    ...more,
  };
}

/** The answers a path gives at each rate: a policer lets `limit` through, loss takes a share. */
function path(limit: number, loss = 0) {
  return (rate: number) => {
    const probes = 10_000;
    const through = Math.min(1, limit / rate) * (1 - loss);
    return { rate, probes, answered: Math.round(probes * through), seconds: probes / rate };
  };
}

describe('what an nmap run says about each host', () => {
  it('counts answered and silent ports, and knows a host that answers closed ports', () => {
    const facts = runFacts([fleetScan]);
    const rst = facts.get('203.0.113.21');
    assert.ok(rst);
    assert.deepEqual(rst.silent, [tcp(5432)], 'the one port it dropped');
    assert.equal(rst.answered, rst.probed - 1);
    assert.equal(rst.resets, rst.probed - rst.open - 1);
    const dead = facts.get('203.0.113.250');
    assert.ok(dead);
    assert.equal(dead.answered, 0);
    assert.equal(dead.open, 0);
    assert.ok(!answersClosed(dead), 'silence is not ground truth');
  });

  it('takes as ground truth a host that resets a fair share of its ports, not a few', () => {
    const facts = { address: '203.0.113.1', probed: 1000, answered: 900, open: 2, silent: [] };
    assert.ok(answersClosed({ ...facts, resets: 898 }));
    assert.ok(!answersClosed({ ...facts, resets: 3 }), 'a firewall that resets a handful');
    assert.ok(!answersClosed({ ...facts, answered: 2, resets: 0 }), 'a default-drop host');
  });

  it('cuts, intersects and subtracts port ranges', () => {
    assert.deepEqual(takePorts([tcp(1, 10), tcp(20, 30)], 12), [
      [tcp(1, 10), tcp(20, 21)],
      [tcp(22, 30)],
    ]);
    assert.deepEqual(intersect([tcp(1, 100)], [tcp(50, 60), tcp(90, 200)]), [
      tcp(50, 60),
      tcp(90, 100),
    ]);
    assert.deepEqual(subtract([tcp(1, 100)], [tcp(50, 60), tcp(90, 200)]), [
      tcp(1, 49),
      tcp(61, 89),
    ]);
  });
});

describe('pacing to the path', () => {
  it('starts at its top rate and keeps it, settled after one run, while every probe is answered', () => {
    const pacer = new Pacer();
    const lan = path(Infinity);
    assert.equal(pacer.rate, START_RATE);
    assert.equal(pacer.rate, TOP_RATE);
    pacer.measure(lan(pacer.rate));
    assert.ok(pacer.settled);
    assert.equal(pacer.rate, TOP_RATE);
    assert.match(pacer.pace().reason, /kept up/);
  });

  it('settles at a policer: where answers stop rising with the send rate; re-probes below it', () => {
    const pacer = new Pacer();
    const policed = path(20_000);
    const rates: number[] = [];
    for (let i = 0; i < 10; i++) {
      rates.push(pacer.rate);
      pacer.measure(policed(pacer.rate));
    }
    assert.ok(pacer.settled);
    assert.ok(pacer.policed);
    // It climbed from below what got through, and stopped where the answers stopped rising.
    assert.ok(
      rates.some((r) => r < 20_000) && rates.some((r, i) => i > 1 && r > (rates[i - 1] ?? 0)),
    );
    assert.ok(pacer.rate >= 18_000 && pacer.rate <= 21_000, `settled at ${pacer.rate}`);
    const at = policed(pacer.rate);
    assert.ok(at.answered / at.seconds >= 19_000, 'nearly all the policer lets through');
    assert.match(pacer.pace().reason, /rate limit on the path/);
    // Silent ports are probed again below the policer, where every probe is answered.
    assert.ok(pacer.rescueRate < 20_000 && pacer.rescueRate >= 10_000, `${pacer.rescueRate}`);
    assert.equal(policed(pacer.rescueRate).answered, policed(pacer.rescueRate).probes);
  });

  it('tells a policer whose bucket carried the first, short run from loss: slower lost more', () => {
    const pacer = new Pacer();
    const policed = path(20_000);
    // The first run, 0.2 s at the top rate, got a full bucket through besides the policer's rate.
    pacer.measure({ rate: TOP_RATE, probes: 10_000, answered: 6_000, seconds: 0.2 });
    for (let i = 0; i < 8; i++) pacer.measure(policed(pacer.rate));
    assert.ok(pacer.policed);
    assert.ok(pacer.rate <= 21_000, `settled at ${pacer.rate}`);
  });

  it('finds a policer below the first rate by trying half of it', () => {
    const pacer = new Pacer();
    const policed = path(1_000);
    for (let i = 0; i < 6; i++) pacer.measure(policed(pacer.rate));
    assert.ok(pacer.rate <= 1_000, `settled at ${pacer.rate}`);
  });

  it('keeps the speed under random loss: the same share is lost at every rate', () => {
    const pacer = new Pacer();
    const lossy = path(Infinity, 0.04);
    pacer.measure(lossy(pacer.rate));
    assert.ok(pacer.rate < TOP_RATE, 'a first low share: slower, to tell loss from a policer');
    pacer.measure(lossy(pacer.rate));
    assert.equal(pacer.rate, TOP_RATE);
    assert.ok(pacer.stepSeconds < 1, 'back at the top rate in a short run first');
    for (let i = 0; i < 8; i++) pacer.measure(lossy(pacer.rate));
    assert.equal(pacer.rate, TOP_RATE);
    assert.ok(Math.abs(pacer.delivery - 0.96) < 0.01);
    assert.match(pacer.pace().reason, /random loss/);
  });

  it('settles lower when a policer shows up later: the share falls well below what held', () => {
    const pacer = new Pacer();
    pacer.measure(path(Infinity)(pacer.rate));
    assert.equal(pacer.rate, TOP_RATE);
    const policed = path(10_000);
    for (let i = 0; i < 4; i++) pacer.measure(policed(pacer.rate));
    assert.ok(pacer.policed);
    assert.ok(pacer.rate <= 10_000 && pacer.rate >= 8_000, `settled at ${pacer.rate}`);
  });

  it('does not take answers lost on a busy runner for a rate limit on the path', () => {
    // Half the answers reached the runner's interfaces and were never seen by nmap.
    const busy = (rate: number) => ({
      rate,
      probes: 10_000,
      answered: 5_000,
      seconds: 10_000 / rate,
      lostOnRunner: 5_000,
    });
    const once = new Pacer();
    once.measure(busy(once.rate));
    assert.equal(once.rate, TOP_RATE, 'measured again at the same rate: a busy moment passes');
    assert.ok(once.stepSeconds < 1, 'in a short run');
    once.measure(path(Infinity)(once.rate));
    assert.equal(once.rate, TOP_RATE);
    assert.doesNotMatch(once.pace().reason, /rate limit/);
    assert.equal(once.pace().limit, undefined);

    const twice = new Pacer();
    twice.measure(busy(twice.rate));
    twice.measure(busy(twice.rate));
    assert.ok(twice.rate < TOP_RATE && twice.rate <= 25_000, `slower: ${twice.rate}`);
    assert.ok(!twice.policed, 'not a policer');
    assert.equal(twice.pace().limit, 'runner');
    assert.match(twice.pace().reason, /this runner could take in.*not on the path/);
    assert.doesNotMatch(twice.pace().reason, /rate limit on the path/);

    // A rescue pass that lost answers on the runner settles nothing either.
    const rescued = new Pacer();
    rescued.measure(path(Infinity)(rescued.rate));
    rescued.measure(busy(rescued.rate), true);
    assert.equal(rescued.rate, TOP_RATE);
    assert.equal(rescued.pace().limit, undefined);
    rescued.measure({ ...busy(rescued.rate), lostOnRunner: 0 }, true);
    assert.equal(rescued.pace().limit, 'path', 'the same fall, lost on the path');

    // The same share lost, but nothing reached the runner: the path, as before.
    const policed = new Pacer();
    for (let i = 0; i < 6; i++)
      policed.measure({ ...busy(policed.rate), answered: 2_000, lostOnRunner: 3 });
    assert.equal(policed.pace().limit, 'path');
    assert.match(policed.pace().reason, /rate limit on the path/);
  });

  it('reads what reached the runner from the kernel: interfaces but loopback, and input drops', () => {
    const dev = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:    3245      30    0    0    0     0          0         0     3245      30    0    0    0     0       0          0',
      '  eth0: 9000000  120000    0   12    0     0          0         0  800000  100000    0    0    0     0       0          0',
    ].join('\n');
    assert.deepEqual(parseNetDev(dev), { received: 120_000, dropped: 12 });
    assert.equal(parseSoftnet('0048308d 0000000a 00000002\n0051a79b 00000005 00000001\n'), 15);
    const before = { received: 1_000, dropped: 0 };
    // 10,000 answers arrived, nmap saw 6,000; 500 more were dropped on the way in.
    assert.equal(lostOnRunner(before, { received: 11_000, dropped: 500 }, 6_000), 4_500);
    assert.equal(lostOnRunner(before, { received: 7_000, dropped: 0 }, 6_000), 0);
    // And how much of the CPU sat idle between two readings (idle and iowait of all CPUs).
    const cpu = (text: string) => ({ received: 0, dropped: 0, cpu: parseCpu(text) });
    const a = cpu('cpu  1000 0 500 8000 100 0 50 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10');
    const b = cpu('cpu  1550 0 700 8180 120 0 100 0 0 0\n');
    assert.deepEqual(a.cpu, { total: 9650, idle: 8100 });
    assert.equal(idleBetween(a, b), 0.2);
    assert.equal(parseCpu('intr 1 2 3'), undefined);
  });

  it('never goes above max-rate', () => {
    const pacer = new Pacer(2_500);
    const lan = path(Infinity);
    for (let i = 0; i < 5; i++) pacer.measure(lan(pacer.rate));
    assert.equal(pacer.rate, 2_500);
    assert.equal(pacer.pace().ceiling, 2_500);
    assert.match(pacer.pace().reason, /max-rate/);
  });
});

describe('coverage: judging silence', () => {
  const sweepFacts = (address: string, silent: PortRange[]) =>
    new Map([[address, { address, probed: 1000, answered: 1000, resets: 0, open: 0, silent }]]);

  it('counts silence as filtered once a lost answer is unlikely enough', () => {
    const silence: Silence = new Map();
    // A clean path: one probe is enough.
    addSweep(silence, sweepFacts('203.0.113.1', [tcp(100, 199)]), 1);
    const clean = silence.get('203.0.113.1') ?? [];
    assert.deepEqual(toProbe(clean), []);
    assert.deepEqual(coverageOf(clean, 1000, 1000), {
      ports: 1000,
      answered: 900,
      silent: 100,
      unanswered: 0,
      probes: 1,
    });
  });

  it('probes again the silence of a lossy path until it is judged, and says what is left', () => {
    const silence: Silence = new Map();
    addSweep(silence, sweepFacts('203.0.113.2', [tcp(100, 199)]), 0.9);
    let groups = silence.get('203.0.113.2') ?? [];
    assert.deepEqual(toProbe(groups), [tcp(100, 199)], '10% loss: one probe is not enough');
    const short = coverageOf(groups, 1000, 1000, 'the passes ran out');
    assert.equal(short.unanswered, 100);
    assert.equal(short.why, 'the passes ran out');
    // The second probe: 10 of them answered now (lost before); 90 stay silent, twice probed.
    groups = afterProbe(groups, [tcp(100, 199)], [tcp(110, 199)], 0.9);
    assert.ok(groups.every((g) => g.miss <= MISS_TOLERATED * 10));
    groups = afterProbe(groups, toProbe(groups), [tcp(110, 199)], 0.9);
    assert.deepEqual(toProbe(groups), []);
    assert.deepEqual(coverageOf(groups, 1000, 1000), {
      ports: 1000,
      answered: 910,
      silent: 90,
      unanswered: 0,
      probes: 3,
    });
  });

  it('never judges the silence of a host that answers closed ports on one probe', () => {
    const silence: Silence = new Map();
    addSweep(silence, sweepFacts('203.0.113.3', [tcp(31337)]), 1, new Set(['203.0.113.3']));
    assert.deepEqual(toProbe(silence.get('203.0.113.3') ?? []), [tcp(31337)]);
  });

  it('counts ports a stopped sweep never probed as unanswered', () => {
    const c = coverageOf([], 65535, 30000, 'stopped at the scan-timeout budget');
    assert.equal(c.unanswered, 35535);
    assert.equal(c.answered, 30000);
  });

  it('re-probes per address, not the union: addresses share a run only with the same ports', () => {
    const silence: Silence = new Map([
      ['203.0.113.1', [{ ports: [tcp(5)], miss: 0.5, probes: 1 }]],
      ['203.0.113.2', [{ ports: [tcp(5)], miss: 0.5, probes: 1 }]],
      ['203.0.113.3', [{ ports: [tcp(9)], miss: 0.5, probes: 1 }]],
      ['203.0.113.4', [{ ports: [tcp(7)], miss: 0.001, probes: 2 }]],
    ]);
    const batches = rescueBatches(
      ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'].map((a) => up(a)),
      silence,
    );
    assert.deepEqual(batches, [
      { family: 4, addresses: ['203.0.113.1', '203.0.113.2'], tcp: [tcp(5)] },
      { family: 4, addresses: ['203.0.113.3'], tcp: [tcp(9)] },
    ]);
  });
});

describe('the careful probe of a silent address', () => {
  it('goes to addresses a host-down would be drift on; the empty addresses of a block are decided in bulk', () => {
    const rules = parseRules('expected', '203.0.113.0/24: 80?\n203.0.113.7: 443');
    const at = Date.now();
    const inBlock = (address: string) =>
      up(address, { status: 'down', targets: ['203.0.113.0/24'] });
    assert.equal(needsCare(inBlock('203.0.113.9'), rules, at), false, 'nothing required there');
    assert.equal(needsCare(inBlock('203.0.113.7'), rules, at), true, 'a rule requires 443');
    assert.equal(
      needsCare(up('203.0.113.250', { status: 'down' }), rules, at),
      true,
      'named alone',
    );
  });

  it('probes each port of a silent address as often as the loss the sweep measured calls for', () => {
    const probes = (delivery: number | undefined) =>
      bulkProbes({ rate: 10_000, delivery, assumed: ASSUMED_DELIVERY });
    assert.equal(probes(1), 2, 'at least two, on the cleanest path');
    assert.equal(probes(0.97), 2);
    assert.ok(probes(0.8) > probes(0.97), 'more under loss');
    assert.equal(probes(0.3), 7, "at most the careful probe's seven");
    assert.equal(
      probes(undefined),
      2,
      'nothing measured: every probe counted, on the assumed loss',
    );
  });

  it('starts from twice the longest timeout nmap used for a host that answered, within 250 ms..1 s', () => {
    // nmap wrote to="100000" (microseconds) for both hosts of the LAN fleet.
    assert.equal(firstTimeoutMs([fleetScan]), 250);
    const far = (to: number, srtt = 40_000) => ({
      ...fleetScan,
      hosts: fleetScan.hosts.map((h) => ({ ...h, times: { srtt, to } })),
    });
    assert.equal(firstTimeoutMs([far(164_000)]), 328);
    assert.equal(firstTimeoutMs([far(900_000)]), 1000);
    // The bulk decision of silent addresses waits nmap's own timeout once, at least 125 ms.
    assert.equal(firstTimeoutMs([far(164_000)], 'bulk'), 164);
    assert.equal(firstTimeoutMs([fleetScan], 'bulk'), 125);
    // A host nmap never heard from (srtt -1) measures nothing: nmap's own first timeout stays.
    assert.equal(firstTimeoutMs([far(1_000_000, -1)]), undefined);
    assert.equal(firstTimeoutMs([]), undefined);
  });
});

describe('hosts that answer on every port', () => {
  const proxy = up('203.0.113.12', {
    ports: Array.from({ length: 40 }, (_, i) => ({
      port: i + 1,
      protocol: 'tcp' as const,
      state: 'open',
      reason: 'syn-ack',
    })),
  });
  const server = up('203.0.113.10', {
    ports: [22, 80].map((port) => ({
      port,
      protocol: 'tcp' as const,
      state: 'open',
      reason: 'syn-ack',
    })),
    extraports: [{ state: 'closed', count: 998, protocol: 'tcp' }],
  });

  it('suspects a host with many open ports and samples random high ports it did not show', () => {
    assert.deepEqual(
      suspects([proxy, server]).map((o) => o.address),
      ['203.0.113.12'],
    );
    const sample = samplePorts([proxy]);
    assert.equal(sample.length, 8);
    assert.ok(sample.every((r) => r.from >= 1024 && r.from === r.to));
  });

  it('reports such a host once, saying what it means for its expected ports', () => {
    const sampleXml = parseNmapXml(
      '<nmaprun><host><status state="up" reason="user-set"/><address addr="203.0.113.12" addrtype="ipv4"/><ports>' +
        [2001, 3001, 4001, 5001, 6001, 7001, 8001, 9001]
          .map(
            (p) =>
              `<port protocol="tcp" portid="${p}"><state state="open" reason="syn-ack"/></port>`,
          )
          .join('') +
        '</ports></host></nmaprun>',
    );
    const marked = markEveryPort(
      [proxy, server],
      [{ run: sampleXml, finished: true, targets: ['203.0.113.12'], protocols: ['tcp'] }],
      8,
    );
    assert.deepEqual(marked[0]?.everyPort, { open: 40, sampled: 8 });
    assert.equal(marked[1]?.everyPort, undefined);
    const findings = findDrift(parseRules('expected', '*: 22'), marked, [tcp(1, 1000)]);
    const proxyFindings = findings.filter((f) => f.address === '203.0.113.12');
    assert.equal(proxyFindings.length, 1, 'one finding, not one per port');
    assert.equal(proxyFindings[0]?.kind, 'inconclusive');
    assert.equal(proxyFindings[0]?.observed, 'answers on every port');
    assert.match(proxyFindings[0]?.detail ?? '', /every port.*expected ports \(22\)/s);
    // The rest of the run is judged as usual.
    assert.deepEqual(
      findings.filter((f) => f.address === '203.0.113.10').map((f) => `${f.kind} ${f.port}`),
      ['unexpected-open 80'],
    );
  });
});

describe('drift on an address whose silence is not judged', () => {
  it('is inconclusive, counting the ports that got no answer; a silent expected port is not missing', () => {
    const obs = up('203.0.113.13', {
      ports: [{ port: 8443, protocol: 'tcp', state: 'open', reason: 'syn-ack' }],
      extraports: [{ state: 'filtered', count: 999, protocol: 'tcp' }],
      coverage: {
        ports: 1000,
        answered: 1,
        silent: 999,
        unanswered: 400,
        probes: 1,
        why: 'the passes ran out',
      },
    });
    const findings = findDrift(parseRules('expected', '*: 22'), [obs], [tcp(1, 1000)]);
    assert.deepEqual(
      findings.map((f) => `${f.kind} ${f.port ?? '-'} ${f.observed}`),
      [
        'inconclusive - 400 ports no answer',
        'inconclusive 22 no answer',
        'unexpected-open 8443 open',
      ],
    );
    assert.match(
      findings[0]?.detail ?? '',
      /400 of 1,000 TCP ports got no answer \(the passes ran out\)/,
    );
  });

  it('is judged as usual when every silent port is accounted for', () => {
    const obs = up('203.0.113.13', {
      extraports: [{ state: 'filtered', count: 1000, protocol: 'tcp' }],
      coverage: { ports: 1000, answered: 0, silent: 1000, unanswered: 0, probes: 2 },
    });
    const findings = findDrift(parseRules('expected', '*: 22'), [obs], [tcp(1, 1000)]);
    assert.deepEqual(
      findings.map((f) => `${f.kind} ${f.port} ${f.observed}`),
      ['missing 22 filtered'],
    );
  });
});
