// Accounting, the rule under every green run: each address the plan names ends in the report as an
// observation or a finding that says why there is none. One check serves the scan, the merge
// and the tests; pure.
import type { ScanPlan } from './plan.js';
import { addressesOf, coversBlock, familyOf } from '../settings/targets.js';
import type { Finding, NmapTargetNote, ObservedAddress } from '../base/types.js';

/** One thing the report must account for: an address of a target, or a name with no address (''). */
export interface Planned {
  target: string;
  address: string;
}

export interface Violation extends Planned {
  problem: string;
}

/** What a scan plan (a shard's share, when sharded) promises to account for. */
export function plannedOf(plan: ScanPlan): Planned[] {
  const out: Planned[] = [];
  for (const run of plan.runs) {
    for (const spec of run.targets) {
      for (const address of addressesOf(spec)) out.push({ target: spec, address });
    }
  }
  for (const u of plan.unresolved) out.push({ target: u.target, address: '' });
  for (const u of plan.unreachable) {
    for (const address of u.address ? addressesOf(u.address) : ['']) {
      out.push({ target: u.target, address });
    }
  }
  return out;
}

/** The observed entries that stand for an address: its own, or an unfinished block holding it. */
function entriesFor(observed: readonly ObservedAddress[], p: Planned): readonly ObservedAddress[] {
  if (p.address === '') {
    return observed.filter((o) => o.address === '' && o.targets.includes(p.target));
  }
  return observed.filter(
    (o) =>
      o.address === p.address || (o.address.includes('/') && coversBlock(o.address, p.address)),
  );
}

function explained(o: ObservedAddress, findings: readonly Finding[]): boolean {
  if (o.status === 'up' || o.status === 'down') return true;
  return (
    o.reason.trim() !== '' &&
    findings.some((f) => f.address === o.address && o.targets.includes(f.target))
  );
}

/** The planned entries once each: an address once, a name without an address once. */
function distinct(planned: readonly Planned[]): Planned[] {
  const seen = new Set<string>();
  return planned.filter((p) => {
    const key = p.address || `name ${p.target}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every planned address the report does not account for, and why: empty when the rule holds. */
export function violations(
  planned: readonly Planned[],
  report: { observed: readonly ObservedAddress[]; findings: readonly Finding[] },
): Violation[] {
  return distinct(planned).flatMap((p): Violation[] => {
    const entries = entriesFor(report.observed, p);
    if (entries.length === 0) return [{ ...p, problem: 'neither observed nor in a finding' }];
    if (entries.some((o) => explained(o, report.findings))) return [];
    return [{ ...p, problem: `${entries[0]!.status}, with no finding saying why` }];
  });
}

/**
 * Adds an inconclusive entry for every planned address the scans did not report, with nmap's own
 * word when it skipped the target (`<target status="skipped">`): nothing nmap leaves out vanishes.
 */
export function accountForSkipped(
  plan: ScanPlan,
  observed: readonly ObservedAddress[],
  notes: readonly NmapTargetNote[],
): ObservedAddress[] {
  const missing = distinct(plannedOf(plan)).filter((p) => entriesFor(observed, p).length === 0);
  const added = missing.map((m): ObservedAddress => {
    const note = notes.find((n) => n.specification === m.address || n.specification === m.target);
    const why = note
      ? `nmap skipped it (${note.status}${note.reason ? `: ${note.reason}` : ''})`
      : 'nmap did not report it';
    return {
      address: m.address,
      family: m.address ? familyOf(m.address) : 4,
      targets: [m.target],
      hostnames: [],
      status: 'inconclusive',
      reason: `${why}: not scanned`,
      ports: [],
      extraports: [],
    };
  });
  return [...observed, ...added];
}
