// Which runs speak for production, end to end through the built action with the loopback GitHub,
// Slack and Actions cache. A workflow runs on `schedule` and on `pull_request` with `issue: true`
// and Slack: a pull request that relaxes the policy of a drifting port passes its own check, and
// must not close the production issue or tell Slack "resolved" (a false all-clear the next
// scheduled run would turn into "new drift"). Scans are nmap XML files: no nmap, no root.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ActionRun } from '../helpers/action.js';
import { startCacheServer } from '../helpers/cache-server.js';
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.js';
import { startSlackServer, type SlackServer } from '../helpers/slack-server.js';
import {
  BASE,
  CLEAN,
  MAIN_POLICY,
  MONGO,
  RELAXED_POLICY,
  policy,
  workflow,
  type Workflow,
} from '../helpers/workflow.js';

let work: string;
let wf: Workflow;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'port-drift-production-'));
  wf = workflow(work);
});
after(() => rmSync(work, { recursive: true, force: true }));

const warnings = (run: ActionRun): string[] =>
  run.stdout.split('\n').filter((l) => l.startsWith('::warning::'));
const headers = (slack: SlackServer): (string | undefined)[] =>
  slack.messages.map((m) => m.blocks[0]?.text?.text);
const realIssues = (gh: GitHubServer) => gh.issues.filter((i) => !i.pull_request);
/** Requests in [from, to) that change anything but the pull request's own comment. */
const writesBesides = (gh: GitHubServer, from: number, to: number, pull: number) =>
  gh.requests
    .slice(from, to)
    .filter((r) => r.method !== 'GET' && r.path !== '/graphql')
    .filter(
      (r) =>
        !r.path.startsWith(`/repos/octo/fleet/issues/${pull}/comments`) &&
        !r.path.startsWith('/repos/octo/fleet/issues/comments/'),
    );

describe('a pull request that relaxes the policy of a drifting port', () => {
  let gh: GitHubServer;
  let slack: SlackServer;
  let main1: ActionRun;
  let pr: ActionRun;
  let main2: ActionRun;
  let pull: number;
  let issueAfterMain = '';
  const marks: number[] = [];

  before(async () => {
    gh = await startGitHubServer();
    slack = await startSlackServer();
    gh.commits.set(BASE, new Map([['ports.yml', MAIN_POLICY]]));
    main1 = await wf.run({ gh, slack, open: MONGO, event: wf.schedule() });
    issueAfterMain = realIssues(gh)[0]?.body ?? '';
    pull = gh.addPullRequest('Allow MongoDB', [{ filename: 'ports.yml', status: 'modified' }]);
    marks.push(gh.requests.length);
    pr = await wf.run({
      gh,
      slack,
      open: MONGO,
      policyText: RELAXED_POLICY,
      event: wf.pullRequest(pull),
    });
    marks.push(gh.requests.length);
    main2 = await wf.run({ gh, slack, open: MONGO, event: wf.schedule() });
  });
  after(async () => {
    await gh.close();
    await slack.close();
  });

  it('the scheduled run on main opens the issue and tells Slack', () => {
    assert.equal(main1.code, 1, main1.stdout);
    assert.equal(realIssues(gh).length, 1);
    assert.deepEqual(headers(slack)[0], '🚨 New port drift: edge');
  });

  it('the pull request’s run passes its own check and writes its comment', () => {
    assert.equal(pr.code, 0, pr.stdout);
    assert.deepEqual(warnings(pr), [], pr.stdout);
    const comments = gh.issues.find((i) => i.number === pull)!.comments;
    assert.equal(comments.length, 1);
    assert.match(comments[0]!.body, /## ✅ No drift: `edge`/);
    assert.match(pr.summary, /No drift/);
  });

  it('does not close, edit or comment on the production issue, nor tell Slack it is resolved', () => {
    const issue = realIssues(gh)[0]!;
    assert.equal(issue.state, 'open');
    assert.equal(issue.body, issueAfterMain);
    assert.equal(issue.comments.length, 0);
    assert.deepEqual(writesBesides(gh, marks[0]!, marks[1]!, pull), []);
    assert.ok(
      !gh.requests.slice(marks[0], marks[1]).some((r) => r.route === 'list-issues'),
      'it does not even look for the issue',
    );
    assert.equal(pr.outputs['issue-url'] ?? '', '');
    assert.doesNotMatch(headers(slack).join('\n'), /resolved/);
  });

  it('says in its log and its summary that it does not speak for production, and why', () => {
    assert.match(
      pr.stdout,
      new RegExp(
        `Not production: this is a pull_request run on refs/pull/${pull}/merge: only scheduled, dispatched and pushed runs on the default branch main speak for production\\.`,
      ),
    );
    assert.match(pr.stdout, /Issue: left alone, this run does not speak for production/);
    assert.match(pr.stdout, /Slack: not sent, this run does not speak for production/);
    assert.match(
      pr.summary,
      new RegExp(
        `^> \\*\\*This run does not speak for production\\.\\*\\* It is a \`pull_request\` run on \`refs/pull/${pull}/merge\``,
        'm',
      ),
    );
    assert.doesNotMatch(main1.summary, /does not speak for production/);
  });

  it('the next scheduled run sees the same drift: no new issue, no “new drift” on Slack', () => {
    assert.equal(main2.code, 1);
    assert.equal(realIssues(gh).length, 1);
    assert.equal(realIssues(gh)[0]!.comments.length, 0, 'no "drift is back" comment');
    assert.deepEqual(headers(slack), ['🚨 New port drift: edge']);
    assert.match(main2.stdout, /Slack: not sent, the same drift as the last run/);
    assert.match(main2.stdout, /Issue: unchanged/);
  });
});

describe('a pull request that renames the policy', () => {
  it('opens no issue under its new name and posts nothing to Slack', async () => {
    const gh = await startGitHubServer();
    const slack = await startSlackServer();
    try {
      await wf.run({ gh, slack, open: MONGO, event: wf.schedule() });
      const pull = gh.addPullRequest('Rename', [{ filename: 'README.md', status: 'modified' }]);
      const pr = await wf.run({
        gh,
        slack,
        open: MONGO,
        policyText: policy('22, 443', 'a name the pull request chose'),
        event: wf.pullRequest(pull),
      });
      assert.equal(pr.code, 1, 'its own check still fails on the drift');
      assert.equal(realIssues(gh).length, 1);
      assert.doesNotMatch(realIssues(gh)[0]!.title, /a name the pull request chose/);
      assert.equal(slack.messages.length, 1);
      assert.match(gh.issues.find((i) => i.number === pull)!.comments[0]!.body, /## ❌ Drift/);
    } finally {
      await gh.close();
      await slack.close();
    }
  });
});

describe('slack-on-non-production: true', () => {
  it('posts a pull request’s drift marked as not production, and nothing when it is clean', async () => {
    const gh = await startGitHubServer();
    const slack = await startSlackServer();
    try {
      const pull = gh.addPullRequest('Try things');
      const inputs = { 'slack-on-non-production': 'true' };
      const drift = await wf.run({ gh, slack, open: MONGO, event: wf.pullRequest(pull), inputs });
      const clean = await wf.run({ gh, slack, open: CLEAN, event: wf.pullRequest(pull), inputs });
      assert.deepEqual(warnings(drift), [], drift.stdout);
      assert.deepEqual(headers(slack), [
        `🔎 Port drift in pull request #${pull} (not production): edge`,
      ]);
      assert.match(clean.stdout, /Slack: nothing to report \(a run that does not speak/);
      assert.equal(realIssues(gh).length, 0, 'still no issue');
    } finally {
      await gh.close();
      await slack.close();
    }
  });
});

describe('pushes', () => {
  it('on another branch: no issue, no Slack, no history kept; on the default branch: all three', async () => {
    const gh = await startGitHubServer();
    const slack = await startSlackServer();
    const cache = await startCacheServer();
    try {
      const history = () => cache.entries.filter((e) => e.key.startsWith('port-drift-history-'));
      const branch = await wf.run({ gh, slack, cache, open: MONGO, event: wf.push('feature') });
      assert.equal(branch.code, 1);
      assert.match(
        branch.stdout,
        /this is a push run on refs\/heads\/feature, not on the default branch main\./,
      );
      assert.equal(realIssues(gh).length, 0);
      assert.equal(slack.messages.length, 0);
      assert.equal(history().length, 0, JSON.stringify(cache.entries.map((e) => e.key)));
      assert.ok(
        !cache.entries.some((e) => e.key.startsWith('port-drift-state-')),
        'no Slack state saved',
      );

      const main = await wf.run({ gh, slack, cache, open: MONGO, event: wf.push('main') });
      assert.doesNotMatch(main.stdout, /Not production/);
      assert.equal(realIssues(gh).length, 1);
      assert.deepEqual(headers(slack), ['🚨 New port drift: edge']);
      assert.equal(history().length, 1);
    } finally {
      await gh.close();
      await slack.close();
      await cache.close();
    }
  });
});
