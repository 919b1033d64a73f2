// Writes the report files into report-dir: report.json (what a merge reads) and report.sarif (for
// code scanning), and finds where the workflow that declared the rules lives, for SARIF locations.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VERSION } from '../version.js';
import type { Report } from './report.js';
import { toSarif, workflowPathFromRef, type DeclarationSources } from './sarif.js';

export interface ReportPaths {
  report: string;
  sarif: string;
}

/** The workflow file and, when the repository is checked out, its text. */
async function declarationSources(env: NodeJS.ProcessEnv): Promise<DeclarationSources> {
  const workflowPath = workflowPathFromRef(env['GITHUB_WORKFLOW_REF']);
  const workspace = env['GITHUB_WORKSPACE'];
  let workflowText: string | undefined;
  if (workflowPath && workspace) {
    workflowText = await readFile(resolve(workspace, workflowPath), 'utf8').catch(() => undefined);
  }
  return {
    toolVersion: VERSION,
    ...(workflowPath ? { workflowPath } : {}),
    ...(workflowText !== undefined ? { workflowText } : {}),
    ...(workspace ? { workspace } : {}),
  };
}

export async function writeReports(
  report: Report,
  reportDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReportPaths> {
  await mkdir(reportDir, { recursive: true });
  const paths = { report: join(reportDir, 'report.json'), sarif: join(reportDir, 'report.sarif') };
  await writeFile(paths.report, JSON.stringify(report, null, 2) + '\n');
  const sarif = toSarif(report, await declarationSources(env));
  // Compact: at 20,000 hosts a pretty-printed SARIF is twice the size, and only machines read it.
  await writeFile(paths.sarif, JSON.stringify(sarif) + '\n');
  return paths;
}
