// No false host-down, at a cost that grows with the live hosts, not the empty address space. An
// address that answered nothing in the sweep is decided one of two ways before it is called down:
// - one a wrong host-down would be drift on (named on its own, or a rule requires a TCP port of
//   it) gets the careful probe: nmap's normal timing and retransmissions on its expected TCP ports
//   and a handful of common ones. It may start while the sweep goes on (see ahead.ts): such
//   addresses are few, and a slow probe of them sends little.
// - every other silent address (the empty addresses of a block) is decided with all the others
//   once the sweep is over, in one nmap run per family and one group of addresses: its expected,
//   common and exposed-service ports, at the pace of the path, with as many probes as the loss the
//   sweep measured calls for (coverage.ts), and a first timeout from the round trips it measured.
// One answer makes an address up, and it then goes through rescue and re-check like any other.
// Only the planned ports of what it answers are kept: the others decide up or down, nothing else.
import { VERIFY_RETRIES } from '../nmap/command.js';
import { hostAddress, observedPorts, type RunResult } from './observe.js';
import type { ScanPlan } from '../plan/plan.js';
import { EXPOSED_SERVICES, countPorts, coalesceRanges, rangesContain } from '../settings/ports.js';
import { expectationFor } from '../settings/rules.js';
import { namedAlone } from '../settings/targets.js';
import type { NmapRun, ObservedAddress, PortRange, Rule } from '../base/types.js';
import { probesToJudge } from './coverage.js';
import type { PassContext } from './context.js';
import { runFacts, takePorts } from './facts.js';
import { runsOf } from './runner.js';

/** Ports that answer on most hosts that answer at all. */
export const COMMON_PORTS = [21, 22, 25, 53, 80, 110, 143, 443, 445, 3389, 8080, 8443] as const;
/** At most this many of an address's expected ports are probed carefully. */
const MAX_EXPECTED = 64;
/**
 * First timeouts, from the longest timeout nmap used for a host that answered on this path (nmap's
 * own, for a host it knows nothing of, is one second). The careful probe waits twice that, within
 * 250 ms..1 s. The bulk decision waits that once, within 125 ms..1 s: only its last probe of a port
 * has to be waited out, since a late answer to an earlier one still counts.
 */
const TIMEOUT_MS = {
  careful: { times: 2, min: 250, max: 1000 },
  bulk: { times: 1, min: 125, max: 1000 },
} as const;

/**
 * The first timeout for a careful probe or the bulk decision, from the round trips the sweep
 * measured on the hosts that answered; undefined (nmap's own second) when none did.
 */
export function firstTimeoutMs(
  runs: readonly NmapRun[],
  kind: keyof typeof TIMEOUT_MS = 'careful',
): number | undefined {
  const to = runs
    .flatMap((r) => r.hosts)
    .filter((h) => h.times && h.times.srtt > 0)
    .reduce((n, h) => Math.max(n, h.times?.to ?? 0), 0);
  if (to <= 0) return undefined;
  const { times, min, max } = TIMEOUT_MS[kind];
  return Math.min(max, Math.max(min, Math.round((times * to) / 1000)));
}

const tcpOnly = (ports: readonly PortRange[]): PortRange[] =>
  ports.filter((p) => p.protocol === 'tcp');
const asRanges = (ports: readonly number[]): PortRange[] =>
  ports.map((port) => ({ from: port, to: port, protocol: 'tcp' as const }));

/**
 * Would calling this silent address down be drift? Named on its own, or a rule requires a TCP port
 * of it: it gets the careful probe. An empty address of a block is decided in bulk.
 */
export function needsCare(o: ObservedAddress, rules: readonly Rule[], at: number): boolean {
  return (
    namedAlone(o.targets) ||
    tcpOnly(expectationFor(rules, o.address, o.targets, at).required).length > 0
  );
}

/** The ports a careful probe of these addresses asks: their expected TCP ports and common ones. */
export function carefulPorts(
  rules: readonly Rule[],
  silent: readonly ObservedAddress[],
  extra: readonly number[] = [],
): PortRange[] {
  const expected = silent.flatMap((o) =>
    tcpOnly(expectationFor(rules, o.address, o.targets, Date.now()).allowed),
  );
  const [first] = takePorts(coalesceRanges(expected), MAX_EXPECTED);
  return coalesceRanges([...first, ...asRanges(COMMON_PORTS), ...asRanges(extra)]);
}

/** What a careful or bulk probe asked and saw: it may run before the sweep ends, and apply after. */
export interface CarefulRuns {
  results: RunResult[];
  /** Per address: how many ports it asked, and how, for the reason of a host-down. */
  asked: Map<string, { ports: number; how: string }>;
}

/** How a careful probe goes: its rate, its first timeout, and what stops it early. */
export interface CarefulOptions {
  maxRate: number | undefined;
  initialRttMs?: number | undefined;
  stop?: AbortSignal;
}

/** Probes these silent addresses carefully, family by family. */
export async function runCareful(
  ctx: PassContext,
  silent: readonly ObservedAddress[],
  { maxRate, initialRttMs, stop }: CarefulOptions,
): Promise<CarefulRuns> {
  return byFamily(silent, async (family, group, asked) => {
    const tcp = carefulPorts(ctx.settings.rules, group);
    const how = `a careful probe of ${countPorts(tcp)} ports (nmap's normal timing, ${VERIFY_RETRIES} retransmissions)`;
    group.forEach((o) => asked.set(o.address, { ports: countPorts(tcp), how }));
    return ctx.runner.run(
      {
        label: `IPv${family} careful probe`,
        file: `nmap-ipv${family}-careful`,
        ...(stop
          ? { stop: { signal: stop, why: 'every address it probes answered the sweep' } }
          : {}),
        invocation: {
          profile: 'verify',
          family,
          tcp,
          udp: [],
          targets: group.map((o) => o.address),
          hostgroup: group.length,
          ...(maxRate ? { maxRate } : {}),
          ...(initialRttMs ? { initialRttMs } : {}),
        },
      },
      ctx.deadlines.rescue,
    );
  });
}

/** What the bulk decision of silent addresses needs to know of the path. */
export interface BulkPace {
  /** Packets per second: below any rate limit the sweep found. */
  rate: number;
  /** The share of probes the path answered, as measured; undefined when nothing measured it. */
  delivery: number | undefined;
  /** The path's loss when nothing measured it. */
  assumed: number;
  initialRttMs?: number;
}

/** Probes in the bulk decision: at least two, however clean the path; at most the careful probe's. */
const BULK_PROBES = { least: 2, most: VERIFY_RETRIES + 1 } as const;

/**
 * How many probes each port of a silent address gets in the bulk decision: enough that an open
 * port whose answer the sweep lost, and every probe since, is as unlikely as the rescue allows.
 */
export function bulkProbes(pace: BulkPace): number {
  const before = pace.delivery === undefined ? 1 : 1 - pace.delivery;
  return probesToJudge(before, pace.delivery ?? pace.assumed, BULK_PROBES.least, BULK_PROBES.most);
}

/** Decides the silent addresses that need no careful probe together: one run per family. */
export async function runBulk(
  ctx: PassContext,
  silent: readonly ObservedAddress[],
  pace: BulkPace,
): Promise<CarefulRuns> {
  const probes = bulkProbes(pace);
  return byFamily(silent, async (family, group, asked) => {
    const tcp = carefulPorts(
      ctx.settings.rules,
      group,
      EXPOSED_SERVICES.map((s) => s.port),
    );
    const how = `${probes} probes of each of ${countPorts(tcp)} ports (expected, common and exposed-service ports), with the other silent addresses`;
    group.forEach((o) => asked.set(o.address, { ports: countPorts(tcp), how }));
    return ctx.runner.run(
      {
        label: `IPv${family} silent addresses`,
        file: `nmap-ipv${family}-silent`,
        invocation: {
          profile: 'decide',
          family,
          tcp,
          udp: [],
          targets: group.map((o) => o.address),
          rate: pace.rate,
          retries: probes - 1,
          hostgroup: group.length,
          ...(pace.initialRttMs ? { initialRttMs: pace.initialRttMs } : {}),
        },
      },
      ctx.deadlines.rescue,
    );
  });
}

/** Runs `probe` on each family's share of the silent addresses, one family after the other. */
async function byFamily(
  silent: readonly ObservedAddress[],
  probe: (
    family: 4 | 6,
    group: ObservedAddress[],
    asked: CarefulRuns['asked'],
  ) => Promise<RunResult[]>,
): Promise<CarefulRuns> {
  const results: RunResult[] = [];
  const asked: CarefulRuns['asked'] = new Map();
  for (const family of [4, 6] as const) {
    const group = silent.filter((o) => o.family === family && o.address !== '');
    if (group.length > 0) results.push(...(await probe(family, group, asked)));
  }
  return { results, asked };
}

/**
 * The addresses still silent after the sweep, as the careful probes of them decide: up on one
 * answer, down when a finished probe heard nothing, inconclusive when none finished.
 */
export function applyCareful(
  observed: readonly ObservedAddress[],
  plan: ScanPlan,
  careful: CarefulRuns,
  cancelled: boolean,
): ObservedAddress[] {
  const runs = runsOf(careful.results);
  const facts = runFacts(runs);
  // An address in several runs (a split port list): every run's ports, not just the last run's.
  const ports = new Map<string, ReturnType<typeof observedPorts>>();
  for (const h of runs.flatMap((r) => r.hosts)) {
    const address = hostAddress(h);
    if (address) ports.set(address, [...(ports.get(address) ?? []), ...observedPorts(h)]);
  }
  return observed.map((obs): ObservedAddress => {
    if (obs.status !== 'down' || obs.address === '') return obs;
    const asked = careful.asked.get(obs.address);
    if (asked === undefined) {
      return unconfirmed(obs, cancelled ? 'the run was cancelled' : 'it did not run');
    }
    const f = facts.get(obs.address);
    if (f && f.answered > 0) {
      const kept = (ports.get(obs.address) ?? []).filter((p) =>
        rangesContain([...plan.tcp, ...plan.udp], p.port, p.protocol),
      );
      return {
        ...obs,
        status: 'up',
        reason: `silent in the sweep, answered ${f.answered} of the ${asked.ports} ports of ${asked.how}`,
        ports: combinePorts(obs.ports, kept),
      };
    }
    const mine = careful.results.filter((r) => r.targets.includes(obs.address));
    const stopped = mine.find((r) => !r.finished);
    if (mine.length === 0 || stopped) {
      return unconfirmed(
        obs,
        stopped?.why ?? (cancelled ? 'the run was cancelled' : 'it did not run'),
      );
    }
    return {
      ...obs,
      reason: `${obs.reason}, nor to ${asked.how}`,
    };
  });
}

/** Silent in the sweep, but the careful probe that would call it down did not finish: unknown. */
function unconfirmed(obs: ObservedAddress, why: string): ObservedAddress {
  return {
    ...obs,
    status: 'inconclusive',
    reason: `${obs.reason}, and the careful probe that would call it down did not finish (${why})`,
  };
}

function combinePorts<T extends { port: number; protocol: string }>(
  a: readonly T[],
  b: readonly T[],
): T[] {
  const key = (p: T): string => `${p.protocol}/${p.port}`;
  const replaced = new Set(b.map(key));
  return [...a.filter((p) => !replaced.has(key(p))), ...b].sort(
    (x, y) => x.protocol.localeCompare(y.protocol) || x.port - y.port,
  );
}
