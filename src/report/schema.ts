// The shape of report.json, declared once, and the checker that reads an untrusted one (a shard's
// result file) into a typed Report: every field typed, every address an IP, unknown fields
// dropped so that nothing unchecked reaches a summary, an issue, a comment or Slack.
// A new field is one line in the declarations below (optional fields with `optional(...)`).
import ipaddr from 'ipaddr.js';
import { FINDING_KINDS } from '../types.js';
import { REPORT_SCHEMA, type Report } from './report.js';

/** A field that does not match its declaration: where (`observed[3].ports[0].port`) and what. */
export class SchemaError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || 'the file'}: ${problem}`);
    this.name = 'SchemaError';
  }
}

/** Reads a value of type T at a path, or throws a SchemaError. */
type Check<T> = (value: unknown, path: string) => T;

const OPTIONAL = Symbol('optional');
type Optional<T> = Check<T> & { [OPTIONAL]: true };

/** A field that may be absent (undefined). */
function optional<T>(check: Check<T>): Optional<T | undefined> {
  const c = ((value: unknown, path: string) =>
    value === undefined ? undefined : check(value, path)) as Optional<T | undefined>;
  c[OPTIONAL] = true;
  return c;
}

function kind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}

/** Strings are bounded: a report's texts are lines, names and nmap's words, never megabytes. */
const MAX_STRING = 100_000;

const str: Check<string> = (value, path) => {
  if (typeof value !== 'string') throw new SchemaError(path, `want a string, found ${kind(value)}`);
  if (value.length > MAX_STRING) throw new SchemaError(path, 'a string too long');
  return value;
};

/**
 * A short text of plain words (letters, digits, spaces, `.,:()+-`), for the values the summary
 * shows as they are (nmap's version, the scan type, the privilege): nothing in it can be markup.
 */
const plain: Check<string> = (value, path) => {
  const text = str(value, path);
  if (!/^[\w .,:()+-]{0,80}$/.test(text)) {
    throw new SchemaError(
      path,
      'want plain words (letters, digits, spaces, .,:()+-), found other characters',
    );
  }
  return text;
};

const bool: Check<boolean> = (value, path) => {
  if (typeof value !== 'boolean')
    throw new SchemaError(path, `want true or false, found ${kind(value)}`);
  return value;
};

/** A whole number within bounds. */
function int(min = 0, max = Number.MAX_SAFE_INTEGER): Check<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new SchemaError(
        path,
        `want a whole number in ${min}-${max}, found ${typeof value === 'number' ? value : kind(value)}`,
      );
    }
    return value;
  };
}

/** A finite number within bounds (a share, seconds). */
function number(min: number, max: number): Check<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new SchemaError(path, `want a number in ${min}-${max}, found ${kind(value)}`);
    }
    return value;
  };
}

/** One of the listed strings (or numbers). */
function oneOf<const T extends string | number>(...values: T[]): Check<T> {
  return (value, path) => {
    if (!values.includes(value as T)) {
      throw new SchemaError(path, `want one of ${values.join(', ')}`);
    }
    return value as T;
  };
}

function list<T>(item: Check<T>, max = 10_000_000): Check<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) throw new SchemaError(path, `want a list, found ${kind(value)}`);
    if (value.length > max) throw new SchemaError(path, `more than ${max} items`);
    return value.map((v, i) => item(v, `${path}[${i}]`));
  };
}

/** A map from names to values of one type. */
function record<T>(item: Check<T>): Check<Record<string, T>> {
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SchemaError(path, `want an object, found ${kind(value)}`);
    }
    const out: Record<string, T> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '__proto__') throw new SchemaError(path, 'a key named __proto__');
      out[k] = item(v, `${path}.${k}`);
    }
    return out;
  };
}

type Fields = Record<string, Check<unknown>>;
type Shape<F extends Fields> = {
  [K in keyof F as F[K] extends Optional<unknown> ? never : K]: ReturnType<F[K]>;
} & {
  [K in keyof F as F[K] extends Optional<unknown> ? K : never]?: Exclude<
    ReturnType<F[K]>,
    undefined
  >;
};

/** An object with these fields; fields it does not declare are dropped. */
function object<F extends Fields>(fields: F): Check<Shape<F>> {
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SchemaError(path, `want an object, found ${kind(value)}`);
    }
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [name, check] of Object.entries(fields)) {
      const v = check(
        Object.hasOwn(source, name) ? source[name] : undefined,
        path ? `${path}.${name}` : name,
      );
      if (v !== undefined) out[name] = v;
    }
    return out as Shape<F>;
  };
}

/** Any JSON value, kept as it is: only for settings that are compared, never shown. */
const json: Check<unknown> = (value) => value;

/** An IP address in canonical form, or '' where a report holds a name without an address. */
const address: Check<string> = (value, path) => {
  const text = str(value, path);
  if (text === '') return text;
  const [base, bits] = text.split('/');
  if (!base || !ipaddr.isValid(base) || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
    throw new SchemaError(path, 'not an IP address or CIDR block');
  }
  return text;
};

const protocol = oneOf('tcp', 'udp');
const port = int(1, 65535);
const findingKind = oneOf(...FINDING_KINDS);

const portRange = object({ from: port, to: port, protocol });

const service = object({
  name: optional(str),
  product: optional(str),
  version: optional(str),
  extrainfo: optional(str),
  method: optional(str),
  tunnel: optional(str),
});

const exception = object({ until: str, reason: str });

const rule = object({
  pattern: str,
  ports: list(
    object({ from: port, to: port, protocol, optional: bool, exception: optional(exception) }),
  ),
  source: str,
});

const finding = object({
  kind: findingKind,
  target: str,
  address,
  port: optional(port),
  protocol: optional(protocol),
  expected: str,
  observed: str,
  service: optional(service),
  detail: optional(str),
  expiredException: optional(object({ until: str, reason: str, source: str })),
});

const accepted = object({
  target: str,
  address,
  port,
  protocol,
  until: str,
  reason: str,
  source: str,
  service: optional(service),
});

const exceptionStatus = object({
  pattern: str,
  ports: portRange,
  until: str,
  reason: str,
  source: str,
  state: oneOf('active', 'expiring', 'expired'),
});

const observedAddress = object({
  address,
  family: oneOf(4, 6),
  targets: list(str),
  hostnames: list(str),
  status: oneOf('up', 'down', 'unresolved', 'inconclusive'),
  reason: str,
  ports: list(
    object({ port, protocol, state: str, reason: str, service: optional(service) }),
    65535 * 2,
  ),
  extraports: list(object({ state: str, count: int(0, 65535), protocol })),
  unscanned: optional(list(protocol)),
  // Written by the scan engine (issue 11): how many of its TCP ports answered, and an address
  // that answers open on every port.
  coverage: optional(
    object({
      ports: int(),
      answered: int(),
      silent: int(),
      unanswered: int(),
      probes: int(),
      why: optional(str),
    }),
  ),
  everyPort: optional(object({ open: int(), sampled: int() })),
});

const flap = object({
  target: str,
  address,
  port,
  protocol,
  kind: findingKind,
  sweep: str,
  recheck: str,
});

/** The settings a report records: what merge compares and what the summary shows, typed. */
const settings = object({
  name: str,
  mode: oneOf('check', 'record', 'merge'),
  targets: list(str),
  rules: list(rule),
  ports: json,
  udpPorts: json,
  tcpPortCount: optional(int()),
  udpPortCount: optional(int()),
  ipVersion: oneOf('both', '4', '6'),
  scanType: optional(str),
  failOn: list(findingKind),
  scanTimeoutMs: optional(int()),
  maxAddresses: optional(int()),
  maxRate: optional(int()),
  xml: optional(str),
  policy: optional(str),
  shard: optional(object({ index: int(1, 256), count: int(1, 256) })),
  notifications: optional(
    object({
      issue: bool,
      issueLabels: list(str),
      prComment: bool,
      slack: bool,
      notify: oneOf('change', 'always'),
    }),
  ),
});

/** report.json as `mode: merge` reads it. */
const report = object({
  schema: oneOf(REPORT_SCHEMA),
  name: str,
  startedAt: str,
  finishedAt: str,
  verdict: object({
    drift: bool,
    failed: bool,
    counts: object(
      Object.fromEntries(FINDING_KINDS.map((k) => [k, int()])) as Record<
        (typeof FINDING_KINDS)[number],
        Check<number>
      >,
    ),
    message: str,
    undecided: optional(oneOf('cancelled', 'nothing')),
  }),
  scanned: object({ addresses: int(), tcpPorts: int(0, 65535), udpPorts: int(0, 65535) }),
  scan: object({
    source: oneOf('nmap', 'xml'),
    nmapVersion: optional(plain),
    scanType: optional(plain),
    privilege: optional(plain),
    runs: list(
      object({ phase: optional(str), args: optional(list(str)), xml: str, error: optional(str) }),
    ),
    ports: optional(list(portRange)),
    resolved: optional(record(list(address))),
    // The scan engine's pacing record (issue 11).
    pace: optional(
      object({
        rate: int(),
        ceiling: optional(int()),
        delivery: optional(number(0, 1)),
        reason: str,
        limit: optional(oneOf('path', 'runner', 'max-rate')),
        steps: list(
          object({
            rate: int(),
            probes: int(),
            answered: int(),
            seconds: number(0, 1e9),
            lostOnRunner: optional(int()),
            idle: optional(number(0, 1)),
          }),
        ),
      }),
    ),
  }),
  settings,
  findings: list(finding),
  // Added with exceptions: a report.json of an earlier version has neither (merge makes them anew).
  accepted: optional(list(accepted)),
  exceptions: optional(list(exceptionStatus)),
  flapping: list(flap),
  observed: list(observedAddress),
  failure: optional(str),
  merged: optional(object({ files: list(str), shards: int(1, 256) })),
});

/** Reads a parsed report.json into a typed Report, or throws a SchemaError naming the field. */
export function checkReport(value: unknown): Report {
  const checked = report(value, '');
  return { ...checked, accepted: checked.accepted ?? [], exceptions: checked.exceptions ?? [] };
}
