// The rule grammar of `expected` (`PATTERN: PORTS`), and which rules an address obeys.
import { ConfigurationError } from '../base/errors.js';
import { CONTROL_CHARS, INVISIBLE_CHARS } from '../base/untrusted.js';
import { parsePortRange, rangeOf, rangesContain } from './ports.js';
import { classifyTarget, coversAddress } from './targets.js';
import type { Exception, PortRange, PortRule, Protocol, Rule, ServicePin } from '../base/types.js';

const PORT_ITEM = /^([0-9-]+)(?:\/(tcp|udp))?(\?)?(?:\s*\(([^()]*)\))?$/i;
/** nmap's service names: letters, digits, `-`, `_`, `.`, `+`; `ssl/NAME` for one wrapped in TLS. */
const SERVICE_NAME = /^(?:ssl\/)?[a-z0-9][a-z0-9._+-]{0,39}$/i;
const MAX_PRODUCT = 100;

/** The items of a port list: split at the commas that are not inside parentheses. */
function splitItems(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth = Math.max(0, depth - 1);
    else if (text[i] === ',' && depth === 0) {
      items.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  items.push(text.slice(start).trim());
  return items;
}

/**
 * What a port item says in parentheses: `(https)`, `(http nginx)`, `(https, tls)`, `(tls)`. `tls`
 * asks for the certificate check; any other entry pins the service, its first word nmap's name
 * for it, the rest words its product must contain.
 */
export function parseAnnotation(
  text: string,
  protocol: Protocol,
): Pick<PortRule, 'service' | 'tls'> | string {
  const out: Pick<PortRule, 'service' | 'tls'> = {};
  for (const entry of text.split(',').map((s) => s.trim())) {
    if (entry === '') return `empty parentheses or an empty entry in them`;
    if (entry.toLowerCase() === 'tls') {
      if (protocol === 'udp')
        return `'tls' on a UDP port: the certificate check speaks TLS over TCP`;
      out.tls = true;
      continue;
    }
    if (out.service)
      return `two services in one port's parentheses ('${out.service.name}' and '${entry}')`;
    const pin = parseServicePin(entry);
    if (typeof pin === 'string') return pin;
    out.service = pin;
  }
  return out;
}

/** `https`, `http nginx`, `ssh OpenSSH`: nmap's name for the service, then its product's words. */
export function parseServicePin(text: string): ServicePin | string {
  const [name = '', ...words] = text.trim().split(/\s+/);
  if (!SERVICE_NAME.test(name)) {
    return `'${name.replace(CONTROL_CHARS, '?')}' is not a service name as nmap writes them (ssh, http, https, ssl/imap)`;
  }
  const product = words.join(' ');
  if (product.replace(CONTROL_CHARS, '') !== product || /[:()]/.test(product)) {
    return `the product after '${name}' holds a control character, a colon or a parenthesis`;
  }
  if (product.length > MAX_PRODUCT) {
    return `the product after '${name}' is longer than ${MAX_PRODUCT} characters`;
  }
  return { name: name.toLowerCase(), ...(product ? { product } : {}) };
}

/** A pin as the grammar writes it: `https`, `http nginx`. */
export const pinText = (pin: ServicePin): string =>
  pin.product ? `${pin.name} ${pin.product}` : pin.name;

/** Parses the PORTS half of a rule, or says what is wrong with it. */
export function parseRulePorts(text: string): PortRule[] | string {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'none') return [];
  if (trimmed === '') return `no ports after the colon (write ports, or 'none')`;
  const ports: PortRule[] = [];
  for (const item of splitItems(trimmed)) {
    const m = PORT_ITEM.exec(item);
    if (!m?.[1]) {
      return item === ''
        ? 'an empty item between commas'
        : `'${item}' is not N, N-M, N/udp or N? (nor 'none', which stands alone), optionally followed by what answers there, as in '443 (https, tls)'`;
    }
    const protocol = (m[2]?.toLowerCase() ?? 'tcp') as Protocol;
    const range = parsePortRange(m[1], protocol);
    if (typeof range === 'string') return range;
    const annotation = m[4] === undefined ? {} : parseAnnotation(m[4], protocol);
    if (typeof annotation === 'string') return `'${item}': ${annotation}`;
    ports.push({ ...range, optional: m[3] === '?', ...annotation });
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

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;
const WEEK_MS = 7 * 24 * 3600 * 1000;

/**
 * The first moment an exception no longer holds, in ms since the epoch: the end of its day (UTC)
 * for a date, the time itself for an ISO 8601 time with a zone; a message when `until` is neither.
 */
export function exceptionEnd(until: string): number | string {
  const parts = (DAY.exec(until) ?? TIME.exec(until))?.slice(1).map((n) => Number(n ?? 0));
  const [y = 0, m = 0, d = 0, hh = 0, mm = 0, ss = 0] = parts ?? [];
  const start = Date.UTC(y, m - 1, d);
  const day = new Date(start);
  const real = day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
  if (parts && !real) return `'${until}' is not a date of the calendar`;
  if (parts && DAY.test(until)) return start + 24 * 3600 * 1000;
  const at = Date.parse(until);
  if (parts && hh < 24 && mm < 60 && ss < 60 && Number.isFinite(at)) return at;
  return `'${until}' is not a date (YYYY-MM-DD, held through that day in UTC) nor an ISO 8601 time with its zone (2027-01-31T18:00:00Z)`;
}

/** Later exceptions compare greater; as text when either cannot be read as a time. */
export function compareUntil(a: string, b: string): number {
  const [x, y] = [exceptionEnd(a), exceptionEnd(b)];
  if (typeof x === 'string' || typeof y === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return x - y;
}

/** Checks an exception's `until` and `reason`; a message saying what is wrong, or the exception. */
export function parseException(until: string, reason: string): Exception | string {
  const end = exceptionEnd(until.trim());
  if (typeof end === 'string') return end;
  // A reason is shown in logs, issues and Slack: on one line, whatever the file held.
  const why = reason
    .replace(CONTROL_CHARS, ' ')
    .trim()
    .replace(/^"(.*)"$/s, '$1')
    .trim();
  if (showsNothing(why)) {
    return `the exception until ${until.trim()} gives no reason${why === '' ? '' : ' (only characters that show nothing, such as zero-width spaces)'}: say who accepted it and why (a ticket, an owner)`;
  }
  return { until: until.trim(), reason: why };
}

/** Is a reason blank to whoever reads it: empty, or only spaces and characters that show nothing? */
export function showsNothing(text: string): boolean {
  return text.replace(INVISIBLE_CHARS, '') === '';
}

/** Where an exception stands at `now`: in force, in force but ending within 7 days, or ended. */
export function exceptionState(
  exception: Exception,
  now: number,
): 'active' | 'expiring' | 'expired' {
  const end = exceptionEnd(exception.until);
  // An exception that cannot be read (a report edited by hand) has ended: it accepts nothing.
  if (typeof end === 'string' || now >= end) return 'expired';
  return end - now <= WEEK_MS ? 'expiring' : 'active';
}

/** The line without its `#` comment; a `#` inside double quotes (a reason) stays. */
function stripComment(raw: string): string {
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '"') quoted = !quoted;
    else if (raw[i] === '#' && !quoted) return raw.slice(0, i);
  }
  return raw;
}

/**
 * Splits `PATTERN: PORTS until DATE REASON` at ` until `, which neither a pattern nor a port list
 * holds; the reason may hold anything, colons included.
 */
function splitException(line: string): [string, string | undefined] {
  const m = /\s+until(?:\s+|$)/i.exec(line);
  return m ? [line.slice(0, m.index), line.slice(m.index + m[0].length)] : [line, undefined];
}

/**
 * Reads the `expected` input: one rule per line; blank lines and `#` comments are skipped. A line
 * may end with `until DATE REASON`: its ports are accepted (may be open, never required) until then.
 */
export function parseRules(input: string, value: string): Rule[] {
  const rules: Rule[] = [];
  value.split(/\r?\n/).forEach((raw, index) => {
    const whole = stripComment(raw).trim();
    if (whole === '') return;
    const where = `line ${index + 1} ('${whole}')`;
    const [line, until] = splitException(whole);
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
    if (until !== undefined) {
      const example = `Example: 'db.example.com: 5432 until 2027-01-31 OPS-123, approved by alice'.`;
      if (ports.length === 0) {
        throw new ConfigurationError(
          input,
          `${where}: 'none' cannot have an exception. ${example}`,
        );
      }
      const marked = splitItems(parts[1]).find((item) => /\?\s*(\(|$)/.test(item));
      if (marked !== undefined) {
        throw new ConfigurationError(
          input,
          `${where}: '${marked.trim()}' has an exception, which accepts its port until the date and never requires it: remove the '?'. ${example}`,
        );
      }
      const [date = '', ...reason] = until.trim().split(/\s+/);
      const exception = parseException(date, reason.join(' '));
      if (typeof exception === 'string') {
        throw new ConfigurationError(input, `${where}: ${exception}. ${example}`);
      }
      for (const p of ports) Object.assign(p, { optional: true, exception });
    }
    rules.push({ pattern, ports, source: `${input} line ${index + 1}` });
  });
  return rules;
}

/** A port range an exception covers, with the rule that declares it. */
export interface Excepted {
  range: PortRange;
  exception: Exception;
  source: string;
}

/** What one address must and may expose: the union of every rule that applies to it. */
export interface Expectation {
  required: PortRange[];
  /** Every port that may be open, exceptions in force included. */
  allowed: PortRange[];
  /** Ports that may be open only because of an exception in force. */
  accepted: Excepted[];
  /** Ports whose exception has ended. */
  expired: Excepted[];
  /** The rules that applied, for reports. */
  rules: Rule[];
}

/**
 * A rule applies to an address when its pattern is `*`, names one of the address's target entries
 * (case-insensitively, as written), or is an IP or CIDR that covers the address. Exceptions are
 * judged at `now`: one that has ended allows nothing.
 */
export function expectationFor(
  rules: readonly Rule[],
  address: string,
  targets: readonly string[],
  now: number,
): Expectation {
  const names = new Set(targets.map((t) => t.toLowerCase()));
  const applied = rules.filter(
    (r) =>
      r.pattern === '*' || names.has(r.pattern.toLowerCase()) || coversAddress(r.pattern, address),
  );
  const exp: Expectation = { required: [], allowed: [], accepted: [], expired: [], rules: applied };
  for (const rule of applied) {
    for (const p of rule.ports) {
      if (!p.exception) {
        exp.allowed.push(rangeOf(p));
        if (!p.optional) exp.required.push(rangeOf(p));
        continue;
      }
      const excepted = { range: rangeOf(p), exception: p.exception, source: rule.source };
      if (exceptionState(p.exception, now) === 'expired') {
        exp.expired.push(excepted);
      } else {
        exp.allowed.push(rangeOf(p));
        exp.accepted.push(excepted);
      }
    }
  }
  return exp;
}

/** The exception that accepts (or, in `expired`, accepted) a port, if any. */
export function exceptionFor(
  excepted: readonly Excepted[],
  port: number,
  protocol: Protocol,
): Excepted | undefined {
  return excepted.find(
    (e) => e.range.protocol === protocol && port >= e.range.from && port <= e.range.to,
  );
}

/** Is a port allowed by a rule other than an exception (which then is not what accepts it)? */
export function isPlainlyAllowed(exp: Expectation, port: number, protocol: Protocol): boolean {
  const plain = exp.rules.flatMap((r) => r.ports.filter((p) => !p.exception));
  return rangesContain(plain, port, protocol);
}

/** Every exception the rules declare, with where it stands at `now`. */
export function exceptionsOf(
  rules: readonly Rule[],
  now: number,
): (Excepted & { pattern: string; state: ReturnType<typeof exceptionState> })[] {
  return rules.flatMap((rule) =>
    rule.ports.flatMap((p) =>
      p.exception
        ? [
            {
              pattern: rule.pattern,
              range: rangeOf(p),
              exception: p.exception,
              source: rule.source,
              state: exceptionState(p.exception, now),
            },
          ]
        : [],
    ),
  );
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
