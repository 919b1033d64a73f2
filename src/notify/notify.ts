// Notifications, after the verdict, the summary and report.json are written: the issue, the
// pull-request comment and Slack. Each is on its own: one that cannot be delivered is a warning,
// and never changes the verdict.
import type { Logger } from '../base/log.js';
import { keyHash, type RunContext } from '../github/context.js';
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
  type Repo,
} from '../github/client.js';
import { syncIssue } from './issue.js';
import { syncPrComment } from './pr-comment.js';
import { oneLine } from '../base/markdown.js';
import { renderPrComment, type Result } from './render.js';
import { buildSlackMessage, type SlackMessage } from './slack-message.js';
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

/** What the notifications do for this run, decided from the settings and the run alone. */
export interface DeliveryPlan {
  issue: 'sync' | 'not-production' | 'off';
  prComment: boolean;
  slack: 'production' | 'not-production' | 'off';
}

export function planDelivery(
  settings: Settings,
  context: RunContext,
  wantsPr: boolean,
): DeliveryPlan {
  const speaks = context.production.speaks;
  return {
    issue: !settings.issue ? 'off' : speaks ? 'sync' : 'not-production',
    prComment: wantsPr && context.pull !== undefined,
    slack: !settings.slackWebhookUrl ? 'off' : speaks ? 'production' : 'not-production',
  };
}

/** One run's notifications: what was found, where, and the GitHub client they share. */
interface Notifying {
  input: NotifyInput;
  context: RunContext;
  edge: NotifyEdge;
  result: Result;
  current: DriftState;
  github: GitHubAccess;
}

/** What the issue left for Slack: the last state it carried, and whether another run speaks. */
interface IssueLeft {
  url?: string;
  previous: DriftState | undefined;
  anotherRunSpeaks: boolean;
}

async function deliver(
  input: NotifyInput,
  context: RunContext,
  wantsPr: boolean,
  edge: NotifyEdge,
): Promise<Notified> {
  const { settings } = input;
  const plan = planDelivery(settings, context, wantsPr);
  const { status, tracked } = classify(input.findings, settings.failOn, input.nmapFailed);
  const result: Result = {
    status,
    message: input.verdict.message,
    failed: input.verdict.failed,
    findings: input.findings,
    addresses: input.addresses,
    acceptForm: acceptFormOf(settings),
    ...(input.sections ? { sections: input.sections } : {}),
  };
  const github = new GitHubAccess(settings.githubToken, context, edge.log);
  const notifying: Notifying = { input, context, edge, result, current: stateOf(tracked), github };
  // The issue carries the last state when it is on; else the Actions cache does.
  let issue: IssueLeft | undefined;
  if (plan.issue === 'not-production') {
    edge.log.info('Issue: left alone, this run does not speak for production (see above).');
  } else if (plan.issue === 'sync') {
    issue = await deliverIssue(notifying);
  }
  if (plan.prComment) await deliverPrComment(notifying);
  if (plan.slack === 'production') await tellSlack(notifying, issue);
  else if (plan.slack === 'not-production') await tellSlackNotProduction(notifying);
  return issue?.url ? { issueUrl: issue.url } : {};
}

/**
 * The GitHub client the issue and the comment share, made when first needed; one that let a call
 * run out of time is not asked again in this run.
 */
class GitHubAccess {
  private gh: GitHub | undefined;
  private me: Promise<Identity> | undefined;
  private hung = false;

  constructor(
    private readonly token: string,
    private readonly context: RunContext,
    private readonly log: Logger,
  ) {}

  /** The client, or undefined with a warning saying why `what` is skipped. */
  client(what: string): { gh: GitHub; repo: Repo } | undefined {
    const { repo } = this.context;
    const why = !this.token
      ? 'github-token is empty.'
      : !repo
        ? 'GITHUB_REPOSITORY is not set (not on a GitHub runner?).'
        : this.hung
          ? 'GitHub did not answer earlier in this run.'
          : undefined;
    if (why || !repo) {
      this.log.warning(`${what} skipped: ${why}`);
      return undefined;
    }
    this.gh ??= createGitHub(this.token, this.context.apiUrl, this.log, this.context.httpTimeoutMs);
    return { gh: this.gh, repo };
  }

  /** Who the token is, asked once. */
  identity(gh: GitHub): Promise<Identity> {
    this.me ??= whoAmI(gh, this.log);
    return this.me;
  }

  failed(error: unknown): void {
    if (error instanceof NoAnswerError && error.kind === 'deadline') this.hung = true;
  }
}

async function deliverIssue(notifying: Notifying): Promise<IssueLeft | undefined> {
  const { input, context, edge, result, current, github } = notifying;
  const { log } = edge;
  const client = github.client('The issue');
  if (!client) return undefined;
  try {
    const outcome = await syncIssue({
      ...client,
      labels: input.settings.issueLabels,
      run: context.run,
      result,
      current,
      me: await github.identity(client.gh),
      log,
    });
    if (outcome.action === 'duplicate') {
      log.info(
        `Issue: an overlapping run opened ${outcome.url} first; closed #${outcome.closedDuplicate}, which this run opened, in its favour.`,
      );
    } else {
      log.info(`Issue: ${outcome.action}${outcome.url ? ` ${outcome.url}` : ''}.`);
    }
    return {
      ...(outcome.url && { url: outcome.url }),
      previous: outcome.previous,
      anotherRunSpeaks: outcome.action === 'duplicate',
    };
  } catch (error) {
    github.failed(error);
    log.warning(`The drift issue was not updated: ${describeGitHubError(error, 'issues: write')}`);
    return undefined;
  }
}

async function deliverPrComment({ context, edge, result, github }: Notifying): Promise<void> {
  const { log } = edge;
  const { pull } = context;
  const client = github.client('The pull-request comment');
  if (!client || !pull) return;
  try {
    const done = await syncPrComment(
      { ...client, pull: pull.number, run: context.run, me: await github.identity(client.gh), log },
      renderPrComment(context.run, result, pull.sha),
    );
    log.info(`Pull-request comment: ${done.action} ${done.url}.`);
    if (done.ignored > 0) {
      log.info(
        `Pull-request comment: ignored ${done.ignored} comment(s) carrying this job's marker that the token did not write.`,
      );
    }
  } catch (error) {
    github.failed(error);
    const fork =
      statusOf(error) === 403
        ? ' A pull request from a fork gets a read-only token: the result is in the job summary.'
        : '';
    log.warning(
      `The pull-request comment was not written: ${describeGitHubError(error, 'pull-requests: write')}${fork}`,
    );
  }
}

/**
 * Slack, for a run that speaks for production: new, changed and resolved drift (`notify: change`)
 * against the last state, which the issue carried (`issue`) or the state store keeps.
 */
async function tellSlack(notifying: Notifying, issue: IssueLeft | undefined): Promise<void> {
  const { input, context, edge, result, current } = notifying;
  const { settings } = input;
  const { log } = edge;
  const { status } = result;
  const store = issue ? undefined : await edge.state(keyHash(context.run.key));
  const previous = store ? await store.load() : issue?.previous;
  const changes = compare(previous, current);
  let event = issue?.anotherRunSpeaks
    ? undefined
    : slackEventFor(status, previous, changes, settings.notify);
  let quiet = issue?.anotherRunSpeaks
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
    const message = buildSlackMessage({ run: context.run, result, changes, event });
    await sendToSlack(notifying, message, `Slack: ${event} drift sent.`);
  } else {
    log.info(
      quiet ??
        (status === 'drift'
          ? `Slack: not sent, the same drift as the last run (notify: change). ${describeChanges(changes)}`
          : 'Slack: nothing to report.'),
    );
  }
}

/**
 * Slack, for a run that does not speak for production (production.ts): nothing, unless
 * `slack-on-non-production` asks for it; then each run with drift, marked with where it ran. It
 * reads no last state and saves none, and never says resolved: that is production's to say.
 */
async function tellSlackNotProduction(notifying: Notifying): Promise<void> {
  const { input, context, edge, result, current } = notifying;
  if (!input.settings.slackOnNonProduction) {
    edge.log.info(
      'Slack: not sent, this run does not speak for production (slack-on-non-production: true would send its drift).',
    );
    return;
  }
  if (result.status !== 'drift') {
    edge.log.info(
      'Slack: nothing to report (a run that does not speak for production reports drift only).',
    );
    return;
  }
  const { place } = context.production;
  const message = buildSlackMessage({
    run: context.run,
    result,
    changes: compare(undefined, current),
    event: 'ongoing',
    place,
  });
  await sendToSlack(
    notifying,
    message,
    `Slack: drift in ${oneLine(place, 100)} sent (not production).`,
  );
}

async function sendToSlack(
  { input, context, edge }: Notifying,
  message: SlackMessage,
  sentLine: string,
): Promise<void> {
  const sent = await postToSlack(
    input.settings.slackWebhookUrl,
    message,
    edge.log,
    context.httpTimeoutMs,
  );
  if (sent.ok) edge.log.info(sentLine);
  else edge.log.warning(`Slack was not notified: ${sent.warning}`);
}
