// The action: inputs -> settings -> scan (or read XML, or merge shard results) -> observed state ->
// findings -> reports -> verdict -> notifications. GitHub lives here at the edge; every step it
// calls is a plain function. Every mode makes one Report and then goes through the same tail.
import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readXmlScan } from './byo.js';
import { findDrift } from './drift.js';
import type { Logger } from './log.js';
import { ConfigurationError, NmapError, getErrorMessage } from './errors.js';
import { mergeReports, readResults } from './merge.js';
import { formatPolicy } from './policy.js';
import { SCHEMA_URL } from './project.js';
import { recordRules } from './record.js';
import { publicSettings, REPORT_SCHEMA, type Report } from './report/report.js';
import { code } from './report/markdown.js';
import { renderSummary, toTerminal } from './report/summary.js';
import { checkReportDir, writeReports } from './report/write.js';
import { scan } from './scan.js';
import { readSettings, type Settings } from './settings.js';
import type { Finding, Rule } from './types.js';
import { decide } from './verdict.js';

/** The engine's log, on the runner: groups fold in the log, warnings are annotations. */
const actionsLogger: Logger = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  group: (name, fn) => core.group(name, fn),
};

/** How a run ended, for callers that map it to an exit code (the CLI). */
export type Outcome = 'pass' | 'drift' | 'configuration-error' | 'failure';

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

/** Scans (or reads nmap XML) and compares: the report of this job. */
async function scanReport(
  settings: Settings,
  startedAt: number,
  signal: AbortSignal,
): Promise<Report> {
  const outcome = settings.xml
    ? await readXmlScan(settings)
    : await scan(settings, { startedAt, log: actionsLogger, signal });
  // Record mode writes what it saw as the policy, and then checks the scan against it: a
  // recorded policy that its own scan would not pass is a bug, and shows as findings.
  const rules =
    settings.mode === 'record' ? recordRules(settings.targets, outcome.observed) : settings.rules;
  // A cancelled scan saw only part of the hosts: it never becomes the recorded policy.
  if (settings.mode === 'record' && !signal.aborted) await writeRecordedPolicy(settings, rules);
  const findings = findDrift(rules, outcome.observed, outcome.scannedPorts);
  return {
    schema: REPORT_SCHEMA,
    name: settings.name,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date().toISOString(),
    verdict: decide(findings, settings.mode === 'record' ? new Set() : settings.failOn, {
      observed: outcome.observed,
      cancelled: signal.aborted,
    }),
    scanned: outcome.scanned,
    scan: {
      source: outcome.source,
      ...(outcome.nmapVersion ? { nmapVersion: outcome.nmapVersion } : {}),
      ...(outcome.scanType ? { scanType: outcome.scanType } : {}),
      ...(outcome.privilege ? { privilege: outcome.privilege } : {}),
      runs: outcome.runs,
      ports: outcome.scannedPorts,
      ...(outcome.plan ? { resolved: Object.fromEntries(outcome.plan.resolved) } : {}),
      ...(outcome.pace ? { pace: outcome.pace } : {}),
    },
    settings: { ...publicSettings(settings, outcome.plan), rules },
    findings,
    flapping: outcome.flapping,
    observed: outcome.observed,
    ...(outcome.nmapFailure ? { failure: outcome.nmapFailure } : {}),
  };
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
      'Every port open at that time is required; review before you use it as a check.',
    ],
  );
  await mkdir(dirname(settings.policyPath), { recursive: true });
  await writeFile(settings.policyPath, text);
  core.setOutput('policy-path', settings.policyPath);
  core.info(`Recorded the observed state as ${settings.policyPath}`);
}

/** Reads the shard jobs' report.json files into the report one run over every target makes. */
async function mergeReport(settings: Settings): Promise<Report> {
  const results = await core.group('Merge', async () => {
    const found = await readResults(settings.results);
    for (const r of found) core.info(r.file);
    return found;
  });
  const { report, warnings } = mergeReports(results, settings, new Date());
  for (const w of warnings) core.warning(w);
  return report;
}

/**
 * A cancelled workflow sends SIGINT, then SIGTERM, then (about 10 s after the first) SIGKILL. The
 * first signal aborts every nmap run (each is stopped with its process group) so that what
 * finished is reported; later signals change nothing. Should the run not end in time (a phase
 * that cannot be stopped, such as installing nmap), it leaves a summary and exits on its own.
 */
const CANCEL_GRACE_MS = 6000;

function onCancel(
  controller: AbortController,
  timers: NodeJS.Timeout[],
): (signal: NodeJS.Signals) => void {
  return (signal) => {
    if (controller.signal.aborted) {
      core.info(`${signal} again: still writing the reports of what finished`);
      return;
    }
    core.warning(`${signal}: the run was cancelled. Stopping nmap; what finished is reported.`);
    controller.abort(signal);
    const late = setTimeout(() => {
      const message = 'Cancelled before anything could be reported: no verdict on drift.';
      core.setFailed(message);
      void writeFailureSummary(message, 'failure').finally(() => process.exit(1));
    }, CANCEL_GRACE_MS);
    timers.push(late);
  };
}

export async function run(): Promise<Outcome> {
  const controller = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  const cancel = onCancel(controller, timers);
  process.on('SIGINT', cancel);
  process.on('SIGTERM', cancel);
  try {
    return await runUntilCancelled(controller.signal);
  } finally {
    timers.forEach(clearTimeout);
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}

async function runUntilCancelled(signal: AbortSignal): Promise<Outcome> {
  try {
    const startedAt = Date.now();
    const settings = readSettings(core);
    // Before any scan: a report-dir that cannot take the reports is a configuration error now,
    // not after the scan.
    await checkReportDir(settings.reportDir);
    const report =
      settings.mode === 'merge'
        ? await mergeReport(settings)
        : await scanReport(settings, startedAt, signal);
    const { verdict, findings } = report;

    // Reports and outputs first: they stand whatever a notification does later.
    const paths = await writeReports(report, settings.reportDir);
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

    if (verdict.undecided === 'cancelled') {
      core.setFailed(verdict.message);
      return 'failure';
    }
    // A shard reports its share; the merge job speaks (fails and notifies) for all of them.
    if (settings.shard && !report.failure) {
      if (findings.length > 0) {
        const { index, count } = settings.shard;
        core.notice(`Shard ${index}/${count}: ${verdict.message} The merge job reports and fails.`);
      }
      return 'pass';
    }
    if (report.failure) core.setFailed(report.failure);
    else if (verdict.failed) core.setFailed(verdict.message);
    else if (findings.length > 0) core.warning(verdict.message);
    else core.info(verdict.message);
    const outcome: Outcome = report.failure ? 'failure' : verdict.failed ? 'drift' : 'pass';
    if (settings.shard) return outcome;

    // Notifications last: whatever they do, the verdict above stands. Their code (Octokit, the
    // Actions cache client) loads only when a run has something to notify: most runs start faster.
    try {
      const { notify, readRunContext, wanted } = await import('./notify/index.js');
      if (!wanted(settings)) return outcome;
      const notified = await notify(
        {
          settings,
          verdict,
          findings,
          addresses: report.scanned.addresses,
          nmapFailed: Boolean(report.failure),
        },
        readRunContext(settings.name),
      );
      // The summary went out before the issue existed: add the link to it now.
      if (notified.issueUrl && process.env['GITHUB_STEP_SUMMARY']) {
        await core.summary.addRaw(`\n[The drift issue](${encodeURI(notified.issueUrl)})\n`).write();
      }
    } catch (error) {
      if (error instanceof Error && error.stack) core.debug(error.stack);
      core.warning(`Notifications failed: ${getErrorMessage(error)}`);
    }
    return outcome;
  } catch (error) {
    const outcome = fail(error);
    await writeFailureSummary(getErrorMessage(error), outcome).catch(() => undefined);
    return outcome;
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

/** One place for every error: users' mistakes and nmap's failures in a line, bugs with a debug stack. */
function fail(error: unknown): Outcome {
  if (error instanceof ConfigurationError) {
    core.setFailed(error.message);
    return 'configuration-error';
  }
  if (error instanceof NmapError) {
    core.setFailed(error.message);
    return 'failure';
  }
  if (error instanceof Error && error.stack) core.debug(error.stack);
  core.setFailed(`port-drift failed: ${getErrorMessage(error)}`);
  return 'failure';
}
