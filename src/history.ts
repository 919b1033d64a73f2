// The history of a policy's results: the last 30 runs (open ports and findings, for a chart in the
// job summary and the issue), and the last result on the default branch (the open ports of every
// address), that a pull request's run compares its own with. Pure: where it is kept is the edge's
// business (the Actions cache, a --state file).
import { code, plural } from './report/markdown.js';
import type { Report } from './report/report.js';

/** How many runs the history keeps and the chart shows. */
export const HISTORY_RUNS = 30;

/** One run in the history. */
export interface RunPoint {
  /** When its scan finished (ISO). */
  at: string;
  run: string;
  /** Open ports over every address (a host that answers on every port counts none). */
  open: number;
  findings: number;
  /** The run failed the step (drift of a fail-on kind, or nmap failed). */
  failed: boolean;
}

/** An address and its open ports, `5432/tcp`, in the last result on the default branch. */
export interface BaselineAddress {
  address: string;
  target: string;
  open: string[];
}

/** The last result on the default branch. */
export interface Baseline {
  at: string;
  run: string;
  /** The branch, `main`. */
  branch: string;
  addresses: BaselineAddress[];
}

export interface History {
  runs: RunPoint[];
  baseline?: Baseline;
}

/** Where the history of a policy's runs is kept: the Actions cache, a --state file. */
export interface HistoryStore {
  /** The history so far; undefined when there is none or it cannot be read (said in the log). */
  loadHistory(): Promise<History | undefined>;
  /** False when it was not kept (said in a warning). */
  saveHistory(history: History): Promise<boolean>;
}

/** What changed in open ports since the baseline, on the addresses both runs saw answer. */
export interface SinceBaseline {
  baseline: Baseline;
  added: { target: string; address: string; port: string }[];
  removed: { target: string; address: string; port: string }[];
  /** Addresses this run saw that the baseline did not (a target new in the pull request). */
  unseen: number;
}

const openPorts = (report: Report): BaselineAddress[] =>
  report.observed
    .filter((o) => o.status === 'up' && !o.everyPort && o.address)
    .map((o) => ({
      address: o.address,
      target: o.targets[0] ?? o.address,
      open: o.ports.filter((p) => p.state === 'open').map((p) => `${p.port}/${p.protocol}`),
    }));

export function pointOf(report: Report, run: string): RunPoint {
  return {
    at: report.finishedAt,
    run,
    open: openPorts(report).reduce((n, a) => n + a.open.length, 0),
    findings: report.findings.length,
    failed: report.verdict.failed || Boolean(report.failure),
  };
}

/**
 * Whether a run belongs in the history: a check that finished. A shard leaves it to its merge job,
 * record mode is no check, and a cancelled run saw only part of the fleet.
 */
export function recordable(report: Report): boolean {
  return (
    !report.settings.shard &&
    report.settings.mode !== 'record' &&
    report.verdict.undecided !== 'cancelled'
  );
}

/**
 * The history after this run: its point appended (the oldest dropped beyond 30) and, on the default
 * branch, its open ports as the new baseline. A run elsewhere changes neither: see `keep`.
 */
export function nextHistory(
  previous: History | undefined,
  report: Report,
  run: string,
  branch: string | undefined,
): History {
  const runs = [...(previous?.runs ?? []), pointOf(report, run)].slice(-HISTORY_RUNS);
  const baseline =
    branch !== undefined
      ? { at: report.finishedAt, run, branch, addresses: openPorts(report) }
      : previous?.baseline;
  return { runs, ...(baseline ? { baseline } : {}) };
}

/**
 * Loads the history, adds this run and keeps it: what the summary, the issue and the pull-request
 * comment show. `keep: false` (a run that does not speak for production: production.ts) shows this
 * run on the chart without keeping it, and leaves the baseline to the default branch. A run that
 * does not belong in the history (recordable) shows the history as it was.
 */
export async function keepHistory(
  store: HistoryStore,
  report: Report,
  where: { run: string; branch: string | undefined; keep: boolean },
): Promise<{ history: History; previous: History | undefined }> {
  const previous = await store.loadHistory();
  if (!recordable(report)) return { history: previous ?? { runs: [] }, previous };
  const history = nextHistory(previous, report, where.run, where.keep ? where.branch : undefined);
  if (where.keep) await store.saveHistory(history);
  return { history, previous };
}

/**
 * The history's sections for the job summary, the issue and the pull-request comment: the chart
 * and, on a pull request, the open ports since the default branch's last result. Only a run that
 * speaks for production (`keep`) adds itself to the history kept.
 */
export async function historySections(
  store: HistoryStore,
  report: Report,
  where: { run: string; branch: string | undefined; keep: boolean; pullRequest: boolean },
): Promise<{ history?: string; since?: string }> {
  const { history, previous } = await keepHistory(store, report, {
    run: where.run,
    branch: where.branch,
    keep: where.keep,
  });
  const chart = renderHistory(history.runs);
  const baseline = where.pullRequest ? previous?.baseline : undefined;
  return {
    ...(chart ? { history: chart } : {}),
    ...(baseline ? { since: renderSince(sinceBaseline(baseline, report)) } : {}),
  };
}

/** This run's open ports against the baseline's, address by address. */
export function sinceBaseline(baseline: Baseline, report: Report): SinceBaseline {
  const before = new Map(baseline.addresses.map((a) => [a.address, new Set(a.open)]));
  const since: SinceBaseline = { baseline, added: [], removed: [], unseen: 0 };
  const now = openPorts(report);
  const seen = new Set(now.map((a) => a.address));
  for (const a of now) {
    const then = before.get(a.address);
    if (!then) {
      since.unseen++;
      continue;
    }
    const open = new Set(a.open);
    for (const port of a.open) {
      if (!then.has(port)) since.added.push({ target: a.target, address: a.address, port });
    }
    for (const port of then) {
      if (!open.has(port)) since.removed.push({ target: a.target, address: a.address, port });
    }
  }
  // An address that answered on the default branch and not now: its ports are no longer open.
  for (const a of baseline.addresses) {
    if (seen.has(a.address)) continue;
    for (const port of a.open) since.removed.push({ target: a.target, address: a.address, port });
  }
  return since;
}

/** `2026-11-30 14:05 UTC` */
function when(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t)
    ? new Date(t).toISOString().slice(0, 16).replace('T', ' ') + ' UTC'
    : 'an unknown time';
}

/** The runs in a row that had findings, up to the last: when the drift began. */
export function driftStreak(
  runs: readonly RunPoint[],
): { since: RunPoint; runs: number } | undefined {
  let i = runs.length;
  while (i > 0 && runs[i - 1]!.findings > 0) i--;
  const since = runs[i];
  return since && i < runs.length ? { since, runs: runs.length - i } : undefined;
}

const MAX_LINES = 30;

/**
 * The history as a chart GitHub renders in the job summary and the issue (Mermaid), with a line
 * that says when the current drift began. Empty with fewer than two runs: one point is no chart.
 */
export function renderHistory(runs: readonly RunPoint[]): string {
  if (runs.length < 2) return '';
  const shown = runs.slice(-HISTORY_RUNS);
  // Labels are categories: two runs in one minute would share one. Those carry their run too.
  const times = shown.map((r) => when(r.at).slice(5, 16));
  const labels = times.map((t, i) =>
    times.indexOf(t) === times.lastIndexOf(t)
      ? `"${t}"`
      : `"${t} #${shown[i]!.run.replace(/\D/g, '') || i + 1}"`,
  );
  const top = Math.max(1, ...shown.map((r) => Math.max(r.open, r.findings)));
  const streak = driftStreak(shown);
  const line = streak
    ? streak.runs === shown.length
      ? `Findings in each of the last ${plural(shown.length, 'run')}: the drift began before ${when(shown[0]!.at)}.`
      : `Findings since ${when(streak.since.at)}${streak.since.run ? ` (run ${streak.since.run})` : ''}, ${plural(streak.runs, 'run')} in a row.`
    : `No findings in the last run; ${plural(shown.filter((r) => r.findings > 0).length, 'run')} of the last ${shown.length} had some.`;
  return [
    `### History: the last ${plural(shown.length, 'run')}`,
    line,
    [
      '```mermaid',
      'xychart-beta',
      '  title "Open ports (line) and findings (bars) per run, UTC"',
      `  x-axis [${labels.join(', ')}]`,
      `  y-axis "count" 0 --> ${Math.ceil(top * 1.1)}`,
      `  bar [${shown.map((r) => r.findings).join(', ')}]`,
      `  line [${shown.map((r) => r.open).join(', ')}]`,
      '```',
    ].join('\n'),
  ].join('\n\n');
}

/** What changed in open ports since the default branch's last result, for the pull request. */
export function renderSince(since: SinceBaseline): string {
  const { baseline } = since;
  const head = `### Open ports since ${code(baseline.branch)} (run ${code(baseline.run)}, ${when(baseline.at)})`;
  const bullet = (sign: string, p: SinceBaseline['added'][number]): string =>
    `- ${sign}**${p.port}** on ${code(p.target)}${p.target === p.address ? '' : ` (${code(p.address)})`}`;
  const lines = [
    ...since.added.map((p) => bullet('+', p)),
    ...since.removed.map((p) => bullet('−', p)),
  ];
  const shown = lines.slice(0, MAX_LINES);
  if (lines.length > shown.length) shown.push(`- _and ${lines.length - shown.length} more_`);
  const unseen = since.unseen
    ? `\n\n${plural(since.unseen, 'address', 'addresses')} answered here that the last result on ${code(baseline.branch)} did not have.`
    : '';
  return shown.length
    ? `${head}\n\n${shown.join('\n')}${unseen}`
    : `${head}\n\nThe same open ports as on ${code(baseline.branch)}.${unseen}`;
}

// ---------------------------------------------------------------------------
// Reading a history back (from the cache or a state file): anything malformed is no history.

const isString = (v: unknown): v is string => typeof v === 'string' && v.length < 1000;
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

function parsePoint(v: unknown): RunPoint | undefined {
  const r = v as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null) return undefined;
  const { at, run, open, findings, failed } = r;
  if (!isString(at) || !isString(run) || !isCount(open) || !isCount(findings)) return undefined;
  if (typeof failed !== 'boolean') return undefined;
  return { at, run, open, findings, failed };
}

function parseBaseline(v: unknown): Baseline | undefined {
  const b = v as Record<string, unknown> | null;
  if (typeof b !== 'object' || b === null || !Array.isArray(b['addresses'])) return undefined;
  const { at, run, branch } = b;
  if (!isString(at) || !isString(run) || !isString(branch)) return undefined;
  const addresses: BaselineAddress[] = [];
  for (const item of b['addresses'] as unknown[]) {
    const a = item as Record<string, unknown> | null;
    if (typeof a !== 'object' || a === null) return undefined;
    const open = a['open'];
    if (!isString(a['address']) || !isString(a['target']) || !Array.isArray(open)) return undefined;
    if (!open.every((p) => typeof p === 'string' && /^\d{1,5}\/(tcp|udp)$/.test(p))) {
      return undefined;
    }
    addresses.push({ address: a['address'], target: a['target'], open: open as string[] });
  }
  return { at, run, branch, addresses };
}

export function parseHistory(value: unknown): History | undefined {
  const h = value as Record<string, unknown> | null;
  if (typeof h !== 'object' || h === null || !Array.isArray(h['runs'])) return undefined;
  const runs: RunPoint[] = [];
  for (const item of (h['runs'] as unknown[]).slice(-HISTORY_RUNS)) {
    const point = parsePoint(item);
    if (!point) return undefined;
    runs.push(point);
  }
  const baseline = h['baseline'] === undefined ? undefined : parseBaseline(h['baseline']);
  return { runs, ...(baseline ? { baseline } : {}) };
}
