// Sharding: `shard: i/n` keeps this job's share of a scan plan, so that a matrix of n jobs scans every
// address exactly once and `mode: merge` can report as one run would. Pure and deterministic: every
// job makes the same full plan, orders its units the same way, and keeps every n-th one.
import ipaddr from 'ipaddr.js';
import { ConfigurationError } from './errors.js';
import type { ScanPlan } from './plan.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** GitHub's matrix runs at most 256 jobs; more shards than that can never all run. */
export const MAX_SHARDS = 256;

export function parseShard(input: string, value: string): Shard | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const m = /^(\d+)\s*\/\s*(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || index < 1 || count < 1 || index > count || count > MAX_SHARDS) {
    throw new ConfigurationError(
      input,
      `'${value}' is not i/n with 1 <= i <= n <= ${MAX_SHARDS}. Example for a matrix: shard: \${{ matrix.shard }}/4.`,
    );
  }
  return { index, count };
}

/** Every address of a CIDR block, in order. Callers bound the block's size (max-addresses). */
export function expandBlock(spec: string): string[] {
  const [net, bits] = ipaddr.parseCIDR(spec);
  const bytes = net.toByteArray();
  const width = bytes.length * 8;
  let first = bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
  const hostBits = BigInt(width - bits);
  first = (first >> hostBits) << hostBits;
  const out: string[] = [];
  for (let i = 0n; i < 1n << hostBits; i++) {
    let value = first + i;
    const next = new Array<number>(bytes.length);
    for (let b = bytes.length - 1; b >= 0; b--) {
      next[b] = Number(value & 0xffn);
      value >>= 8n;
    }
    out.push(ipaddr.fromByteArray(next).toString());
  }
  return out;
}

/** A key that sorts addresses numerically, IPv4 before IPv6. */
function addressKey(address: string): string {
  const ip = ipaddr.parse(address);
  const hex = ip
    .toByteArray()
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
  return `${ip.kind() === 'ipv4' ? 4 : 6}:${hex}`;
}

/** Orders observed entries the way every shard and the merge agree on: names first, then addresses. */
export function unitKey(address: string, target: string): string {
  if (!address) return `0:${target.toLowerCase()}`;
  return address.includes('/')
    ? `${addressKey(address.split('/')[0] ?? '')}/${address}`
    : addressKey(address);
}

/**
 * This shard's part of the plan. The units are the addresses to scan (blocks expanded, each
 * address once, however many entries name it), the names that did not resolve and the entries
 * this runner cannot reach; each is owned by exactly one shard, so no finding is made twice.
 * `resolved` stays whole: an address is still named by every entry that names it.
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
      for (const address of spec.includes('/') ? expandBlock(spec) : [spec]) {
        const key = addressKey(address);
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
