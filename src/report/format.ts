// How a finding and an address read wherever they are shown: the job summary (summary.ts), the
// text output (text.ts), the issue and the pull-request comment (notify/render.ts), Slack
// (notify/slack-message.ts) and SARIF (sarif.ts). Table cells are safe Markdown: everything from a scanned
// host goes through code().
import type { Finding, ObservedAddress, PortRange, Service } from '../types.js';
import { code } from './markdown.js';

/** What nmap says listens on a port: name, product, version and extra information. */
export function describeService(service: Service | undefined): string {
  if (!service) return '';
  // nmap says `unknown` when it has neither a probe match nor a name for the port number.
  const name = service.name === 'unknown' ? undefined : service.name;
  return [name, service.product, service.version, service.extrainfo]
    .filter((s): s is string => Boolean(s))
    .join(' ');
}

/** `443/tcp`; empty for a finding about a host rather than a port. */
export function portLabel(f: Pick<Finding, 'port' | 'protocol'>): string {
  return f.port === undefined ? '' : `${f.port}/${f.protocol ?? 'tcp'}`;
}

/** `5432/tcp`, `8000-8100/udp`. */
export function rangeLabel(r: PortRange): string {
  return `${r.from === r.to ? r.from : `${r.from}-${r.to}`}/${r.protocol}`;
}

/** What a finding about a port whose exception has ended says of it, in plain text. */
export function describeExpired(f: Finding): string {
  const e = f.expiredException;
  return e ? `exception ended (until ${e.until}: ${e.reason}; ${e.source})` : '';
}

/** The columns of a findings table. */
export const FINDING_HEADER = [
  'Target',
  'Address',
  'Port',
  'Finding',
  'Expected',
  'Observed',
  'Service / detail',
] as const;

/** One finding as a row of a findings table; every cell is safe Markdown. */
export function findingRow(f: Finding): string[] {
  return [
    code(f.target),
    code(f.address),
    portLabel(f),
    f.expiredException
      ? `**${f.kind}** (exception ended ${code(f.expiredException.until)})`
      : `**${f.kind}**`,
    code(f.expected),
    code(f.observed),
    code(f.port === undefined ? (f.detail ?? '') : describeService(f.service)),
  ];
}

/** How much of an address's TCP range answered: `65,535 of 65,535 answered`, and what the silence means. */
export function describeCoverage(obs: ObservedAddress): string {
  if (obs.everyPort) return 'answers on every port';
  const c = obs.coverage;
  if (!c) return '—';
  const at = (n: number): string => n.toLocaleString('en-US');
  const parts = [`${at(c.answered)} of ${at(c.ports)} answered`];
  const judged = c.silent - c.unanswered;
  if (judged > 0) parts.push(`${at(judged)} silent (filtered)`);
  if (c.unanswered > 0) parts.push(`**${at(c.unanswered)} no answer**`);
  return parts.join('; ');
}
