// The job summary: the verdict first, then what drifted, then per target what is open. Everything
// that came from a scanned host goes through code() so that it cannot become Markdown.
import { FINDING_KINDS, type Finding, type ObservedAddress, type Service } from '../types.js';
import { code, plural, table } from './markdown.js';
import type { Report } from './report.js';

/** Rows shown before the rest is left to report.json, so the summary stays far below GitHub's 1 MiB. */
const MAX_FINDING_ROWS = 300;
const MAX_ADDRESS_ROWS = 500;

export function describeService(service: Service | undefined): string {
  if (!service) return '';
  return [service.name, service.product, service.version, service.extrainfo]
    .filter((s): s is string => Boolean(s))
    .join(' ');
}

export function portLabel(f: Pick<Finding, 'port' | 'protocol'>): string {
  return f.port === undefined ? '' : `${f.port}/${f.protocol ?? 'tcp'}`;
}

export const FINDING_HEADER = [
  'Target',
  'Address',
  'Port',
  'Finding',
  'Expected',
  'Observed',
  'Service / detail',
] as const;

export function findingRow(f: Finding): string[] {
  return [
    code(f.target),
    code(f.address),
    portLabel(f),
    `**${f.kind}**`,
    code(f.expected),
    code(f.observed),
    code(f.port === undefined ? (f.detail ?? '') : describeService(f.service)),
  ];
}

function openPorts(obs: ObservedAddress): string {
  const open = obs.ports.filter((p) => p.state === 'open');
  if (obs.status !== 'up') return code(obs.reason);
  if (open.length === 0) return 'none';
  return open
    .map((p) => {
      const name = p.service?.name ?? '';
      return `${p.port}/${p.protocol}${name ? ` ${code(name, 30)}` : ''}`;
    })
    .join(', ');
}

function capped<T>(items: readonly T[], max: number): { shown: readonly T[]; note: string } {
  if (items.length <= max) return { shown: items, note: '' };
  return {
    shown: items.slice(0, max),
    note: `\n\n_${plural(items.length - max, 'more row')} in report.json._`,
  };
}

export function renderSummary(report: Report, reportPath: string): string {
  const { verdict, findings, observed, scanned } = report;
  const counted = FINDING_KINDS.filter((k) => verdict.counts[k] > 0)
    .map((k) => `${verdict.counts[k]} ${k}`)
    .join(' · ');
  const icon = verdict.failed ? '❌' : verdict.drift || findings.length > 0 ? '⚠️' : '✅';
  const headline = verdict.failed
    ? 'Drift found'
    : verdict.drift
      ? 'Drift found (not failing: not in fail-on)'
      : findings.length > 0
        ? 'No drift, with warnings'
        : 'No drift';
  const drifting = new Set(findings.map((f) => f.address)).size;
  const out: string[] = [`## ${icon} ${headline}: ${code(report.name)}`];
  const fails = report.settings['failOn'] as string[];
  out.push(
    findings.length > 0
      ? `**${counted}** on ${plural(drifting, 'address', 'addresses')} of ${scanned.addresses}. Fails on: ${fails.length ? fails.join(', ') : 'none'}.`
      : `${plural(scanned.addresses, 'address', 'addresses')} × ${plural(scanned.tcpPorts, 'TCP port')}${scanned.udpPorts ? ` + ${plural(scanned.udpPorts, 'UDP port')}` : ''}: every open port is expected and every expected port is open.`,
  );

  if (findings.length > 0) {
    const { shown, note } = capped(findings, MAX_FINDING_ROWS);
    out.push('### Drift', table(FINDING_HEADER, shown.map(findingRow)) + note);
  }

  const { shown, note } = capped(observed, MAX_ADDRESS_ROWS);
  const rows = shown.map((o) => [
    code(o.targets.join(', ')),
    code(o.address || '—'),
    o.status,
    openPorts(o),
  ]);
  out.push(
    `<details><summary>Every address: what is open (${plural(observed.length, 'address', 'addresses')})</summary>`,
    table(['Target', 'Address', 'Status', 'Open ports'], rows) + note,
    '</details>',
  );

  const scan = report.scan;
  const how =
    scan.source === 'xml'
      ? `Read ${plural(scan.runs.length, 'nmap XML file')}.`
      : `nmap ${scan.nmapVersion ?? '?'}, ${scan.scanType ?? '?'} scan (${scan.privilege ?? ''}), ${plural(scan.runs.length, 'run')}.`;
  const errors = scan.runs.filter((r) => r.error).map((r) => `- ${code(r.error ?? '', 300)}`);
  out.push(
    `<sub>${how} Report: ${code(reportPath, 300)}</sub>`,
    ...(errors.length ? ['**nmap did not finish cleanly:**', ...errors] : []),
  );
  return out.join('\n\n') + '\n';
}
