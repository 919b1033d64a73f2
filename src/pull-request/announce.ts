// Before the scan, on a pull request that changes the policy file: what the change exposes, shown
// at once in the sticky comment (the scan's result replaces it) and returned for the summary and
// the final comment.
import type { Logger } from '../base/log.js';
import { createGitHub, describeGitHubError, whoAmI } from '../github/client.js';
import type { RunContext } from '../github/context.js';
import { syncPrComment } from '../notify/pr-comment.js';
import { renderPrPending } from '../notify/render.js';
import type { Settings } from '../settings/settings.js';
import { policyExposure } from './policy-change.js';

/** The exposure change as Markdown; undefined when there is nothing to show or it could not be read (a warning). */
export async function announce(
  settings: Settings,
  context: RunContext,
  log: Logger,
): Promise<string | undefined> {
  const { pull, repo } = context;
  if (!pull || !repo || !settings.policyPath || !settings.githubToken) return undefined;
  // A shard leaves the comment to its merge job; record mode writes the policy, it checks nothing.
  if (settings.shard || settings.mode === 'record') return undefined;
  const gh = createGitHub(settings.githubToken, context.apiUrl, log, context.httpTimeoutMs);
  let exposure: string | undefined;
  try {
    exposure = await policyExposure(gh, repo, pull, settings.policyPath, context.workspace, log);
  } catch (error) {
    log.warning(
      `What the policy change exposes was not worked out: ${describeGitHubError(error, 'contents: read, pull-requests: read')}`,
    );
    return undefined;
  }
  // The merge job has no scan to wait for: its comment comes with the result.
  if (!exposure || !settings.prComment || settings.mode === 'merge') return exposure;
  try {
    const me = await whoAmI(gh, log);
    const done = await syncPrComment(
      { gh, repo, pull: pull.number, run: context.run, me, log },
      renderPrPending(context.run, pull.sha, exposure),
    );
    log.info(`Pull-request comment: the policy's exposure change, before the scan: ${done.url}.`);
  } catch (error) {
    log.warning(
      `The pull-request comment was not written before the scan: ${describeGitHubError(error, 'pull-requests: write')}`,
    );
  }
  return exposure;
}
