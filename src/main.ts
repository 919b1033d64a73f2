// The action: inputs -> settings -> scan (or read XML, or merge shard results) -> observed state ->
// findings -> reports -> verdict -> notifications. GitHub lives here at the edge; every step it
// calls is a plain function. Every mode makes one Report and then goes through the same tail.
import * as core from '@actions/core';
import { getErrorMessage } from './errors.js';
import { cancellable, conclude, failureOf, runJob, type Outcome } from './job.js';
import type { Logger } from './log.js';
import type { RunContext } from './notify/index.js';
import type { StateStore } from './notify/state.js';
import { code } from './report/markdown.js';
import { renderSummary, toTerminal } from './report/summary.js';
import { readSettings } from './settings.js';
import type { Finding } from './types.js';

/** The engine's log, on the runner: groups fold in the log, warnings are annotations. */
const actionsLogger: Logger = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  group: (name, fn) => core.group(name, fn),
};

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

/** Writes the job summary, or prints it when there is no runner to take it (a local run). */
async function writeSummary(markdown: string): Promise<void> {
  if (process.env['GITHUB_STEP_SUMMARY']) {
    await core.summary.addRaw(markdown).write();
  } else {
    core.info(toTerminal(markdown));
  }
}

/** Without an issue to carry it, the last state is kept in the Actions cache (loaded on demand). */
async function cacheState(key: string, context: RunContext): Promise<StateStore> {
  const { CacheStateStore } = await import('./notify/state.js');
  return new CacheStateStore(key, context.runnerTemp, context.httpTimeoutMs, actionsLogger);
}

export async function run(): Promise<Outcome> {
  const late = (): void => {
    const message = 'Cancelled before anything could be reported: no verdict on drift.';
    core.setFailed(message);
    void writeFailureSummary(message, 'failure').finally(() => process.exit(1));
  };
  return cancellable(actionsLogger, late, runUntilCancelled);
}

async function runUntilCancelled(signal: AbortSignal): Promise<Outcome> {
  try {
    const startedAt = Date.now();
    const settings = readSettings(core);
    const { report, paths, policyPath } = await runJob(settings, {
      log: actionsLogger,
      signal,
      startedAt,
    });
    const { verdict, findings } = report;

    // Reports and outputs first: they stand whatever a notification does later.
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
    await writeSummary(renderSummary(report, paths.report, { sarifPath: paths.sarif }));

    const conclusion = conclude(report, settings);
    if (conclusion.level === 'error') core.setFailed(conclusion.message);
    else if (conclusion.level === 'warning') core.warning(conclusion.message);
    else if (conclusion.level === 'notice') core.notice(conclusion.message);
    else core.info(conclusion.message);
    if (!conclusion.notify) return conclusion.outcome;

    // Notifications last: whatever they do, the verdict above stands. Their code (Octokit, the
    // Actions cache client) loads only when a run has something to notify: most runs start faster.
    try {
      const { notify, readRunContext, wanted } = await import('./notify/index.js');
      if (!wanted(settings)) return conclusion.outcome;
      const context = readRunContext(settings.name, actionsLogger);
      const notified = await notify(
        {
          settings,
          verdict,
          findings,
          addresses: report.scanned.addresses,
          nmapFailed: Boolean(report.failure),
        },
        context,
        { log: actionsLogger, state: (key) => cacheState(key, context) },
      );
      if (notified.issueUrl) core.setOutput('issue-url', notified.issueUrl);
      // The summary went out before the issue existed: add the link to it now.
      if (notified.issueUrl && process.env['GITHUB_STEP_SUMMARY']) {
        await core.summary.addRaw(`\n[The drift issue](${encodeURI(notified.issueUrl)})\n`).write();
      }
    } catch (error) {
      if (error instanceof Error && error.stack) core.debug(error.stack);
      core.warning(`Notifications failed: ${getErrorMessage(error)}`);
    }
    return conclusion.outcome;
  } catch (error) {
    const failure = failureOf(error);
    if (failure.stack) core.debug(failure.stack);
    core.setFailed(failure.message);
    await writeFailureSummary(getErrorMessage(error), failure.outcome).catch(() => undefined);
    return failure.outcome;
  }
}

/** Even a run that could not scan leaves a summary that says why, on the run's page. */
async function writeFailureSummary(message: string, outcome: Outcome): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  const what =
    outcome === 'configuration-error' ? 'A configuration error' : 'port-drift could not scan';
  await core.summary
    .addRaw(
      `## ❌ ${what}\n\n${code(message, 2000)}\n\nNothing was compared: no verdict on drift.\n`,
    )
    .write();
}
