// What the runner tells a step about the run, read once at the edge (main.ts, cli.ts) and handed
// to the notifications: the repository, the run and its URL, the pull request of the event (from
// @actions/github's context), and PORT_DRIFT_HTTP_TIMEOUT, the deadline of each call to GitHub,
// Slack or the Actions cache. Loaded only when a run has something to notify (Octokit comes with it).
import { context as actionsContext } from '@actions/github';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { ConfigurationError, getErrorMessage } from '../base/errors.js';
import type { Repo } from './client.js';
import type { Logger } from '../base/log.js';
import { parseDuration } from '../settings/settings.js';
import { productionOf, type Production } from './production.js';

/** What the runner tells a step about the run: @actions/github's context, and a few variables. */
export interface RunContext {
  repo?: Repo;
  apiUrl: string;
  run: RunInfo;
  runnerTemp: string;
  /** The pull request of a pull_request or pull_request_target event; `base`: its base commit. */
  pull?: { number: number; sha: string; base?: string };
  /**
   * Whether this run speaks for production (production.ts): only then does it open, close or edit
   * the drift issue, change Slack's state, post to Slack and keep the history. Its `branch` is the
   * one whose runs set the baseline a pull request compares with.
   */
  production: Production;
  /** This run and attempt, `1234-1`: names its entry in the history. */
  attempt: string;
  /** GITHUB_WORKSPACE: where the repository is checked out (the policy file's path is in it). */
  workspace: string;
  /**
   * The deadline of each call to GitHub, Slack or the Actions cache service, its retries and waits
   * included. Read here, at the edge, from PORT_DRIFT_HTTP_TIMEOUT, and nowhere else.
   */
  httpTimeoutMs: number;
}

const HTTP_TIMEOUT = '30s';

function httpTimeout(env: NodeJS.ProcessEnv, log: Logger): number {
  const value = env['PORT_DRIFT_HTTP_TIMEOUT'];
  try {
    return parseDuration('PORT_DRIFT_HTTP_TIMEOUT', value || HTTP_TIMEOUT);
  } catch (error) {
    const why = error instanceof ConfigurationError ? error.problem : getErrorMessage(error);
    log.warning(`PORT_DRIFT_HTTP_TIMEOUT: ${why} Using ${HTTP_TIMEOUT}.`);
    return parseDuration('PORT_DRIFT_HTTP_TIMEOUT', HTTP_TIMEOUT);
  }
}

/** `.github/workflows/watch.yml` of `octo/fleet/.github/workflows/watch.yml@refs/heads/main`. */
export function workflowFile(ref: string | undefined, repository: string): string {
  const path = (ref ?? '').replace(/@[^@]*$/, '');
  const own = `${repository}/`;
  return path.toLowerCase().startsWith(own.toLowerCase()) ? path.slice(own.length) : path;
}

export function readRunContext(
  name: string,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): RunContext {
  const context = actionsContext;
  // context.repo throws without GITHUB_REPOSITORY: a run outside Actions has no repository.
  const repo = env['GITHUB_REPOSITORY'] ? context.repo : undefined;
  const repository = repo ? `${repo.owner}/${repo.repo}` : '';
  const runId = Number.isFinite(context.runId) ? String(context.runId) : 'local';
  const key: NotificationKey = {
    repository,
    workflow: workflowFile(env['GITHUB_WORKFLOW_REF'], repository),
    job: context.job ?? '',
    name,
  };
  const run: RunInfo = {
    name,
    runId,
    runUrl: repo ? `${context.serverUrl}/${repository}/actions/runs/${runId}` : context.serverUrl,
    key,
  };
  const pr = context.payload.pull_request as
    { number?: unknown; head?: { sha?: unknown }; base?: { sha?: unknown } } | undefined;
  const isPr = /^pull_request(_target)?$/.test(context.eventName ?? '');
  const repository_ = context.payload.repository as { default_branch?: unknown } | undefined;
  const defaultBranch =
    typeof repository_?.default_branch === 'string' ? repository_.default_branch : undefined;
  const pullNumber = isPr && typeof pr?.number === 'number' ? pr.number : undefined;
  const production = productionOf({
    ...(context.eventName ? { eventName: context.eventName } : {}),
    ...(env['GITHUB_REF'] ? { ref: env['GITHUB_REF'] } : {}),
    ...(defaultBranch !== undefined ? { defaultBranch } : {}),
    ...(pullNumber !== undefined ? { pullNumber } : {}),
  });
  return {
    ...(repo ? { repo } : {}),
    apiUrl: context.apiUrl.replace(/\/+$/, ''),
    run,
    runnerTemp: env['RUNNER_TEMP'] || tmpdir(),
    ...(pullNumber !== undefined
      ? {
          pull: {
            number: pullNumber,
            sha: typeof pr?.head?.sha === 'string' ? pr.head.sha : '',
            ...(typeof pr?.base?.sha === 'string' ? { base: pr.base.sha } : {}),
          },
        }
      : {}),
    production,
    attempt: `${runId}-${env['GITHUB_RUN_ATTEMPT'] || '1'}`,
    workspace: env['GITHUB_WORKSPACE'] || process.cwd(),
    httpTimeoutMs: httpTimeout(env, log),
  };
}

export interface RunInfo {
  /** The policy's name (settings.name). */
  name: string;
  runUrl: string;
  runId: string;
  /** What the issue, the comment and the cached state belong to: see notificationKey(). */
  key: NotificationKey;
}

/**
 * The identity of a notification: the repository, the workflow file, the job and `name`. Two jobs
 * share an issue, a comment or a cached state only when all four are the same, that is when they
 * are given the same `name` on purpose in one job id, or run as legs of one matrix job (the runner
 * does not tell a step its matrix values: put them in `name`).
 */
export interface NotificationKey {
  repository: string;
  /** `.github/workflows/watch.yml`, from GITHUB_WORKFLOW_REF; empty outside Actions. */
  workflow: string;
  /** The job's id (GITHUB_JOB). */
  job: string;
  name: string;
}

/** The key as 16 hex digits: in markers and cache keys. The repository is compared in lower case. */
export function keyHash(key: NotificationKey): string {
  return createHash('sha256')
    .update(JSON.stringify(['v2', key.repository.toLowerCase(), key.workflow, key.job, key.name]))
    .digest('hex')
    .slice(0, 16);
}
