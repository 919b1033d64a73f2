// One port-drift job, whichever edge starts it (the action or the command line): settings -> scan
// (or read nmap XML, or merge shard results) -> observed state -> findings -> report -> reports
// written -> what the job concludes. No GitHub here: the edges turn the result into outputs, a job
// summary, an exit code and notifications, and hand in the log to write to.
import { basename, dirname, join } from 'node:path';
import { readXmlScan } from '../scan/xml-scan.js';
import { CancelledError, ConfigurationError, NmapError, getErrorMessage } from '../base/errors.js';
import { makeFolder, writeWhole } from '../base/files.js';
import type { Logger } from '../base/log.js';
import { mergeReports, readResults } from '../report/merge.js';
import { formatPolicy } from '../settings/policy.js';
import { SCHEMA_URL } from '../base/project.js';
import { recordRules } from '../findings/record.js';
import { rangeLabel } from '../report/format.js';
import { readyNmap } from '../nmap/install.js';
import type { DebCacheOptions } from '../nmap/debs.js';
import { buildReport, publicSettings, type Report } from '../report/report.js';
import { checkReportDir, writeReports, type ReportPaths } from '../report/write.js';
import { scan } from '../scan/index.js';
import type { Settings } from '../settings/settings.js';
import type { Rule } from '../base/types.js';

/** How a job ended, for the edges: the action's step result, the command line's exit code. */
export type Outcome = 'pass' | 'drift' | 'configuration-error' | 'failure';

export interface JobOptions {
  log: Logger;
  /** Aborted when the job is cancelled: nmap stops, and what finished is reported. */
  signal: AbortSignal;
  startedAt: number;
  /** Where the Actions cache keeps nmap's packages (the action on a runner); else apt-get alone. */
  nmapCache?: DebCacheOptions;
}

export interface JobResult {
  report: Report;
  paths: ReportPaths;
  /** With mode: record, the policy file written. */
  policyPath?: string;
}

/** Runs the job and writes report.json and report.sarif into report-dir. */
export async function runJob(given: Settings, options: JobOptions): Promise<JobResult> {
  // Before any scan: a report-dir that cannot take the reports, or that another user could plant
  // links in, is a configuration error now, not after the scan. It is written by its real path.
  const settings = { ...given, reportDir: await checkReportDir(given.reportDir) };
  if (settings.mode === 'record') await makeFolder(dirname(settings.policyPath), POLICY_FOLDER);
  const { report, policyPath } =
    settings.mode === 'merge'
      ? { report: await mergeReport(settings, options.log), policyPath: undefined }
      : await scanReport(settings, options);
  const paths = await writeReports(report, settings.reportDir);
  warnExceptions(report, options.log);
  return { report, paths, ...(policyPath ? { policyPath } : {}) };
}

/**
 * From 7 days before its date, an exception is named in a warning, so it is renewed or the port
 * closed before it turns into drift; one that has ended and accepts no open port is left over.
 */
function warnExceptions(report: Report, log: Logger): void {
  const ended = report.findings.filter((f) => f.expiredException);
  /** Does an open port still sit under this ended exception? */
  const stillOpen = (e: Report['exceptions'][number]): boolean =>
    ended.some(
      (f) =>
        f.expiredException!.source === e.source &&
        f.protocol === e.ports.protocol &&
        (f.port ?? 0) >= e.ports.from &&
        (f.port ?? 0) <= e.ports.to,
    );
  for (const e of report.exceptions) {
    const what = `The exception for ${rangeLabel(e.ports)} on ${e.pattern} (${e.source}, ${e.reason})`;
    if (e.state === 'expiring') {
      log.warning(
        `${what} ends ${endOf(e.until)}: renew it with a new date and reason, or close the port.`,
      );
    } else if (e.state === 'expired' && !stillOpen(e)) {
      log.info(
        `${what} ended ${endOf(e.until)}; nothing it accepted is open: remove it from the policy.`,
      );
    }
  }
}

/** `at the end of 2027-01-31 (UTC)`, or the time as written. */
function endOf(until: string): string {
  return /T/i.test(until) ? `at ${until}` : `after ${until} (UTC)`;
}

/** Scans (or reads nmap XML) and compares: the report of this job. */
async function scanReport(
  settings: Settings,
  { log, signal, startedAt, nmapCache }: JobOptions,
): Promise<{ report: Report; policyPath: string | undefined }> {
  // nmap ready (installed when missing) before the scan looks for it.
  const nmapInstall = settings.xml
    ? undefined
    : await readyNmap(settings.installNmap, log, nmapCache);
  const outcome = settings.xml
    ? await readXmlScan(settings)
    : await scan(settings, { startedAt, log, signal });
  // Record mode writes what it saw as the policy, and then checks the scan against it: a
  // recorded policy that its own scan would not pass is a bug, and shows as findings.
  const rules =
    settings.mode === 'record'
      ? recordRules(settings.targets, outcome.observed, {
          previous: settings.rules,
          pinServices: settings.recordServices,
        })
      : settings.rules;
  // A cancelled scan saw only part of the hosts: it never becomes the recorded policy.
  let policyPath: string | undefined;
  if (settings.mode === 'record' && !signal.aborted) {
    await writeRecordedPolicy(settings, rules);
    log.info(`Recorded the observed state as ${settings.policyPath}`);
    policyPath = settings.policyPath;
  }
  const report = buildReport({
    name: settings.name,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date().toISOString(),
    rules,
    observed: outcome.observed,
    ports: outcome.scannedPorts,
    // Record mode writes what it saw: it never fails on drift.
    failOn: settings.mode === 'record' ? new Set() : settings.failOn,
    cancelled: signal.aborted,
    scanned: outcome.scanned,
    scan: {
      source: outcome.source,
      ...(outcome.nmapVersion ? { nmapVersion: outcome.nmapVersion } : {}),
      ...(nmapInstall ? { nmapInstall } : {}),
      ...(outcome.scanType ? { scanType: outcome.scanType } : {}),
      ...(outcome.privilege ? { privilege: outcome.privilege } : {}),
      runs: outcome.runs,
      ...(outcome.plan ? { resolved: Object.fromEntries(outcome.plan.resolved) } : {}),
      ...(outcome.pace ? { pace: outcome.pace } : {}),
      ...(outcome.plan?.vantage ? { vantage: outcome.plan.vantage } : {}),
    },
    settings: { ...publicSettings(settings, outcome.plan), rules },
    flapping: outcome.flapping,
    ...(outcome.nmapFailure ? { failure: outcome.nmapFailure } : {}),
  });
  return { report, policyPath };
}

async function writeRecordedPolicy(settings: Settings, rules: Rule[]): Promise<void> {
  const text = formatPolicy(
    {
      name: settings.name,
      targets: settings.targets.map((t) => t.spec),
      groups: settings.groups,
      rules,
    },
    [
      `yaml-language-server: $schema=${SCHEMA_URL}`,
      `Recorded by port-drift (mode: record) on ${new Date().toISOString()}.`,
      'Every port open at that time is required, except those an exception accepts or accepted, which keep it as it was (an ended one still reports its port); review before you use it as a check.',
    ],
  );
  // Replaced whole: a link planted under its name is replaced, never followed.
  const folder = await makeFolder(dirname(settings.policyPath), POLICY_FOLDER);
  await writeWhole(join(folder, basename(settings.policyPath)), text);
}

/** The folder record mode writes the policy file into, in errors. */
const POLICY_FOLDER = { input: 'policy', holds: 'the recorded policy file' };

/** Reads the shard jobs' report.json files into the report one run over every target makes. */
async function mergeReport(settings: Settings, log: Logger): Promise<Report> {
  const results = await log.group('Merge', async () => {
    const found = await readResults(settings.results);
    for (const r of found) log.info(r.file);
    return found;
  });
  const { report, warnings } = mergeReports(results, settings, new Date());
  for (const w of warnings) log.warning(w);
  return report;
}

/** What a finished job comes to: its outcome, the one line that says so, and how loud it is. */
export interface Conclusion {
  outcome: Outcome;
  /** `error`: the job fails with it; `notice`, `warning`, `info`: it passes. */
  level: 'error' | 'warning' | 'notice' | 'info';
  message: string;
  /** Whether notifications speak for this job (a shard leaves them to the merge job). */
  notify: boolean;
}

export function conclude(report: Report, settings: Settings): Conclusion {
  const { verdict, findings } = report;
  if (verdict.undecided === 'cancelled') {
    return { outcome: 'failure', level: 'error', message: verdict.message, notify: false };
  }
  // A shard reports its share; the merge job speaks (fails and notifies) for all of them.
  if (settings.shard && !report.failure) {
    const { index, count } = settings.shard;
    return findings.length > 0
      ? {
          outcome: 'pass',
          level: 'notice',
          message: `Shard ${index}/${count}: ${verdict.message} The merge job reports and fails.`,
          notify: false,
        }
      : { outcome: 'pass', level: 'info', message: verdict.message, notify: false };
  }
  const notify = !settings.shard;
  if (report.failure)
    return { outcome: 'failure', level: 'error', message: report.failure, notify };
  if (verdict.failed) return { outcome: 'drift', level: 'error', message: verdict.message, notify };
  return {
    outcome: 'pass',
    level: findings.length > 0 ? 'warning' : 'info',
    message: verdict.message,
    notify,
  };
}

/**
 * One place for every error a job can end with: users' mistakes and nmap's failures in a line,
 * anything else (a bug) as `port-drift failed: ...` with its stack for the debug log.
 */
export function failureOf(error: unknown): { outcome: Outcome; message: string; stack?: string } {
  if (error instanceof ConfigurationError) {
    return { outcome: 'configuration-error', message: error.message };
  }
  if (error instanceof NmapError || error instanceof CancelledError) {
    return { outcome: 'failure', message: error.message };
  }
  return {
    outcome: 'failure',
    message: `port-drift failed: ${getErrorMessage(error)}`,
    ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
  };
}

/**
 * A cancelled workflow sends SIGINT, then SIGTERM, then (about 10 s after the first) SIGKILL; a
 * terminal sends SIGINT on Ctrl-C. The first signal aborts every nmap run (each is stopped with its
 * process group) so that what finished is reported; later signals change nothing. Should the job
 * not end in time (a phase that cannot be stopped, such as installing nmap), `late` runs: it
 * leaves what it can and exits.
 */
export const CANCEL_GRACE_MS = 6000;

export async function cancellable<T>(
  log: Logger,
  late: () => void,
  job: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const cancel = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      log.info(`${signal} again: still writing the reports of what finished`);
      return;
    }
    log.warning(`${signal}: the run was cancelled. Stopping nmap; what finished is reported.`);
    controller.abort(signal);
    timer = setTimeout(late, CANCEL_GRACE_MS);
  };
  process.on('SIGINT', cancel);
  process.on('SIGTERM', cancel);
  try {
    return await job(controller.signal);
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}

/** What a run says when it was cancelled after its scan, while it notified. */
export const CANCELLED_NOTIFYING =
  'Cancelled while notifying: the verdict above and report.json stand; the issue, the pull-request comment or Slack may not have heard of this run.';

/**
 * Waits for `work` unless the run is cancelled first: then at once, `cancelled` (a service that
 * hangs must not outlast the signal; the process ends soon after, its requests with it).
 */
export function unlessCancelled<T>(
  work: Promise<T>,
  signal: AbortSignal,
): Promise<T | 'cancelled'> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.resolve('cancelled');
  }
  let stop: () => void = () => undefined;
  const cancelled = new Promise<'cancelled'>((resolve) => {
    stop = () => resolve('cancelled');
    signal.addEventListener('abort', stop, { once: true });
  });
  return Promise.race([work, cancelled]).finally(() => signal.removeEventListener('abort', stop));
}
