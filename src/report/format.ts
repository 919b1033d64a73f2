// How a finding and an address read wherever they are shown: the job summary (summary.ts), the
// text output (text.ts), the issue and the pull-request comment (notify/render.ts), Slack
// (notify/slack-message.ts) and SARIF (sarif.ts). Table cells are safe Markdown: everything from a scanned
// host goes through code().
import type { Finding, ObservedAddress, PortRange, Service } from '../base/types.js';
import { acceptBlock, remedyFor } from '../findings/hints.js';
import { certificateText } from '../findings/behind.js';
import { code, escapeText, fenced } from '../base/markdown.js';
import { runnerNoteOf } from '../settings/targets.js';
import type { Report } from './report.js';

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
    code(findingDetail(f)),
  ];
}

/**
 * What a finding's last column says, in plain text: the certificate of a tls-* finding, what nmap
 * saw on a port, else why (host findings, and what could not be decided on a port).
 */
export function findingDetail(f: Finding): string {
  if (f.certificate) return certificateText(f.certificate);
  if (f.port === undefined) return f.detail ?? '';
  return describeService(f.service) || (f.detail ?? '');
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

/**
 * The addresses worth a row, and the empty ones: silent addresses of a block that no finding
 * names (no rule requires anything there). A /24 with seven hosts shows seven rows and one line.
 */
export function splitEmpty(
  observed: readonly ObservedAddress[],
  findings: readonly Finding[],
): { listed: ObservedAddress[]; empty: ObservedAddress[] } {
  const named = new Set(findings.map((f) => f.address));
  const isEmpty = (o: ObservedAddress): boolean => o.status === 'down' && !named.has(o.address);
  return { listed: observed.filter((o) => !isEmpty(o)), empty: observed.filter(isEmpty) };
}

/** One line for the empty addresses: how many, and how they were found silent (plain text). */
export function describeEmpty(empty: readonly ObservedAddress[]): string | undefined {
  const first = empty[0];
  if (!first) return undefined;
  const n = empty.length.toLocaleString('en-US');
  const same = empty.every((o) => o.reason === first.reason);
  return `${n} empty ${empty.length === 1 ? 'address' : 'addresses'} (no rule requires a port there): ${same ? '' : 'for example '}${first.reason}. report.json lists each one.`;
}

/** How many places a remedy lists before it counts the rest. */
const MAX_PLACES = 5;
/** How many open ports the copyable block of accept rules holds. */
const MAX_ACCEPTED = 100;

/**
 * What to do about the findings, as Markdown: each remedy once, with the ports and addresses it is
 * for, then one copyable block of the rules that would accept the open ports as they are, written
 * for `expected` or for the policy file. Empty when there are no findings.
 */
export function whatToDo(
  findings: readonly Finding[],
  form: 'expected' | 'policy',
  maxRemedies = 20,
): string {
  if (findings.length === 0) return '';
  const byRemedy = new Map<string, Finding[]>();
  for (const f of findings) {
    const remedy = remedyFor(f);
    byRemedy.set(remedy, [...(byRemedy.get(remedy) ?? []), f]);
  }
  const place = (f: Finding): string =>
    `${portLabel(f) ? `${portLabel(f)} on ` : ''}${code(f.target)}${f.address && f.address !== f.target ? ` (${code(f.address)})` : ''}`;
  const lines = [...byRemedy].slice(0, maxRemedies).map(([remedy, list]) => {
    const places = list.slice(0, MAX_PLACES).map(place).join(', ');
    const more = list.length > MAX_PLACES ? ` and ${list.length - MAX_PLACES} more` : '';
    return `- ${escapeText(remedy)} — ${places}${more}`;
  });
  if (byRemedy.size > maxRemedies)
    lines.push(`- _and ${byRemedy.size - maxRemedies} more in report.json_`);
  const out = ['### What to do', lines.join('\n')];
  // The block stays short enough to copy and to fit an issue: the first open ports, and a count.
  const open = findings.filter((f) => f.kind === 'unexpected-open');
  const block = acceptBlock(open.slice(0, MAX_ACCEPTED), form);
  if (block) {
    out.push(
      form === 'policy'
        ? 'If these open ports are meant to be reachable, add them to the rules of the policy file (merge with a rule of the same name; drop a `?` to require the port):'
        : 'If these open ports are meant to be reachable, add these lines to `expected` (drop a `?` to require the port):',
      fenced(block, form === 'policy' ? 'yaml' : ''),
      ...(open.length > MAX_ACCEPTED
        ? [`_The first ${MAX_ACCEPTED} of ${open.length} open ports: report.json has them all._`]
        : []),
    );
  }
  return out.join('\n\n');
}

/** How many targets of the runner's own are named before the rest is counted. */
const MAX_RUNNER_TARGETS = 10;

/**
 * The addresses and blocks the user wrote that are the runner's own (the demo's 127.0.0.1), each
 * as plain text: "127.0.0.1 is the runner itself (loopback): scanned as written". A scan reads
 * their ports from the runner, not from a host elsewhere, and the result says so. None for `xml`,
 * which another machine scanned. Only entries that parse as an address or block are named.
 */
export function runnerTargetLines(
  report: Pick<Report, 'scan' | 'settings'>,
  show: (spec: string) => string,
): string[] {
  if (report.scan.source === 'xml') return [];
  const lines = report.settings.targets.flatMap((spec) => {
    const note = runnerNoteOf(spec);
    return note ? [`${show(spec)} ${note}: scanned as written`] : [];
  });
  const more = lines.length - MAX_RUNNER_TARGETS;
  return more > 0
    ? [...lines.slice(0, MAX_RUNNER_TARGETS), `and ${more} more such targets`]
    : lines;
}
