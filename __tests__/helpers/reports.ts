// Reports built from an observed state and rules, the way the action builds them, for tests of what
// is made from a report (the summary, SARIF, a merge) without a scan.
import { findDrift } from '../../src/findings/drift.js';
import { REPORT_SCHEMA, type Report } from '../../src/report/report.js';
import { parseRules } from '../../src/settings/rules.js';
import type { FindingKind, ObservedAddress, PortRange } from '../../src/base/types.js';
import { decide } from '../../src/findings/verdict.js';

export const SCANNED: PortRange[] = [{ from: 1, to: 30000, protocol: 'tcp' }];

export function up(
  address: string,
  targets: string[],
  open: { port: number; service?: string; version?: string }[],
): ObservedAddress {
  return {
    address,
    family: address.includes(':') ? 6 : 4,
    targets,
    hostnames: [],
    status: 'up',
    reason: 'user-set',
    ports: open.map((p) => ({
      port: p.port,
      protocol: 'tcp' as const,
      state: 'open',
      reason: 'syn-ack',
      ...(p.service
        ? { service: { name: p.service, ...(p.version ? { version: p.version } : {}) } }
        : {}),
    })),
    extraports: [{ state: 'closed', count: 29990, protocol: 'tcp' }],
  };
}

/** An address that answered nothing, as a scan of a block observes its empty addresses. */
export function down(address: string, targets: string[]): ObservedAddress {
  return {
    address,
    family: address.includes(':') ? 6 : 4,
    targets,
    hostnames: [],
    status: 'down',
    reason: 'no answer on any of 30000 scanned ports',
    ports: [],
    extraports: [{ state: 'filtered', count: 30000, protocol: 'tcp' }],
  };
}

/** A hostname target that does not resolve, as the scan observes it. */
export function unresolved(target: string): ObservedAddress {
  return {
    address: '',
    family: 4,
    targets: [target],
    hostnames: [],
    status: 'unresolved',
    reason: `${target} does not resolve`,
    ports: [],
    extraports: [],
  };
}

/** The DNS answers a scan records: each hostname target with the addresses observed for it. */
export function resolvedOf(observed: readonly ObservedAddress[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const o of observed) {
    for (const t of o.targets) {
      if (o.address && !/^[\d.]+(\/\d+)?$|:/.test(t)) out[t] = [...(out[t] ?? []), o.address];
    }
  }
  return out;
}

export function report(
  observed: ObservedAddress[],
  expected: string,
  extra: {
    name?: string;
    failOn?: FindingKind[];
    targets?: string[];
    settings?: Record<string, unknown>;
    startedAt?: string;
  } = {},
): Report {
  const rules = parseRules('expected', expected);
  const failOn = new Set<FindingKind>(extra.failOn ?? ['unexpected-open', 'missing', 'host-down']);
  const findings = findDrift(rules, observed, SCANNED);
  return {
    schema: REPORT_SCHEMA,
    name: extra.name ?? 'fleet watch',
    startedAt: extra.startedAt ?? '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    verdict: decide(findings, failOn, { observed }),
    scanned: { addresses: observed.length, tcpPorts: 30000, udpPorts: 0 },
    scan: {
      source: 'nmap',
      nmapVersion: '7.93',
      scanType: 'SYN',
      privilege: 'root',
      runs: [],
      ports: SCANNED,
      resolved: resolvedOf(observed),
    },
    settings: {
      name: extra.name ?? 'fleet watch',
      mode: 'check',
      targets: extra.targets ?? [...new Set(observed.flatMap((o) => o.targets))],
      rules,
      ports: { kind: 'default' },
      udpPorts: { kind: 'none' },
      ipVersion: 'both',
      failOn: [...failOn],
      ...extra.settings,
    },
    findings,
    accepted: [],
    exceptions: [],
    flapping: [],
    observed,
  };
}
