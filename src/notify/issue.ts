// The drift issue: one open issue per `name`, found by listing open issues by label and matching a
// hidden marker in the body (never the search API). Opened on drift, updated in place when the drift
// changes, left alone when it does not, closed when a scan is clean, reopened when drift returns.
import { compare, type DriftState } from './changes.js';
import { createOnce, statusOf, type GitHub, type Log } from './github.js';
import {
  issueMarker,
  issueTitle,
  readStateMarker,
  renderIssueBody,
  renderIssueComment,
  type Result,
  type RunInfo,
} from './render.js';

export interface Repo {
  owner: string;
  repo: string;
}

export interface IssueOutcome {
  /** The issue this run looked after, if any. */
  url?: string;
  /** The state the issue carried before this run; undefined when there was no issue to read. */
  previous?: DriftState;
  /** What the run did, for the log. */
  action: 'created' | 'updated' | 'unchanged' | 'reopened' | 'closed' | 'none';
}

interface FoundIssue {
  number: number;
  url: string;
  body: string;
  /** Why a closed issue was closed: `completed` (by port-drift, or fixed), `not_planned`. */
  stateReason?: string;
}

/** The issues of this name in one state, by the first label and the marker; oldest first. */
async function findIssues(
  gh: GitHub,
  repo: Repo,
  labels: readonly string[],
  marker: string,
  state: 'open' | 'closed',
): Promise<FoundIssue[]> {
  const found: FoundIssue[] = [];
  const params = {
    ...repo,
    state,
    labels: labels[0] ?? '',
    per_page: 100,
    sort: state === 'open' ? ('created' as const) : ('updated' as const),
    direction: state === 'open' ? ('asc' as const) : ('desc' as const),
  };
  let pages = 0;
  for await (const page of gh.paginate.iterator(gh.rest.issues.listForRepo, params)) {
    for (const issue of page.data) {
      if (issue.pull_request || !issue.body?.includes(marker)) continue;
      found.push({
        number: issue.number,
        url: issue.html_url,
        body: issue.body,
        ...(issue.state_reason ? { stateReason: issue.state_reason } : {}),
      });
    }
    // Closed issues: the most recently updated one is the one to reopen; ten pages are plenty.
    if (state === 'closed' && (found.length > 0 || ++pages >= 10)) break;
  }
  return found;
}

/** Labels that do not exist yet are created, so the issue can be listed by them next time. */
async function ensureLabels(
  gh: GitHub,
  repo: Repo,
  labels: readonly string[],
  log: Log,
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

export async function syncIssue(
  gh: GitHub,
  repo: Repo,
  labels: readonly string[],
  run: RunInfo,
  result: Result,
  current: DriftState,
  log: Log,
): Promise<IssueOutcome> {
  const marker = issueMarker(run.name);
  const open = await findIssues(gh, repo, labels, marker, 'open');
  const issue = open[0];
  if (open.length > 1) {
    log.warning(
      `${open.length} open issues carry the port-drift marker of this name; keeping #${issue?.number} up to date. Close the others.`,
    );
  }
  const previous = issue ? readStateMarker(issue.body) : undefined;

  if (result.status === 'undecided') {
    return { ...(issue && { url: issue.url }), ...(previous && { previous }), action: 'none' };
  }

  if (result.status === 'clean') {
    if (!issue) return { action: 'none' };
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
  if (issue) {
    const changes = compare(previous, current);
    if (!changes.changed)
      return { url: issue.url, ...(previous && { previous }), action: 'unchanged' };
    await gh.rest.issues.update({
      ...repo,
      issue_number: issue.number,
      title: issueTitle(run.name),
      body: renderIssueBody(run, result, changes, current),
    });
    await gh.rest.issues.createComment({
      ...repo,
      issue_number: issue.number,
      body: renderIssueComment(run, result, changes, false),
    });
    return { url: issue.url, ...(previous && { previous }), action: 'updated' };
  }

  // No open issue: the last one of this name (closed when a scan was clean, or by a person) is
  // reopened.
  const [closed] = await findIssues(gh, repo, labels, marker, 'closed');
  if (closed) {
    const before = readStateMarker(closed.body);
    const changes = compare(before, current);
    // Closed by a person as not planned, with this very drift: they have seen it. It is reopened
    // when the drift changes, not every hour.
    if (closed.stateReason === 'not_planned' && !changes.changed) {
      return { url: closed.url, ...(before && { previous: before }), action: 'unchanged' };
    }
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
      const { data } = await gh.rest.issues.create({
        ...repo,
        title: issueTitle(run.name),
        body,
        labels: [...labels],
        request: { retries: 0 },
      });
      return { number: data.number, url: data.html_url, body };
    },
    async () => (await findIssues(gh, repo, labels, marker, 'open'))[0],
    log,
  );
  return { url: created.url, action: 'created' };
}
