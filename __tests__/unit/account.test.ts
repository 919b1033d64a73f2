// The rule under every green run, as a property: whatever the targets, ip-version, DNS answers,
// routes, shard and nmap do (report some hosts, skip others, stop part way), every address of the
// plan ends in the report as an observation or a finding that says why there is none.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { accountForSkipped, plannedOf, violations } from '../../src/plan/account.js';
import { plannedFromReport } from '../../src/report/merge.js';
import { findDrift } from '../../src/findings/drift.js';
import { observe, type RunResult } from '../../src/scan/observe.js';
import { makePlan, shardPlan, type PlanFacts, type ScanPlan } from '../../src/plan/plan.js';
import { REPORT_SCHEMA, type Report } from '../../src/report/report.js';
import { checkReport } from '../../src/report/schema.js';
import { readSettings } from '../../src/settings/settings.js';
import { expandBlock } from '../../src/settings/targets.js';
import type { NmapHost, NmapRun, NmapTargetNote, ObservedAddress } from '../../src/base/types.js';
import { decide } from '../../src/findings/verdict.js';
import { coversBlock } from '../../src/settings/targets.js';
import { inputs } from '../helpers/inputs.js';

const LITERALS = [
  '127.0.0.1',
  '203.0.113.1',
  '203.0.113.2',
  '203.0.113.9',
  '2001:db8::1',
  '2001:db8::2',
];
const BLOCKS = ['203.0.113.0/30', '2001:db8::10/126'];
const NAMES = ['a.example', 'b.example', 'c.example'];
/** What a name may resolve to: both families, and the IPv4-mapped form nmap would skip. */
const ANSWERS = [
  '127.0.0.1',
  '169.254.169.254',
  '203.0.113.1',
  '203.0.113.5',
  '2001:db8::1',
  '2001:db8::5',
  '::ffff:203.0.113.6',
];

const resolution = fc.oneof(
  fc.subarray(ANSWERS, { minLength: 1 }),
  fc.constant({ error: 'does not resolve' }),
  fc.constant({ error: 'could not be resolved: no answer within 30 s', inconclusive: true }),
);

const world = fc.record({
  targets: fc.subarray([...LITERALS, ...BLOCKS, ...NAMES], { minLength: 1 }),
  ipVersion: fc.constantFrom('both', '4', '6'),
  resolved: fc.tuple(resolution, resolution, resolution),
  unreachable: fc.subarray([...LITERALS, ...BLOCKS, '203.0.113.5', '2001:db8::5']),
  shard: fc.option(
    fc
      .integer({ min: 1, max: 3 })
      .chain((count) =>
        fc.record({ index: fc.integer({ min: 1, max: count }), count: fc.constant(count) }),
      ),
    { nil: undefined },
  ),
  /** Per run: did it finish; which of its addresses nmap reported (by a seed), which it skipped. */
  nmap: fc.array(
    fc.record({ finished: fc.boolean(), report: fc.nat(), skip: fc.nat(), open80: fc.nat() }),
    { minLength: 4, maxLength: 4 },
  ),
});

type World = typeof world extends fc.Arbitrary<infer W> ? W : never;

function host(address: string, open80: boolean): NmapHost {
  return {
    addresses: [{ addr: address, addrtype: address.includes(':') ? 'ipv6' : 'ipv4' }],
    hostnames: [],
    status: 'up',
    reason: 'user-set',
    ports: [
      { protocol: 'tcp', port: 22, state: 'open', reason: 'syn-ack' },
      { protocol: 'tcp', port: 80, state: open80 ? 'open' : 'closed', reason: 'syn-ack' },
    ],
    extraports: [],
  };
}

/** What nmap gives back for each planned run: some hosts reported, some skipped, some left out. */
function nmapRuns(plan: ScanPlan, w: World): { results: RunResult[]; notes: NmapTargetNote[] } {
  const notes: NmapTargetNote[] = [];
  const results = plan.runs.map((run, i): RunResult => {
    const how = w.nmap[i % w.nmap.length]!;
    const addresses = run.targets.flatMap((t) => (t.includes('/') ? expandBlock(t) : [t]));
    const hosts = addresses
      .filter((_, k) => ((how.report >> k) & 1) === 1)
      .map((a, k) => host(a, ((how.open80 >> k) & 1) === 1));
    const skipped = addresses.filter((_, k) => ((how.skip >> k) & 1) === 1);
    notes.push(...skipped.map((a) => ({ specification: a, status: 'skipped', reason: '' })));
    const nmapRun: NmapRun = {
      version: '7.93',
      args: 'nmap',
      scanInfo: [],
      hosts,
      targets: [],
      complete: how.finished,
    };
    return {
      run: nmapRun,
      finished: how.finished,
      targets: run.targets,
      protocols: ['tcp'],
      ...(how.finished ? {} : { why: 'stopped at the scan-timeout budget' }),
    };
  });
  return { results, notes };
}

/** The scan's pipeline without nmap: settings -> plan -> nmap's answers -> observed -> findings. */
function scanWorld(w: World): { plan: ScanPlan; report: Report } {
  const settings = readSettings(
    inputs({
      targets: w.targets.join('\n'),
      expected: '*: 22',
      ports: '22, 80',
      'ip-version': w.ipVersion,
      ...(w.shard ? { shard: `${w.shard.index}/${w.shard.count}` } : {}),
    }),
    {},
  );
  const facts: PlanFacts = {
    resolved: new Map(NAMES.map((n, i) => [n, w.resolved[i]!])),
    unreachable: new Map(w.unreachable.map((a) => [a, `this runner has no route to ${a}`])),
    topPorts: () => [],
  };
  const plan = shardPlan(makePlan(settings, facts), settings.shard);
  const { results, notes } = nmapRuns(plan, w);
  const observed = accountForSkipped(plan, observe(settings.targets, plan, results), notes);
  const ports = [...plan.tcp];
  const findings = findDrift(settings.rules, observed, ports);
  const report: Report = {
    schema: REPORT_SCHEMA,
    name: 'property',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    verdict: decide(findings, settings.failOn, { observed }),
    scanned: { addresses: plan.addressCount, tcpPorts: 2, udpPorts: 0 },
    scan: { source: 'nmap', runs: [], ports, resolved: Object.fromEntries(plan.resolved) },
    settings: {
      name: 'property',
      mode: 'check',
      targets: settings.targets.map((t) => t.spec),
      rules: settings.rules,
      ports: settings.tcpPorts,
      udpPorts: settings.udpPorts,
      ipVersion: settings.ipVersion,
      failOn: [...settings.failOn],
    },
    findings,
    accepted: [],
    exceptions: [],
    flapping: [],
    observed,
  };
  return { plan, report };
}

const RUNS = { seed: 20261130, numRuns: 600 };

describe('every planned address is accounted for', () => {
  it('holds for any targets, ip-version, DNS answers, routes, shard, and nmap that reports, skips or stops', () => {
    fc.assert(
      fc.property(world, (w) => {
        const { plan, report } = scanWorld(w);
        assert.deepEqual(violations(plannedOf(plan), report), []);
      }),
      RUNS,
    );
  });

  it('holds against the plan a report’s own settings imply, as the merge checks it', () => {
    fc.assert(
      fc.property(
        world.filter((w) => w.shard === undefined),
        (w) => {
          const { report } = scanWorld(w);
          const planned = plannedFromReport(report, 4096);
          assert.ok(typeof planned !== 'string', JSON.stringify(planned));
          assert.deepEqual(violations(planned, report), []);
        },
      ),
      RUNS,
    );
  });

  it('reads back every report the scan writes through the schema, unchanged', () => {
    fc.assert(
      fc.property(world, (w) => {
        const { report } = scanWorld(w);
        const json = JSON.parse(JSON.stringify(report)) as unknown;
        assert.deepEqual(checkReport(json), json);
      }),
      RUNS,
    );
  });

  it('finds what is missing when an address is taken out of the report', () => {
    fc.assert(
      fc.property(world, fc.nat(), (w, pick) => {
        const { plan, report } = scanWorld(w);
        const planned = plannedOf(plan);
        if (planned.length === 0) return;
        const gone = planned[pick % planned.length]!;
        // Every entry that stands for it goes: its own, and an unfinished block that holds it.
        const keep = (o: ObservedAddress): boolean =>
          gone.address
            ? o.address !== gone.address &&
              !(o.address.includes('/') && coversBlock(o.address, gone.address))
            : !(o.address === '' && o.targets.includes(gone.target));
        const lost = violations(planned, {
          observed: report.observed.filter(keep),
          findings: report.findings,
        });
        assert.ok(
          lost.some((v) => v.address === gone.address),
          `${JSON.stringify(gone)} taken out, not found missing`,
        );
      }),
      RUNS,
    );
  });
});

describe('violations', () => {
  it('names an entry with no finding saying why it was not observed', () => {
    const observed: ObservedAddress = {
      address: '203.0.113.1',
      family: 4,
      targets: ['203.0.113.1'],
      hostnames: [],
      status: 'inconclusive',
      reason: 'stopped',
      ports: [],
      extraports: [],
    };
    assert.deepEqual(
      violations([{ target: '203.0.113.1', address: '203.0.113.1' }], {
        observed: [observed],
        findings: [],
      }),
      [
        {
          target: '203.0.113.1',
          address: '203.0.113.1',
          problem: 'inconclusive, with no finding saying why',
        },
      ],
    );
  });
});
