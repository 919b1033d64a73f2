// Writes the report files into report-dir: report.json (what a merge reads) and report.sarif (for
// code scanning), and finds where the workflow that declared the rules lives, for SARIF locations.
import { join, resolve } from 'node:path';
import {
  FILE_TIMEOUT_MS,
  folderError,
  makeFolder,
  probeFolder,
  readUserFile,
  within,
  writeWhole,
} from '../base/files.js';
import { VERSION } from '../base/version.js';
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
    workflowText = await readUserFile('GITHUB_WORKFLOW_REF', resolve(workspace, workflowPath), {
      followSymlinks: false,
    }).catch(() => undefined);
  }
  return {
    toolVersion: VERSION,
    ...(workflowPath ? { workflowPath } : {}),
    ...(workflowText !== undefined ? { workflowText } : {}),
    ...(workspace ? { workspace } : {}),
  };
}

/** report-dir in errors. */
const REPORT_DIR = { input: 'report-dir', holds: 'the reports' };

/**
 * Checks report-dir before any scan, and returns its real path for the writes: it exists or can be
 * made, is a directory no other user can write (files.ts), and takes a file (a test write,
 * removed). A scan never runs only to find that its reports cannot be written.
 */
export async function checkReportDir(reportDir: string): Promise<string> {
  const real = await makeFolder(reportDir, REPORT_DIR);
  try {
    await within(probeFolder(real), FILE_TIMEOUT_MS, 'the check');
  } catch (error) {
    throw folderError(reportDir, REPORT_DIR, error);
  }
  return real;
}

export async function writeReports(
  report: Report,
  reportDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReportPaths> {
  const paths = { report: join(reportDir, 'report.json'), sarif: join(reportDir, 'report.sarif') };
  await writeWhole(paths.report, JSON.stringify(report, null, 2) + '\n');
  const sarif = toSarif(report, await declarationSources(env));
  // Compact: at 20,000 hosts a pretty-printed SARIF is twice the size, and only machines read it.
  await writeWhole(paths.sarif, JSON.stringify(sarif) + '\n');
  return paths;
}
