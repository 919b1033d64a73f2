// The result as aligned plain text: what the command line prints by default, for a terminal and for
// the mail cron sends. The same facts as the job summary, without Markdown. Banners, DNS names and
// nmap's messages come from the scanned hosts: every cell is one printable line (control
// characters, which could move a terminal's cursor or colour it, are removed) and capped. Pure.
import type { Finding } from '../base/types.js';
import { remedyFor } from '../findings/hints.js';
import {
  describeCoverage,
  describeEmpty,
  describeExpired,
  findingDetail,
  portLabel,
  rangeLabel,
  runnerTargetLines,
  splitEmpty,
} from './format.js';
import { oneLine } from '../base/markdown.js';
import type { Report } from './report.js';
import { headlineOf } from './summary.js';
import { familyRows, mergedVantageLines, vantageLines } from './where.js';

/** Rows shown before the rest is left to report.json. */
const MAX_FINDINGS = 200;
const MAX_ADDRESSES = 100;
const MAX_CELL = 60;

/** Columns padded to their widest cell, two spaces apart; trailing blanks trimmed. */
export function columns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - [...cell].length))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const cell = (text: string | undefined): string => oneLine(text ?? '', MAX_CELL);

function findingLine(f: Finding): string[] {
  return [
    cell(f.target),
    cell(f.address) || '-',
    portLabel(f) || '-',
    f.kind,
    cell(f.expected),
    cell(f.observed),
    cell(f.expiredException ? describeExpired(f) : findingDetail(f)),
  ];
}

function more(total: number, shown: number, what: string): string[] {
  return total > shown ? [`... and ${total - shown} more ${what} in report.json`] : [];
}

const at = (n: number): string => n.toLocaleString('en-US');

export function renderText(report: Report, reportPath: string): string {
  const { findings } = report;
  const out: string[] = headLines(report);
  if (findings.length > 0) out.push(...findingLines(findings));
  out.push(...exceptionLines(report));
  if (report.flapping.length > 0) {
    out.push(
      '',
      `${at(report.flapping.length)} sweep ${report.flapping.length === 1 ? 'finding' : 'findings'} not seen again by the re-check (flapping, not drift): see report.json.`,
    );
  }
  out.push(...addressLines(report));
  out.push(...whereLines(report));
  const pace = report.scan.pace
    ? `, ${at(report.scan.pace.rate)} packets/s (${oneLine(report.scan.pace.reason, 200)})`
    : '';
  out.push(
    '',
    report.scan.source === 'xml'
      ? `Read ${at(report.scan.runs.length)} nmap XML file(s).`
      : `nmap ${report.scan.nmapVersion ?? '?'}, ${report.scan.scanType ?? '?'} scan, ${at(report.scan.runs.length)} run(s)${pace}.`,
    `Report: ${reportPath}`,
  );
  return out.join('\n') + '\n';
}

/** Where the scan looked from, as the summary says it, in plain lines. */
function whereLines(report: Report): string[] {
  const show = (text: string): string => oneLine(text, 200);
  const lines = report.merged?.families
    ? [
        ...familyRows(report, show).map(
          ([family, all, decided, by]) =>
            `${family}: ${decided} of ${all} addresses decided: ${by}`,
        ),
        ...mergedVantageLines(report, show),
      ]
    : report.scan.vantage
      ? vantageLines(report.scan.vantage, show)
      : [];
  if (lines.length === 0) return [];
  return ['', 'Where the scan looked from:', ...lines.map((l) => `  ${l}`)];
}

/** The headline, the verdict, what was scanned, and notes on the run. */
function headLines(report: Report): string[] {
  const { verdict, scanned } = report;
  const { text, shard } = headlineOf(report);
  const fails = report.settings.failOn;
  const out: string[] = [
    `${shard ? `Shard ${shard.index}/${shard.count}: ` : ''}${text}: ${cell(report.name)}`,
    oneLine(verdict.message, 500),
    `${at(scanned.addresses)} ${scanned.addresses === 1 ? 'address' : 'addresses'}, ${at(scanned.tcpPorts)} TCP${scanned.udpPorts ? ` and ${at(scanned.udpPorts)} UDP` : ''} ports each. Fails on: ${fails.length ? fails.join(', ') : 'none'}.`,
  ];
  if (report.failure) out.push(`nmap: ${oneLine(report.failure, 500)}`);
  out.push(...runnerTargetLines(report, cell).map((line) => `Note: ${line}.`));
  return out;
}

/** The findings in columns, then what to do about them. */
function findingLines(findings: readonly Finding[]): string[] {
  const shown = findings.slice(0, MAX_FINDINGS);
  // What to do, each piece of advice once, in the order of the findings it is for. The advice is
  // this program's own words (hints.ts), a few dozen sentences at most.
  const advice = [...new Set(findings.map(remedyFor))];
  return [
    '',
    columns([
      ['TARGET', 'ADDRESS', 'PORT', 'FINDING', 'EXPECTED', 'OBSERVED', 'SERVICE / DETAIL'],
      ...shown.map(findingLine),
    ]),
    ...more(findings.length, shown.length, 'findings'),
    '',
    'What to do:',
    ...advice.map((a) => `- ${a}`),
  ];
}

/** Open ports an exception accepts, and the exceptions that end soon. */
function exceptionLines(report: Report): string[] {
  const out: string[] = [];
  const accepted = report.accepted ?? [];
  if (accepted.length > 0) {
    out.push(
      '',
      `Accepted by an exception (not drift): ${accepted.length}`,
      columns([
        ['TARGET', 'ADDRESS', 'PORT', 'UNTIL', 'REASON'],
        ...accepted
          .slice(0, MAX_FINDINGS)
          .map((a) => [
            cell(a.target),
            cell(a.address),
            portLabel(a),
            cell(a.until),
            cell(a.reason),
          ]),
      ]),
    );
  }
  for (const e of (report.exceptions ?? []).filter((x) => x.state === 'expiring')) {
    out.push(
      `Exception ending ${cell(e.until)}: ${rangeLabel(e.ports)} on ${cell(e.pattern)} (${cell(e.source)}, ${cell(e.reason)})`,
    );
  }
  return out;
}

/** Every address with something to say, and the others in a line. */
function addressLines(report: Report): string[] {
  const out: string[] = [];
  const { listed, empty } = splitEmpty(report.observed, report.findings);
  const addresses = listed.slice(0, MAX_ADDRESSES);
  if (addresses.length > 0) {
    out.push(
      '',
      columns([
        ['TARGET', 'ADDRESS', 'STATUS', 'OPEN', 'TCP PORTS ANSWERED'],
        ...addresses.map((o) => {
          const open = o.ports
            .filter((p) => p.state === 'open')
            .map((p) => `${p.port}/${p.protocol}`);
          return [
            cell(o.targets.join(', ')),
            cell(o.address) || '-',
            o.status,
            o.status === 'up' ? cell(open.join(',') || 'none') : cell(o.reason),
            describeCoverage(o).replace(/\*\*/g, ''),
          ];
        }),
      ]),
      ...more(listed.length, addresses.length, 'addresses'),
    );
  }
  const emptyLine = describeEmpty(empty);
  if (emptyLine) out.push('', oneLine(emptyLine, 1000));
  return out;
}
