// GitHub Markdown for the issue and the pull-request comment, and the hidden markers that find them
// again and carry the last state. Every value that came from a scanned host or a user goes through
// code(), so a banner or a DNS name cannot become a mention, a reference, a link or HTML.
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { code, plural, table, tableRow } from '../base/markdown.js';
import type { Sections } from '../report/summary.js';
import { FINDING_HEADER, findingRow, portLabel, whatToDo } from '../report/format.js';
import { CONTROL_CHARS } from '../base/untrusted.js';
import type { Finding } from '../base/types.js';
import { keyHash, type NotificationKey, type RunInfo } from '../github/context.js';
import {
  describeChanges,
  parseState,
  type Changes,
  type DriftState,
  type FindingRef,
} from '../memory/changes.js';

/** GitHub refuses issue and comment bodies longer than this. */
export const GITHUB_BODY_LIMIT = 65_536;
/** Room kept below the limit for the footer and markers, which are added last. */
const RESERVE = 2_000;
/** A state marker larger than this keeps only the digest. */
const MAX_STATE_MARKER = 16_000;
const MAX_CHANGE_LINES = 20;

export interface Result {
  status: 'drift' | 'clean' | 'undecided';
  /** The verdict's line, `Drift: 2 unexpected-open.` */
  message: string;
  failed: boolean;
  findings: readonly Finding[];
  addresses: number;
  /** How an accept rule is written: `expected` lines, or the policy file's YAML. */
  acceptForm: 'expected' | 'policy';
  /**
   * Sections made at the edge and shown in the job summary too, already safe Markdown: the history
   * chart, the open ports since the default branch, the policy's exposure change.
   */
  sections?: Sections;
}

const hash16 = (text: string): string =>
  createHash('sha256').update(text).digest('hex').slice(0, 16);

/** The marker that identifies the issue of one key among the issues carrying the labels. */
export function issueMarker(key: NotificationKey): string {
  return `<!-- port-drift:issue:v2:${keyHash(key)} -->`;
}

/** The marker of issues opened by port-drift before the key named the workflow and the job. */
export function legacyIssueMarker(name: string): string {
  return `<!-- port-drift:issue:${hash16(name)} -->`;
}

/** The marker that identifies the sticky pull-request comment of one key. */
export function commentMarker(key: NotificationKey): string {
  return `<!-- port-drift:pr-comment:v2:${keyHash(key)} -->`;
}

/** The key in words, for the footer of the issue and the comment. */
function keyLine(key: NotificationKey): string {
  const parts = [
    key.workflow ? `workflow ${code(key.workflow)}` : '',
    key.job ? `job ${code(key.job)}` : '',
  ].filter(Boolean);
  return parts.length ? ` Kept for ${parts.join(', ')} and this name.` : '';
}

const STATE_RE_ALL = /<!-- port-drift:state:([A-Za-z0-9+/=]+) -->/g;

/** The state as a hidden marker: deflated JSON in base64, which cannot close the HTML comment. */
export function stateMarker(state: DriftState): string {
  const encode = (s: DriftState): string =>
    deflateRawSync(Buffer.from(JSON.stringify(s))).toString('base64');
  let data = encode(state);
  if (data.length > MAX_STATE_MARKER) data = encode({ digest: state.digest, count: state.count });
  return `<!-- port-drift:state:${data} -->`;
}

/** The state a body carries, or undefined when it carries none (or one that does not parse). */
export function readStateMarker(body: string | null | undefined): DriftState | undefined {
  // The marker is the body's last part: the last one is the run's own.
  const data = [...(body ?? '').matchAll(STATE_RE_ALL)].at(-1)?.[1];
  if (!data) return undefined;
  try {
    const json = inflateRawSync(Buffer.from(data, 'base64'), { maxOutputLength: 4 << 20 });
    return parseState(JSON.parse(json.toString('utf8')));
  } catch {
    return undefined;
  }
}

function refLine(f: FindingRef): string {
  const port = portLabel(f);
  return `**${f.kind}** ${code(f.target)}${f.address && f.address !== f.target ? ` ${code(f.address)}` : ''}${port ? ` ${port}` : ''}`;
}

/** Bullets for new and resolved findings, capped. */
function changeLines(changes: Changes): string[] {
  if (!changes.known || !changes.changed || changes.detailsLost) return [];
  const lines = [
    ...changes.added.map((f) => `- New: ${refLine(f)}`),
    ...changes.resolved.map((f) => `- Resolved: ${refLine(f)}`),
  ];
  if (lines.length <= MAX_CHANGE_LINES) return lines;
  return [
    ...lines.slice(0, MAX_CHANGE_LINES),
    `- …and ${plural(lines.length - MAX_CHANGE_LINES, 'more change')}.`,
  ];
}

function headline(name: string, result: Result): string {
  const icon = result.status === 'clean' ? '✅' : result.failed ? '❌' : '⚠️';
  const what =
    result.status === 'clean' ? 'No drift' : result.status === 'drift' ? 'Drift' : 'Undecided';
  return `## ${icon} ${what}: ${code(name)}`;
}

/**
 * The findings table, with as many rows as fit in `budget` characters, and a note when rows were
 * left out. The rows are GitHub Markdown already made safe by findingRow().
 */
function findingsTable(findings: readonly Finding[], budget: number, runUrl: string): string {
  const header = table(FINDING_HEADER, []);
  const rows: string[] = [];
  let used = header.length;
  for (const f of findings) {
    const row = `\n${tableRow(findingRow(f))}`;
    if (used + row.length > budget) break;
    rows.push(row);
    used += row.length;
  }
  const left = findings.length - rows.length;
  const note =
    left > 0
      ? `\n\n_${plural(left, 'more finding')} not shown here (GitHub's ${GITHUB_BODY_LIMIT.toLocaleString('en-US')}-character limit): see the job summary and report.json of [the run](${runUrl})._`
      : '';
  return header + rows.join('') + note;
}

function assemble(
  parts: readonly string[],
  findings: readonly Finding[],
  run: RunInfo,
  tail: readonly string[],
): string {
  const fixed = [...parts, ...tail].join('\n\n').length;
  const budget = GITHUB_BODY_LIMIT - RESERVE - fixed;
  const body = [...parts, findingsTable(findings, budget, run.runUrl), ...tail].join('\n\n');
  return body.length <= GITHUB_BODY_LIMIT ? body : body.slice(0, GITHUB_BODY_LIMIT);
}

/** The issue's body: verdict, what changed, the findings, a link to the run, marker and state. */
export function renderIssueBody(
  run: RunInfo,
  result: Result,
  changes: Changes,
  state: DriftState,
): string {
  const parts = [issueMarker(run.key), headline(run.name, result)];
  const footer = `<sub>Updated by [run ${run.runId}](${run.runUrl}) at ${new Date().toISOString()}. port-drift keeps this issue up to date while the drift lasts and closes it when a scan is clean.${keyLine(run.key)}</sub>`;
  if (result.status === 'clean') {
    // What the drift was stays on the closed issue, for whoever reads it later.
    const was = changeLines(changes);
    parts.push(
      `Resolved: no drift in [run ${run.runId}](${run.runUrl}).${was.length ? ' The drift was:' : ''}`,
      ...(was.length ? [was.join('\n')] : []),
      ...extra(result.sections?.reports),
    );
    return [...parts, ...extra(result.sections?.history), footer, stateMarker(state)].join('\n\n');
  }
  parts.push(
    `**${result.message}** ${plural(result.addresses, 'address', 'addresses')} scanned.`,
    ...extra(result.sections?.reports),
    '### What changed',
    [describeChanges(changes), ...changeLines(changes)].join('\n'),
    ...extra(result.sections?.history),
    ...extra(whatToDo(result.findings, result.acceptForm)),
    '### Findings',
  );
  return assemble(parts, result.findings, run, [footer, stateMarker(state)]);
}

/** The short comment on an issue whose drift changed, was resolved, or came back. */
export function renderIssueComment(
  run: RunInfo,
  result: Result,
  changes: Changes,
  reopened: boolean,
): string {
  const link = `[run ${run.runId}](${run.runUrl})`;
  if (result.status === 'clean') return `✅ Resolved: no drift in ${link}. Closing.`;
  const first = reopened
    ? `Drift is back in ${link}: ${result.message}`
    : `The drift changed in ${link}. ${describeChanges(changes)}`;
  return [first, ...changeLines(changes)].join('\n');
}

/** A section, or nothing when it is empty. */
const extra = (section: string | undefined): string[] => (section ? [section] : []);

function prFooter(run: RunInfo, sha: string): string {
  const commit = /^[0-9a-f]{7,40}$/i.test(sha) ? ` for ${sha.slice(0, 7)}` : '';
  return `<sub>[Run ${run.runId}](${run.runUrl})${commit}, ${new Date().toISOString()}. This comment is updated on each push.${keyLine(run.key)}</sub>`;
}

/**
 * The sticky pull-request comment: the verdict of the latest push, what the policy change exposes,
 * the open ports since the default branch, what to do, and the findings.
 */
export function renderPrComment(run: RunInfo, result: Result, sha: string): string {
  const parts = [commentMarker(run.key), headline(run.name, result)];
  const footer = prFooter(run, sha);
  const addresses = plural(result.addresses, 'address', 'addresses');
  parts.push(
    result.findings.length
      ? `**${result.message}** ${addresses} scanned.`
      : `${result.message} ${addresses} scanned.`,
    ...extra(result.sections?.reports),
    ...extra(result.sections?.exposure),
    ...extra(result.sections?.since),
  );
  if (result.findings.length === 0) return [...parts, footer].join('\n\n');
  parts.push(...extra(whatToDo(result.findings, result.acceptForm)), '### Findings');
  return assemble(parts, result.findings, run, [footer]);
}

/**
 * The comment while the scan runs, written before it starts: a reviewer sees what the policy
 * change exposes at once, whatever the scan takes.
 */
export function renderPrPending(run: RunInfo, sha: string, exposure: string): string {
  return [
    commentMarker(run.key),
    `## ⏳ Scanning: ${code(run.name)}`,
    `The result of the scan replaces this comment when it is done. If it still says this after [run ${run.runId}](${run.runUrl}) ended, the run was cancelled or failed before it could report: its log says why.`,
    exposure,
    prFooter(run, sha),
  ].join('\n\n');
}

/** The issue's title: the name, on one line, within GitHub's 256 characters. */
export function issueTitle(name: string): string {
  const flat = name.replace(CONTROL_CHARS, ' ').trim();
  return `Port drift: ${[...flat].slice(0, 200).join('')}`;
}

/** The body a duplicate issue is left with: a link to the one kept, and no marker. */
export function renderDuplicateBody(kept: { number: number; url: string }): string {
  return `Opened at the same moment as #${kept.number} by an overlapping run of the same workflow, job and name, and closed in its favour: [#${kept.number}](${kept.url}) tracks this drift. A \`concurrency:\` group on the job keeps runs from overlapping.`;
}
