// Port numbers and port lists: parsing the `ports`/`udp-ports` forms, and the built-in list of
// commonly exposed services that nmap's top 1000 ports miss.
import { ConfigurationError } from '../base/errors.js';
import type { PortRange, Protocol } from '../base/types.js';
import { SERVICES } from './services.js';

/** What the user asked to scan for one protocol, before nmap tells us its top-N lists. */
export type PortSelection =
  | { kind: 'none' }
  | { kind: 'default' }
  | { kind: 'all' }
  | { kind: 'top'; count: number }
  | { kind: 'list'; ranges: PortRange[] };

/**
 * Data stores and admin services that are ransomed or hijacked when exposed, and that nmap's
 * top 1000 TCP ports do not all cover. `ports: default` always adds them. docs/reference.md lists them.
 * Read from the service table (services.ts), in port order.
 */
export const EXPOSED_SERVICES: readonly { port: number; service: string }[] = SERVICES.flatMap(
  (s) =>
    Object.entries(s.exposed ?? {}).map(([port, service]) => ({ port: Number(port), service })),
).sort((a, b) => a.port - b.port);

const PORT_TOKEN = /^(\d{1,5})(?:-(\d{1,5}))?$/;

/** Parses `N` or `N-M` into a range, or explains what is wrong. */
export function parsePortRange(token: string, protocol: Protocol): PortRange | string {
  const m = PORT_TOKEN.exec(token);
  if (!m) return `'${token}' is not a port or a range (write N or N-M, 1-65535)`;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || from > 65535 || to < 1 || to > 65535) {
    return `'${token}' is outside 1-65535`;
  }
  if (from > to) return `'${token}' runs backwards (write the lower port first)`;
  return { from, to, protocol };
}

/** Reads the `ports`/`udp-ports` forms: default, all, top-N, or a comma list of N and N-M. */
export function parsePortSelection(
  input: string,
  value: string,
  protocol: Protocol,
): PortSelection {
  const text = value.trim().toLowerCase();
  if (text === '') return { kind: 'none' };
  if (text === 'default') return { kind: 'default' };
  if (text === 'all') return { kind: 'all' };
  const top = /^top-(\d+)$/.exec(text);
  if (top) {
    const count = Number(top[1]);
    if (count < 1 || count > 65535) {
      throw new ConfigurationError(input, `'${value}' must be top-N with N from 1 to 65535`);
    }
    return { kind: 'top', count };
  }
  const ranges: PortRange[] = [];
  for (const token of text.split(/[\s,]+/).filter(Boolean)) {
    const range = parsePortRange(token, protocol);
    if (typeof range === 'string') {
      throw new ConfigurationError(
        input,
        `${range}. Use default, all, top-N, or a list such as 22,80,8000-8100.`,
      );
    }
    ranges.push(range);
  }
  return { kind: 'list', ranges };
}

/** A rule's port range alone, without what else the rule says of it. */
export const rangeOf = ({ from, to, protocol }: PortRange): PortRange => ({ from, to, protocol });

/** Sorted, merged ranges: the canonical form of a set of ports. */
export function coalesceRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) =>
    a.protocol === b.protocol ? a.from - b.from : a.protocol < b.protocol ? -1 : 1,
  );
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && last.protocol === r.protocol && r.from <= last.to + 1) {
      last.to = Math.max(last.to, r.to);
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/** Reads nmap's own port-list notation (`1,3-4,6`), as in `<scaninfo services>`. */
export function parseNmapPortList(list: string, protocol: Protocol): PortRange[] {
  const out: PortRange[] = [];
  for (const token of list.split(',').filter(Boolean)) {
    const range = parsePortRange(token.trim(), protocol);
    if (typeof range !== 'string') out.push(range);
  }
  return out;
}

/** Writes ranges in nmap's notation, `22,80,8000-8100`. */
export function formatPortList(ranges: readonly PortRange[]): string {
  return ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(',');
}

export function countPorts(ranges: readonly PortRange[]): number {
  return ranges.reduce((n, r) => n + r.to - r.from + 1, 0);
}

export function rangesContain(ranges: readonly PortRange[], port: number, protocol: Protocol) {
  return ranges.some((r) => r.protocol === protocol && port >= r.from && port <= r.to);
}
