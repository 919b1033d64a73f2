// The history of a policy's results: the last 30 runs (open ports and findings, for a chart in the
// job summary and the issue), and the last result on the default branch (the open ports of every
// address), that a pull request's run compares its own with. Pure: where it is kept is the edge's
// business (the Actions cache, a --state file).
import {
  SchemaError,
  bool,
  int,
  ip,
  isoTime,
  json,
  line,
  list,
  matching,
  object,
  optional,
  type Check,
} from '../base/check.js';
import { code, plural } from '../base/markdown.js';
import type { Report } from '../report/report.js';

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

/** A run id as the chart shows it: its digits only, whatever the history held. */
const digits = (run: string): string => run.replace(/\D/g, '').slice(0, 20);

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
      : `"${t} #${digits(shown[i]!.run) || i + 1}"`,
  );
  const top = Math.max(1, ...shown.map((r) => Math.max(r.open, r.findings)));
  const streak = driftStreak(shown);
  const line = streak
    ? streak.runs === shown.length
      ? `Findings in each of the last ${plural(shown.length, 'run')}: the drift began before ${when(shown[0]!.at)}.`
      : `Findings since ${when(streak.since.at)}${digits(streak.since.run) ? ` (run ${digits(streak.since.run)})` : ''}, ${plural(streak.runs, 'run')} in a row.`
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
// Reading a history back (from the Actions cache, where any job of the repository can save under the
// key's prefix, or from a --state file): every field checked for type and range before it reaches
// the chart, the summary or an issue. A run or a baseline that does not fit is dropped, and said.

/** No count port-drift writes comes near it (max-addresses times every port is far less). */
const MAX_COUNT = 1e9;
const count = int(0, MAX_COUNT);
/** A workflow run's id: digits (empty on the command line). */
const runId = matching(/^\d{0,20}$/, 'a run id (digits)');
const portLabel: Check<string> = (value, path) => {
  const label = matching(/^\d{1,5}\/(tcp|udp)$/, 'a port such as 443/tcp')(value, path);
  if (Number(label.split('/')[0]) > 65535) throw new SchemaError(path, 'want a port in 1-65535');
  return label;
};
const runPoint: Check<RunPoint> = object({
  at: isoTime,
  run: runId,
  open: count,
  findings: count,
  failed: bool,
});
const baseline: Check<Baseline> = object({
  at: isoTime,
  run: runId,
  branch: line(255),
  addresses: list(
    object({ address: ip, target: line(300), open: list(portLabel, 65535 * 2) }),
    10_000_000,
  ),
});

/** A history read back: what fits, and what was dropped (`runs[3].open: want ...`). */
export interface HistoryRead {
  history: History | undefined;
  problems: string[];
}

/** Checks a history read back; a value that is not one at all is no history. */
export function readHistory(value: unknown): HistoryRead {
  const problems: string[] = [];
  const attempt = <T>(check: Check<T>, v: unknown, path: string): T | undefined => {
    try {
      return check(v, path);
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error;
      problems.push(error.message);
      return undefined;
    }
  };
  const h = attempt(object({ runs: list(json), baseline: optional(json) }), value, '');
  if (!h) return { history: undefined, problems };
  // Only the last runs are shown: those before them are never read.
  const first = Math.max(0, h.runs.length - HISTORY_RUNS);
  const runs = h.runs
    .slice(first)
    .flatMap((r, i) => attempt(runPoint, r, `runs[${first + i}]`) ?? []);
  const base = h.baseline === undefined ? undefined : attempt(baseline, h.baseline, 'baseline');
  return { history: { runs, ...(base ? { baseline: base } : {}) }, problems };
}

/**
 * The history read back from `source` (a cache key, a file), with a warning naming the source when
 * part of it was dropped: a forged or broken entry never reaches the chart, and never the verdict.
 */
export function historyFrom(
  value: unknown,
  source: string,
  warn: (message: string) => void,
): History | undefined {
  const { history, problems } = readHistory(value);
  if (problems.length > 0) {
    const shown = problems.slice(0, 3).join('; ');
    const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
    const what = history
      ? `${plural(problems.length, 'entry', 'entries')} of the history ignored, not as port-drift writes them`
      : 'the history is ignored, not as port-drift writes it';
    warn(`${source}: ${what} (${shown}${more}).`);
  }
  return history;
}
