// The shape of report.json, declared once with the checks of check.ts, and the checker that reads an
// untrusted one (a shard's result file) into a typed Report: every field typed, every address an
// IP, unknown fields dropped so that nothing unchecked reaches a summary, an issue, a comment or Slack.
// A new field is one line in the declarations below (optional fields with `optional(...)`).
import {
  address,
  bool,
  int,
  ip,
  json,
  line,
  list,
  number,
  object,
  oneOf,
  optional,
  plain,
  record,
  str,
  text,
  type Check,
} from '../base/check.js';
import { FINDING_KINDS, MAX_NAME } from '../base/types.js';
import { REPORT_SCHEMA, type Report } from './report.js';

/** A policy's name, as the settings allow it. */
const name = text(MAX_NAME);

const protocol = oneOf('tcp', 'udp');
const port = int(1, 65535);
const findingKind = oneOf(...FINDING_KINDS);
const BEHIND_KINDS: ReadonlySet<string> = new Set([
  'service-changed',
  'tls-expired',
  'tls-expiring',
  'tls-name-mismatch',
]);

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

const certificate = object({
  subject: str,
  names: list(str),
  issuer: str,
  notBefore: optional(str),
  notAfter: optional(str),
});

const rule = object({
  pattern: str,
  ports: list(
    object({
      from: port,
      to: port,
      protocol,
      optional: bool,
      exception: optional(exception),
      service: optional(object({ name: str, product: optional(str) })),
      tls: optional(bool),
    }),
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
  certificate: optional(certificate),
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
  findings: optional(list(object({ kind: findingKind, observed: str }))),
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
    object({
      port,
      protocol,
      state: str,
      reason: str,
      service: optional(service),
      certificate: optional(certificate),
    }),
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

/** Where a scan looked from (issue 24): per family, a route or not, and the runner's addresses. */
const vantage = object({
  families: list(
    object({
      family: oneOf(4, 6),
      route: bool,
      why: optional(line(200)),
      targets: int(),
      sources: list(ip, 64),
      public: list(ip, 64),
    }),
    2,
  ),
  runner: optional(object({ name: optional(line(200)), environment: optional(line(40)) })),
});

/** The settings a report records: what merge compares and what the summary shows, typed. */
const settings = object({
  name,
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
  checks: optional(object({ tlsCheck: oneOf('marked', 'all'), tlsExpiryDays: int(0, 3650) })),
  recordServices: optional(bool),
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
  name,
  startedAt: str,
  finishedAt: str,
  verdict: object({
    drift: bool,
    failed: bool,
    // The kinds of what is behind a port came later: a report without them counted none.
    counts: object(
      Object.fromEntries(
        FINDING_KINDS.map((k) => [k, BEHIND_KINDS.has(k) ? optional(int()) : int()]),
      ) as Record<(typeof FINDING_KINDS)[number], Check<number | undefined>>,
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
    vantage: optional(vantage),
  }),
  settings,
  findings: list(finding),
  // Added with exceptions: a report.json of an earlier version has neither (merge makes them anew).
  accepted: optional(list(accepted)),
  exceptions: optional(list(exceptionStatus)),
  flapping: list(flap),
  observed: list(observedAddress),
  failure: optional(str),
  merged: optional(
    object({
      files: list(str),
      shards: int(1, 256),
      // Added with vantages (issue 24): each result file and where it looked from, and per family
      // which of them decided its addresses.
      vantages: optional(
        list(
          object({
            file: str,
            shard: optional(object({ index: int(1, 256), count: int(1, 256) })),
            ipVersion: oneOf('both', '4', '6'),
            vantage: optional(vantage),
          }),
        ),
      ),
      families: optional(
        list(
          object({
            family: oneOf(4, 6),
            addresses: int(),
            decided: int(),
            by: list(object({ file: str, addresses: int() })),
          }),
          2,
        ),
      ),
    }),
  ),
});

/** Reads a parsed report.json into a typed Report, or throws a SchemaError naming the field. */
export function checkReport(value: unknown): Report {
  const checked = report(value, '');
  const counts = Object.fromEntries(
    FINDING_KINDS.map((k) => [k, checked.verdict.counts[k] ?? 0]),
  ) as Report['verdict']['counts'];
  return {
    ...checked,
    verdict: { ...checked.verdict, counts },
    accepted: checked.accepted ?? [],
    exceptions: checked.exceptions ?? [],
  };
}
