// Writes the report files into report-dir: report.json (what a merge reads) and report.sarif (for
// code scanning), and finds where the workflow that declared the rules lives, for SARIF locations.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigurationError, getErrorMessage } from '../errors.js';
import { FILE_TIMEOUT_MS, within } from '../files.js';
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

/**
 * Checks report-dir before any scan: it exists or can be made, is a directory, and takes a file
 * (a test write, removed). A scan never runs only to find that its reports cannot be written.
 */
export async function checkReportDir(reportDir: string): Promise<void> {
  const probe = join(reportDir, `.port-drift-check-${process.pid}`);
  const check = async (): Promise<void> => {
    await mkdir(reportDir, { recursive: true });
    if (!(await stat(reportDir)).isDirectory()) throw new Error('not a directory');
    await writeFile(probe, 'port-drift: can this directory take a report?\n');
    await rm(probe, { force: true });
  };
  try {
    await within(check(), FILE_TIMEOUT_MS, 'the check');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'it, or a folder on its path, is a file'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'not writable by this runner'
          : code === 'ENOSPC' || code === 'EDQUOT'
            ? 'the disk is full'
            : (code ?? getErrorMessage(error));
    throw new ConfigurationError(
      'report-dir',
      `${reportDir} cannot hold the reports (${why}). Name a writable directory.`,
    );
  }
}

/** Writes beside the file and renames: a failed or interrupted write never leaves a cut or empty file. */
async function writeWhole(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function writeReports(
  report: Report,
  reportDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReportPaths> {
  await mkdir(reportDir, { recursive: true });
  const paths = { report: join(reportDir, 'report.json'), sarif: join(reportDir, 'report.sarif') };
  await writeWhole(paths.report, JSON.stringify(report, null, 2) + '\n');
  const sarif = toSarif(report, await declarationSources(env));
  // Compact: at 20,000 hosts a pretty-printed SARIF is twice the size, and only machines read it.
  await writeWhole(paths.sarif, JSON.stringify(sarif) + '\n');
  return paths;
}
