// What a pull request's change of the policy file exposes, read before any scan: the file is looked
// for among the pull request's changed files; its base version is read from GitHub at the base
// commit, its head version from the checkout; the two are compared rule by rule (exposure.ts).
// Nothing of the pull request's files is trusted: the base text is parsed like any policy, and
// everything shown goes through the escaping of renderExposure.
import { readUserFile } from '../base/files.js';
import { isAbsolute, relative, sep } from 'node:path';
import { ConfigurationError, getErrorMessage } from '../base/errors.js';
import { diffPolicies, renderExposure } from './exposure.js';
import { parsePolicy, type Policy } from '../settings/policy.js';
import { code, oneLine } from '../base/markdown.js';
import { MAX_PAGES, readPages, statusOf, type GitHub, type Repo } from '../github/client.js';
import type { Logger } from '../base/log.js';

/** The policy file's path in the repository, when it lies in the workspace. */
export function repositoryPath(policyPath: string, workspace: string): string | undefined {
  const rel = relative(workspace, policyPath);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : undefined;
}

/**
 * The exposure change as Markdown, or undefined when the pull request does not change the policy
 * file (or it cannot be told, which the log says).
 */
export async function policyExposure(
  gh: GitHub,
  repo: Repo,
  pull: { number: number; base?: string },
  policyPath: string,
  workspace: string,
  log: Logger,
): Promise<string | undefined> {
  const path = repositoryPath(policyPath, workspace);
  if (!path) {
    log.info(`Exposure: the policy file ${policyPath} is outside the workspace; not compared.`);
    return undefined;
  }
  const change = await changeOf(gh, repo, pull.number, path);
  if (!change) {
    log.info(`Exposure: the pull request does not change ${path}.`);
    return undefined;
  }
  const head = parsePolicy(
    await readUserFile('policy', policyPath, { followSymlinks: true }),
    path,
  );
  const { base, note } =
    change.status === 'added'
      ? { base: undefined, note: '' }
      : await baseOf(gh, repo, pull, path, change);
  // Only a file GitHub lists as added is new: a base version that could not be read is said so
  // in the note, not taken for a new file.
  const diff = { ...diffPolicies(base, head), newFile: change.status === 'added' };
  return renderExposure(diff, path) + note;
}

interface FileChange {
  status: string;
  previous?: string;
}

/** How the pull request changes the file at `path`, as GitHub lists its files; undefined: not. */
async function changeOf(
  gh: GitHub,
  repo: Repo,
  pullNumber: number,
  path: string,
): Promise<FileChange | undefined> {
  let change: FileChange | undefined;
  const listing = gh.paginate.iterator(gh.rest.pulls.listFiles, {
    ...repo,
    pull_number: pullNumber,
    per_page: 100,
  });
  const read = await readPages(listing, (files) => {
    const f = files.find((file) => file.filename === path);
    if (f) {
      change = {
        status: f.status,
        ...(f.previous_filename ? { previous: f.previous_filename } : {}),
      };
    }
    return f !== undefined;
  });
  if (read === 'cut') {
    throw new Error(
      `GitHub still listed more changed files after ${MAX_PAGES} pages (it lists at most 3,000): whether the pull request changes ${oneLine(path, 200)} is not known`,
    );
  }
  return change;
}

/** The policy at the pull request's base commit, or a note saying why every rule shows as new. */
async function baseOf(
  gh: GitHub,
  repo: Repo,
  pull: { base?: string },
  path: string,
  change: FileChange,
): Promise<{ base: Policy | undefined; note: string }> {
  if (!pull.base) throw new Error('the event gives no base commit of the pull request');
  const basePath = change.previous ?? path;
  const text = await readAt(gh, repo, basePath, pull.base);
  if (text === undefined) {
    return {
      base: undefined,
      note: `\n\n${code(basePath)} could not be read at the base commit: every rule is shown as new.`,
    };
  }
  try {
    return { base: parsePolicy(text, `${basePath} (base)`), note: '' };
  } catch (error) {
    const why = error instanceof ConfigurationError ? error.problem : getErrorMessage(error);
    return {
      base: undefined,
      note: `\n\nThe base version is not a valid policy (${code(why, 200)}): every rule is shown as new.`,
    };
  }
}

/** A file's text at a commit; undefined when it is not there (404) or not a file. */
async function readAt(
  gh: GitHub,
  repo: Repo,
  path: string,
  ref: string,
): Promise<string | undefined> {
  try {
    const { data } = await gh.rest.repos.getContent({ ...repo, path, ref });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
    if (data.encoding !== 'base64') return undefined;
    return Buffer.from(data.content, 'base64').toString('utf8');
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}
