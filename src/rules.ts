// The rule grammar of `expected` (`PATTERN: PORTS`), and which rules an address obeys.
import { ConfigurationError } from './errors.js';
import { parsePortRange, rangesContain } from './ports.js';
import { classifyTarget, coversAddress } from './targets.js';
import type { PortRange, PortRule, Protocol, Rule } from './types.js';

const PORT_ITEM = /^([0-9-]+)(?:\/(tcp|udp))?(\?)?$/i;

/** Parses the PORTS half of a rule, or says what is wrong with it. */
export function parseRulePorts(text: string): PortRule[] | string {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'none') return [];
  if (trimmed === '') return `no ports after the colon (write ports, or 'none')`;
  const ports: PortRule[] = [];
  for (const item of trimmed.split(',').map((s) => s.trim())) {
    const m = PORT_ITEM.exec(item);
    if (!m?.[1]) {
      return item === ''
        ? 'an empty item between commas'
        : `'${item}' is not N, N-M, N/udp or N? (nor 'none', which stands alone)`;
    }
    const protocol = (m[2]?.toLowerCase() ?? 'tcp') as Protocol;
    const range = parsePortRange(m[1], protocol);
    if (typeof range === 'string') return range;
    ports.push({ ...range, optional: m[3] === '?' });
  }
  return ports;
}

/** Checks a rule's PATTERN: `*`, an IP, a CIDR, or a hostname (brackets around IPv6 allowed). */
export function parsePattern(text: string): string | { error: string } {
  let pattern = text.trim();
  if (pattern.startsWith('[') && pattern.endsWith(']')) pattern = pattern.slice(1, -1);
  if (pattern === '*') return pattern;
  if (pattern === '') return { error: 'a rule has no pattern before the colon' };
  const target = classifyTarget(pattern);
  return typeof target === 'string' ? { error: target } : pattern;
}

/** Is a rule's pattern a hostname (not `*`, an IP or a CIDR)? Such a pattern must name a target. */
export function isNamePattern(pattern: string): boolean {
  return /[a-z]/i.test(pattern) && !pattern.includes(':');
}

/**
 * Splits `PATTERN: PORTS` at the last colon followed by a space or the line's end, since IPv6
 * patterns hold colons too; a line with a single colon (`host:22`) splits there.
 */
function splitRule(line: string): [string, string] | undefined {
  for (let i = line.length - 1; i >= 0; i--) {
    if (line[i] === ':' && (i === line.length - 1 || /\s/.test(line[i + 1] ?? ''))) {
      return [line.slice(0, i), line.slice(i + 1)];
    }
  }
  const colon = line.indexOf(':');
  if (colon >= 0 && colon === line.lastIndexOf(':')) {
    return [line.slice(0, colon), line.slice(colon + 1)];
  }
  return undefined;
}

/** Reads the `expected` input: one rule per line; blank lines and `#` comments are skipped. */
export function parseRules(input: string, value: string): Rule[] {
  const rules: Rule[] = [];
  value.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const where = `line ${index + 1} ('${line}')`;
    const parts = splitRule(line);
    if (!parts) {
      throw new ConfigurationError(
        input,
        `${where} is not 'PATTERN: PORTS'. Example: 'web.example.com: 80, 443' or '*: none'.`,
      );
    }
    const pattern = parsePattern(parts[0]);
    if (typeof pattern !== 'string') {
      throw new ConfigurationError(
        input,
        `${where}: ${pattern.error}. The pattern is a target as written, an IP, a CIDR or '*'.`,
      );
    }
    const ports = parseRulePorts(parts[1]);
    if (typeof ports === 'string') {
      throw new ConfigurationError(
        input,
        `${where}: ${ports}. Example: '22, 443, 8000-8100, 53/udp, 8080?'.`,
      );
    }
    rules.push({ pattern, ports, source: `${input} line ${index + 1}` });
  });
  return rules;
}

/** What one address must and may expose: the union of every rule that applies to it. */
export interface Expectation {
  required: PortRange[];
  allowed: PortRange[];
  /** The rules that applied, for reports. */
  rules: Rule[];
}

/**
 * A rule applies to an address when its pattern is `*`, names one of the address's target entries
 * (case-insensitively, as written), or is an IP or CIDR that covers the address.
 */
export function expectationFor(
  rules: readonly Rule[],
  address: string,
  targets: readonly string[],
): Expectation {
  const names = new Set(targets.map((t) => t.toLowerCase()));
  const applied = rules.filter(
    (r) =>
      r.pattern === '*' || names.has(r.pattern.toLowerCase()) || coversAddress(r.pattern, address),
  );
  const all = applied.flatMap((r) => r.ports);
  return {
    required: all
      .filter((p) => !p.optional)
      .map(({ from, to, protocol }) => ({ from, to, protocol })),
    allowed: all.map(({ from, to, protocol }) => ({ from, to, protocol })),
    rules: applied,
  };
}

export function isAllowed(exp: Expectation, port: number, protocol: Protocol): boolean {
  return rangesContain(exp.allowed, port, protocol);
}

/** Every port any rule lists, by protocol: these are always scanned. */
export function expectedPorts(rules: readonly Rule[], protocol: Protocol): PortRange[] {
  return rules
    .flatMap((r) => r.ports)
    .filter((p) => p.protocol === protocol)
    .map(({ from, to }) => ({ from, to, protocol }));
}
