// The action: inputs -> settings -> scan (or read XML) -> observed state -> findings -> reports ->
// verdict -> notifications. GitHub lives here at the edge; every step it calls is a plain function.
import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readXmlScan } from './byo.js';
import { findDrift } from './drift.js';
import { ConfigurationError, NmapError, getErrorMessage } from './errors.js';
import { publicSettings, REPORT_SCHEMA, type Report } from './report/report.js';
import { notify, readRunContext } from './notify/index.js';
import { renderSummary } from './report/summary.js';
import { scan } from './scan.js';
import { readSettings } from './settings.js';
import { decide } from './verdict.js';

/** Writes the job summary, or prints it when there is no runner to take it (a local run). */
async function writeSummary(markdown: string): Promise<void> {
  if (process.env['GITHUB_STEP_SUMMARY']) {
    await core.summary.addRaw(markdown).write();
  } else {
    core.info(markdown);
  }
}

export async function run(): Promise<void> {
  try {
    const startedAt = Date.now();
    const settings = readSettings(core);
    const outcome = settings.xml ? await readXmlScan(settings) : await scan(settings, startedAt);

    const findings = findDrift(settings.rules, outcome.observed, outcome.scannedPorts);
    const verdict = decide(findings, settings.failOn);
    const report: Report = {
      schema: REPORT_SCHEMA,
      name: settings.name,
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date().toISOString(),
      verdict,
      scanned: outcome.scanned,
      scan: {
        source: outcome.source,
        ...(outcome.nmapVersion ? { nmapVersion: outcome.nmapVersion } : {}),
        ...(outcome.scanType ? { scanType: outcome.scanType } : {}),
        ...(outcome.privilege ? { privilege: outcome.privilege } : {}),
        runs: outcome.runs,
      },
      settings: publicSettings(settings, outcome.plan),
      findings,
      observed: outcome.observed,
    };

    // Reports and outputs first: they stand whatever a notification does later.
    await mkdir(settings.reportDir, { recursive: true });
    const reportPath = join(settings.reportDir, 'report.json');
    await writeFile(reportPath, JSON.stringify(report, null, 2) + '\n');
    core.setOutput('drift', String(verdict.drift));
    core.setOutput('findings', JSON.stringify(findings));
    core.setOutput('report', reportPath);
    core.setOutput('scanned', JSON.stringify(outcome.scanned));
    await writeSummary(renderSummary(report, reportPath));

    if (outcome.nmapFailure) {
      core.setFailed(outcome.nmapFailure);
    } else if (verdict.failed) {
      core.setFailed(verdict.message);
    } else if (findings.length > 0) {
      core.warning(verdict.message);
    } else {
      core.info(verdict.message);
    }

    // Notifications last: whatever they do, the verdict above stands.
    try {
      await notify(
        {
          settings,
          verdict,
          findings,
          addresses: outcome.scanned.addresses,
          nmapFailed: Boolean(outcome.nmapFailure),
        },
        readRunContext(settings.name),
      );
    } catch (error) {
      if (error instanceof Error && error.stack) core.debug(error.stack);
      core.warning(`Notifications failed: ${getErrorMessage(error)}`);
    }
  } catch (error) {
    fail(error);
  }
}

/** One place for every error: users' mistakes and nmap's failures in a line, bugs with a debug stack. */
function fail(error: unknown): void {
  if (error instanceof ConfigurationError || error instanceof NmapError) {
    core.setFailed(error.message);
    return;
  }
  if (error instanceof Error && error.stack) core.debug(error.stack);
  core.setFailed(`port-drift failed: ${getErrorMessage(error)}`);
}
