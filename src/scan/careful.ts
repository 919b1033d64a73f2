// No false host-down: an address that answered nothing in the sweep gets a slow, careful probe
// (nmap's normal timing, retransmissions) of its expected TCP ports and a handful of common ones
// before it is called down. One answer makes it up, and it then goes through rescue and re-check
// like any other. Only the planned ports of what it answers are kept: the common ones outside the
// plan decide up or down, nothing else.
import { VERIFY_RETRIES } from '../nmap/command.js';
import { hostAddress, observedPorts, type RunResult } from '../observe.js';
import type { ScanPlan } from '../plan.js';
import { countPorts, mergeRanges, rangesContain } from '../ports.js';
import { expectationFor } from '../rules.js';
import type { ObservedAddress, PortRange, Rule } from '../types.js';
import { runFacts, takePorts } from './facts.js';
import { runsOf, type Runner } from './runner.js';

/** Ports that answer on most hosts that answer at all. */
export const COMMON_PORTS = [21, 22, 25, 53, 80, 110, 143, 443, 445, 3389, 8080, 8443] as const;
/** At most this many of an address's expected ports are probed carefully. */
const MAX_EXPECTED = 64;

/** The ports a careful probe of these addresses asks: their expected TCP ports and common ones. */
export function carefulPorts(
  rules: readonly Rule[],
  silent: readonly ObservedAddress[],
): PortRange[] {
  const expected = silent.flatMap((o) =>
    expectationFor(rules, o.address, o.targets).allowed.filter((p) => p.protocol === 'tcp'),
  );
  const [first] = takePorts(mergeRanges(expected), MAX_EXPECTED);
  return mergeRanges([
    ...first,
    ...COMMON_PORTS.map((port) => ({ from: port, to: port, protocol: 'tcp' as const })),
  ]);
}

export async function carefulProbe(
  runner: Runner,
  observed: readonly ObservedAddress[],
  plan: ScanPlan,
  rules: readonly Rule[],
  deadline: number,
  maxRate: number | undefined,
): Promise<{ observed: ObservedAddress[]; results: RunResult[] }> {
  const silent = observed.filter((o) => o.status === 'down' && o.address !== '');
  if (silent.length === 0) return { observed: [...observed], results: [] };
  if (runner.cancelled()) {
    return {
      observed: observed.map((o) =>
        o.status === 'down' ? unconfirmed(o, 'the run was cancelled') : o,
      ),
      results: [],
    };
  }
  const results: RunResult[] = [];
  const askedOf = new Map<string, number>();
  for (const family of [4, 6] as const) {
    const group = silent.filter((o) => o.family === family);
    if (group.length === 0) continue;
    const tcp = carefulPorts(rules, group);
    group.forEach((o) => askedOf.set(o.address, countPorts(tcp)));
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
          },
        },
        deadline,
      )),
    );
  }
  const runs = runsOf(results);
  const facts = runFacts(runs);
  // An address in several runs (a split port list): every run's ports, not just the last run's.
  const ports = new Map<string, ReturnType<typeof observedPorts>>();
  for (const h of runs.flatMap((r) => r.hosts)) {
    const address = hostAddress(h);
    if (address) ports.set(address, [...(ports.get(address) ?? []), ...observedPorts(h)]);
  }
  const next = observed.map((obs): ObservedAddress => {
    const asked = askedOf.get(obs.address);
    if (obs.status !== 'down' || asked === undefined) return obs;
    const f = facts.get(obs.address);
    if (f && f.answered > 0) {
      const kept = (ports.get(obs.address) ?? []).filter((p) =>
        rangesContain([...plan.tcp, ...plan.udp], p.port, p.protocol),
      );
      return {
        ...obs,
        status: 'up',
        reason: `silent in the sweep, answered a careful probe on ${f.answered} of ${asked} ports`,
        ports: mergePorts(obs.ports, kept),
      };
    }
    const mine = results.filter((r) => r.targets.includes(obs.address));
    const stopped = mine.find((r) => !r.finished);
    if (mine.length === 0 || stopped) {
      return unconfirmed(obs, stopped?.why ?? 'it did not run');
    }
    return {
      ...obs,
      reason: `${obs.reason}, nor to a careful probe of ${asked} ports (nmap's normal timing, ${VERIFY_RETRIES} retransmissions)`,
    };
  });
  return { observed: next, results };
}

/** Silent in the sweep, but the careful probe that would call it down did not finish: unknown. */
function unconfirmed(obs: ObservedAddress, why: string): ObservedAddress {
  return {
    ...obs,
    status: 'inconclusive',
    reason: `${obs.reason}, and the careful probe that would call it down did not finish (${why})`,
  };
}

function mergePorts<T extends { port: number; protocol: string }>(
  a: readonly T[],
  b: readonly T[],
): T[] {
  const key = (p: T): string => `${p.protocol}/${p.port}`;
  const replaced = new Set(b.map(key));
  return [...a.filter((p) => !replaced.has(key(p))), ...b].sort(
    (x, y) => x.protocol.localeCompare(y.protocol) || x.port - y.port,
  );
}
