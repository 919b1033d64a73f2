// Coverage: which TCP ports of each address never answered, and how sure the engine is that their
// silence is a firewall's and not lost packets. Each silent port carries the chance that an open
// port there lost its answer on every probe so far (the product of the path's loss at each probe,
// measured on hosts that answer closed ports). Silence counts as filtered once that chance is below
// MISS_TOLERATED; until then the port is re-probed, and what is left when the passes or the budget
// run out is unanswered: the address is inconclusive. Pure.
import { countPorts, coalesceRanges } from '../settings/ports.js';
import type { Coverage, PortRange } from '../base/types.js';
import { intersect, subtract, type HostFacts } from './facts.js';

/** The chance of a lost answer that silence may still carry and count as filtered. */
export const MISS_TOLERATED = 0.005;
/** No measurement proves a path loses nothing: each probe leaves at least this chance. */
const MIN_MISS = 0.002;

export interface SilentGroup {
  ports: PortRange[];
  /** Chance that an open port among them lost every answer so far. */
  miss: number;
  /** Probes each port of the group got. */
  probes: number;
}

/** Per address: its silent ports, grouped by what probed them. */
export type Silence = Map<string, SilentGroup[]>;

function missOf(delivery: number): number {
  return Math.min(1, Math.max(MIN_MISS, 1 - delivery));
}

/**
 * Adds what a sweep run left silent, probed once with the given delivery. On a host that answers
 * closed ports, silence is the exception (a lost packet, or a port its firewall drops): cheap to
 * ask again, so it is never judged on one probe.
 */
export function addSweep(
  silence: Silence,
  facts: ReadonlyMap<string, HostFacts>,
  delivery: number,
  answersClosed: ReadonlySet<string> = new Set(),
): void {
  for (const [address, f] of facts) {
    const groups = silence.get(address) ?? [];
    const miss = answersClosed.has(address) ? 1 : missOf(delivery);
    if (f.silent.length) groups.push({ ports: f.silent, miss, probes: 1 });
    silence.set(address, groups);
  }
}

/**
 * How many more probes a port needs before its silence counts as filtered: it carries `before`
 * (the chance an open port lost its answer so far) and each probe multiplies that by the path's
 * loss at `delivery`. At least `least`, at most `most`.
 */
export function probesToJudge(
  before: number,
  delivery: number,
  least: number,
  most: number,
): number {
  const loss = missOf(delivery);
  let n = 0;
  for (let miss = before; miss > MISS_TOLERATED && n < most; n++) miss *= loss;
  return Math.min(most, Math.max(least, n));
}

/** The ports of an address that need another probe. */
export function toProbe(groups: readonly SilentGroup[]): PortRange[] {
  return coalesceRanges(groups.filter((g) => g.miss > MISS_TOLERATED).flatMap((g) => g.ports));
}

/** After a pass over `probed`: what stayed silent keeps its silence, one probe more. */
export function afterProbe(
  groups: readonly SilentGroup[],
  probed: readonly PortRange[],
  stillSilent: readonly PortRange[],
  delivery: number,
): SilentGroup[] {
  return groups.flatMap((g) => {
    const hit = intersect(g.ports, probed);
    if (hit.length === 0) return [g];
    const untouched = subtract(g.ports, probed);
    const silent = intersect(hit, stillSilent);
    return [
      ...(untouched.length ? [{ ...g, ports: untouched }] : []),
      ...(silent.length
        ? [{ ports: silent, miss: g.miss * missOf(delivery), probes: g.probes + 1 }]
        : []),
    ];
  });
}

/**
 * An address's coverage: of `scanned` TCP ports, `swept` were probed (a sweep stopped early leaves
 * the rest never probed). What did not answer is silent; the silent ports not yet judged filtered,
 * and the ports never probed, are unanswered.
 */
export function coverageOf(
  groups: readonly SilentGroup[],
  scanned: number,
  swept: number,
  why?: string,
): Coverage {
  const silent = groups.reduce((n, g) => n + countPorts(g.ports), 0);
  const probed = Math.min(swept, scanned);
  const unsure = groups.filter((g) => g.miss > MISS_TOLERATED);
  const unanswered = unsure.reduce((n, g) => n + countPorts(g.ports), 0) + (scanned - probed);
  return {
    ports: scanned,
    answered: Math.max(0, probed - silent),
    silent: scanned - Math.max(0, probed - silent),
    unanswered,
    probes: groups.reduce((n, g) => Math.max(n, g.probes), 0),
    ...(unanswered > 0 && why ? { why } : {}),
  };
}
