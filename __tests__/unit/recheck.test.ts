// The careful half of the engine, as pure functions: what is swept again, what is re-checked, and
// how the re-check's answers become the verdict.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDrift } from '../../src/findings/drift.js';
import { observe } from '../../src/scan/observe.js';
import type { ScanPlan } from '../../src/plan/plan.js';
import { parseNmapXml } from '../../src/nmap/parse.js';
import { parseRules } from '../../src/settings/rules.js';
import type { ObservedAddress, PortRange } from '../../src/base/types.js';
import { applyRecheck, flapping, recheckPlan } from '../../src/scan/recheck.js';

const ALL: PortRange[] = [{ from: 1, to: 65535, protocol: 'tcp' }];

function host(address: string, open: number[], closed: number[] = []): ObservedAddress {
  return {
    address,
    family: 4,
    targets: [address],
    hostnames: [],
    status: 'up',
    reason: 'user-set',
    ports: [
      ...open.map((port) => ({ port, protocol: 'tcp' as const, state: 'open', reason: 'syn-ack' })),
      ...closed.map((port) => ({
        port,
        protocol: 'tcp' as const,
        state: 'closed',
        reason: 'reset',
      })),
    ],
    extraports: [{ state: 'closed', count: 65000, protocol: 'tcp' }],
  };
}

describe('the careful half of the scan engine', () => {
  it('re-checks what would be a finding, not expected ports already seen open', () => {
    const rules = parseRules('expected', '203.0.113.5: 22, 443');
    const plan = recheckPlan(rules, [host('203.0.113.5', [22, 6379])], ALL);
    assert.deepEqual(plan, [
      {
        family: 4,
        addresses: ['203.0.113.5'],
        tcp: [
          { from: 443, to: 443, protocol: 'tcp' },
          { from: 6379, to: 6379, protocol: 'tcp' },
        ],
        udp: [],
      },
    ]);
  });

  it("takes the re-check's answer, and lists the findings it did not reproduce as flapping", () => {
    const rules = parseRules('expected', '203.0.113.5: 22');
    const swept = [host('203.0.113.5', [22, 9999])];
    const recheck = parseNmapXml(
      '<nmaprun><host><status state="up" reason="user-set"/><address addr="203.0.113.5" addrtype="ipv4"/>' +
        '<ports><port protocol="tcp" portid="9999"><state state="closed" reason="reset"/></port></ports></host></nmaprun>',
    );
    const rechecked = applyRecheck(swept, [recheck]);
    const before = findDrift(rules, swept, ALL);
    const after = findDrift(rules, rechecked, ALL);
    assert.deepEqual(after, []);
    assert.deepEqual(flapping(before, after, rechecked), [
      {
        target: '203.0.113.5',
        address: '203.0.113.5',
        port: 9999,
        protocol: 'tcp',
        kind: 'unexpected-open',
        sweep: 'open',
        recheck: 'closed',
      },
    ]);
  });
});

describe('what the rescue finds open stays open', () => {
  const xml = (listed: string, folded: number): string =>
    '<nmaprun><host><status state="up" reason="user-set"/><address addr="203.0.113.5" addrtype="ipv4"/>' +
    `<ports><extraports state="closed" count="${folded}"><extrareasons reason="reset" count="${folded}"/></extraports>${listed}</ports></host></nmaprun>`;
  const port = (n: number, state: string, reason: string): string =>
    `<port protocol="tcp" portid="${n}"><state state="${state}" reason="${reason}"/></port>`;

  it('keeps an open port of an early rescue run when a later run reports the same host', () => {
    // The sweep lost 27017's answer. The rescue's list of silent ports was too long for one
    // argument and went in two runs (as in the bench's miss on the 20k path): the first saw 27017
    // open; the second reported the same host again with other ports (its closed ones folded).
    const rules = parseRules('expected', '203.0.113.5: 22');
    const swept = [host('203.0.113.5', [22])];
    swept[0]!.ports.push({
      port: 27017,
      protocol: 'tcp',
      state: 'filtered',
      reason: 'no-response',
    });
    const pass1 = parseNmapXml(xml(port(27017, 'open', 'syn-ack'), 40));
    const pass2 = parseNmapXml(xml(port(31000, 'filtered', 'no-response'), 2));
    const rescued = applyRecheck(swept, [pass1, pass2], false);
    const found = findDrift(rules, rescued, ALL).map((f) => `${f.kind} ${f.port}`);
    assert.deepEqual(found, ['unexpected-open 27017']);
  });

  it('never lets a rescue run turn a port seen open into closed; a careful re-check may', () => {
    const swept = [host('203.0.113.5', [22, 27017])];
    const later = parseNmapXml(xml(port(27017, 'closed', 'reset'), 10));
    const stateOf = (o: ObservedAddress[]): string | undefined =>
      o[0]!.ports.find((p) => p.port === 27017)?.state;
    assert.equal(stateOf(applyRecheck(swept, [later], false)), 'open');
    assert.equal(stateOf(applyRecheck(swept, [later], true)), 'closed');
  });
});

describe('a sweep stopped part-way', () => {
  it('calls an address that was silent on the ports asked before the stop inconclusive, not down', () => {
    const silent = parseNmapXml(
      '<nmaprun><host><status state="up" reason="user-set"/><address addr="203.0.113.71" addrtype="ipv4"/>' +
        '<ports><extraports state="filtered" count="12500"><extrareasons reason="no-response" count="12500"/></extraports></ports></host>' +
        '<runstats><finished exit="success"/></runstats></nmaprun>',
    );
    const plan: ScanPlan = {
      tcp: ALL,
      udp: [],
      runs: [],
      resolved: new Map(),
      unresolved: [],
      unreachable: [],
      addressCount: 1,
    };
    const targets = [{ spec: '203.0.113.71', kind: 'ipv4' as const, size: 1 }];
    const common = { targets: ['203.0.113.71'], protocols: ['tcp' as const] };
    const first = { ...common, run: silent, finished: true };
    const stopped = {
      ...common,
      run: null,
      finished: false,
      why: 'stopped at the scan-timeout budget',
    };
    const [whole] = observe(targets, plan, [first]);
    assert.equal(whole?.status, 'down');
    const [part] = observe(targets, plan, [first, stopped]);
    assert.equal(part?.status, 'inconclusive');
    assert.match(part?.reason ?? '', /scan-timeout/);
  });
});
