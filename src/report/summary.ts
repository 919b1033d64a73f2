// The job summary, the main screen of a run: the verdict first, counts at a glance, the drift grouped
// by target with what nmap saw, and every address folded away. Readable at 20 hosts and at 20,000:
// long tables are cut, the most common drift is rolled up, and the whole stays under a byte budget
// far below GitHub's 1 MiB limit. Everything from a scanned host goes through code().
import {
  FINDING_KINDS,
  type Finding,
  type FindingKind,
  type ObservedAddress,
} from '../base/types.js';
import {
  FINDING_HEADER,
  describeCoverage,
  describeEmpty,
  findingRow,
  portLabel,
  rangeLabel,
  runnerTargetLines,
  splitEmpty,
  whatToDo,
} from './format.js';
import { code, escapeText, plural, table } from '../base/markdown.js';
import type { Report } from './report.js';
import { compareUntil } from '../settings/rules.js';
import {
  ALLOWLIST_NOTE,
  familyRows,
  hostedVantage,
  mergedVantageLines,
  vantageLines,
} from './where.js';

/** GitHub refuses a step summary over 1 MiB; stay well under it whatever the scan found. */
export const MAX_SUMMARY_BYTES = 512 * 1024;
const MAX_FINDING_ROWS = 300;
const MAX_ADDRESS_ROWS = 500;
/** Rows of the rollups (most common drift, and drift per target). */
const MAX_ROLLUP_ROWS = 50;
/** More findings than this, and the summary opens with the most common drift, rolled up by port. */
const ROLLUP_FROM = 30;
const MAX_OPEN_PORTS_SHOWN = 20;
const MAX_ERRORS_SHOWN = 10;

/**
 * Sections made at the edge, already safe Markdown: why the run does not speak for production
 * (production.ts), the policy's exposure change and the open ports since the default branch (a
 * pull request), the history chart. The summary, the Markdown output and the notifications show
 * them.
 */
export interface Sections {
  scope?: string;
  exposure?: string;
  since?: string;
  history?: string;
  /** Where the reports are kept (reportsSection): the run's artifact, or why none. */
  reports?: string;
}

/** Where a run's reports are: its workflow artifact, inside one, or on the runner alone. */
export type ReportsKept =
  | { artifact: { name: string; url: string } }
  | { inside: true }
  | { runner: { report: string; sarif: string }; why: string };

/**
 * The line that says where the reports are, safe Markdown: a link to the artifact, which outlives
 * the runner; in the summary the artifact holds, what it holds; else the runner's paths and why no
 * artifact keeps them.
 */
export function reportsSection(kept: ReportsKept): string {
  if ('artifact' in kept) {
    return `Reports: [artifact ${code(kept.artifact.name, 200)}](${kept.artifact.url}) (report.json, report.sarif, nmap's XML, this summary as summary.md)`;
  }
  if ('inside' in kept) {
    return "Reports: report.json, report.sarif and nmap's XML, beside this summary in the run's artifact";
  }
  return `report: ${code(kept.runner.report, 300)} · SARIF: ${code(kept.runner.sarif, 300)}, on the runner only: ${code(kept.why, 500)}`;
}

export interface SummaryOptions {
  /** Path of report.sarif, when written. */
  sarifPath?: string;
  /** URL of the drift issue, when one is kept. */
  issueUrl?: string;
  /** Byte budget (an issue body allows 65,536 characters, a step summary 1 MiB). */
  maxBytes?: number;
  sections?: Sections;
  /** How accept rules are written (acceptFormOf): `expected` lines, or policy YAML. */
  acceptForm?: 'expected' | 'policy';
}

function openPorts(obs: ObservedAddress): string {
  if (obs.status !== 'up') return code(obs.reason);
  const open = obs.ports.filter((p) => p.state === 'open');
  if (open.length === 0) return 'none';
  const shown = open.slice(0, MAX_OPEN_PORTS_SHOWN).map((p) => {
    const name = p.service?.name ?? '';
    return `${p.port}/${p.protocol}${name ? ` ${code(name, 30)}` : ''}`;
  });
  const more = open.length - shown.length;
  return shown.join(', ') + (more > 0 ? `, and ${more} more` : '');
}

/** Findings by target, targets in the order they first drift; within one, by address and port. */
export function groupByTarget(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.target, [...(groups.get(f.target) ?? []), f]);
  return groups;
}

/**
 * At most `max` rows, grouped by target, and fair: when they do not all fit, every target gets an
 * equal share (targets that need less leave theirs to the others), so no target hides the rest.
 */
export function fairRows(groups: ReadonlyMap<string, readonly Finding[]>, max: number): Finding[] {
  const sizes = [...groups.values()].map((g) => g.length);
  let share = 0;
  // The largest share that fits: a few binary steps over 0..max.
  for (let lo = 0, hi = max; lo <= hi;) {
    const mid = Math.floor((lo + hi) / 2);
    if (sizes.reduce((n, size) => n + Math.min(size, mid), 0) <= max) {
      share = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  // What the equal share leaves over goes one row each to the first targets that have more.
  let left = max - sizes.reduce((n, size) => n + Math.min(size, share), 0);
  return [...groups.values()].flatMap((g) => {
    const extra = g.length > share && left > 0 ? 1 : 0;
    left -= extra;
    return g.slice(0, share + extra);
  });
}

/** Kinds always shown as columns; those of what is behind a port only when found. */
const PORT_KINDS: ReadonlySet<string> = new Set([
  'unexpected-open',
  'missing',
  'host-down',
  'inconclusive',
]);

function shownKinds(count: (kind: FindingKind) => number): FindingKind[] {
  return FINDING_KINDS.filter((k) => PORT_KINDS.has(k) || count(k) > 0);
}

/** One row per target: how many of its addresses drift, by kind, and on which ports. */
function targetOverview(groups: ReadonlyMap<string, readonly Finding[]>, max: number): string {
  const all = [...groups.values()].flat();
  const kinds = shownKinds((k) => all.filter((f) => f.kind === k).length);
  const rows = [...groups].slice(0, max).map(([target, fs]) => {
    const ports = [
      ...new Map(fs.filter((f) => f.port !== undefined).map((f) => [portLabel(f), f])).values(),
    ];
    const shown = ports.slice(0, 8).map((f) => {
      const name = f.service?.name ?? '';
      return `${portLabel(f)}${name ? ` ${code(name, 30)}` : ''}`;
    });
    return [
      code(target),
      new Set(fs.map((f) => f.address || f.target)).size.toLocaleString('en-US'),
      ...kinds.map((k) => fs.filter((f) => f.kind === k).length.toLocaleString('en-US')),
      shown.join(', ') +
        (ports.length > shown.length ? `, and ${ports.length - shown.length} more` : ''),
    ];
  });
  return (
    table(['Target', 'Addresses', ...kinds, 'Ports'], rows) +
    cut(groups.size, rows.length, 'target', 'targets')
  );
}

/** The most common drift: one row per kind and port, with how many addresses show it. */
function rollup(findings: readonly Finding[], max: number): string {
  const groups = new Map<string, { f: Finding; addresses: Set<string>; services: Set<string> }>();
  for (const f of findings) {
    const key = `${f.kind} ${portLabel(f)}`;
    const g = groups.get(key) ?? { f, addresses: new Set(), services: new Set() };
    g.addresses.add(f.address || f.target);
    if (f.service?.name) g.services.add(f.service.name);
    groups.set(key, g);
  }
  const rows = [...groups.values()].sort((a, b) => b.addresses.size - a.addresses.size);
  const shown = rows
    .slice(0, max)
    .map((g) => [
      `**${g.f.kind}**`,
      portLabel(g.f) || '—',
      code([...g.services].slice(0, 3).join(', ')),
      g.addresses.size.toLocaleString('en-US'),
      code(g.f.target),
    ]);
  return (
    table(['Finding', 'Port', 'Service', 'Addresses', 'For example'], shown) +
    (rows.length > shown.length
      ? `\n\n_${plural(rows.length - shown.length, 'more kind of drift', 'more kinds of drift')} in report.json._`
      : '')
  );
}

function cut(total: number, shown: number, one: string, many: string): string {
  return total > shown ? `\n\n_${plural(total - shown, one, many)} more in report.json._` : '';
}

interface Caps {
  findings: number;
  addresses: number;
  rollup: number;
}

/** The Markdown link to the drift issue: only for a plain https URL, which is what GitHub gives. */
export function issueLink(url: string | undefined): string | undefined {
  return url && /^https:\/\/[^\s()<>[\]]+$/.test(url) ? `[Drift issue](${url})` : undefined;
}

/** The run in a few words, with its icon: the first line of the summary and of the text output. */
export function headlineOf(report: Report): {
  icon: string;
  text: string;
  shard: { index: number; count: number } | undefined;
} {
  const { verdict, findings } = report;
  const shard = report.settings.shard;
  // A shard never fails the step (its merge job does): its drift is a warning here.
  const icon =
    (verdict.failed && !shard) || report.failure || verdict.undecided === 'cancelled'
      ? '❌'
      : verdict.drift || findings.length > 0
        ? '⚠️'
        : '✅';
  const text = report.failure
    ? 'nmap failed: what finished is below'
    : verdict.undecided === 'cancelled'
      ? 'Cancelled: what finished is below'
      : verdict.undecided === 'nothing' && !shard
        ? 'Nothing could be judged'
        : verdict.failed
          ? 'Drift found'
          : verdict.drift
            ? 'Drift found (not failing: not in fail-on)'
            : findings.length > 0
              ? 'No drift, with warnings'
              : 'No drift';
  return { icon, text, shard };
}

function render(report: Report, reportPath: string, options: SummaryOptions, caps: Caps): string {
  const { findings } = report;
  const sections = options.sections ?? {};
  const out: string[] = [...headSections(report, reportPath, options)];
  if (sections.exposure) out.push(sections.exposure);
  if (sections.since) out.push(sections.since);
  if (findings.length > 0) out.push(...driftSections(findings, options, caps));
  out.push(...exceptionSections(report, caps.findings));
  out.push(...flappingSections(report, caps.findings));
  if (sections.history) out.push(sections.history);
  out.push(...addressSections(report, caps.addresses));
  out.push(...whereSections(report));
  out.push(...howSections(report));
  return out.join('\n\n') + '\n';
}

/** The headline, the counts in a sentence, what kind of run this was, the links, the counts table. */
function headSections(report: Report, reportPath: string, options: SummaryOptions): string[] {
  const { verdict, findings, scanned } = report;
  const counted = FINDING_KINDS.filter((k) => verdict.counts[k] > 0)
    .map((k) => `${verdict.counts[k].toLocaleString('en-US')} ${k}`)
    .join(' · ');
  const { icon, text: headline, shard } = headlineOf(report);
  const drifting = new Set(findings.map((f) => f.address || f.target)).size;
  const out: string[] = [
    `## ${icon} ${shard ? `Shard ${shard.index}/${shard.count}: ` : ''}${headline}: ${code(report.name)}`,
  ];
  const fails = report.settings.failOn;
  out.push(
    findings.length > 0
      ? `**${counted}** on ${plural(drifting, 'address', 'addresses')} of ${scanned.addresses.toLocaleString('en-US')}. Fails on: ${fails.length ? fails.join(', ') : 'none'}.`
      : `${plural(scanned.addresses, 'address', 'addresses')} × ${plural(scanned.tcpPorts, 'TCP port')}${scanned.udpPorts ? ` + ${plural(scanned.udpPorts, 'UDP port')}` : ''}: every open port is expected and every expected port is open.`,
  );
  if (shard) {
    out.push(
      `> This job scanned its share of the addresses (shard ${shard.index} of ${shard.count}). It does not fail on drift: the merge job (\`mode: merge\`) reports, notifies and fails for all of them.`,
    );
  }
  if (report.merged) out.push(mergedLine(report.merged));
  const own = runnerTargetLines(report, (spec) => code(spec));
  if (own.length > 0) out.push(own.map((line) => `> ${line}.`).join('\n>\n'));
  if (options.sections?.scope) out.push(options.sections.scope);
  const issue = issueLink(options.issueUrl);
  const reports = options.sections?.reports;
  const links = [
    ...(issue ? [issue] : []),
    ...(reports
      ? [reports]
      : [
          `report: ${code(reportPath, 300)}`,
          ...(options.sarifPath ? [`SARIF: ${code(options.sarifPath, 300)}`] : []),
        ]),
  ];
  out.push(links.join(' · '));
  out.push(countsTable(report));
  return out;
}

function countsTable({ scanned, verdict }: Report): string {
  const at = (n: number): string => n.toLocaleString('en-US');
  const kinds = shownKinds((k) => verdict.counts[k]);
  return table(
    ['Addresses', 'TCP ports', 'UDP ports', ...kinds],
    [
      [
        at(scanned.addresses),
        at(scanned.tcpPorts),
        at(scanned.udpPorts),
        ...kinds.map((k) => at(verdict.counts[k])),
      ],
    ],
  );
}

/** The findings: rolled up when many, by target, and what to do about them. */
function driftSections(
  findings: readonly Finding[],
  options: SummaryOptions,
  caps: Caps,
): string[] {
  const out: string[] = [];
  const many = findings.length > ROLLUP_FROM && caps.rollup > 0;
  if (many) out.push('### Most common drift', rollup(findings, caps.rollup));
  const groups = groupByTarget(findings);
  const rows = fairRows(groups, caps.findings);
  out.push('### Drift by target');
  if (many) out.push(targetOverview(groups, caps.rollup));
  out.push(
    (rows.length ? table(FINDING_HEADER, rows.map(findingRow)) : '') +
      cut(findings.length, rows.length, 'finding', 'findings'),
  );
  out.push(whatToDo(findings, options.acceptForm ?? 'expected', caps.rollup));
  return out;
}

/** Ports the re-check did not confirm. */
function flappingSections(report: Report, max: number): string[] {
  const flaps = report.flapping ?? [];
  if (flaps.length === 0) return [];
  const shownFlaps = flaps.slice(0, max);
  return [
    `### Flapping: ${plural(flaps.length, 'port')} the re-check did not confirm (not drift)`,
    table(
      ['Target', 'Address', 'Port', 'Would have been', 'Sweep', 'Re-check'],
      shownFlaps.map((f) => [
        code(f.target),
        code(f.address),
        portLabel(f),
        f.kind,
        code(f.sweep),
        code(f.recheck),
      ]),
    ) + cut(flaps.length, shownFlaps.length, 'port', 'ports'),
  ];
}

/** Every address and what is open on it, folded; the addresses with nothing to say in a line. */
function addressSections(report: Report, max: number): string[] {
  const { observed, findings } = report;
  const { listed, empty } = splitEmpty(observed, findings);
  const shown = listed.slice(0, max);
  const rows = shown.map((o) => [
    code(o.targets.join(', ')),
    code(o.address || '—'),
    o.status,
    openPorts(o),
    describeCoverage(o),
  ]);
  const out = [
    `<details><summary>Every address: what is open (${plural(observed.length, 'address', 'addresses')})</summary>`,
    (rows.length
      ? table(['Target', 'Address', 'Status', 'Open ports', 'TCP ports answered'], rows)
      : '') + cut(listed.length, shown.length, 'address', 'addresses'),
    '</details>',
  ];
  const emptyLine = describeEmpty(empty);
  if (emptyLine) out.push(escapeText(emptyLine));
  return out;
}

/** How the scan was made, in small print, and the nmap runs that did not finish cleanly. */
/** `Merged from 2 shards.`, or, with results from other vantages, how many files of each kind. */
function mergedLine(merged: NonNullable<Report['merged']>): string {
  const vantages = merged.vantages ?? [];
  const wholes = vantages.filter((v) => !v.shard).length;
  const shards = vantages.length - wholes;
  if (wholes === 0) return `Merged from ${plural(merged.shards, 'shard')}.`;
  const parts = [
    ...(shards > 0 ? [`${plural(merged.shards, 'shard')} of one scan`] : []),
    plural(wholes, 'result'),
  ];
  return `Merged from ${parts.join(' and ')}, each from its own vantage: see where the scan looked from, below.`;
}

/** Where the scan looked from: per family a route or not, and for a merge who decided each family. */
function whereSections(report: Report): string[] {
  const show = (text: string): string => code(text, 300);
  const out: string[] = [];
  if (report.merged?.families) {
    out.push(
      table(
        ['Family', 'Addresses', 'Decided', 'Decided by (result file, addresses)'],
        familyRows(report, show),
      ),
      mergedVantageLines(report, show)
        .map((line) => `- ${line}`)
        .join('\n'),
    );
  } else if (report.scan.vantage) {
    out.push(
      vantageLines(report.scan.vantage, show)
        .map((line) => `- ${line}`)
        .join('\n'),
    );
  }
  if (out.length === 0) return [];
  if (hostedVantage(report)) out.push(`> ${ALLOWLIST_NOTE}`);
  return ['### Where the scan looked from', ...out];
}

function howSections({ scan }: Report): string[] {
  const how =
    scan.source === 'xml'
      ? `Read ${plural(scan.runs.length, 'nmap XML file')}.`
      : `nmap ${scan.nmapVersion ?? '?'}, ${scan.scanType ?? '?'} scan (${scan.privilege ?? ''}), ${plural(scan.runs.length, 'run')}.`;
  const pace = scan.pace
    ? ` Pace: ${scan.pace.rate.toLocaleString('en-US')} packets/s, ${code(scan.pace.reason, 300)}.`
    : '';
  const errors = scan.runs.filter((r) => r.error);
  const errorLines = errors.slice(0, MAX_ERRORS_SHOWN).map((r) => `- ${code(r.error ?? '', 300)}`);
  if (errors.length > errorLines.length)
    errorLines.push(`- _and ${errors.length - errorLines.length} more in report.json_`);
  return [
    `<sub>${how}${pace}</sub>`,
    ...(errorLines.length ? ['**nmap did not finish cleanly:**', ...errorLines] : []),
  ];
}

/**
 * Open ports accepted by an exception, under "Accepted until ...", and the exceptions that end
 * within 7 days or have ended: what is allowed only for a while is never out of sight.
 */
function exceptionSections(report: Report, max: number): string[] {
  const out: string[] = [];
  const accepted = report.accepted ?? [];
  if (accepted.length > 0) {
    const first = accepted.map((a) => a.until).sort(compareUntil)[0] ?? '';
    const rows = accepted.slice(0, max);
    const behind = rows.some((a) => a.findings?.length);
    out.push(
      `### Accepted until ${code(first)}${accepted.length > 1 ? ' or later' : ''}: ${plural(accepted.length, 'open port')} an exception allows (not drift)`,
      table(
        [
          'Target',
          'Address',
          'Port',
          ...(behind ? ['Accepted'] : []),
          'Until',
          'Reason',
          'Declared',
        ],
        rows.map((a) => [
          code(a.target),
          code(a.address),
          portLabel(a),
          // Beside its being open: what the exception accepts behind the port (its kinds only).
          ...(behind ? [['open', ...(a.findings ?? []).map((f) => f.kind)].join(', ')] : []),
          code(a.until),
          code(a.reason),
          code(a.source),
        ]),
      ) + cut(accepted.length, rows.length, 'port', 'ports'),
    );
  }
  const ending = (report.exceptions ?? []).filter((e) => e.state !== 'active');
  if (ending.length > 0) {
    const lines = ending.slice(0, max).map((e) => {
      const when = e.state === 'expiring' ? '⚠️ ends' : 'ended';
      return `- ${when} ${code(e.until)}: ${rangeLabel(e.ports)} on ${code(e.pattern)}, ${code(e.reason)} (${code(e.source)})`;
    });
    if (ending.length > lines.length)
      lines.push(`- _and ${ending.length - lines.length} more in report.json_`);
    out.push(
      `**Exceptions ending within 7 days or ended** (renew with a new date and reason, or close the port; an ended one no longer accepts its port):`,
      lines.join('\n'),
    );
  }
  return out;
}

export function renderSummary(
  report: Report,
  reportPath: string,
  options: SummaryOptions = {},
): string {
  const budget = options.maxBytes ?? MAX_SUMMARY_BYTES;
  let caps: Caps = {
    findings: MAX_FINDING_ROWS,
    addresses: MAX_ADDRESS_ROWS,
    rollup: MAX_ROLLUP_ROWS,
  };
  for (;;) {
    const markdown = render(report, reportPath, options, caps);
    if (Buffer.byteLength(markdown) <= budget) return markdown;
    if (caps.findings + caps.addresses + caps.rollup === 0) {
      // Only the fixed parts are left and they still do not fit: keep the verdict, cut the rest.
      const head = markdown.split('\n\n').slice(0, 2).join('\n\n');
      return `${head.slice(0, Math.max(0, budget - 200))}\n\n_The rest is in report.json._\n`;
    }
    caps = {
      findings: Math.floor(caps.findings / 2),
      addresses: Math.floor(caps.addresses / 2),
      rollup: Math.floor(caps.rollup / 2),
    };
  }
}

/** The summary for a terminal: the same Markdown without the HTML GitHub uses to fold it. */
export function toTerminal(markdown: string): string {
  return markdown
    .replace(/^<details><summary>(.*)<\/summary>$/gm, '### $1')
    .replace(/^<\/details>\n?/gm, '')
    .replace(/<\/?sub>/g, '');
}
