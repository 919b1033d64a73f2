// Notifications end to end: the built action, run as the runner runs it, against loopback servers
// that answer like GitHub's REST API and a Slack webhook. The scans come from small nmap XML files
// (the `xml` input), so these tests need neither nmap nor root.
import { pullRequestEvent } from '../helpers/events.js';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../helpers/action.js';
import { startCacheServer } from '../helpers/cache-server.js';
import { runCommand } from '../helpers/exec.js';
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.js';
import { writeNmapXml, type XmlHost } from '../helpers/nmap-xml.js';
import { startSlackServer, WEBHOOK_PATH, type SlackServer } from '../helpers/slack-server.js';

const HOST = '203.0.113.20';
const PORTS = [22, 443, 6379, 27017];

let work: string;
let runNo = 100;

/** One scheduled run: the scan says `open` for HOST; the policy allows SSH and HTTPS. */
function scheduled(
  gh: GitHubServer,
  slack: SlackServer | undefined,
  open: XmlHost['open'],
  inputs: Record<string, string> = {},
  env: Record<string, string | undefined> = {},
): Promise<ActionRun> {
  const xml = writeNmapXml(join(work, `scan-${++runNo}.xml`), PORTS, [{ address: HOST, open }]);
  return runAction(
    {
      name: 'fleet watch',
      xml,
      targets: HOST,
      expected: `${HOST}: 22, 443`,
      issue: 'true',
      'github-token': gh.tokens.write,
      ...(slack ? { 'slack-webhook-url': slack.url } : {}),
      ...inputs,
    },
    runCommand,
    {
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
      GITHUB_RUN_ID: String(runNo),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_EVENT_PATH: undefined,
      // No Actions cache here unless a test brings one.
      ACTIONS_RESULTS_URL: undefined,
      ACTIONS_CACHE_URL: undefined,
      ACTIONS_RUNTIME_TOKEN: undefined,
      ACTIONS_CACHE_SERVICE_V2: undefined,
      ...env,
    },
  );
}

const CLEAN = { 22: 'ssh', 443: 'https' };
const MONGO = { ...CLEAN, 27017: { name: 'mongodb', product: 'MongoDB', version: '7.0.4' } };
const MONGO_REDIS = { ...MONGO, 6379: 'redis' };

/** The log as a reader sees it: the runner consumes ::add-mask:: itself and shows no such line. */
const visibleLog = (run: ActionRun): string =>
  (run.stdout + run.stderr)
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

/** A request that changes something on GitHub (asking who the token is, by GraphQL, does not). */
const isWrite = (r: { method: string; path: string }): boolean =>
  r.method !== 'GET' && r.path !== '/graphql';

const warnings = (run: ActionRun): string[] =>
  run.stdout.split('\n').filter((l) => l.startsWith('::warning::'));

before(() => {
  work = mkdtempSync(join(tmpdir(), 'port-drift-notify-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('an hourly scan with an issue and Slack', () => {
  let gh: GitHubServer;
  let slack: SlackServer;
  const runs: ActionRun[] = [];
  const mark: number[] = [];
  /** The issue's body after each run. */
  const bodies: string[] = [];

  before(async () => {
    gh = await startGitHubServer();
    slack = await startSlackServer();
    // first drift, same drift, changed drift, clean, clean again, drift again
    for (const open of [MONGO, MONGO, MONGO_REDIS, CLEAN, CLEAN, MONGO]) {
      mark.push(gh.requests.length);
      runs.push(await scheduled(gh, slack, open));
      bodies.push(gh.issues[0]?.body ?? '');
    }
    mark.push(gh.requests.length);
  });
  after(async () => {
    await gh.close();
    await slack.close();
  });

  it('opens one issue on the first drift, with the labels, the verdict, the findings and a link to the run', () => {
    const first = runs[0]!;
    assert.equal(first.code, 1, first.stdout);
    assert.match(first.stdout, /^::error::Drift: 1 unexpected-open\.$/m);
    assert.equal(gh.issues.length, 1);
    const issue = gh.issues[0]!;
    const body = bodies[0]!;
    assert.deepEqual(issue.labels, ['port-drift']);
    assert.ok(gh.labels.has('port-drift'));
    assert.match(issue.title, /fleet watch/);
    assert.match(body, /\*\*Drift: 1 unexpected-open\.\*\*/);
    assert.match(
      body,
      /\| `203\.0\.113\.20` \| `203\.0\.113\.20` \| 27017\/tcp \| \*\*unexpected-open\*\*/,
    );
    assert.match(body, /First report of this drift\./);
    assert.match(body, /\[run 101\]\(https:\/\/github\.com\/octo\/fleet\/actions\/runs\/101\)/);
    assert.equal(first.outputs['issue-url'], 'https://github.com/octo/fleet/issues/1');
  });

  it('writes the verdict, the summary and report.json whatever the notifications do', () => {
    for (const run of runs) {
      assert.ok(run.report, 'report.json written');
      assert.match(run.summary, /^## /);
      assert.deepEqual(warnings(run), [], run.stdout);
    }
  });

  it('leaves the issue untouched and Slack silent when the drift is the same', () => {
    assert.equal(bodies[1], bodies[0]);
    assert.deepEqual(gh.requests.slice(mark[1], mark[2]).filter(isWrite), []);
    assert.equal(runs[1]!.outputs['issue-url'], 'https://github.com/octo/fleet/issues/1');
    assert.match(runs[1]!.stdout, /Slack: not sent, the same drift as the last run/);
  });

  it('updates the issue in place when the drift changes, with one short comment saying what changed', () => {
    assert.deepEqual(
      gh.requests
        .slice(mark[2], mark[3])
        .filter(isWrite)
        .map((r) => r.route),
      ['update-issue', 'create-comment'],
    );
    assert.match(bodies[2]!, /\*\*Drift: 2 unexpected-open\.\*\*/);
    assert.match(bodies[2]!, /- New: \*\*unexpected-open\*\* `203\.0\.113\.20` 6379\/tcp/);
    const issue = gh.issues[0]!;
    const comment = issue.comments[0]!.body;
    assert.match(comment, /The drift changed in \[run 103\]/);
    assert.match(comment, /Since the last run: 1 new, 1 unchanged\./);
    assert.match(comment, /- New: \*\*unexpected-open\*\* `203\.0\.113\.20` 6379\/tcp/);
  });

  it('closes the issue with a comment when a scan is clean, and leaves it closed while clean', () => {
    assert.equal(runs[3]!.code, 0, runs[3]!.stdout);
    assert.deepEqual(
      gh.requests
        .slice(mark[3], mark[4])
        .filter(isWrite)
        .map((r) => r.route),
      ['create-comment', 'update-issue'],
    );
    assert.match(gh.issues[0]!.comments[1]!.body, /Resolved: no drift in \[run 104\]/);
    // The closed issue still says what the drift was.
    assert.match(bodies[3]!, /Resolved: no drift in \[run 104\]\([^)]+\)\. The drift was:/);
    assert.match(bodies[3]!, /- Resolved: \*\*unexpected-open\*\* `203\.0\.113\.20` 6379\/tcp/);
    assert.deepEqual(gh.requests.slice(mark[4], mark[5]).filter(isWrite), []);
  });

  it('reopens the same issue when drift returns: never a second one', () => {
    assert.equal(gh.issues.length, 1);
    const issue = gh.issues[0]!;
    assert.equal(issue.state, 'open');
    assert.match(issue.comments.at(-1)!.body, /Drift is back in \[run 106\]/);
    assert.equal(runs[5]!.outputs['issue-url'], issue.html_url);
  });

  it('tells Slack of new, changed and resolved drift, once each', () => {
    const headers = slack.messages.map(
      (m) => (m.blocks[0] as { text?: { text: string } }).text?.text,
    );
    assert.deepEqual(headers, [
      '🚨 New port drift: fleet watch',
      '⚠️ Port drift changed: fleet watch',
      '✅ Port drift resolved: fleet watch',
      '🚨 New port drift: fleet watch',
    ]);
    assert.match(JSON.stringify(slack.messages[1]), /6379\/tcp `redis` _\(new\)_/);
    assert.match(
      JSON.stringify(slack.messages[0]),
      /\*unexpected-open\* `203\.0\.113\.20` 27017\/tcp `mongodb MongoDB 7\.0\.4`/,
    );
  });

  it('never shows the webhook URL or the token in the log', () => {
    for (const run of runs) {
      const log = visibleLog(run);
      assert.ok(run.stdout.includes(`::add-mask::${slack.url}`), 'masked');
      assert.equal(log.includes(WEBHOOK_PATH), false);
      assert.equal(log.includes('s3cr3tW3bh00kT0k3n'), false);
      assert.equal(log.includes(gh.tokens.write), false);
    }
  });
});

describe('an issue a person closed as not planned', () => {
  it('stays closed while the drift is the same, and is reopened when it changes', async () => {
    const gh = await startGitHubServer();
    try {
      await scheduled(gh, undefined, MONGO);
      const issue = gh.issues[0]!;
      issue.state = 'closed';
      issue.state_reason = 'not_planned';
      const from = gh.requests.length;
      const same = await scheduled(gh, undefined, MONGO);
      assert.equal(issue.state, 'closed');
      assert.deepEqual(gh.requests.slice(from).filter(isWrite), []);
      assert.equal(same.outputs['issue-url'], issue.html_url);
      await scheduled(gh, undefined, MONGO_REDIS);
      assert.equal(issue.state, 'open');
      assert.equal(gh.issues.length, 1);
      assert.match(issue.comments.at(-1)!.body, /Drift is back/);
    } finally {
      await gh.close();
    }
  });
});

describe('notify: always', () => {
  it('tells Slack of every run with drift, and of the drift resolved', async () => {
    const gh = await startGitHubServer();
    const slack = await startSlackServer();
    try {
      for (const open of [MONGO, MONGO, CLEAN, CLEAN]) {
        await scheduled(gh, slack, open, { notify: 'always' });
      }
      assert.deepEqual(
        slack.messages.map((m) => (m.blocks[0] as { text?: { text: string } }).text?.text),
        [
          '🚨 New port drift: fleet watch',
          '⚠️ Port drift: fleet watch',
          '✅ Port drift resolved: fleet watch',
        ],
      );
    } finally {
      await gh.close();
      await slack.close();
    }
  });
});

describe('GitHub faults', () => {
  let gh: GitHubServer;
  before(async () => {
    gh = await startGitHubServer();
  });
  after(() => gh.close());

  it('creates exactly one issue when a create is answered 500 but was made', async () => {
    gh.fail({ route: 'create-issue', status: 500, carryOut: true });
    const run = await scheduled(gh, undefined, MONGO, { name: 'flaky create' });
    assert.equal(gh.issues.filter((i) => i.title.includes('flaky create')).length, 1, run.stdout);
    assert.equal(run.outputs['issue-url'], gh.issues.at(-1)!.html_url);
    assert.deepEqual(warnings(run), []);
  });

  it('creates the issue when a create is answered 500 and was not made', async () => {
    gh.fail({ route: 'create-issue', status: 500 });
    const run = await scheduled(gh, undefined, MONGO, { name: 'failed create' });
    assert.equal(gh.issues.filter((i) => i.title.includes('failed create')).length, 1, run.stdout);
  });

  it('waits out a secondary rate limit and a 500 on reading, then carries on', async () => {
    gh.fail({ route: 'list-issues', status: 403, retryAfter: 1 });
    gh.fail({ route: 'list-issues', status: 500 });
    const run = await scheduled(gh, undefined, MONGO_REDIS, { name: 'flaky create' });
    assert.deepEqual(warnings(run), [], run.stdout);
    assert.equal(gh.issues.filter((i) => i.title.includes('flaky create')).length, 1);
    assert.match(gh.issues.find((i) => i.title.includes('flaky create'))!.body, /6379\/tcp/);
  });

  it('warns, naming the permission to add, when the token may not write issues', async () => {
    const run = await scheduled(gh, undefined, MONGO, {
      name: 'read only',
      'github-token': gh.tokens.readOnly,
    });
    assert.equal(run.code, 1, 'the verdict stands');
    assert.match(run.stdout, /^::error::Drift: 1 unexpected-open\.$/m);
    assert.ok(run.report);
    const w = warnings(run);
    assert.equal(w.length, 1, run.stdout);
    assert.match(w[0]!, /issue was not updated: .*403.*permissions: issues: write/);
  });

  it('warns when the token is refused (401), the repository is not found (404) or GitHub keeps failing', async () => {
    const bad = await scheduled(gh, undefined, MONGO, { 'github-token': 'ghs_wrong' });
    assert.match(warnings(bad).join('\n'), /401 Bad credentials.*Check github-token/);
    const gone = await scheduled(gh, undefined, MONGO, {}, { GITHUB_REPOSITORY: 'octo/elsewhere' });
    assert.match(warnings(gone).join('\n'), /not found \(404/);
    gh.fail({ route: 'list-issues', status: 500, times: 3 });
    const down = await scheduled(gh, undefined, MONGO, { name: 'down' });
    assert.match(warnings(down).join('\n'), /issue was not updated: GitHub answered 500/);
    for (const run of [bad, gone, down]) assert.equal(run.code, 1);
  });

  it('warns, without waiting an hour, when the primary rate limit is spent', async () => {
    gh.fail({
      route: 'list-issues',
      status: 403,
      message: 'API rate limit exceeded for installation ID 1.',
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      },
    });
    const run = await scheduled(gh, undefined, MONGO, { name: 'limited' });
    assert.equal(run.code, 1);
    assert.match(warnings(run).join('\n'), /issue was not updated: GitHub's rate limit stopped it/);
    assert.match(run.stdout, /GitHub primary rate limit on GET .*giving up/);
  });

  it('warns on a 422 and leaves the verdict alone', async () => {
    gh.fail({ route: 'update-issue', status: 422, message: 'Validation Failed' });
    const run = await scheduled(gh, undefined, CLEAN, { name: 'flaky create' });
    assert.equal(run.code, 0);
    assert.match(warnings(run).join('\n'), /422 Validation Failed/);
  });

  it('finds its issue by label and marker across pages, among other names’ issues and pull requests', async () => {
    const first = await scheduled(gh, undefined, MONGO, { name: 'paged' });
    const mine = gh.issues.find((i) => i.html_url === first.outputs['issue-url'])!;
    // 150 more open issues with the same label, newer than ours: ours is on the second page.
    for (let n = 0; n < 150; n++) {
      gh.issues.push({
        ...mine,
        number: gh.issues.length + 1,
        title: `noise ${n}`,
        body:
          n % 2
            ? 'no marker here'
            : mine.body.replace(
                /port-drift:issue:v2:[0-9a-f]+/,
                'port-drift:issue:v2:0000000000000000',
              ),
        comments: [],
        created: 10_000 + n,
        updated: 10_000 + n,
        ...(n % 3 === 0 ? { pull_request: { url: `${gh.url}/repos/octo/fleet/pulls/${n}` } } : {}),
      });
    }
    const from = gh.requests.length;
    const again = await scheduled(gh, undefined, MONGO_REDIS, { name: 'paged' });
    assert.equal(again.outputs['issue-url'], mine.html_url, again.stdout);
    assert.equal(gh.issues.filter((i) => i.title === mine.title).length, 1);
    assert.match(mine.body, /6379\/tcp/);
    const pages = gh.requests.slice(from).filter((r) => r.route === 'list-issues');
    assert.ok(
      pages.some((r) => /[?&]page=2\b/.test(r.path)),
      JSON.stringify(pages),
    );
    // Another name with the same labels gets its own issue.
    const other = await scheduled(gh, undefined, MONGO, { name: 'paged too' });
    assert.notEqual(other.outputs['issue-url'], mine.html_url);
  });

  it('keeps a huge drift under GitHub’s 65,536-character limit, saying what was cut', async () => {
    const ports = Array.from({ length: 3000 }, (_, i) => 20000 + i);
    const xml = writeNmapXml(join(work, 'huge.xml'), ports, [
      {
        address: HOST,
        open: Object.fromEntries(
          ports.map((p) => [p, { name: 'unknown', product: 'x'.repeat(60) }]),
        ),
      },
    ]);
    const run = await scheduled(
      gh,
      undefined,
      {},
      { name: 'huge', xml, expected: `${HOST}: none` },
    );
    assert.deepEqual(warnings(run), [], run.stdout);
    const issue = gh.issues.find((i) => i.title.includes('huge'))!;
    assert.ok(issue.body.length <= 65_536);
    assert.match(issue.body, /more findings not shown here \(GitHub's 65,536-character limit\)/);
  });
});

describe('the pull-request comment', () => {
  let gh: GitHubServer;
  let pull: number;
  let event: string;
  before(async () => {
    gh = await startGitHubServer();
    pull = gh.addPullRequest('Open the firewall a little');
    event = join(work, 'event.json');
    writeFileSync(event, JSON.stringify(pullRequestEvent({ number: pull, head: 'a1b2c3d4e5f6' })));
  });
  after(() => gh.close());

  const onPr = (open: XmlHost['open'], token = gh.tokens.write): Promise<ActionRun> =>
    scheduled(
      gh,
      undefined,
      open,
      { issue: 'false', 'github-token': token },
      {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event,
      },
    );

  it('keeps one sticky comment, updated on each push', async () => {
    const first = await onPr(MONGO);
    const second = await onPr(CLEAN);
    const pr = gh.issues.find((i) => i.number === pull)!;
    assert.equal(pr.comments.length, 1, first.stdout + second.stdout);
    assert.match(
      pr.comments[0]!.body,
      /^<!-- port-drift:pr-comment:v2:[0-9a-f]{16} -->\n\n## ✅ No drift: `fleet watch`/,
    );
    assert.match(pr.comments[0]!.body, /for a1b2c3d/);
    assert.match(first.stdout, /Pull-request comment: created/);
    assert.match(second.stdout, /Pull-request comment: updated/);
    assert.equal(gh.issues.filter((i) => !i.pull_request).length, 0, 'no issue: issue is off');
  });

  it('keeps one comment when creating it is answered 500 but was made', async () => {
    const other = gh.addPullRequest('Another change');
    const otherEvent = join(work, 'event-other.json');
    writeFileSync(otherEvent, JSON.stringify(pullRequestEvent({ number: other, head: 'b0b0b0b' })));
    gh.fail({ route: 'create-comment', status: 502, carryOut: true });
    const run = await scheduled(
      gh,
      undefined,
      MONGO,
      { issue: 'false' },
      { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: otherEvent },
    );
    assert.deepEqual(warnings(run), [], run.stdout);
    assert.equal(gh.issues.find((i) => i.number === other)!.comments.length, 1);
  });

  it('warns, but does not fail, with a read-only token (a fork)', async () => {
    const run = await onPr(CLEAN, gh.tokens.readOnly);
    assert.equal(run.code, 0, run.stdout);
    const w = warnings(run);
    assert.equal(w.length, 1, run.stdout);
    assert.match(w[0]!, /pull-request comment was not written: .*403.*pull-requests: write.*fork/);
  });
});

describe('Slack faults', () => {
  let gh: GitHubServer;
  let slack: SlackServer;
  before(async () => {
    gh = await startGitHubServer();
    slack = await startSlackServer();
  });
  after(async () => {
    await gh.close();
    await slack.close();
  });

  const drift = (): Promise<ActionRun> =>
    scheduled(gh, slack, MONGO, { issue: 'false', notify: 'always' });

  it('retries after Retry-After on 429, and with backoff on 500', async () => {
    slack.script(
      { status: 429, text: 'rate_limited', retryAfter: 1 },
      { status: 500, text: 'internal_error' },
    );
    const before = slack.messages.length;
    const run = await drift();
    assert.equal(slack.messages.length, before + 1, run.stdout);
    assert.deepEqual(warnings(run), []);
    assert.match(run.stdout, /Slack rate limit \(429\): retrying in 1 s/);
  });

  for (const [status, text, words] of [
    [404, 'no_service', /Slack answered 404 "no_service": the webhook is gone/],
    [410, 'channel_is_archived', /Slack answered 410 "channel_is_archived": the webhook is gone/],
    [400, 'invalid_payload', /Slack answered 400 "invalid_payload"/],
    [302, 'moved', /Slack answered 302 with a redirect, which port-drift does not follow/],
  ] as const) {
    it(`warns, quoting Slack's error, on ${status} ${text}`, async () => {
      slack.script({ status, text });
      const run = await drift();
      assert.equal(run.code, 1, 'the verdict stands');
      const w = warnings(run);
      assert.equal(w.length, 1, run.stdout);
      assert.match(w[0]!, words);
      assert.equal(visibleLog(run).includes(WEBHOOK_PATH), false);
    });
  }

  it('without an issue or an Actions cache, treats each drift as new and says why', async () => {
    const before = slack.messages.length;
    await scheduled(gh, slack, MONGO, { issue: 'false' });
    const run = await scheduled(gh, slack, MONGO, { issue: 'false' });
    assert.equal(slack.messages.length, before + 2);
    assert.match(
      run.stdout,
      /No GitHub Actions cache here .*: no last state, so Slack treats the drift as new/,
    );
  });
});

describe('notify: change without an issue, on a runner with the Actions cache', () => {
  it('keeps the last state in the cache: Slack hears of new and resolved drift, once each', async () => {
    const gh = await startGitHubServer();
    const slack = await startSlackServer();
    const cache = await startCacheServer();
    // RUNNER_TEMP is the same in every run of a runner; the state's cache path lives under it.
    const runnerTemp = join(work, 'runner-temp');
    mkdirSync(runnerTemp, { recursive: true });
    try {
      const runs: ActionRun[] = [];
      for (const open of [MONGO, MONGO, CLEAN, CLEAN, MONGO]) {
        runs.push(
          await scheduled(
            gh,
            slack,
            open,
            { issue: 'false' },
            { ...cache.env, RUNNER_TEMP: runnerTemp },
          ),
        );
      }
      for (const run of runs) assert.deepEqual(warnings(run), [], run.stdout);
      assert.deepEqual(
        slack.messages.map((m) => (m.blocks[0] as { text?: { text: string } }).text?.text),
        [
          '🚨 New port drift: fleet watch',
          '✅ Port drift resolved: fleet watch',
          '🚨 New port drift: fleet watch',
        ],
      );
      // A new entry only when the state changed: first drift, clean, drift again. Each names the
      // entry it follows and the drift it holds.
      const states = cache.entries.filter((e) => e.key.startsWith('port-drift-state-'));
      const keys = states.map((e) =>
        /^port-drift-state-v2-[0-9a-f]{16}-([0-9a-f]{12})-([0-9a-f]{16})$/.exec(e.key),
      );
      assert.equal(keys.length, 3, JSON.stringify(cache.entries.map((e) => e.key)));
      assert.ok(keys.every(Boolean), JSON.stringify(cache.entries.map((e) => e.key)));
      assert.equal(keys[0]![2], keys[2]![2], 'the same drift');
      assert.notEqual(keys[0]![2], keys[1]![2]);
      assert.equal(new Set(keys.map((k) => k![1])).size, 3, 'each follows another entry');
      assert.equal(gh.requests.length, 0, 'no GitHub call: issue is off');
    } finally {
      await gh.close();
      await slack.close();
      await cache.close();
    }
  });
});
