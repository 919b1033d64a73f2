// No false host-down: an address that answered nothing in the sweep gets a slow, careful probe
// (nmap's normal timing, retransmissions) of its expected TCP ports and a handful of common ones
// before it is called down. One answer makes it up, and it then goes through rescue and re-check
// like any other. It may start while the sweep goes on (see ahead.ts) and applies once the sweep is
// over, to the addresses still silent then. Only the planned ports of what it answers are kept: the
// common ones outside the plan decide up or down, nothing else.
import { VERIFY_RETRIES } from '../nmap/command.js';
import { hostAddress, observedPorts, type RunResult } from '../observe.js';
import type { ScanPlan } from '../plan.js';
import { countPorts, coalesceRanges, rangesContain } from '../ports.js';
import { expectationFor } from '../rules.js';
import type { NmapRun, ObservedAddress, PortRange, Rule } from '../types.js';
import { runFacts, takePorts } from './facts.js';
import { runsOf, type Runner } from './runner.js';

/** Ports that answer on most hosts that answer at all. */
export const COMMON_PORTS = [21, 22, 25, 53, 80, 110, 143, 443, 445, 3389, 8080, 8443] as const;
/** At most this many of an address's expected ports are probed carefully. */
const MAX_EXPECTED = 64;
/**
 * The careful probe's first timeout: twice the longest timeout nmap used for a host that answered
 * on this path, within these bounds (nmap's own, for a host it knows nothing of, is one second).
 */
const TIMEOUT_MS = { min: 250, max: 1000 } as const;

/**
 * The first timeout for a careful probe, from the round trips the sweep measured on the hosts that
 * answered; undefined (nmap's own second) when none did.
 */
export function carefulTimeoutMs(runs: readonly NmapRun[]): number | undefined {
  const to = runs
    .flatMap((r) => r.hosts)
    .filter((h) => h.times && h.times.srtt > 0)
    .reduce((n, h) => Math.max(n, h.times?.to ?? 0), 0);
  if (to <= 0) return undefined;
  return Math.min(TIMEOUT_MS.max, Math.max(TIMEOUT_MS.min, Math.round((2 * to) / 1000)));
}

/** The ports a careful probe of these addresses asks: their expected TCP ports and common ones. */
export function carefulPorts(
  rules: readonly Rule[],
  silent: readonly ObservedAddress[],
): PortRange[] {
  const expected = silent.flatMap((o) =>
    expectationFor(rules, o.address, o.targets, Date.now()).allowed.filter(
      (p) => p.protocol === 'tcp',
    ),
  );
  const [first] = takePorts(coalesceRanges(expected), MAX_EXPECTED);
  return coalesceRanges([
    ...first,
    ...COMMON_PORTS.map((port) => ({ from: port, to: port, protocol: 'tcp' as const })),
  ]);
}

/** What a careful probe asked and saw: it may run before the sweep ends, and apply after. */
export interface CarefulRuns {
  results: RunResult[];
  /** Per address: how many ports it asked. */
  asked: Map<string, number>;
}

/** Probes these silent addresses carefully, family by family. */
export async function runCareful(
  runner: Runner,
  silent: readonly ObservedAddress[],
  rules: readonly Rule[],
  deadline: number,
  maxRate: number | undefined,
  initialRttMs?: number,
): Promise<CarefulRuns> {
  const results: RunResult[] = [];
  const asked = new Map<string, number>();
  for (const family of [4, 6] as const) {
    const group = silent.filter((o) => o.family === family && o.address !== '');
    if (group.length === 0 || runner.cancelled()) continue;
    const tcp = carefulPorts(rules, group);
    group.forEach((o) => asked.set(o.address, countPorts(tcp)));
    results.push(
      ...(await runner.run(
        {
          label: `IPv${family} careful probe`,
          file: `nmap-ipv${family}-careful`,
          invocation: {
            profile: 'verify',
            family,
            tcp,
            udp: [],
            targets: group.map((o) => o.address),
            ...(maxRate ? { maxRate } : {}),
            ...(initialRttMs ? { initialRttMs } : {}),
          },
        },
        deadline,
      )),
    );
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
        reason: `silent in the sweep, answered a careful probe on ${f.answered} of ${asked} ports`,
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
      reason: `${obs.reason}, nor to a careful probe of ${asked} ports (nmap's normal timing, ${VERIFY_RETRIES} retransmissions)`,
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
