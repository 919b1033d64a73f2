// The scan plan: which addresses and which ports, in which nmap runs. Pure: the facts it needs from
// the world (DNS answers, routes, nmap's top-port lists) are gathered beforehand and passed in.
import { EXPOSED_SERVICES, coalesceRanges, type PortSelection } from '../settings/ports.js';
import { expectedPorts } from '../settings/rules.js';
import type { Settings, Shard } from '../settings/settings.js';
import {
  addressesOf,
  canonicalIp,
  coversBlock,
  familyOf,
  runnerNameReason,
  runnerRange,
  unitKey,
} from '../settings/targets.js';
import type { PortRange, Protocol, Target, Vantage } from '../base/types.js';

export interface PlanFacts {
  /** Hostname target -> every address it resolved to (both families), or an error text. */
  resolved: ReadonlyMap<string, string[] | { error: string; inconclusive?: boolean }>;
  /** Address or CIDR -> why this runner cannot reach it (no route for its family), when it cannot. */
  unreachable: ReadonlyMap<string, string>;
  /** nmap's own top-N list for a protocol, as ranges. */
  topPorts(protocol: Protocol, count: number): PortRange[];
}

interface NmapRunPlan {
  family: 4 | 6;
  /** Addresses and CIDR blocks, canonical. */
  targets: string[];
}

export interface ScanPlan {
  tcp: PortRange[];
  udp: PortRange[];
  runs: NmapRunPlan[];
  /** Name -> the addresses it resolved to in the chosen families. */
  resolved: Map<string, string[]>;
  /** Hostname targets with no address to scan, and why. */
  unresolved: { target: string; reason: string }[];
  /**
   * Addresses and blocks left out, each reported inconclusive with its reason: no route from this
   * runner, outside ip-version, a name's address that is the runner's own (loopback, link-local,
   * unspecified, cloud metadata), or a name DNS gave no answer for in time (address '').
   */
  unreachable: { target: string; address: string; reason: string }[];
  /** How many addresses the runs cover (CIDR blocks counted in full). */
  addressCount: number;
  /** Where the scan looks from: per family, a route or not, and the runner's source addresses. */
  vantage?: Vantage;
}

const DEFAULT_TOP = 1000;

function selectPorts(
  selection: PortSelection,
  protocol: Protocol,
  settings: Settings,
  facts: PlanFacts,
): PortRange[] {
  const expected = expectedPorts(settings.rules, protocol);
  switch (selection.kind) {
    case 'none':
      return coalesceRanges(expected);
    case 'all':
      return [{ from: 1, to: 65535, protocol }];
    case 'top':
      return coalesceRanges([...facts.topPorts(protocol, selection.count), ...expected]);
    case 'list':
      return coalesceRanges([...selection.ranges, ...expected]);
    case 'default': {
      const extra =
        protocol === 'tcp'
          ? EXPOSED_SERVICES.map((s) => ({ from: s.port, to: s.port, protocol }))
          : [];
      return coalesceRanges([...facts.topPorts(protocol, DEFAULT_TOP), ...extra, ...expected]);
    }
  }
}

function wanted(settings: Settings, family: 4 | 6): boolean {
  return settings.ipVersion === 'both' || settings.ipVersion === String(family);
}

/** The plan as it is made, target after target. */
interface Planning {
  settings: Settings;
  facts: PlanFacts;
  /** Addresses and blocks to scan, per family. */
  byFamily: Record<4 | 6, string[]>;
  resolved: ScanPlan['resolved'];
  unresolved: ScanPlan['unresolved'];
  unreachable: ScanPlan['unreachable'];
  addressCount: number;
}

export function makePlan(settings: Settings, facts: PlanFacts): ScanPlan {
  const p: Planning = {
    settings,
    facts,
    byFamily: { 4: [], 6: [] },
    resolved: new Map(),
    unresolved: [],
    unreachable: [],
    addressCount: 0,
  };
  // Largest blocks first, so that whatever they hold is not planned twice.
  const ordered = [...settings.targets].sort((a, b) => b.size - a.size);
  for (const target of ordered) {
    if (target.kind === 'hostname') addName(p, target);
    else if (target.kind === 'cidr4' || target.kind === 'cidr6') {
      add(p, target, target.spec, target.size);
    } else add(p, target, canonicalIp(target.spec), 1);
  }
  const runs = ([4, 6] as const)
    .filter((family) => p.byFamily[family].length > 0)
    .map((family) => ({ family, targets: p.byFamily[family] }));
  return {
    tcp: selectPorts(settings.tcpPorts, 'tcp', settings, facts),
    udp: selectPorts(settings.udpPorts, 'udp', settings, facts),
    runs,
    resolved: p.resolved,
    unresolved: p.unresolved,
    unreachable: p.unreachable,
    addressCount: p.addressCount,
  };
}

/** An address or block to scan (for a CIDR entry, `address` is the block itself), unless left out. */
function add(p: Planning, target: Target, address: string, size: number): void {
  const family = familyOf(address);
  if (!wanted(p.settings, family)) {
    p.unreachable.push({
      target: target.spec,
      address,
      reason: `ip-version: ${p.settings.ipVersion} leaves out IPv${family} ${address}: not scanned`,
    });
    return;
  }
  const reason = p.facts.unreachable.get(address);
  if (reason) {
    p.unreachable.push({ target: target.spec, address, reason });
    return;
  }
  // An address or block inside a block already planned is scanned once, as part of that block.
  const covered = p.byFamily[family].some(
    (spec) => spec === address || (spec.includes('/') && coversBlock(spec, address)),
  );
  if (!covered) {
    p.byFamily[family].push(address);
    p.addressCount += size;
  }
}

// A name that resolves to the runner's own address (a parked domain, split-horizon DNS) does not
// stand for a host of the fleet: scanning it would judge the runner. Reported, never scanned.
function addResolved(p: Planning, target: Target, address: string): void {
  const range = runnerRange(address);
  if (range) {
    p.unreachable.push({
      target: target.spec,
      address,
      reason: runnerNameReason(target.spec, address, range),
    });
  } else {
    add(p, target, address, 1);
  }
}

/** A hostname target: its addresses as DNS answered, or why it has none to scan. */
function addName(p: Planning, target: Target): void {
  const answer = p.facts.resolved.get(target.spec);
  if (answer && !Array.isArray(answer) && answer.inconclusive) {
    p.unreachable.push({
      target: target.spec,
      address: '',
      reason: `${target.spec} ${answer.error}`,
    });
    return;
  }
  if (!answer || !Array.isArray(answer)) {
    p.unresolved.push({ target: target.spec, reason: answer?.error ?? 'not resolved' });
    return;
  }
  const all = [...new Set(answer.map(canonicalIp))];
  const addresses = all.filter((a) => wanted(p.settings, familyOf(a)));
  if (all.length === 0) {
    p.unresolved.push({ target: target.spec, reason: 'has no address' });
    return;
  }
  // A name with addresses only in the family ip-version leaves out: each is reported, as an
  // IP literal of that family would be; never a host-down, since the name does resolve.
  if (addresses.length === 0) {
    p.resolved.set(target.spec, all);
    for (const address of all) addResolved(p, target, address);
    return;
  }
  p.resolved.set(target.spec, addresses);
  for (const address of addresses) addResolved(p, target, address);
}

/**
 * This shard's part of the plan (`shard: i/n`), so that a matrix of n jobs scans every address
 * exactly once. Deterministic: every job makes the same full plan, orders its units the same way
 * (unitKey, as the merge does) and keeps every n-th one. The units are the addresses to scan
 * (blocks expanded, each address once, however many entries name it), the names that did not
 * resolve and the entries this runner cannot reach; each is owned by exactly one shard, so no
 * finding is made twice. `resolved` stays whole: an address is still named by every entry that
 * names it.
 */
export function shardPlan(plan: ScanPlan, shard: Shard | undefined): ScanPlan {
  if (!shard) return plan;
  type Unit =
    | { key: string; scan: { family: 4 | 6; address: string } }
    | { key: string; unresolved: ScanPlan['unresolved'][number] }
    | { key: string; unreachable: ScanPlan['unreachable'][number] };
  const units = new Map<string, Unit>();
  for (const run of plan.runs) {
    for (const spec of run.targets) {
      for (const address of addressesOf(spec)) {
        const key = unitKey(address, spec);
        if (!units.has(key)) units.set(key, { key, scan: { family: run.family, address } });
      }
    }
  }
  for (const u of plan.unresolved) {
    const key = unitKey('', u.target);
    units.set(key, { key, unresolved: u });
  }
  for (const u of plan.unreachable) {
    const key = `${unitKey(u.address, u.target)} ${u.target}`;
    units.set(key, { key, unreachable: u });
  }
  const mine = [...units.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .filter((_, i) => i % shard.count === shard.index - 1);

  const byFamily: Record<4 | 6, string[]> = { 4: [], 6: [] };
  const unresolved: ScanPlan['unresolved'] = [];
  const unreachable: ScanPlan['unreachable'] = [];
  for (const unit of mine) {
    if ('scan' in unit) byFamily[unit.scan.family].push(unit.scan.address);
    else if ('unresolved' in unit) unresolved.push(unit.unresolved);
    else unreachable.push(unit.unreachable);
  }
  return {
    ...plan,
    runs: ([4, 6] as const)
      .filter((family) => byFamily[family].length > 0)
      .map((family) => ({ family, targets: byFamily[family] })),
    unresolved,
    unreachable,
    addressCount: byFamily[4].length + byFamily[6].length,
  };
}
