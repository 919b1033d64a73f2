// What GitHub answers, end to end through the built action with the loopback GitHub: authors as
// each API names them (the token's own issue and comment are recognised by id, or by a bot's name
// forms), listings that link a next page for ever (read to GitHub's 30 pages, then a warning), and
// a base version of the policy file that cannot be read. Scans are nmap XML files: no nmap, no root.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ActionRun } from '../helpers/action.js';
import {
  GITHUB_ACTIONS_BOT_ID,
  startGitHubServer,
  type GitHubServer,
} from '../helpers/github-server.js';
import { CLEAN, MONGO, RELAXED_POLICY, workflow, type Workflow } from '../helpers/workflow.js';

let work: string;
let wf: Workflow;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'port-drift-answers-'));
  wf = workflow(work, 1900);
});
after(() => rmSync(work, { recursive: true, force: true }));

const warnings = (run: ActionRun): string[] =>
  run.stdout.split('\n').filter((l) => l.startsWith('::warning::'));
const realIssues = (gh: GitHubServer) => gh.issues.filter((i) => !i.pull_request);

describe('who the token is', () => {
  it('GitHub writes the job token’s issue as github-actions[bot], a Bot with id 41898282', async () => {
    const gh = await startGitHubServer();
    try {
      await wf.run({ gh, open: MONGO, event: wf.schedule() });
      const author = realIssues(gh)[0]!.user;
      assert.deepEqual(author, {
        login: 'github-actions[bot]',
        type: 'Bot',
        id: GITHUB_ACTIONS_BOT_ID,
      });
    } finally {
      await gh.close();
    }
  });

  for (const [how, viewer] of [
    ['by its id, when GraphQL names the bot without [bot]', { botSuffix: false, databaseId: true }],
    ['by its name forms, when GraphQL gives no id', { botSuffix: false, databaseId: false }],
    ['when GraphQL names the bot as REST does', { botSuffix: true, databaseId: true }],
  ] as const) {
    it(`recognises its own issue and comment ${how}`, async () => {
      const gh = await startGitHubServer();
      Object.assign(gh.viewer, viewer);
      try {
        await wf.run({ gh, open: MONGO, event: wf.schedule() });
        const again = await wf.run({ gh, open: MONGO, event: wf.schedule() });
        assert.match(again.stdout, /Issue: unchanged/, again.stdout);
        assert.equal(realIssues(gh).length, 1);
        const pull = gh.addPullRequest('Change');
        await wf.run({ gh, open: MONGO, event: wf.pullRequest(pull) });
        const second = await wf.run({ gh, open: CLEAN, event: wf.pullRequest(pull) });
        assert.match(second.stdout, /Pull-request comment: updated/, second.stdout);
        assert.equal(gh.issues.find((i) => i.number === pull)!.comments.length, 1);
      } finally {
        await gh.close();
      }
    });
  }
});

describe('listings that never end', () => {
  const count = (gh: GitHubServer, route: string): number =>
    gh.requests.filter((r) => r.route === route).length;

  it('a pull request’s changed files: 30 pages, then a warning, and the scan goes on', async () => {
    const gh = await startGitHubServer();
    try {
      const pull = gh.addPullRequest('Endless', [{ filename: 'ports.yml', status: 'modified' }]);
      gh.endless.add('list-pull-files');
      const run = await wf.run({
        gh,
        open: CLEAN,
        policyText: RELAXED_POLICY,
        event: wf.pullRequest(pull),
      });
      assert.equal(run.code, 0, run.stdout);
      assert.equal(count(gh, 'list-pull-files'), 30);
      const w = warnings(run);
      assert.equal(w.length, 1, run.stdout);
      assert.match(
        w[0]!,
        /exposes was not worked out: GitHub still listed more changed files after 30 pages .*whether the pull request changes ports\.yml is not known/,
      );
    } finally {
      await gh.close();
    }
  });

  it('open issues by label: 30 pages, then the issue is left alone with a warning', async () => {
    const gh = await startGitHubServer();
    try {
      gh.endless.add('list-issues');
      const run = await wf.run({ gh, open: MONGO, event: wf.schedule() });
      assert.equal(run.code, 1);
      assert.equal(count(gh, 'list-issues'), 30);
      assert.equal(count(gh, 'create-issue'), 0);
      assert.match(
        warnings(run).join('\n'),
        /drift issue was not updated: GitHub still listed more open issues labelled port-drift after 30 pages/,
      );
    } finally {
      await gh.close();
    }
  });

  it('a pull request’s comments: 30 pages, then no comment rather than a second one', async () => {
    const gh = await startGitHubServer();
    try {
      const pull = gh.addPullRequest('Chatty');
      gh.endless.add('list-comments');
      const run = await wf.run({ gh, open: CLEAN, event: wf.pullRequest(pull) });
      assert.equal(run.code, 0);
      assert.equal(count(gh, 'list-comments'), 30);
      assert.equal(count(gh, 'create-comment'), 0);
      assert.match(
        warnings(run).join('\n'),
        /pull-request comment was not written: GitHub still listed more comments on #\d+ after 30 pages/,
      );
    } finally {
      await gh.close();
    }
  });
});

describe('a base version of the policy that cannot be read', () => {
  it('is said so, without calling the file new', async () => {
    const gh = await startGitHubServer();
    try {
      // GitHub lists the file as modified, but has no version of it at the base commit.
      const pull = gh.addPullRequest('Edit', [{ filename: 'ports.yml', status: 'modified' }]);
      const run = await wf.run({
        gh,
        open: CLEAN,
        policyText: RELAXED_POLICY,
        event: wf.pullRequest(pull),
      });
      const body = gh.issues.find((i) => i.number === pull)!.comments[0]!.body;
      assert.match(
        body,
        /`ports\.yml` could not be read at the base commit: every rule is shown as new\./,
      );
      assert.doesNotMatch(body, /is new in this pull request/);
      assert.doesNotMatch(run.summary, /is new in this pull request/);
    } finally {
      await gh.close();
    }
  });

  it('a file added by the pull request is new, and only that', async () => {
    const gh = await startGitHubServer();
    try {
      const pull = gh.addPullRequest('Add', [{ filename: 'ports.yml', status: 'added' }]);
      await wf.run({ gh, open: CLEAN, policyText: RELAXED_POLICY, event: wf.pullRequest(pull) });
      const body = gh.issues.find((i) => i.number === pull)!.comments[0]!.body;
      assert.match(body, /`ports\.yml` is new in this pull request/);
      assert.doesNotMatch(body, /could not be read/);
    } finally {
      await gh.close();
    }
  });

  it('a refused read names the file as written in the warning, not percent-encoded', async () => {
    const gh = await startGitHubServer();
    try {
      const pull = gh.addPullRequest('Move', [
        { filename: 'ports.yml', status: 'renamed', previous_filename: 'security/old ports.yml' },
      ]);
      gh.fail({
        route: 'get-content',
        status: 403,
        message: 'Resource not accessible by integration',
      });
      const run = await wf.run({
        gh,
        open: CLEAN,
        policyText: RELAXED_POLICY,
        event: wf.pullRequest(pull),
      });
      const w = warnings(run).join('\n');
      assert.match(
        w,
        /on GET \/repos\/octo\/fleet\/contents\/security\/old ports\.yml\)/,
        run.stdout,
      );
      assert.doesNotMatch(run.stdout, /%252F|%2F|%2520|%20/);
    } finally {
      await gh.close();
    }
  });
});
