// The action: the runner's inputs -> the job (job.ts: settings, scan or XML or merge, findings,
// reports) -> outputs, job summary and step result -> notifications. GitHub lives here at the edge,
// behind `Core`, the part of @actions/core the action uses: a test hands in a fake of it.
import * as actions from '@actions/core';
import { getErrorMessage } from '../base/errors.js';
import {
  CANCELLED_NOTIFYING,
  cancellable,
  failureOf,
  runJob,
  unlessCancelled,
  type JobResult,
  type Outcome,
} from '../run/job.js';
import { closeRun, type CloseEdge, type Closed, type FinishedJob } from '../run/close.js';
import type { Logger } from '../base/log.js';
import type { RunContext } from '../github/context.js';
import type { StateStore } from '../memory/state.js';
import { code } from '../base/markdown.js';
import { issueLink, renderSummary, toTerminal } from '../report/summary.js';
import {
  acceptFormOf,
  readSettings,
  type InputSource,
  type Settings,
} from '../settings/settings.js';
import type { HistoryStore } from '../memory/history.js';
import type { Finding } from '../base/types.js';
import { keepReports, shardResults } from './artifact.js';

/** What the action asks of the runner. */
export interface Core extends InputSource {
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  notice(message: string): void;
  debug(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Appends Markdown to the job summary; false where there is none (a run outside a runner). */
  summary(markdown: string): Promise<boolean>;
}

/** The runner, through @actions/core. */
export const runnerCore: Core = {
  getInput: (name) => actions.getInput(name),
  getBooleanInput: (name) => actions.getBooleanInput(name),
  setSecret: (secret) => actions.setSecret(secret),
  setOutput: (name, value) => actions.setOutput(name, value),
  setFailed: (message) => actions.setFailed(message),
  info: (message) => actions.info(message),
  warning: (message) => actions.warning(message),
  notice: (message) => actions.notice(message),
  debug: (message) => actions.debug(message),
  group: (name, fn) => actions.group(name, fn),
  summary: async (markdown) => {
    if (!process.env['GITHUB_STEP_SUMMARY']) return false;
    await actions.summary.addRaw(markdown).write();
    return true;
  },
};

/** The engine's log, on the runner: groups fold in the log, warnings are annotations. */
function loggerOf(core: Core): Logger {
  return {
    info: (message) => core.info(message),
    warning: (message) => core.warning(message),
    debug: (message) => core.debug(message),
    group: (name, fn) => core.group(name, fn),
  };
}

/** GitHub takes at most 1 MB in one output: beyond it, `findings` holds the first that fit. */
const OUTPUT_LIMIT = 1_000_000;

function findingsOutput(findings: readonly Finding[]): { json: string; kept: number } {
  let size = 2;
  let kept = 0;
  for (const finding of findings) {
    const more = Buffer.byteLength(JSON.stringify(finding)) + (kept > 0 ? 1 : 0);
    if (size + more > OUTPUT_LIMIT) break;
    size += more;
    kept++;
  }
  return { json: JSON.stringify(findings.slice(0, kept)), kept };
}

export async function run(core: Core = runnerCore): Promise<Outcome> {
  const log = loggerOf(core);
  const late = (): void => {
    const message = 'Cancelled before anything could be reported: no verdict on drift.';
    core.setFailed(message);
    void writeFailureSummary(core, message, 'failure').finally(() => process.exit(1));
  };
  return cancellable(log, late, (signal) => runUntilCancelled(core, log, signal));
}

async function runUntilCancelled(core: Core, log: Logger, signal: AbortSignal): Promise<Outcome> {
  try {
    const startedAt = Date.now();
    const given = readSettings(core);
    const { readRunContext } = await import('../github/context.js');
    const context = readRunContext(given.name, log);
    // mode: merge with results empty: the shard artifacts of this run are its results.
    const settings = await shardResults(given, context, log);
    const { productionLogLine, productionNote } = await import('../github/production.js');
    const notProduction = productionLogLine(context.production);
    if (notProduction) log.info(notProduction);
    // A pull request that changes the policy file: what it exposes, before any scan.
    const announced = context.pull
      ? await unlessCancelled(announceExposure(settings, context, log), signal)
      : undefined;
    const exposure = announced === 'cancelled' ? undefined : announced;
    const result = await runJob(settings, {
      log,
      signal,
      startedAt,
      nmapCache: { runnerTemp: context.runnerTemp, timeoutMs: context.httpTimeoutMs },
    });
    // Reports and outputs first: they stand whatever a notification does later.
    setOutputs(core, result);
    const scope = productionNote(context.production);
    const job: FinishedJob = {
      result,
      settings,
      context,
      sections: { ...(scope ? { scope } : {}), ...(exposure ? { exposure } : {}) },
    };
    const closed = await closeRun(job, runnerEdge(core, log, signal, job));
    return await notifiedOn(core, closed);
  } catch (error) {
    const failure = failureOf(error);
    if (failure.stack) core.debug(failure.stack);
    core.setFailed(failure.message);
    await writeFailureSummary(core, getErrorMessage(error), failure.outcome).catch(() => undefined);
    return failure.outcome;
  }
}

/** The job's outputs: the verdict, the findings (as many as GitHub takes), the reports' paths. */
function setOutputs(core: Core, { report, paths, policyPath }: JobResult): void {
  const { verdict, findings } = report;
  if (policyPath) core.setOutput('policy-path', policyPath);
  core.setOutput('drift', String(verdict.drift));
  const output = findingsOutput(findings);
  core.setOutput('findings', output.json);
  if (output.kept < findings.length) {
    core.warning(
      `The findings output holds ${output.kept} of ${findings.length} findings: GitHub takes at most 1 MB in an output. report.json has them all.`,
    );
  }
  core.setOutput('report', paths.report);
  core.setOutput('sarif', paths.sarif);
  core.setOutput('scanned', JSON.stringify(report.scanned));
}

/** The runner's side of the close: history and last state in the Actions cache, the job summary. */
function runnerEdge(core: Core, log: Logger, signal: AbortSignal, job: FinishedJob): CloseEdge {
  const {
    result: { report, paths },
    settings,
    context,
  } = job;
  return {
    log,
    signal,
    history: { store: () => cacheHistory(context, log), run: context.run.runId },
    state: (key) => cacheState(key, context, log),
    keep: async (sections) => {
      const kept = await keepReports(job, sections, log);
      if (kept.url) core.setOutput('artifact-url', kept.url);
      return kept.section;
    },
    show: async (sections, conclusion) => {
      // Without a runner to take it (a local run), the summary is printed.
      const summary = renderSummary(report, paths.report, {
        sarifPath: paths.sarif,
        sections,
        acceptForm: acceptFormOf(settings),
      });
      if (!(await core.summary(summary))) core.info(toTerminal(summary));
      if (conclusion.level === 'error') core.setFailed(conclusion.message);
      else if (conclusion.level === 'warning') core.warning(conclusion.message);
      else if (conclusion.level === 'notice') core.notice(conclusion.message);
      else core.info(conclusion.message);
    },
  };
}

/** The issue's address as an output and in the summary (written before the issue existed). */
async function notifiedOn(core: Core, { conclusion, notified }: Closed): Promise<Outcome> {
  if (notified === 'cancelled') return cancelledNotifying(core, conclusion.outcome);
  if (notified !== 'skipped' && notified.issueUrl) {
    core.setOutput('issue-url', notified.issueUrl);
    const link = issueLink(notified.issueUrl);
    if (link) await core.summary(`\n${link}\n`);
  }
  return conclusion.outcome;
}

/** A run cancelled after its verdict, while it notified: it fails, saying so. */
function cancelledNotifying(core: Core, outcome: Outcome): Outcome {
  core.setFailed(CANCELLED_NOTIFYING);
  return outcome === 'pass' ? 'failure' : outcome;
}

/** The exposure change of the policy file, shown in the pull request before the scan. */
async function announceExposure(
  settings: Settings,
  context: RunContext,
  log: Logger,
): Promise<string | undefined> {
  try {
    const { announce } = await import('../pull-request/announce.js');
    return await announce(settings, context, log);
  } catch (error) {
    log.warning(`What the policy change exposes was not worked out: ${getErrorMessage(error)}`);
    return undefined;
  }
}

/** The history, kept in the Actions cache: where there is no cache service, a warning and no chart. */
async function cacheHistory(context: RunContext, log: Logger): Promise<HistoryStore> {
  const { CacheHistoryStore } = await import('../memory/state.js');
  const { keyHash } = await import('../github/context.js');
  return new CacheHistoryStore(
    keyHash(context.run.key),
    context.runnerTemp,
    context.attempt,
    context.httpTimeoutMs,
    log,
  );
}

/** Without an issue to carry it, the last state is kept in the Actions cache (loaded on demand). */
async function cacheState(key: string, context: RunContext, log: Logger): Promise<StateStore> {
  const { CacheStateStore } = await import('../memory/state.js');
  return new CacheStateStore(key, context.runnerTemp, context.httpTimeoutMs, log);
}

/** Even a run that could not scan leaves a summary that says why, on the run's page. */
async function writeFailureSummary(core: Core, message: string, outcome: Outcome): Promise<void> {
  const what =
    outcome === 'configuration-error' ? 'A configuration error' : 'port-drift could not scan';
  await core.summary(
    `## ❌ ${what}\n\n${code(message, 2000)}\n\nNothing was compared: no verdict on drift.\n`,
  );
}
