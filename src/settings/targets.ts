// Target entries: what a user may write in `targets` (hostnames, IPv4, IPv6, CIDR blocks), and the
// address arithmetic that maps a scanned address back to the entries that named it.
import ipaddr from 'ipaddr.js';
import { ConfigurationError } from '../base/errors.js';
import type { Target } from '../base/types.js';

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** Splits a list input: one entry per line or comma-separated, `#` starts a comment. */
function splitList(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, ''))
    .flatMap((line) => line.split(','))
    .map((entry) => entry.trim())
    .filter(Boolean);
}

function isIPv4(text: string): boolean {
  // The cheap test first: ipaddr's parser is slow on text that is plainly a name.
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) && ipaddr.IPv4.isValidFourPartDecimal(text);
}

function isIPv6(text: string): boolean {
  return text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text);
}

function isHostname(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  // An all-numeric last label is a mistyped IPv4 address, not a name.
  if (/^\d+$/.test(labels.at(-1) ?? '')) return false;
  return labels.every((label) => HOST_LABEL.test(label));
}

/** Classifies one entry, or says why it is not a target. */
export function classifyTarget(entry: string): Target | string {
  if (entry.startsWith('-')) {
    return `'${entry}' starts with '-': targets are never nmap options`;
  }
  if (/[\s;&|`$<>()'"\\*!?{}[\]]/.test(entry)) {
    return `'${entry}' holds characters no hostname, IP or CIDR has`;
  }
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    const base = entry.slice(0, slash);
    const bitsText = entry.slice(slash + 1);
    const v4 = isIPv4(base);
    const v6 = !v4 && isIPv6(base);
    if (!v4 && !v6) return `'${entry}' is not a CIDR block: '${base}' is not an IP address`;
    const max = v4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > max) {
      return `'${entry}' has a prefix length outside 0-${max}`;
    }
    const bits = Number(bitsText);
    if (v6 && bits >= 96 && ipv4Mapped(base)) {
      return `'${entry}' is a block of IPv4-mapped IPv6 addresses, which nmap skips without scanning: write it as an IPv4 block`;
    }
    const size = 2 ** (max - bits);
    return { spec: entry, kind: v4 ? 'cidr4' : 'cidr6', size };
  }
  if (isIPv4(entry)) return { spec: entry, kind: 'ipv4', size: 1 };
  if (isIPv6(entry)) {
    const mapped = ipv4Mapped(entry);
    if (mapped) {
      return `'${entry}' is an IPv4-mapped IPv6 address, which nmap skips without scanning: write ${mapped}`;
    }
    return { spec: entry, kind: 'ipv6', size: 1 };
  }
  if (isHostname(entry)) return { spec: entry, kind: 'hostname', size: 1 };
  return `'${entry}' is not a hostname, an IPv4 or IPv6 address, or a CIDR block`;
}

/** Reads the `targets` input into entries, refusing anything that is not a target. */
export function parseTargets(input: string, value: string, maxAddresses: number): Target[] {
  const targets: Target[] = [];
  for (const entry of splitList(value)) {
    const target = classifyTarget(entry);
    if (typeof target === 'string') {
      throw new ConfigurationError(
        input,
        `${target}. Write hostnames, IPv4 or IPv6 addresses, or CIDR blocks, one per line or comma-separated.`,
      );
    }
    if (target.size > maxAddresses) {
      throw new ConfigurationError(
        input,
        `'${entry}' holds ${formatCount(target.size)} addresses, more than max-addresses (${maxAddresses}). Split it into smaller blocks across shards, or raise max-addresses.`,
      );
    }
    targets.push(target);
  }
  return uniqueTargets(targets);
}

/** Each entry once, in the order first written: entries that differ only in case are one. */
export function uniqueTargets(targets: Iterable<Target>): Target[] {
  const seen = new Set<string>();
  const out: Target[] = [];
  for (const target of targets) {
    const key = target.spec.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(target);
    }
  }
  return out;
}

function formatCount(n: number): string {
  return n > 1e15 ? n.toExponential(2) : n.toLocaleString('en-US');
}

/** The address family of an IP literal or a CIDR block; 4 for '' (a name without an address). */
export function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

/** The IPv4 address an IPv4-mapped IPv6 address (::ffff:a.b.c.d) stands for, else undefined. */
function ipv4Mapped(address: string): string | undefined {
  const ip = ipaddr.parse(address);
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()
    ? (ip as ipaddr.IPv6).toIPv4Address().toString()
    : undefined;
}

/**
 * Canonical text of an IP (lower-case, shortest IPv6), so two spellings compare equal. An
 * IPv4-mapped IPv6 address is its IPv4 address: that is what a packet to it reaches, and nmap
 * skips the mapped form without scanning it.
 */
export function canonicalIp(address: string): string {
  return ipv4Mapped(address) ?? ipaddr.parse(address).toString();
}

/** The runner's own addresses, or its provider's: a name that resolves to one is not scanned. */
export type RunnerRange = 'loopback' | 'unspecified' | 'link-local' | 'metadata';

/**
 * Instance metadata services, as each provider documents them: AWS EC2 (169.254.169.254,
 * fd00:ec2::254) and ECS (169.254.170.2), Google Cloud (169.254.169.254, fd20:ce::254), Azure,
 * Oracle Cloud and OpenStack (169.254.169.254), Oracle Cloud Classic (192.0.0.192), Alibaba Cloud
 * (100.100.100.200). The link-local ones are refused as link-local anyway: they are named here so
 * that the reason says what they are.
 */
const METADATA_ADDRESSES = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '100.100.100.200',
  '192.0.0.192',
  'fd00:ec2::254',
  'fd20:ce::254',
]);

/** ipaddr.js's names for the ranges that are the runner itself or its own link. */
const RUNNER_RANGES: Readonly<Record<string, RunnerRange>> = {
  loopback: 'loopback',
  unspecified: 'unspecified',
  linkLocal: 'link-local',
};

const NAT64 = ipaddr.IPv6.parse('64:ff9b::');

/** The address a packet to this one reaches: the IPv4 address inside a mapped or NAT64 form. */
function reachedAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv4') return ip;
  const v6 = ip as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  if (v6.match(NAT64, 96)) return ipaddr.fromByteArray(v6.toByteArray().slice(12));
  return v6;
}

/**
 * Which of the runner's own ranges an address lies in: loopback (127.0.0.0/8, ::1), unspecified
 * (0.0.0.0/8, ::, which reach the runner itself), link-local (169.254.0.0/16, fe80::/10) or a
 * cloud metadata address, also in IPv4-mapped and NAT64 (64:ff9b::/96) form. Undefined for any
 * other address, and for text that is not an address.
 */
export function runnerRange(address: string): RunnerRange | undefined {
  if (!ipaddr.isValid(address)) return undefined;
  const ip = reachedAddress(address);
  if (METADATA_ADDRESSES.has(ip.toString())) return 'metadata';
  return RUNNER_RANGES[ip.range()];
}

/** What an address of each range is to the machine `who` names: "the runner itself (loopback)". */
function rangeWords(range: RunnerRange, who: string): string {
  switch (range) {
    case 'loopback':
      return `${who} itself (loopback)`;
    case 'unspecified':
      return `the unspecified address, which reaches ${who} itself`;
    case 'link-local':
      return `a link-local address, on ${who}'s own network link`;
    case 'metadata':
      return `a cloud metadata address, ${who}'s own provider's service`;
  }
}

/** What a block within each range is, after its name: "the loopback range, the runner itself". */
const BLOCK_WORDS: Readonly<Record<RunnerRange, string>> = {
  loopback: 'the runner itself',
  unspecified: 'which reaches the runner itself',
  'link-local': "the runner's own network link",
  metadata: "the runner's own provider's service",
};

/** The advice that ends the reason a name is not scanned: hints.ts knows such a finding by it. */
export const RUNNER_NAME_FIX =
  'Fix its DNS record, or write the address in targets to scan it as written.';

/** Why a name's address is not scanned: it is the runner's own, not a host of the fleet. */
export function runnerNameReason(name: string, address: string, range: RunnerRange): string {
  return `${name} resolves to ${address}, ${rangeWords(range, 'the runner')}: not scanned. ${RUNNER_NAME_FIX}`;
}

/**
 * Why a name in nmap XML (`xml`) is not judged at an address of the machine that ran nmap: the
 * name resolved there, and what nmap saw is that machine's, not a host of the fleet.
 */
export function scannerNameReason(name: string, address: string, range: RunnerRange): string {
  return `${name} was scanned at ${address}, ${rangeWords(range, 'the scanner')}: not judged. ${RUNNER_NAME_FIX}`;
}

/**
 * What a literal or a block the user wrote is, when it is the runner's own: "is the runner itself
 * (loopback)", "holds 169.254.169.254, a cloud metadata address, ...". Undefined for other entries.
 */
export function runnerNoteOf(spec: string): string | undefined {
  const target = classifyTarget(spec);
  if (typeof target === 'string' || target.kind === 'hostname') return undefined;
  if (!spec.includes('/')) {
    const range = runnerRange(spec);
    return range ? `is ${rangeWords(range, 'the runner')}` : undefined;
  }
  const metadata = [...METADATA_ADDRESSES].find((a) => coversAddress(spec, a));
  if (metadata) return `holds ${metadata}, ${rangeWords('metadata', 'the runner')}`;
  // Each range is a CIDR block itself: a block whose ends lie in one lies in it whole.
  const family = target.kind === 'cidr4' ? ipaddr.IPv4 : ipaddr.IPv6;
  const range = runnerRange(family.networkAddressFromCIDR(spec).toString());
  const last = runnerRange(family.broadcastAddressFromCIDR(spec).toString());
  return range && last === range
    ? `is within the ${range} range, ${BLOCK_WORDS[range]}`
    : undefined;
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

/** Every address an IP literal or a CIDR block stands for. */
export function addressesOf(spec: string): string[] {
  return spec.includes('/') ? expandBlock(spec) : [spec];
}

/** A key that sorts addresses numerically, IPv4 before IPv6. */
function addressKey(address: string): string {
  const ip = ipaddr.parse(address);
  const hex = ip
    .toByteArray()
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
  return `${familyOf(address)}:${hex}`;
}

/** Orders observed entries the way every shard and the merge agree on: names first, then addresses. */
export function unitKey(address: string, target: string): string {
  if (!address) return `0:${target.toLowerCase()}`;
  return address.includes('/')
    ? `${addressKey(address.split('/')[0] ?? '')}/${address}`
    : addressKey(address);
}

/** Does the IP/CIDR pattern cover the address? Patterns that are not IPs or CIDRs cover nothing. */
export function coversAddress(pattern: string, address: string): boolean {
  try {
    const ip = ipaddr.parse(address);
    if (pattern.includes('/')) {
      const [net, bits] = ipaddr.parseCIDR(pattern);
      return net.kind() === ip.kind() && ip.match(net, bits);
    }
    if (!ipaddr.isValid(pattern)) return false;
    return ipaddr.parse(pattern).toString() === ip.toString();
  } catch {
    return false;
  }
}

/** Does the CIDR block hold the address or the whole of the other block? */
export function coversBlock(block: string, addressOrBlock: string): boolean {
  if (!addressOrBlock.includes('/')) return coversAddress(block, addressOrBlock);
  try {
    const [outer, outerBits] = ipaddr.parseCIDR(block);
    const [inner, innerBits] = ipaddr.parseCIDR(addressOrBlock);
    return outer.kind() === inner.kind() && innerBits >= outerBits && inner.match(outer, outerBits);
  } catch {
    return false;
  }
}

/** Was an address named on its own (an IP or a hostname), rather than only as part of a block? */
export function namedAlone(targets: readonly string[]): boolean {
  return targets.some((t) => !t.includes('/'));
}

/** The target entries that name an address: its own literal, a CIDR that holds it, a name that resolved to it. */
export function targetsNaming(
  targets: readonly Target[],
  address: string,
  resolved: ReadonlyMap<string, readonly string[]>,
): string[] {
  return targets
    .filter((t) =>
      t.kind === 'hostname'
        ? (resolved.get(t.spec) ?? []).includes(address)
        : coversAddress(t.spec, address),
    )
    .map((t) => t.spec);
}
