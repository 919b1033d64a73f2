// Notifications, after the verdict, the summary and report.json are written: the issue, the
// pull-request comment and Slack. Each is on its own: one that cannot be delivered is a warning,
// and never changes the verdict.
import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ConfigurationError, getErrorMessage } from '../errors.js';
import { parseDuration, type Settings } from '../settings.js';
import type { Finding } from '../types.js';
import type { Verdict } from '../verdict.js';
import { classify, compare, describeChanges, stateOf, type DriftState } from './changes.js';
import { createGitHub, describeGitHubError, statusOf, type GitHub, type Log } from './github.js';
import { syncIssue, type Repo } from './issue.js';
import { syncPrComment } from './pr-comment.js';
import type { Result, RunInfo } from './render.js';
import { buildSlackMessage, postToSlack, slackEventFor } from './slack.js';
import { CacheStateStore } from './state.js';

/** What the runner tells a step about the run, read from its environment. */
export interface RunContext {
  repo?: Repo;
  apiUrl: string;
  run: RunInfo;
  runAttempt: string;
  runnerTemp: string;
  /** The pull request of a pull_request or pull_request_target event. */
  pull?: { number: number; sha: string };
  /** How long one request to GitHub or Slack may take before it counts as lost. */
  httpTimeoutMs: number;
}

/** Every request to GitHub or Slack gives up after this long; PORT_DRIFT_HTTP_TIMEOUT changes it. */
const HTTP_TIMEOUT = '30s';

function httpTimeout(env: NodeJS.ProcessEnv): number {
  const value = env['PORT_DRIFT_HTTP_TIMEOUT'];
  try {
    return parseDuration('PORT_DRIFT_HTTP_TIMEOUT', value || HTTP_TIMEOUT);
  } catch (error) {
    const why = error instanceof ConfigurationError ? error.problem : getErrorMessage(error);
    core.warning(`PORT_DRIFT_HTTP_TIMEOUT: ${why} Using ${HTTP_TIMEOUT}.`);
    return parseDuration('PORT_DRIFT_HTTP_TIMEOUT', HTTP_TIMEOUT);
  }
}

export function readRunContext(name: string, env: NodeJS.ProcessEnv = process.env): RunContext {
  const [owner, repo] = (env['GITHUB_REPOSITORY'] ?? '').split('/');
  const server = (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, '');
  const runId = env['GITHUB_RUN_ID'] || 'local';
  const context: RunContext = {
    ...(owner && repo ? { repo: { owner, repo } } : {}),
    apiUrl: (env['GITHUB_API_URL'] || 'https://api.github.com').replace(/\/+$/, ''),
    run: {
      name,
      runId,
      runUrl: owner && repo ? `${server}/${owner}/${repo}/actions/runs/${runId}` : server,
    },
    runAttempt: env['GITHUB_RUN_ATTEMPT'] || '1',
    runnerTemp: env['RUNNER_TEMP'] || tmpdir(),
    httpTimeoutMs: httpTimeout(env),
  };
  const event = env['GITHUB_EVENT_NAME'];
  if ((event === 'pull_request' || event === 'pull_request_target') && env['GITHUB_EVENT_PATH']) {
    try {
      const payload = JSON.parse(readFileSync(env['GITHUB_EVENT_PATH'], 'utf8')) as {
        pull_request?: { number?: unknown; head?: { sha?: unknown } };
      };
      const number = payload.pull_request?.number;
      const sha = payload.pull_request?.head?.sha;
      if (typeof number === 'number') {
        context.pull = { number, sha: typeof sha === 'string' ? sha : '' };
      }
    } catch (error) {
      core.debug(`event payload: ${getErrorMessage(error)}`);
    }
  }
  return context;
}

const log: Log = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  debug: (m) => core.debug(m),
};

export interface NotifyInput {
  settings: Settings;
  verdict: Verdict;
  findings: readonly Finding[];
  addresses: number;
  nmapFailed: boolean;
}

/** What the notifications left behind that the run shows: the drift issue's address. */
export interface Notified {
  issueUrl?: string;
}

/** Is any notification asked for? Without one, notifications are not even loaded. */
export function wanted(settings: Settings): boolean {
  return (
    settings.issue ||
    Boolean(settings.slackWebhookUrl) ||
    (settings.prComment && /^pull_request(_target)?$/.test(process.env['GITHUB_EVENT_NAME'] ?? ''))
  );
}

export async function notify(input: NotifyInput, context: RunContext): Promise<Notified> {
  const { settings } = input;
  const wantsPr = settings.prComment && context.pull !== undefined;
  if (!settings.issue && !wantsPr && !settings.slackWebhookUrl) return {};
  return core.group('Notifications', () => deliver(input, context, wantsPr));
}

async function deliver(
  input: NotifyInput,
  context: RunContext,
  wantsPr: boolean,
): Promise<Notified> {
  const notified: Notified = {};
  const { settings } = input;
  const { status, tracked } = classify(input.findings, settings.failOn, input.nmapFailed);
  const current = stateOf(tracked);
  const result: Result = {
    status,
    message: input.verdict.message,
    failed: input.verdict.failed,
    findings: input.findings,
    addresses: input.addresses,
  };

  let gh: GitHub | undefined;
  const github = (what: string): GitHub | undefined => {
    if (!settings.githubToken) {
      core.warning(`${what} skipped: github-token is empty.`);
      return undefined;
    }
    if (!context.repo) {
      core.warning(`${what} skipped: GITHUB_REPOSITORY is not set (not on a GitHub runner?).`);
      return undefined;
    }
    gh ??= createGitHub(settings.githubToken, context.apiUrl, log, context.httpTimeoutMs);
    return gh;
  };

  // The issue carries the last state when it is on; else the Actions cache does.
  let previous: DriftState | undefined;
  let previousKnown = false;
  if (settings.issue) {
    const client = github('The issue');
    if (client && context.repo) {
      try {
        const outcome = await syncIssue(
          client,
          context.repo,
          settings.issueLabels,
          context.run,
          result,
          current,
          log,
        );
        previous = outcome.previous;
        previousKnown = true;
        if (outcome.url) {
          core.setOutput('issue-url', outcome.url);
          notified.issueUrl = outcome.url;
        }
        core.info(`Issue: ${outcome.action}${outcome.url ? ` ${outcome.url}` : ''}.`);
      } catch (error) {
        core.warning(
          `The drift issue was not updated: ${describeGitHubError(error, 'issues: write')}`,
        );
      }
    }
  }

  if (wantsPr && context.pull) {
    const client = github('The pull-request comment');
    if (client && context.repo) {
      try {
        const done = await syncPrComment(
          client,
          context.repo,
          context.pull.number,
          context.pull.sha,
          context.run,
          result,
          log,
        );
        core.info(`Pull-request comment: ${done.action} ${done.url}.`);
      } catch (error) {
        const fork =
          statusOf(error) === 403
            ? ' A pull request from a fork gets a read-only token: the result is in the job summary.'
            : '';
        core.warning(
          `The pull-request comment was not written: ${describeGitHubError(error, 'pull-requests: write')}${fork}`,
        );
      }
    }
  }

  if (settings.slackWebhookUrl) {
    const store = previousKnown
      ? undefined
      : new CacheStateStore(
          settings.name,
          context.runnerTemp,
          context.run.runId,
          context.runAttempt,
          log,
        );
    if (store) previous = await store.load();
    const changes = compare(previous, current);
    const event = slackEventFor(status, previous, changes, settings.notify);
    let delivered = true;
    if (event) {
      const sent = await postToSlack(
        settings.slackWebhookUrl,
        buildSlackMessage(context.run, result, changes, event),
        log,
        context.httpTimeoutMs,
      );
      delivered = sent.ok;
      if (sent.ok) core.info(`Slack: ${event} drift sent.`);
      else core.warning(`Slack was not notified: ${sent.warning}`);
    } else {
      core.info(
        status === 'drift'
          ? `Slack: not sent, the same drift as the last run (notify: change). ${describeChanges(changes)}`
          : 'Slack: nothing to report.',
      );
    }
    if (store && delivered && status !== 'undecided' && previous?.digest !== current.digest) {
      await store.save(current);
    }
  }
  return notified;
}
