// Notifications as real repositories use them, end to end through the built action: several jobs
// of one workflow, runs that overlap (started at once against the loopback GitHub, Slack and cache
// stand-ins), comments planted by someone else, tokens of a person and of an app, answers that are
// redirects, and a cache service that takes requests and never answers.
import { pullRequestEvent } from '../helpers/events.js';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../helpers/action.js';
import { startCacheServer } from '../helpers/cache-server.js';
import { runCommand } from '../helpers/exec.js';
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.js';
import { writeNmapXml, type XmlHost } from '../helpers/nmap-xml.js';
import { startSlackServer, type SlackServer } from '../helpers/slack-server.js';

const HOST = '203.0.113.20';
const PORTS = [22, 443, 27017];
const CLEAN = { 22: 'ssh', 443: 'https' };
const MONGO = { ...CLEAN, 27017: 'mongodb' };

let work: string;
let runNo = 500;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'port-drift-outside-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

interface Where {
  gh: GitHubServer;
  slack?: SlackServer;
  job?: string;
  env?: Record<string, string | undefined>;
  inputs?: Record<string, string>;
}

/** One run of the workflow `watch.yml`, job `job`, with the workflow's name as `name`. */
function runJob(where: Where, open: XmlHost['open']): Promise<ActionRun> {
  const { gh, slack } = where;
  const xml = writeNmapXml(join(work, `scan-${++runNo}.xml`), PORTS, [{ address: HOST, open }]);
  return runAction(
    {
      xml,
      targets: HOST,
      expected: `${HOST}: 22, 443`,
      issue: 'true',
      'github-token': gh.tokens.write,
      ...(slack ? { 'slack-webhook-url': slack.url } : {}),
      ...where.inputs,
    },
    runCommand,
    {
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
      GITHUB_WORKFLOW: 'exposure watch',
      GITHUB_WORKFLOW_REF: `${gh.owner}/${gh.repo}/.github/workflows/watch.yml@refs/heads/main`,
      GITHUB_JOB: where.job ?? 'scan',
      GITHUB_RUN_ID: String(runNo),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_EVENT_PATH: undefined,
      ACTIONS_RESULTS_URL: undefined,
      ACTIONS_CACHE_URL: undefined,
      ACTIONS_RUNTIME_TOKEN: undefined,
      ACTIONS_CACHE_SERVICE_V2: undefined,
      ...where.env,
    },
  );
}

const warnings = (run: ActionRun): string[] =>
  run.stdout.split('\n').filter((l) => l.startsWith('::warning::'));
const headers = (slack: SlackServer): (string | undefined)[] =>
  slack.messages.map((m) => (m.blocks[0] as { text?: { text: string } }).text?.text);
const realIssues = (gh: GitHubServer) => gh.issues.filter((i) => !i.pull_request);
const open = (gh: GitHubServer) => realIssues(gh).filter((i) => i.state === 'open');

describe('two jobs of one workflow with the default name', () => {
  it('keep one issue each: the clean job neither closes the other’s issue nor tells Slack it is resolved', async () => {
    const gh = await startGitHubServer();
    const slack = await startSlackServer();
    try {
      for (let round = 0; round < 2; round++) {
        const prod = await runJob({ gh, slack, job: 'production' }, MONGO);
        const staging = await runJob({ gh, slack, job: 'staging' }, CLEAN);
        assert.equal(prod.code, 1, prod.stdout);
        assert.equal(staging.code, 0, staging.stdout);
        assert.deepEqual(warnings(staging), [], staging.stdout);
      }
      assert.equal(realIssues(gh).length, 1);
      assert.equal(open(gh).length, 1, 'the drift issue stays open');
      assert.match(
        open(gh)[0]!.body,
        /workflow `\.github\/workflows\/watch\.yml`, job `production`/,
      );
      assert.deepEqual(headers(slack), ['🚨 New port drift: exposure watch']);
    } finally {
      await gh.close();
      await slack.close();
    }
  });
});

describe('runs that overlap', () => {
  it('end with one open issue and one Slack message: the newer issues close themselves with a link to the oldest', async () => {
    const gh = await startGitHubServer();
    const slack = await startSlackServer();
    try {
      const runs = await Promise.all([1, 2, 3, 4].map(() => runJob({ gh, slack }, MONGO)));
      const kept = open(gh);
      assert.equal(kept.length, 1, runs.map((r) => r.stdout).join('\n'));
      const winner = kept[0]!;
      for (const closed of realIssues(gh).filter((i) => i !== winner)) {
        assert.equal(closed.state, 'closed');
        assert.ok(closed.number > winner.number, 'the oldest is kept');
        assert.match(closed.body, new RegExp(`\\[#${winner.number}\\]\\(${winner.html_url}\\)`));
        assert.doesNotMatch(
          closed.body,
          /port-drift:issue/,
          'a closed duplicate is never found again',
        );
      }
      assert.deepEqual(headers(slack), ['🚨 New port drift: exposure watch']);
      for (const run of runs) {
        assert.equal(run.code, 1);
        assert.equal(run.outputs['issue-url'], winner.html_url, run.stdout);
        assert.deepEqual(warnings(run), [], run.stdout);
      }
      // The next run, alone, finds the one issue and finds nothing new to say.
      const next = await runJob({ gh, slack }, MONGO);
      assert.match(next.stdout, /Issue: unchanged/);
      assert.equal(slack.messages.length, 1);
    } finally {
      await gh.close();
      await slack.close();
    }
  });

  it('without an issue, tell Slack once: the run that saves the change in the Actions cache reports it', async () => {
    const gh = await startGitHubServer();
    const slack = await startSlackServer();
    const cache = await startCacheServer();
    const runnerTemp = join(work, 'runner-temp-overlap');
    mkdirSync(runnerTemp, { recursive: true });
    try {
      const where = {
        gh,
        slack,
        inputs: { issue: 'false' },
        env: { ...cache.env, RUNNER_TEMP: runnerTemp },
      };
      const runs = await Promise.all([1, 2, 3].map(() => runJob(where, MONGO)));
      assert.deepEqual(
        headers(slack),
        ['🚨 New port drift: exposure watch'],
        runs.map((r) => r.stdout).join('\n'),
      );
      assert.equal(runs.filter((r) => /Slack: new drift sent/.test(r.stdout)).length, 1);
      const states = cache.entries.filter((e) => e.key.startsWith('port-drift-state-'));
      assert.equal(states.filter((e) => e.finalized).length, 1);
    } finally {
      await gh.close();
      await slack.close();
      await cache.close();
    }
  });
});

describe('only its own comments and issues', () => {
  it('ignores a sticky-comment marker planted by someone else, and writes the result in a comment of its own', async () => {
    const gh = await startGitHubServer();
    try {
      const event = (pull: number): string => {
        const file = join(work, `event-${pull}.json`);
        writeFileSync(file, JSON.stringify(pullRequestEvent({ number: pull, head: 'abcdef1' })));
        return file;
      };
      const onPr = (pull: number): Promise<ActionRun> =>
        runJob(
          {
            gh,
            inputs: { issue: 'false' },
            env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event(pull) },
          },
          MONGO,
        );
      // Our comment on one pull request shows the marker; someone copies it onto another.
      const first = gh.addPullRequest('first');
      await onPr(first);
      const marker = /<!-- port-drift:pr-comment:v2:[0-9a-f]{16} -->/.exec(
        gh.issues.find((i) => i.number === first)!.comments[0]!.body,
      )![0];
      const second = gh.addPullRequest('second');
      const pr = gh.issues.find((i) => i.number === second)!;
      const planted = `${marker}\n\n## ✅ No drift: all good, merge away`;
      pr.comments.push({
        id: 1,
        body: planted,
        edits: [planted],
        html_url: `${pr.html_url}#issuecomment-1`,
        user: gh.authorOf(gh.tokens.mallory),
      });
      const run = await onPr(second);
      assert.deepEqual(warnings(run), [], run.stdout);
      assert.equal(pr.comments.length, 2);
      assert.equal(pr.comments[0]!.body, planted, 'the planted comment is left alone');
      assert.equal(pr.comments[1]!.user.login, 'github-actions[bot]');
      assert.match(pr.comments[1]!.body, /## ❌ Drift/);
      assert.match(run.stdout, /Pull-request comment: created .*#issuecomment-/);
      assert.match(
        run.stdout,
        /ignored 1 comment\(s\) carrying this job's marker that the token did not write/,
      );
      // The next push updates our comment, not theirs.
      const again = await onPr(second);
      assert.match(again.stdout, /Pull-request comment: updated/);
      assert.equal(pr.comments.length, 2);
      assert.equal(pr.comments[0]!.body, planted);
    } finally {
      await gh.close();
    }
  });

  it('knows itself by GET /user with a personal token, and by GraphQL viewer with an app token (403 on /user)', async () => {
    const gh = await startGitHubServer();
    try {
      const asPat = { gh, inputs: { 'github-token': gh.tokens.pat } };
      await runJob(asPat, MONGO);
      const mine = realIssues(gh)[0]!;
      assert.equal(mine.user.login, 'octocat');
      const again = await runJob(asPat, { 22: 'ssh', 27017: 'mongodb' });
      assert.match(again.stdout, /Issue: updated/, again.stdout);
      assert.equal(realIssues(gh).length, 1);

      // An app's token does not take over octocat's issue: it opens its own.
      const asApp = { gh, inputs: { 'github-token': gh.tokens.app } };
      const app = await runJob(asApp, MONGO);
      assert.deepEqual(warnings(app), [], app.stdout);
      assert.equal(realIssues(gh).length, 2);
      assert.equal(realIssues(gh)[1]!.user.login, 'drift-watch[bot]');
      assert.ok(gh.requests.some((r) => r.path === '/user'));
      assert.ok(gh.requests.some((r) => r.path === '/graphql'));
    } finally {
      await gh.close();
    }
  });
});

describe('each log line says what was seen', () => {
  let gh: GitHubServer;
  before(async () => {
    gh = await startGitHubServer();
  });
  after(() => gh.close());

  it('a create answered by a redirect is a warning naming the redirect, never "created"', async () => {
    gh.fail({
      route: 'create-issue',
      status: 302,
      location: `${gh.url}/repos/octo/fleet/issues`,
      contractExempt:
        'a proxy between the runner and GitHub redirects; GitHub itself never does here',
    });
    const run = await runJob({ gh, inputs: { name: 'redirected' } }, MONGO);
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stdout, /Issue: created/);
    assert.equal(realIssues(gh).length, 0);
    const w = warnings(run);
    assert.equal(w.length, 1, run.stdout);
    assert.match(
      w[0]!,
      /issue was not updated: GitHub answered 302 with a redirect to .*does not follow/,
    );
  });

  it('a 404 on an update says not found, naming the request, and blames no permission', async () => {
    await runJob({ gh, inputs: { name: 'gone meanwhile' } }, MONGO);
    gh.fail({ route: 'update-issue', status: 404, message: 'Not Found' });
    const run = await runJob({ gh, inputs: { name: 'gone meanwhile' } }, CLEAN);
    const w = warnings(run);
    assert.equal(w.length, 1, run.stdout);
    assert.match(
      w[0]!,
      /not found \(404 Not Found on PATCH \/repos\/octo\/fleet\/issues\/\d+\)\.$/,
    );
    assert.doesNotMatch(w[0]!, /permission/);
  });
});

describe('an Actions cache service that takes requests and never answers', () => {
  it('is given up after the deadline, Slack still hears of the drift, and the run ends', async () => {
    const gh = await startGitHubServer();
    const slack = await startSlackServer();
    const cache = await startCacheServer();
    cache.hang = true;
    try {
      const run = await runJob(
        {
          gh,
          slack,
          inputs: { issue: 'false' },
          env: { ...cache.env, PORT_DRIFT_HTTP_TIMEOUT: '1s' },
        },
        MONGO,
      );
      assert.equal(run.code, 1, run.stdout);
      // The history asks first and waits out the deadline once; the artifact (the same results
      // service) and the state then do not ask again.
      assert.match(
        run.stdout,
        /Could not read the history: the Actions cache service gave no answer within 1 s\. It starts afresh\./,
      );
      assert.match(
        run.stdout,
        /Could not read the last state: the Actions cache service did not answer earlier in this run\. The drift is new\./,
      );
      assert.deepEqual(headers(slack), ['🚨 New port drift: exposure watch']);
      const [artifact, state, ...more] = warnings(run);
      assert.match(
        artifact ?? '',
        /^::warning::The reports were not uploaded as artifact port-drift-exposure watch: the Actions results service gave no answer earlier in this run\. They stay on the runner in \/\S+\/report; the verdict stands\.$/,
      );
      assert.equal(
        state,
        '::warning::The state for the next run was not kept: the Actions cache service did not answer earlier in this run. The next run may repeat this message.',
      );
      assert.deepEqual(more, []);
      assert.equal(cache.artifacts.requests.length, 0, 'the artifact service was not asked');
      assert.ok(cache.requests.length >= 1);
    } finally {
      await gh.close();
      await slack.close();
      await cache.close();
    }
  });
});

describe('upgrading from a version that keyed the issue on the name alone', () => {
  it('a run with drift takes over the old issue and re-marks it; a clean run leaves it alone', async () => {
    const gh = await startGitHubServer();
    try {
      const old = `<!-- port-drift:issue:${createHash('sha256').update('exposure watch').digest('hex').slice(0, 16)} -->`;
      gh.issues.push({
        number: 1,
        title: 'Port drift: exposure watch',
        body: `${old}\n\n## ❌ Drift: \`exposure watch\``,
        state: 'open',
        state_reason: null,
        labels: ['port-drift'],
        comments: [],
        html_url: `https://github.com/${gh.owner}/${gh.repo}/issues/1`,
        user: gh.authorOf(gh.tokens.write),
        created: 1,
        updated: 1,
      });
      gh.labels.add('port-drift');
      const clean = await runJob({ gh, job: 'staging' }, CLEAN);
      assert.match(clean.stdout, /Issue: none\./, clean.stdout);
      assert.equal(gh.issues[0]!.state, 'open');
      assert.ok(gh.issues[0]!.body.startsWith(old), 'left alone');

      const drift = await runJob({ gh, job: 'production' }, MONGO);
      assert.match(drift.stdout, /Issue: taking over #1, opened by an earlier version\./);
      assert.equal(drift.outputs['issue-url'], gh.issues[0]!.html_url);
      assert.equal(realIssues(gh).length, 1);
      assert.match(gh.issues[0]!.body, /^<!-- port-drift:issue:v2:[0-9a-f]{16} -->/);
      // From now on it is this job's issue, found by its new marker.
      const again = await runJob({ gh, job: 'production' }, MONGO);
      assert.match(again.stdout, /Issue: unchanged/);
      assert.doesNotMatch(again.stdout, /taking over/);
    } finally {
      await gh.close();
    }
  });
});
