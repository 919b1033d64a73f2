// The action: inputs -> settings -> scan (or read XML) -> observed state -> findings -> reports ->
// verdict. GitHub lives here at the edge; every step it calls is a plain function.
import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readXmlScan } from './byo.js';
import { findDrift } from './drift.js';
import { ConfigurationError, NmapError, getErrorMessage } from './errors.js';
import { formatPolicy } from './policy.js';
import { recordRules } from './record.js';
import { publicSettings, REPORT_SCHEMA, type Report } from './report/report.js';
import { renderSummary } from './report/summary.js';
import { scan } from './scan.js';
import { readSettings, type Settings } from './settings.js';
import type { Rule } from './types.js';
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

    // Record mode writes what it saw as the policy, and then checks the scan against it: a
    // recorded policy that its own scan would not pass is a bug, and shows as findings.
    const rules =
      settings.mode === 'record' ? recordRules(settings.targets, outcome.observed) : settings.rules;
    if (settings.mode === 'record') await writeRecordedPolicy(settings, rules);
    const findings = findDrift(rules, outcome.observed, outcome.scannedPorts);
    const verdict = decide(findings, settings.mode === 'record' ? new Set() : settings.failOn);
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
      settings: { ...publicSettings(settings, outcome.plan), rules },
      findings,
      flapping: outcome.flapping,
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
  } catch (error) {
    fail(error);
  }
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
      'yaml-language-server: $schema=https://raw.githubusercontent.com/OWNER/port-drift/v1/policy.schema.json',
      `Recorded by port-drift (mode: record) on ${new Date().toISOString()}.`,
      'Every port open at that time is required; review before you use it as a check.',
    ],
  );
  await mkdir(dirname(settings.policyPath), { recursive: true });
  await writeFile(settings.policyPath, text);
  core.setOutput('policy-path', settings.policyPath);
  core.info(`Recorded the observed state as ${settings.policyPath}`);
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
