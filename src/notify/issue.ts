// The drift issue: one open issue per key (repository, workflow file, job, name), found by listing
// open issues by label and matching a hidden marker in the body (never the search API), and only
// among issues the token itself wrote. Opened on drift, updated in place when the drift changes,
// left alone when it does not, closed when a scan is clean, reopened when drift returns. Runs that
// overlap end with one open issue: after creating, each lists again, and the older issue wins.
import { compare, type DriftState } from '../memory/changes.js';
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
  action: 'created' | 'updated' | 'unchanged' | 'reopened' | 'closed' | 'none' | 'duplicate';
  /** With `duplicate`: the number of the issue this run opened and closed. */
  closedDuplicate?: number;
}

interface FoundIssue {
  number: number;
  url: string;
  body: string;
  state: 'open' | 'closed';
  /** Why a closed issue was closed: `completed` (by port-drift, or fixed), `not_planned`. */
  stateReason?: string;
  /** Carries the marker of an earlier port-drift version (keyed on the name alone). */
  legacy: boolean;
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

export async function syncIssue(
  gh: GitHub,
  repo: Repo,
  labels: readonly string[],
  run: RunInfo,
  result: Result,
  current: DriftState,
  me: Identity,
  log: Logger,
): Promise<IssueOutcome> {
  const marker = issueMarker(run.key);
  const legacyMarker = legacyIssueMarker(run.name);

  /** Issues of this key in one state, written by the token's identity; oldest first (open). */
  const find = async (state: 'open' | 'closed', legacy = false): Promise<FoundIssue[]> => {
    const found: FoundIssue[] = [];
    const params = {
      ...repo,
      state,
      labels: labels[0] ?? '',
      per_page: 100,
      sort: state === 'open' ? ('created' as const) : ('updated' as const),
      direction: state === 'open' ? ('asc' as const) : ('desc' as const),
    };
    const closed = state === 'closed';
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
  };

  /** The issue as it is now: another run may have written to it since it was listed. */
  const reread = async (issue: FoundIssue): Promise<FoundIssue> => {
    const { data } = await gh.rest.issues.get({ ...repo, issue_number: issue.number });
    return toFound(data, issue.legacy && !(data.body ?? '').includes(marker));
  };

  const closeAsDuplicate = async (
    duplicate: { number: number },
    kept: FoundIssue,
  ): Promise<void> => {
    await gh.rest.issues.update({
      ...repo,
      issue_number: duplicate.number,
      state: 'closed',
      state_reason: 'not_planned',
      body: renderDuplicateBody(kept),
    });
  };

  const open = await find('open', result.status === 'drift');
  const keyed = open.filter((i) => !i.legacy);
  // Overlapping runs whose listing did not yet show each other's issue may have left two: the
  // oldest is kept, the others are closed pointing to it.
  for (const extra of keyed.slice(1)) {
    await closeAsDuplicate(extra, keyed[0]!);
    log.info(`Issue: closed #${extra.number}, a duplicate of #${keyed[0]!.number}.`);
  }
  // An issue of an earlier version is taken over only by a run that sees drift: its marker named the
  // name alone, so it may have been another job's, and a clean run must not close it.
  let issue = keyed[0] ?? open.find((i) => i.legacy);
  if (issue?.legacy) log.info(`Issue: taking over #${issue.number}, opened by an earlier version.`);

  if (result.status === 'undecided') {
    const previous = issue ? readStateMarker(issue.body) : undefined;
    return { ...(issue && { url: issue.url }), ...(previous && { previous }), action: 'none' };
  }

  if (result.status === 'clean') {
    if (!issue) return { action: 'none' };
    issue = await reread(issue);
    const previous = readStateMarker(issue.body);
    if (issue.state === 'closed') {
      // Closed meanwhile, by an overlapping run or a person: nothing left to say.
      return { url: issue.url, ...(previous && { previous }), action: 'unchanged' };
    }
    const changes = compare(previous, current);
    await gh.rest.issues.createComment({
      ...repo,
      issue_number: issue.number,
      body: renderIssueComment(run, result, changes, false),
    });
    await gh.rest.issues.update({
      ...repo,
      issue_number: issue.number,
      state: 'closed',
      state_reason: 'completed',
      body: renderIssueBody(run, result, changes, current),
    });
    return { url: issue.url, ...(previous && { previous }), action: 'closed' };
  }

  // Drift.
  if (issue) return updateDrift(issue);

  // No open issue: the last one of this key (closed when a scan was clean, or by a person) is
  // reopened.
  const [closed] = await find('closed');
  if (closed) {
    const before = readStateMarker(closed.body);
    const changes = compare(before, current);
    // Closed by a person as not planned, with this very drift: they have seen it. It is reopened
    // when the drift changes, not every hour.
    if (closed.stateReason === 'not_planned' && !changes.changed) {
      return { url: closed.url, ...(before && { previous: before }), action: 'unchanged' };
    }
    const now = await reread(closed);
    // Reopened meanwhile by an overlapping run: from here on, it is an open issue to keep.
    if (now.state === 'open') return updateDrift(now);
    await gh.rest.issues.update({
      ...repo,
      issue_number: closed.number,
      state: 'open',
      title: issueTitle(run.name),
      body: renderIssueBody(run, result, changes, current),
    });
    await gh.rest.issues.createComment({
      ...repo,
      issue_number: closed.number,
      body: renderIssueComment(run, result, changes, true),
    });
    return { url: closed.url, ...(before && { previous: before }), action: 'reopened' };
  }

  await ensureLabels(gh, repo, labels, log);
  const body = renderIssueBody(run, result, compare(undefined, current), current);
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
    async () => (await find('open'))[0],
    log,
  );
  // Runs that overlap may each have opened one: list again, and the oldest one wins.
  const [kept] = await find('open');
  if (kept && kept.number < created.number) {
    await closeAsDuplicate(created, kept);
    const previous = readStateMarker(kept.body);
    return {
      url: kept.url,
      ...(previous && { previous }),
      action: 'duplicate',
      closedDuplicate: created.number,
    };
  }
  return { url: created.url, action: 'created' };

  async function updateDrift(found: FoundIssue): Promise<IssueOutcome> {
    let issue = found;
    let previous = readStateMarker(issue.body);
    if (!compare(previous, current).changed && !issue.legacy) {
      await refreshChart(issue, previous);
      return { url: issue.url, ...(previous && { previous }), action: 'unchanged' };
    }
    // An overlapping run may have written this very drift meanwhile: then there is nothing to add.
    issue = await reread(issue);
    previous = readStateMarker(issue.body);
    const changes = compare(previous, current);
    if (!changes.changed && !issue.legacy) {
      await refreshChart(issue, previous);
      return { url: issue.url, ...(previous && { previous }), action: 'unchanged' };
    }
    await gh.rest.issues.update({
      ...repo,
      issue_number: issue.number,
      title: issueTitle(run.name),
      body: renderIssueBody(run, result, changes, current),
    });
    if (changes.changed) {
      await gh.rest.issues.createComment({
        ...repo,
        issue_number: issue.number,
        body: renderIssueComment(run, result, changes, false),
      });
    }
    return {
      url: issue.url,
      ...(previous && { previous }),
      action: changes.changed ? 'updated' : 'unchanged',
    };
  }

  /**
   * The same drift again: no comment, nobody is notified; with a history, the body is rewritten so
   * that its chart shows this run too (an edit notifies no one).
   */
  async function refreshChart(issue: FoundIssue, previous: DriftState | undefined): Promise<void> {
    if (!result.sections?.history) return;
    await gh.rest.issues.update({
      ...repo,
      issue_number: issue.number,
      body: renderIssueBody(run, result, compare(previous, current), current),
    });
  }
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
