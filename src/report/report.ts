// report.json: the findings, the observed state of every address, and the settings that produced
// them. It is the machine-readable result of a run and the file a later merge reads.
import { acceptedPorts, findDrift } from '../findings/drift.js';
import { exceptionsOf } from '../settings/rules.js';
import { countPorts } from '../settings/ports.js';
import type { ScanPlan } from '../plan/plan.js';
import type { Settings, Shard } from '../settings/settings.js';
import { DEFAULT_CHECKS } from '../findings/behind.js';
import type {
  Accepted,
  BehindChecks,
  Finding,
  FindingKind,
  ObservedAddress,
  PortRange,
  Rule,
  RunEntry,
  Scanned,
  Vantage,
} from '../base/types.js';
import type { NmapInstall } from '../nmap/install.js';
import type { Pace } from '../scan/pacing.js';
import type { Flap } from '../scan/recheck.js';
import { decide, type Verdict } from '../findings/verdict.js';
import type { MergedFamily, MergedVantage } from './vantages.js';

export const REPORT_SCHEMA = 'port-drift/report@1';

export interface Report {
  schema: typeof REPORT_SCHEMA;
  name: string;
  startedAt: string;
  finishedAt: string;
  verdict: Verdict;
  scanned: Scanned;
  scan: {
    source: 'nmap' | 'xml';
    nmapVersion?: string;
    /** Where nmap came from in this run (on PATH, the Actions cache, apt-get, Homebrew). */
    nmapInstall?: NmapInstall;
    scanType?: string;
    privilege?: string;
    runs: RunEntry[];
    /** Every port the scans covered (a required port outside them is inconclusive): merge needs it. */
    ports?: PortRange[];
    /** Hostname -> the addresses it resolved to, as this run saw DNS. */
    resolved?: Record<string, string[]>;
    /** The packet rate the scan used, why, and what each paced run measured. */
    pace?: Pace;
    /** Where the scan looked from: per address family, a route or not, and from which addresses. */
    vantage?: Vantage;
  };
  settings: ReportSettings;
  findings: Finding[];
  /** Open ports that are not drift only because an exception in force accepts them. */
  accepted: Accepted[];
  /** Every exception the rules declare, and where it stood when the scan finished. */
  exceptions: ExceptionStatus[];
  /** Sweep findings that the careful re-check did not reproduce: not drift. */
  flapping: Flap[];
  observed: ObservedAddress[];
  /** nmap's own message when a scan failed (not merely ran out of time): the step fails with it. */
  failure?: string;
  /**
   * With mode: merge, the result files merged; each with where it looked from (`vantages`), and
   * per address family which of them decided its addresses (`families`).
   */
  merged?: {
    files: string[];
    shards: number;
    vantages?: MergedVantage[];
    families?: MergedFamily[];
  };
}

/** An exception of the rules, judged when the scan finished. */
export interface ExceptionStatus {
  pattern: string;
  ports: PortRange;
  until: string;
  reason: string;
  source: string;
  /** `expiring`: in force, and ends within 7 days. */
  state: 'active' | 'expiring' | 'expired';
}

/** The settings a report records: everything but secrets. What merge compares, the summary shows. */
export interface ReportSettings {
  name: string;
  mode: Settings['mode'];
  targets: string[];
  /** The rules the findings were judged by (with mode: record, the rules recorded). */
  rules: Rule[];
  /** The port selections as given: merge compares them, nothing shows them. */
  ports: unknown;
  udpPorts: unknown;
  tcpPortCount?: number;
  udpPortCount?: number;
  ipVersion: Settings['ipVersion'];
  scanType?: string;
  failOn: FindingKind[];
  /** What was checked behind the ports: merge judges certificates by it too. */
  checks?: BehindChecks;
  recordServices?: boolean;
  scanTimeoutMs?: number;
  maxAddresses?: number;
  maxRate?: number;
  xml?: string;
  policy?: string;
  shard?: Shard;
  /** Which notifications were asked for; never the token nor the webhook URL. */
  notifications?: {
    issue: boolean;
    issueLabels: string[];
    prComment: boolean;
    slack: boolean;
    notify: Settings['notify'];
  };
}

/** What a report is made of; the findings and the verdict are worked out from it. */
export interface ReportParts {
  name: string;
  startedAt: string;
  finishedAt: string;
  /** The rules to judge by, the observed state, and every port the scans covered. */
  rules: readonly Rule[];
  observed: ObservedAddress[];
  ports: PortRange[];
  failOn: ReadonlySet<FindingKind>;
  cancelled: boolean;
  scanned: Scanned;
  scan: Omit<Report['scan'], 'ports'>;
  settings: ReportSettings;
  flapping: Flap[];
  failure?: string;
  merged?: Report['merged'];
}

/**
 * The one place a Report is made, for a scan, nmap XML read, or shards merged: observed state ->
 * findings -> verdict, and every field in report.json's order.
 */
export function buildReport(parts: ReportParts): Report {
  // Exceptions are judged when the scan finished: one that ended during the run no longer holds.
  const now = Date.parse(parts.finishedAt);
  const checks = parts.settings.checks ?? DEFAULT_CHECKS;
  const findings = findDrift(parts.rules, parts.observed, parts.ports, now, checks);
  return {
    schema: REPORT_SCHEMA,
    name: parts.name,
    startedAt: parts.startedAt,
    finishedAt: parts.finishedAt,
    verdict: decide(findings, parts.failOn, {
      observed: parts.observed,
      cancelled: parts.cancelled,
    }),
    scanned: parts.scanned,
    scan: { ...parts.scan, ports: parts.ports },
    settings: parts.settings,
    findings,
    accepted: acceptedPorts(parts.rules, parts.observed, now, checks),
    exceptions: exceptionsOf(parts.rules, now).map((e) => ({
      pattern: e.pattern,
      ports: e.range,
      until: e.exception.until,
      reason: e.exception.reason,
      source: e.source,
      state: e.state,
    })),
    flapping: parts.flapping,
    observed: parts.observed,
    ...(parts.failure ? { failure: parts.failure } : {}),
    ...(parts.merged ? { merged: parts.merged } : {}),
  };
}

/** The settings as the report shows them: everything but secrets. */
export function publicSettings(settings: Settings, plan: ScanPlan | null): ReportSettings {
  const tcp: PortRange[] = plan?.tcp ?? [];
  const udp: PortRange[] = plan?.udp ?? [];
  return {
    name: settings.name,
    mode: settings.mode,
    targets: settings.targets.map((t) => t.spec),
    rules: settings.rules,
    ports: settings.tcpPorts,
    udpPorts: settings.udpPorts,
    tcpPortCount: countPorts(tcp),
    udpPortCount: countPorts(udp),
    ipVersion: settings.ipVersion,
    scanType: settings.scanType,
    failOn: [...settings.failOn],
    checks: settings.checks,
    ...(settings.recordServices ? { recordServices: true } : {}),
    scanTimeoutMs: settings.scanTimeoutMs,
    maxAddresses: settings.maxAddresses,
    ...(settings.maxRate !== undefined ? { maxRate: settings.maxRate } : {}),
    xml: settings.xml,
    ...(settings.policyPath ? { policy: settings.policyPath } : {}),
    ...(settings.shard ? { shard: settings.shard } : {}),
    // Which notifications were asked for; never the token nor the webhook URL.
    notifications: {
      issue: settings.issue,
      issueLabels: settings.issueLabels,
      prComment: settings.prComment,
      slack: Boolean(settings.slackWebhookUrl),
      notify: settings.notify,
    },
  };
}
