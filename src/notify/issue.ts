// The drift issue: one open issue per key (repository, workflow file, job, name), found by listing
// open issues by label and matching a hidden marker in the body (never the search API), and only
// among issues the token itself wrote. Opened on drift, updated in place when the drift changes,
// left alone when it does not, closed when a scan is clean, reopened when drift returns. Runs that
// overlap end with one open issue: after creating, each lists again, and the older issue wins.
import type { Changes, DriftState } from '../memory/changes.js';
import {
  MAX_PAGES,
  createOnce,
  isMe,
  readPages,
  statusOf,
  type Author,
  type GitHub,
  type Identity,
} from '../github/client.js';
import type { Logger } from '../base/log.js';
import { oneLine } from '../base/markdown.js';
import {
  issueMarker,
  issueTitle,
  legacyIssueMarker,
  readStateMarker,
  renderDuplicateBody,
  renderIssueBody,
  renderIssueComment,
  type Result,
} from './render.js';
import {
  pickOpen,
  planIssue,
  type Existing,
  type Found,
  type FoundIssue,
  type IssueAction,
  type IssueStep,
} from './issue-plan.js';
import type { Repo } from '../github/client.js';
import type { RunInfo } from '../github/context.js';

export interface IssueOutcome {
  /** The issue this run looked after, if any. */
  url?: string;
  /** The state the issue carried just before this run wrote to it; undefined when there was none. */
  previous?: DriftState;
  /**
   * What the run did, for the log. `duplicate`: an overlapping run opened the same issue first; the
   * one this run opened was closed in its favour, and that run speaks for the drift.
   */
  action: IssueAction | 'duplicate';
  /** With `duplicate`: the number of the issue this run opened and closed. */
  closedDuplicate?: number;
}

/** What the issue's calls need: the client, where, who the token is, and what the run found. */
export interface IssueJob {
  gh: GitHub;
  repo: Repo;
  labels: readonly string[];
  run: RunInfo;
  result: Result;
  current: DriftState;
  me: Identity;
  log: Logger;
}

interface ApiIssue {
  number: number;
  html_url: string;
  body?: string | null;
  state: string;
  state_reason?: string | null;
  pull_request?: unknown;
  user?: Author | null;
}

function toFound(issue: ApiIssue, legacy: boolean): FoundIssue {
  return {
    number: issue.number,
    url: issue.html_url,
    body: issue.body ?? '',
    state: issue.state === 'closed' ? 'closed' : 'open',
    ...(issue.state_reason ? { stateReason: issue.state_reason } : {}),
    legacy,
  };
}

export async function syncIssue(job: IssueJob): Promise<IssueOutcome> {
  const { result, current, log } = job;
  const { keep, duplicates } = pickOpen(await listIssues(job, 'open', result.status === 'drift'));
  for (const extra of duplicates) {
    await closeAsDuplicate(job, extra, keep!);
    log.info(`Issue: closed #${extra.number}, a duplicate of #${keep!.number}.`);
  }
  if (keep?.legacy) log.info(`Issue: taking over #${keep.number}, opened by an earlier version.`);
  const found: Found = {
    status: result.status,
    current,
    history: Boolean(result.sections?.history),
  };
  let existing: Existing = { ...(keep && { open: keep }), fresh: false };
  for (;;) {
    const step = planIssue(found, existing);
    if (step.kind === 'list-closed') {
      existing = { closed: (await listIssues(job, 'closed'))[0] ?? null, fresh: false };
    } else if (step.kind === 'reread') {
      existing = { ...existing, [step.slot]: await reread(job, step.issue), fresh: true };
    } else {
      return carryOut(job, step);
    }
  }
}

/** The plan's last step, done: what it wrote, and what the run did. */
async function carryOut(
  job: IssueJob,
  step: Exclude<IssueStep, { kind: 'list-closed' | 'reread' }>,
): Promise<IssueOutcome> {
  if (step.kind === 'create') return createIssue(job, step.changes);
  const outcome = (action: IssueAction): IssueOutcome => ({
    ...(step.issue && { url: step.issue.url }),
    ...(step.previous && { previous: step.previous }),
    action,
  });
  if (step.kind === 'leave') return outcome(step.action);
  const { issue, changes } = step;
  const body = renderIssueBody(job.run, job.result, changes, job.current);
  const title = issueTitle(job.run.name);
  switch (step.kind) {
    case 'refresh':
      await editIssue(job, issue, { body });
      return outcome('unchanged');
    case 'close':
      await comment(job, issue, changes, false);
      await editIssue(job, issue, { state: 'closed', state_reason: 'completed', body });
      return outcome('closed');
    case 'update':
      await editIssue(job, issue, { title, body });
      if (changes.changed) await comment(job, issue, changes, false);
      return outcome(changes.changed ? 'updated' : 'unchanged');
    case 'reopen':
      await editIssue(job, issue, { state: 'open', title, body });
      await comment(job, issue, changes, true);
      return outcome('reopened');
  }
}

type IssueEdit = { title?: string; body?: string } & (
  | { state?: undefined }
  | { state: 'open' }
  | { state: 'closed'; state_reason: 'completed' | 'not_planned' }
);

async function editIssue(job: IssueJob, issue: { number: number }, edit: IssueEdit): Promise<void> {
  await job.gh.rest.issues.update({ ...job.repo, issue_number: issue.number, ...edit });
}

async function comment(
  job: IssueJob,
  issue: FoundIssue,
  changes: Changes,
  reopened: boolean,
): Promise<void> {
  await job.gh.rest.issues.createComment({
    ...job.repo,
    issue_number: issue.number,
    body: renderIssueComment(job.run, job.result, changes, reopened),
  });
}

/** Issues of this key in one state, written by the token's identity; oldest first (open). */
async function listIssues(
  { gh, repo, labels, run, me }: IssueJob,
  state: 'open' | 'closed',
  legacy = false,
): Promise<FoundIssue[]> {
  const marker = issueMarker(run.key);
  const legacyMarker = legacyIssueMarker(run.name);
  const found: FoundIssue[] = [];
  const closed = state === 'closed';
  const params = {
    ...repo,
    state,
    labels: labels[0] ?? '',
    per_page: 100,
    sort: closed ? ('updated' as const) : ('created' as const),
    direction: closed ? ('desc' as const) : ('asc' as const),
  };
  const listing = gh.paginate.iterator(gh.rest.issues.listForRepo, params);
  const read = await readPages(
    listing,
    (issues) => {
      for (const issue of issues) {
        if (issue.pull_request || !isMe(me, issue.user)) continue;
        const body = issue.body ?? '';
        if (body.includes(marker)) found.push(toFound(issue, false));
        else if (legacy && body.includes(legacyMarker)) found.push(toFound(issue, true));
      }
      // Closed issues: the most recently updated one is the one to reopen.
      return closed && found.length > 0;
    },
    // Ten pages of closed issues are plenty: a new issue is opened when none is among them.
    closed ? 10 : MAX_PAGES,
  );
  // An open issue of ours may be on a page not read: a second one is not opened.
  if (read === 'cut' && !closed) {
    throw new Error(
      `GitHub still listed more open issues labelled ${oneLine(params.labels, 60)} after ${MAX_PAGES} pages: the issue is left alone, so as not to open a second one`,
    );
  }
  return found.sort((a, b) => Number(a.legacy) - Number(b.legacy) || a.number - b.number);
}

/** The issue as it is now: another run may have written to it since it was listed. */
async function reread(job: IssueJob, issue: FoundIssue): Promise<FoundIssue> {
  const { data } = await job.gh.rest.issues.get({ ...job.repo, issue_number: issue.number });
  const marker = issueMarker(job.run.key);
  return toFound(data, issue.legacy && !(data.body ?? '').includes(marker));
}

async function closeAsDuplicate(
  job: IssueJob,
  duplicate: { number: number },
  kept: { number: number; url: string },
): Promise<void> {
  await editIssue(job, duplicate, {
    state: 'closed',
    state_reason: 'not_planned',
    body: renderDuplicateBody(kept),
  });
}

/**
 * A new issue, its labels made first. Runs that overlap may each have opened one: the listing is
 * read again, and the oldest one wins.
 */
async function createIssue(job: IssueJob, changes: Changes): Promise<IssueOutcome> {
  const { gh, repo, labels, run, log } = job;
  await ensureLabels(gh, repo, labels, log);
  const body = renderIssueBody(run, job.result, changes, job.current);
  const created = await createOnce(
    'the issue',
    async () => {
      const { data, status } = await gh.rest.issues.create({
        ...repo,
        title: issueTitle(run.name),
        body,
        labels: [...labels],
        request: { retries: 0 },
      });
      if ((status as number) !== 201 || typeof data.number !== 'number') {
        throw new Error(`GitHub answered the create with ${status}, not 201 Created`);
      }
      return { number: data.number, url: data.html_url };
    },
    async () => (await listIssues(job, 'open'))[0],
    log,
  );
  const [kept] = await listIssues(job, 'open');
  if (!kept || kept.number >= created.number) return { url: created.url, action: 'created' };
  await closeAsDuplicate(job, created, kept);
  const previous = readStateMarker(kept.body);
  return {
    url: kept.url,
    ...(previous && { previous }),
    action: 'duplicate',
    closedDuplicate: created.number,
  };
}

/** Labels that do not exist yet are created, so the issue can be listed by them next time. */
async function ensureLabels(
  gh: GitHub,
  repo: Repo,
  labels: readonly string[],
  log: Logger,
): Promise<void> {
  for (const name of labels) {
    try {
      await gh.rest.issues.getLabel({ ...repo, name });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      try {
        await gh.rest.issues.createLabel({ ...repo, name, color: 'b60205' });
      } catch (created) {
        // Created meanwhile by a concurrent run (422), or not ours to create: the issue still
        // carries the label, which GitHub then creates itself.
        log.debug(`label ${name}: ${String(created)}`);
      }
    }
  }
}
