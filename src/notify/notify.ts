// Notifications, after the verdict, the summary and report.json are written: the issue, the
// pull-request comment and Slack. Each is on its own: one that cannot be delivered is a warning,
// and never changes the verdict.
import type { Logger } from '../base/log.js';
import type { RunContext } from '../github/context.js';
import { acceptFormOf, type Settings } from '../settings/settings.js';
import type { Finding } from '../base/types.js';
import type { Verdict } from '../findings/verdict.js';
import {
  classify,
  compare,
  describeChanges,
  slackEventFor,
  stateOf,
  type DriftState,
} from '../memory/changes.js';
import {
  NoAnswerError,
  createGitHub,
  describeGitHubError,
  statusOf,
  whoAmI,
  type GitHub,
  type Identity,
} from '../github/client.js';
import { syncIssue } from './issue.js';
import { syncPrComment } from './pr-comment.js';
import { oneLine } from '../base/markdown.js';
import { keyHash, renderPrComment, renderPrPending, type Result } from './render.js';
import { policyExposure } from '../pull-request/policy-change.js';
import { buildSlackMessage } from './slack-message.js';
import { postToSlack } from './slack.js';
import type { StateStore } from '../memory/state.js';

export interface NotifyInput {
  settings: Settings;
  verdict: Verdict;
  findings: readonly Finding[];
  addresses: number;
  nmapFailed: boolean;
  /** Sections the job summary shows too (history chart, open ports since main, exposure change). */
  sections?: Result['sections'];
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

/** What the edge that runs the job hands in: its log, and where the last state is kept. */
export interface NotifyEdge {
  log: Logger;
  /** The store of the last state for a notification key (keyHash), when no issue carries it. */
  state(key: string): Promise<StateStore>;
  /** Cancellation: once aborted, the last state is no longer changed. */
  signal?: AbortSignal;
}

/**
 * Before the scan, on a pull request that changes the policy file: what the change exposes, shown
 * at once in the sticky comment (the scan's result replaces it) and returned for the summary and
 * the final comment. Undefined when there is nothing to show or it could not be read (a warning).
 */
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
    const done = await syncPrComment(
      gh,
      repo,
      pull.number,
      context.run,
      renderPrPending(context.run, pull.sha, exposure),
      await whoAmI(gh, log),
      log,
    );
    log.info(`Pull-request comment: the policy's exposure change, before the scan: ${done.url}.`);
  } catch (error) {
    log.warning(
      `The pull-request comment was not written before the scan: ${describeGitHubError(error, 'pull-requests: write')}`,
    );
  }
  return exposure;
}

export async function notify(
  input: NotifyInput,
  context: RunContext,
  edge: NotifyEdge,
): Promise<Notified> {
  const { settings } = input;
  const wantsPr = settings.prComment && context.pull !== undefined;
  if (!settings.issue && !wantsPr && !settings.slackWebhookUrl) return {};
  return edge.log.group('Notifications', () => deliver(input, context, wantsPr, edge));
}

async function deliver(
  input: NotifyInput,
  context: RunContext,
  wantsPr: boolean,
  edge: NotifyEdge,
): Promise<Notified> {
  const { log } = edge;
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
    acceptForm: acceptFormOf(settings),
    ...(input.sections ? { sections: input.sections } : {}),
  };

  let gh: GitHub | undefined;
  let me: Promise<Identity> | undefined;
  /** Set when GitHub let a call run out of time: it is not asked again in this run. */
  let githubHung = false;
  const github = (what: string): GitHub | undefined => {
    if (!settings.githubToken) {
      log.warning(`${what} skipped: github-token is empty.`);
      return undefined;
    }
    if (!context.repo) {
      log.warning(`${what} skipped: GITHUB_REPOSITORY is not set (not on a GitHub runner?).`);
      return undefined;
    }
    if (githubHung) {
      log.warning(`${what} skipped: GitHub did not answer earlier in this run.`);
      return undefined;
    }
    gh ??= createGitHub(settings.githubToken, context.apiUrl, log, context.httpTimeoutMs);
    return gh;
  };
  const failed = (error: unknown): void => {
    if (error instanceof NoAnswerError && error.kind === 'deadline') githubHung = true;
  };

  // The issue carries the last state when it is on; else the Actions cache does.
  let previous: DriftState | undefined;
  let previousKnown = false;
  /** Another run speaks for this drift (its issue was kept, ours closed): Slack hears it from it. */
  let anotherRunSpeaks = false;
  if (settings.issue && !context.production.speaks) {
    log.info('Issue: left alone, this run does not speak for production (see above).');
  } else if (settings.issue) {
    const client = github('The issue');
    if (client && context.repo) {
      try {
        me ??= whoAmI(client, log);
        const outcome = await syncIssue(
          client,
          context.repo,
          settings.issueLabels,
          context.run,
          result,
          current,
          await me,
          log,
        );
        previous = outcome.previous;
        previousKnown = true;
        if (outcome.url) notified.issueUrl = outcome.url;
        if (outcome.action === 'duplicate') {
          anotherRunSpeaks = true;
          log.info(
            `Issue: an overlapping run opened ${outcome.url} first; closed #${outcome.closedDuplicate}, which this run opened, in its favour.`,
          );
        } else {
          log.info(`Issue: ${outcome.action}${outcome.url ? ` ${outcome.url}` : ''}.`);
        }
      } catch (error) {
        failed(error);
        log.warning(
          `The drift issue was not updated: ${describeGitHubError(error, 'issues: write')}`,
        );
      }
    }
  }

  if (wantsPr && context.pull) {
    const client = github('The pull-request comment');
    if (client && context.repo) {
      try {
        me ??= whoAmI(client, log);
        const done = await syncPrComment(
          client,
          context.repo,
          context.pull.number,
          context.run,
          renderPrComment(context.run, result, context.pull.sha),
          await me,
          log,
        );
        log.info(`Pull-request comment: ${done.action} ${done.url}.`);
        if (done.ignored > 0) {
          log.info(
            `Pull-request comment: ignored ${done.ignored} comment(s) carrying this job's marker that the token did not write.`,
          );
        }
      } catch (error) {
        failed(error);
        const fork =
          statusOf(error) === 403
            ? ' A pull request from a fork gets a read-only token: the result is in the job summary.'
            : '';
        log.warning(
          `The pull-request comment was not written: ${describeGitHubError(error, 'pull-requests: write')}${fork}`,
        );
      }
    }
  }

  if (settings.slackWebhookUrl) {
    const known = previousKnown ? { previous } : undefined;
    if (context.production.speaks) {
      await tellSlack(input, context, result, current, known, anotherRunSpeaks, edge);
    } else {
      await tellSlackNotProduction(input, context, result, current, log);
    }
  }
  return notified;
}

/**
 * Slack, for a run that speaks for production: new, changed and resolved drift (`notify: change`)
 * against the last state, which the issue carried (`known`) or the state store keeps.
 */
async function tellSlack(
  input: NotifyInput,
  context: RunContext,
  result: Result,
  current: DriftState,
  known: { previous: DriftState | undefined } | undefined,
  anotherRunSpeaks: boolean,
  edge: NotifyEdge,
): Promise<void> {
  const { settings } = input;
  const { log } = edge;
  const webhook = settings.slackWebhookUrl;
  const { status } = result;
  const store = known ? undefined : await edge.state(keyHash(context.run.key));
  const previous = store ? await store.load() : known?.previous;
  const changes = compare(previous, current);
  let event = anotherRunSpeaks
    ? undefined
    : slackEventFor(status, previous, changes, settings.notify);
  let quiet = anotherRunSpeaks
    ? 'Slack: not sent, the overlapping run that kept the issue reports this drift.'
    : undefined;
  // Without an issue, the cache decides which of overlapping runs reports a change: the one
  // that saves it. The state is saved before Slack hears of it, so a run that cannot reach Slack
  // does not leave the next run to repeat the message: that message is lost, with a warning.
  // A cancelled run stops before it changes the last state: the next run tells Slack instead.
  if (edge.signal?.aborted) return;
  if (store && status !== 'undecided' && previous?.digest !== current.digest) {
    const claim = await store.save(current);
    if (claim === 'taken' && event) {
      event = undefined;
      quiet = 'Slack: not sent, an overlapping run saved this same change first and reports it.';
    }
  }
  if (event) {
    const message = buildSlackMessage(context.run, result, changes, event);
    const sent = await postToSlack(webhook, message, log, context.httpTimeoutMs);
    if (sent.ok) log.info(`Slack: ${event} drift sent.`);
    else log.warning(`Slack was not notified: ${sent.warning}`);
  } else if (quiet) {
    log.info(quiet);
  } else {
    log.info(
      status === 'drift'
        ? `Slack: not sent, the same drift as the last run (notify: change). ${describeChanges(changes)}`
        : 'Slack: nothing to report.',
    );
  }
}

/**
 * Slack, for a run that does not speak for production (production.ts): nothing, unless
 * `slack-on-non-production` asks for it; then each run with drift, marked with where it ran. It
 * reads no last state and saves none, and never says resolved: that is production's to say.
 */
async function tellSlackNotProduction(
  input: NotifyInput,
  context: RunContext,
  result: Result,
  current: DriftState,
  log: Logger,
): Promise<void> {
  const { settings } = input;
  if (!settings.slackOnNonProduction) {
    log.info(
      'Slack: not sent, this run does not speak for production (slack-on-non-production: true would send its drift).',
    );
    return;
  }
  if (result.status !== 'drift') {
    log.info(
      'Slack: nothing to report (a run that does not speak for production reports drift only).',
    );
    return;
  }
  const { place } = context.production;
  const message = buildSlackMessage(
    context.run,
    result,
    compare(undefined, current),
    'ongoing',
    place,
  );
  const sent = await postToSlack(settings.slackWebhookUrl, message, log, context.httpTimeoutMs);
  if (sent.ok) log.info(`Slack: drift in ${oneLine(place, 100)} sent (not production).`);
  else log.warning(`Slack was not notified: ${sent.warning}`);
}
