// What a finished job comes to, the same for the action and the command line: the history (the
// chart, and on a pull request the ports opened since the default branch), the conclusion, the
// reports kept where they outlive the run (the action's workflow artifact, which what follows
// links to), the result shown by the edge (outputs and job summary, or stdout), then the
// notifications. Whatever the history, the artifact or a notification does, the verdict stands:
// their failures are warnings.
import { getErrorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { RunContext } from '../github/context.js';
import { historySections, type HistoryStore } from '../memory/history.js';
import type { StateStore } from '../memory/state.js';
import type { Notified } from '../notify/notify.js';
import type { Sections } from '../report/summary.js';
import type { Settings } from '../settings/settings.js';
import { conclude, unlessCancelled, type Conclusion, type JobResult } from './job.js';

/** What the edge that ran the job hands to its close. */
export interface CloseEdge {
  log: Logger;
  signal: AbortSignal;
  /** Where the last runs are kept (the Actions cache, the --state file), and this run's id there. */
  history?: { store: () => Promise<HistoryStore>; run: string };
  /** The store of the last state for a notification key, when no issue carries it. */
  state: (key: string) => Promise<StateStore>;
  /**
   * Keeps the reports beyond the run (the action: a workflow artifact) and returns the section that
   * says where they are, for the summary and the notifications. Never throws: a failure is a
   * warning, and the section says the reports stayed on the runner.
   */
  keep?: (sections: Sections) => Promise<string | undefined>;
  /** Shows the result and its conclusion: outputs and job summary, or stdout and stderr. */
  show: (sections: Sections, conclusion: Conclusion) => Promise<void>;
}

export interface Closed {
  conclusion: Conclusion;
  sections: Sections;
  /** What the notifications left; `skipped` when the job has none to send (a shard), `cancelled`. */
  notified: Notified | 'skipped' | 'cancelled';
}

/** A job that ran to its end: its result, the settings it ran with, the run it ran in. */
export interface FinishedJob {
  result: JobResult;
  settings: Settings;
  context: RunContext;
  /** Sections the edge made before the scan: the run's scope, the policy change's exposure. */
  sections?: Sections;
}

export async function closeRun(job: FinishedJob, edge: CloseEdge): Promise<Closed> {
  const { signal } = edge;
  // A cancelled run has seconds left to write its summary: the history is not waited for.
  const history = await unlessCancelled(historyOf(job, edge), signal);
  const known = { ...job.sections, ...(history === 'cancelled' ? {} : history) };
  const conclusion = conclude(job.result.report, job.settings);
  // After the reports are written, before anything links to them; a cancelled run does not wait.
  const reports =
    edge.keep && !signal.aborted ? await unlessCancelled(edge.keep(known), signal) : undefined;
  const sections = { ...known, ...(reports && reports !== 'cancelled' ? { reports } : {}) };
  await edge.show(sections, conclusion);
  if (!conclusion.notify) return { conclusion, sections, notified: 'skipped' };
  if (signal.aborted) return { conclusion, sections, notified: 'cancelled' };
  const notified = await unlessCancelled(notifyOf(job, edge, sections), signal);
  return { conclusion, sections, notified };
}

async function historyOf(
  { result, context }: FinishedJob,
  edge: CloseEdge,
): Promise<{ history?: string; since?: string }> {
  if (!edge.history) return {};
  try {
    return await historySections(await edge.history.store(), result.report, {
      run: edge.history.run,
      branch: context.production.branch,
      keep: context.production.speaks,
      pullRequest: context.pull !== undefined,
    });
  } catch (error) {
    edge.log.warning(`The history was not read or kept: ${getErrorMessage(error)}`);
    return {};
  }
}

/**
 * The issue, the pull-request comment and Slack. Their code (Octokit, the Actions cache client)
 * loads only when a run has something to notify: most runs start faster.
 */
async function notifyOf(
  { result, settings, context }: FinishedJob,
  edge: CloseEdge,
  sections: Sections,
): Promise<Notified> {
  try {
    const { notify, wanted } = await import('../notify/notify.js');
    if (!wanted(settings)) return {};
    const { report } = result;
    return await notify(
      {
        settings,
        verdict: report.verdict,
        findings: report.findings,
        addresses: report.scanned.addresses,
        nmapFailed: Boolean(report.failure),
        sections,
      },
      context,
      { log: edge.log, signal: edge.signal, state: edge.state },
    );
  } catch (error) {
    if (error instanceof Error && error.stack) edge.log.debug(error.stack);
    edge.log.warning(`Notifications failed: ${getErrorMessage(error)}`);
    return {};
  }
}
