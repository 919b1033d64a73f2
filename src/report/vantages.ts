// mode: merge over results scanned from different vantages (issue 24): a hosted runner with no IPv6
// route scans IPv4, a self-hosted runner (or the command line on an IPv6 host) scans IPv6, and the
// merge takes, address by address, what a vantage observed over what another could not decide.
// Per address family it says which result files covered it; a family no vantage reached stays
// inconclusive. Pure.
import ipaddr from 'ipaddr.js';
import { coversBlock, unitKey } from '../settings/targets.js';
import type { ObservedAddress, Vantage } from '../base/types.js';

/** One result file's observations, in the order the merge ranks them (first wins a tie). */
export interface Contribution {
  file: string;
  observed: readonly ObservedAddress[];
}

/** An observed entry of the merged report and the result file it was taken from. */
export interface Taken {
  entry: ObservedAddress;
  file: string;
}

/** One result file of a merge and where it looked from: report.json's `merged.vantages`. */
export interface MergedVantage {
  file: string;
  shard?: { index: number; count: number };
  ipVersion: 'both' | '4' | '6';
  /** Absent for a result read from nmap XML, or written before port-drift said where it looked from. */
  vantage?: Vantage;
}

/** Per address family of the merged report, which result files decided it: `merged.families`. */
export interface MergedFamily {
  family: 4 | 6;
  /** Entries of the family in `observed` (an address, or a block no vantage could scan). */
  addresses: number;
  /** Of those, decided: up, down (not inconclusive). */
  decided: number;
  /** The result files whose observations were taken for the decided ones, with how many each. */
  by: { file: string; addresses: number }[];
}

const decided = (o: ObservedAddress): boolean => o.status !== 'inconclusive';

/** How many addresses a block holds; 0 when it is not a block that parses. */
function blockSize(block: string): bigint {
  try {
    const [net, bits] = ipaddr.parseCIDR(block);
    return 1n << BigInt((net.kind() === 'ipv6' ? 128 : 32) - bits);
  } catch {
    return 0n;
  }
}

/**
 * Is an inconclusive entry (an address, a block, or a name with no address) decided elsewhere?
 * By an entry that observed the same address for the same target: every address of a block, and
 * for a name, any of its addresses. Matching the target keeps the entries that are inconclusive
 * for their target's sake (a name that resolves to the runner itself) beside an address scanned
 * as written. A block is never expanded (a result file is untrusted, and may name a /64): the
 * decided addresses inside it are counted.
 */
function coveredElsewhere(o: ObservedAddress, byAddress: ReadonlyMap<string, Taken>): boolean {
  const target = o.targets[0] ?? '';
  if (o.address !== '' && !o.address.includes('/')) {
    return byAddress.get(unitKey(o.address, target))?.entry.targets.includes(target) ?? false;
  }
  // A name or a block: looked up among every decided entry (there are few of these per merge).
  const decidedFor = [...byAddress.values()].filter((t) => t.entry.targets.includes(target));
  if (o.address === '') return decidedFor.length > 0;
  const inside = decidedFor.filter(
    (t) => t.entry.address !== '' && coversBlock(o.address, t.entry.address),
  ).length;
  return inside > 0 && BigInt(inside) === blockSize(o.address);
}

/**
 * The observed state of one scan over every target, from the contributions: each address (or
 * unresolved name) decided by the first contribution that decided it; an entry that no
 * contribution decided stays as the first one left it (inconclusive, with its reason). `overlaps`
 * names the families that more than one contribution decided (a second vantage's observation of
 * an address already decided is left out, and the merge warns).
 */
export function combineObserved(contributions: readonly Contribution[]): {
  taken: Taken[];
  overlaps: { family: 4 | 6; files: string[] }[];
} {
  const byAddress = new Map<string, Taken>();
  const overlaps = new Map<4 | 6, Set<string>>();
  for (const { file, observed } of contributions) {
    for (const entry of observed.filter(decided)) {
      const key = unitKey(entry.address, entry.targets[0] ?? '');
      const first = byAddress.get(key);
      if (!first) byAddress.set(key, { entry, file });
      else if (first.file !== file && entry.address !== '') {
        const files = overlaps.get(entry.family) ?? new Set([first.file]);
        overlaps.set(entry.family, files.add(file));
      }
    }
  }
  const undecided = new Map<string, Taken>();
  for (const { file, observed } of contributions) {
    for (const entry of observed.filter((o) => !decided(o))) {
      const target = entry.targets[0] ?? '';
      // Two entries the runner cannot reach may share an address; they stay two, as in one run.
      const key = `${unitKey(entry.address, target)} ${target}`;
      if (undecided.has(key) || coveredElsewhere(entry, byAddress)) continue;
      undecided.set(key, { entry, file });
    }
  }
  const taken = [...byAddress, ...undecided]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, t]) => t);
  return {
    taken,
    overlaps: [...overlaps].map(([family, files]) => ({ family, files: [...files] })),
  };
}

/** Per address family present in the merged state: how much was decided, and by which files. */
export function familyCoverage(taken: readonly Taken[]): MergedFamily[] {
  const out: MergedFamily[] = [];
  for (const family of [4, 6] as const) {
    const entries = taken.filter((t) => t.entry.address !== '' && t.entry.family === family);
    if (entries.length === 0) continue;
    const by = new Map<string, number>();
    for (const t of entries.filter((e) => decided(e.entry))) {
      by.set(t.file, (by.get(t.file) ?? 0) + 1);
    }
    out.push({
      family,
      addresses: entries.length,
      decided: [...by.values()].reduce((n, c) => n + c, 0),
      by: [...by].map(([file, addresses]) => ({ file, addresses })),
    });
  }
  return out;
}
