// Runs the built action (dist/index.js) the way a GitHub runner does: inputs as INPUT_* variables,
// outputs and the job summary through the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
import { chownSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../src/base/types.js';
import { runCommand, type ExecOptions, type ExecResult } from './exec.js';
import { distEntry } from './paths.js';
import { actionNode } from './runtime.js';

export interface ActionRun {
  code: number | null;
  /** The log: workflow commands (::error::, ::warning::) included. */
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  findings: Finding[];
  /** report.json, parsed, when the run wrote one. */
  report: Record<string, unknown> | undefined;
  /** The files the run left in report-dir. */
  files: string[];
}

/** Reads a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIM ... DELIM` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc?.[1] && heredoc[2]) {
      const end = lines.indexOf(heredoc[2], i + 1);
      out[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

/**
 * Runs dist/index.js, on the Node of helpers/runtime.ts, with these inputs. `exec` runs the argv
 * somewhere (inside a fleet's scanner namespace, say); by default, right here. `owner`: the user
 * `exec` runs it as, who then owns the run's folder (RUNNER_TEMP, the report folder's parent) and
 * its output and summary files, as a runner's user does.
 */
export async function runAction(
  inputs: Record<string, string>,
  exec: (argv: string[], opts: ExecOptions) => Promise<ExecResult> = runCommand,
  env: Record<string, string | undefined> = {},
  owner?: { uid: number; gid: number },
): Promise<ActionRun> {
  const work = mkdtempSync(join(tmpdir(), 'port-drift-test-'));
  try {
    const outputFile = join(work, 'output');
    const summaryFile = join(work, 'summary.md');
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    if (owner) {
      for (const path of [work, outputFile, summaryFile]) chownSync(path, owner.uid, owner.gid);
    }
    const reportDir = join(work, 'report');
    const vars: Record<string, string | undefined> = {
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: work,
      GITHUB_WORKFLOW: 'e2e',
      'INPUT_REPORT-DIR': reportDir,
      // The results service (cache, artifacts) is the stand-in a test brings, never a real one.
      ACTIONS_RUNTIME_TOKEN: undefined,
      ACTIONS_RESULTS_URL: undefined,
      ...env,
    };
    for (const [name, value] of Object.entries(inputs)) vars[`INPUT_${name.toUpperCase()}`] = value;
    const result = await exec([actionNode, distEntry], { env: vars, timeoutMs: 300_000 });
    const outputs = parseOutputs(readFileSync(outputFile, 'utf8'));
    let report: Record<string, unknown> | undefined;
    try {
      report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as Record<
        string,
        unknown
      >;
    } catch {
      report = undefined;
    }
    return {
      code: result.code,
      stdout: result.stdout,
      stderr: result.stderr,
      outputs,
      summary: readFileSync(summaryFile, 'utf8'),
      findings: outputs['findings'] ? (JSON.parse(outputs['findings']) as Finding[]) : [],
      report,
      files: readdirSafe(reportDir),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Findings as compact tuples, sorted, for assertions that read like the summary table. */
export function brief(findings: readonly Finding[]): string[] {
  return findings
    .map((f) =>
      [
        f.kind,
        f.target,
        f.address,
        f.port === undefined ? '' : `${f.port}/${f.protocol}`,
        f.observed,
      ]
        .filter(Boolean)
        .join(' '),
    )
    .sort();
}
