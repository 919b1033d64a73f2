// What a reviewer and an on-call reader see, end to end through the built action with the loopback
// GitHub and Actions cache: a pull request that widens the policy (its exposure in the sticky
// comment before the scan, then its open ports against the default branch's last result), and a
// fleet whose firewall lets a MongoDB through, then not, then again (the history chart in the issue
// and the summary, and what to do). The fleet is scanned by nmap in its namespaces; the action,
// which must reach the loopback servers, reads those scans (`xml`), as a bring-your-own-scan job does.
import { pullRequestEvent } from '../helpers/events.js';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../helpers/action.js';
import { saveAsAnotherJob, startCacheServer, type CacheServer } from '../helpers/cache-server.js';
import { runCommand } from '../helpers/exec.js';
import { createFleet, type Fleet } from '../helpers/fleet.js';
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.js';
import { chartProblems, outsideCodeSpans } from '../helpers/markdown.js';
import { canBuildFleets } from '../helpers/netns.js';
import { writeNmapXml, type XmlHost } from '../helpers/nmap-xml.js';

const skip = canBuildFleets === true ? false : canBuildFleets;

let work: string;
let runNo = 700;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'port-drift-history-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

/** The runner: the same RUNNER_TEMP in every run (the cache's paths live under it). */
function runner(gh: GitHubServer, cache: CacheServer): Record<string, string | undefined> {
  const runnerTemp = join(work, 'runner-temp');
  mkdirSync(runnerTemp, { recursive: true });
  return {
    ...cache.env,
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: work,
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
    GITHUB_WORKFLOW_REF: `${gh.owner}/${gh.repo}/.github/workflows/watch.yml@refs/heads/main`,
    GITHUB_JOB: 'scan',
    GITHUB_RUN_ATTEMPT: '1',
  };
}

const scheduled = (): Record<string, string | undefined> => ({
  GITHUB_RUN_ID: String(++runNo),
  GITHUB_EVENT_NAME: 'schedule',
  GITHUB_EVENT_PATH: undefined,
  GITHUB_REF: 'refs/heads/main',
});

describe('a pull request that widens the policy', () => {
  const HOST = '203.0.113.20';
  const BASE = 'ba5e000000000000000000000000000000000001';
  const HEAD = 'feed000000000000000000000000000000000002';
  const base = [`targets: [${HOST}]`, 'rules:', `  ${HOST}: [22, 443]`, ''].join('\n');
  const head = [
    `targets: [${HOST}]`,
    'rules:',
    `  ${HOST}:`,
    '    - 22',
    "    - '443?'",
    '    - 5432',
    "    - {port: 27017, until: 2027-01-31, reason: 'OPS-9 @security-team <!-- x -->'}",
    '',
  ].join('\n');
  let gh: GitHubServer;
  let cache: CacheServer;
  let main: ActionRun;
  let pr: ActionRun;
  let pull: number;

  before(async () => {
    gh = await startGitHubServer();
    cache = await startCacheServer();
    const scan = (open: XmlHost['open']): string =>
      writeNmapXml(
        join(work, `pr-${++runNo}.xml`),
        [22, 443, 5432, 27017],
        [{ address: HOST, open }],
      );
    // The default branch: the scheduled watch with the base policy.
    writeFileSync(join(work, 'ports.yml'), base);
    main = await runAction(
      { name: 'edge', policy: 'ports.yml', xml: scan({ 22: 'ssh', 443: 'https' }) },
      runCommand,
      { ...runner(gh, cache), ...scheduled() },
    );
    // The pull request: its checkout holds the head policy; GitHub has the base one.
    gh.commits.set(BASE, new Map([['ports.yml', base]]));
    pull = gh.addPullRequest('Open Postgres to the partners', [
      { filename: 'README.md', status: 'modified' },
      { filename: 'ports.yml', status: 'modified' },
    ]);
    const event = join(work, 'pr-event.json');
    writeFileSync(
      event,
      JSON.stringify(pullRequestEvent({ number: pull, head: HEAD, base: BASE })),
    );
    writeFileSync(join(work, 'ports.yml'), head);
    pr = await runAction(
      {
        name: 'edge',
        policy: 'ports.yml',
        xml: scan({ 22: 'ssh', 443: 'https', 5432: 'postgresql' }),
        'github-token': gh.tokens.write,
      },
      runCommand,
      {
        ...runner(gh, cache),
        GITHUB_RUN_ID: String(++runNo),
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event,
        GITHUB_REF: `refs/pull/${pull}/merge`,
      },
    );
  });
  after(async () => {
    await gh.close();
    await cache.close();
  });

  it('shows what the change exposes in the sticky comment before the scan', () => {
    assert.equal(main.code, 0, main.stdout);
    assert.equal(pr.code, 0, pr.stdout);
    const comments = gh.issues.find((i) => i.number === pull)!.comments;
    assert.equal(comments.length, 1, pr.stdout);
    const [pending, final] = comments[0]!.edits;
    assert.match(pending ?? '', /^## ⏳ Scanning: `edge`$/m);
    for (const body of [pending ?? '', final ?? '']) {
      assert.match(body, /^- requires \*\*5432\/tcp\*\* on `203\.0\.113\.20`, new$/m);
      assert.match(
        body,
        /^- accepts \*\*27017\/tcp\*\* on `203\.0\.113\.20` until `2027-01-31` \(`OPS-9 @security-team <!-\u200b- x -->`\), new$/m,
      );
      assert.match(body, /^- no longer requires \*\*443\/tcp\*\* on `203\.0\.113\.20`/m);
      // The reason is the pull request's text: it mentions no one and plants no marker.
      assert.equal(body.split('<!-- ').length, 2, 'only the comment’s own marker');
    }
    // The base version was read at the base commit.
    assert.ok(
      gh.requests.some((r) => r.route === 'get-content' && r.path.includes(`ref=${BASE}`)),
      JSON.stringify(gh.requests.map((r) => r.path)),
    );
  });

  it('then compares its open ports with the last result on main', () => {
    const final = gh.issues.find((i) => i.number === pull)!.comments[0]!.body;
    assert.match(final, /^## ✅ No drift: `edge`$/m);
    assert.match(final, /^### Open ports since `main` \(run `\d+`, .* UTC\)$/m);
    assert.match(final, /^- \+\*\*5432\/tcp\*\* on `203\.0\.113\.20`$/m);
    assert.match(pr.summary, /^- \+\*\*5432\/tcp\*\* on `203\.0\.113\.20`$/m);
    assert.match(pr.summary, /^- requires \*\*5432\/tcp\*\* on `203\.0\.113\.20`, new$/m);
  });

  it('reads the default branch’s history without writing to it', () => {
    const history = cache.entries.filter((e) => e.key.startsWith('port-drift-history-v1-'));
    assert.equal(history.length, 1, JSON.stringify(cache.entries.map((e) => e.key)));
    assert.match(history[0]!.key, new RegExp(`-${runNo - 2}-1$`));
  });
});

describe('a fleet whose drift comes and goes', { skip }, () => {
  const HOSTS = [{ name: 'db', ipv4: '203.0.113.72', tcp: [22, 27017] }] as const;
  const DB = '203.0.113.72';
  let fleet: Fleet<'db'>;
  let gh: GitHubServer;
  let cache: CacheServer;
  const runs: ActionRun[] = [];
  /** The issue after each run: its body and how many comments it had. */
  const after_: { body: string; comments: number }[] = [];
  /** The firewall of the host, per run: does it let 27017 through? */
  const opened = [false, true, true, false, true];

  before(async () => {
    fleet = await createFleet(HOSTS);
    gh = await startGitHubServer();
    cache = await startCacheServer();
    const nft = (...args: string[]) => fleet.execIn('db', ['nft', ...args]);
    await nft('add', 'table', 'inet', 'pd');
    await nft('add chain inet pd in { type filter hook input priority 0; }');
    for (const open of opened) {
      await nft('flush', 'chain', 'inet', 'pd', 'in');
      if (!open) await nft('add', 'rule', 'inet', 'pd', 'in', 'tcp', 'dport', '27017', 'drop');
      const xml = join(work, `fleet-${++runNo}.xml`);
      const scan = await fleet.exec(
        ['nmap', '-sS', '-Pn', '-n', '--reason', '-p', '22,27017', '-oX', xml, '--', DB],
        { timeoutMs: 120_000 },
      );
      assert.equal(scan.code, 0, scan.stderr);
      runs.push(
        await runAction(
          {
            name: 'fleet watch',
            xml,
            targets: DB,
            expected: `${DB}: 22`,
            issue: 'true',
            'github-token': gh.tokens.write,
          },
          runCommand,
          { ...runner(gh, cache), ...scheduled() },
        ),
      );
      const issue = gh.issues.find((i) => !i.pull_request);
      after_.push({ body: issue?.body ?? '', comments: issue?.comments.length ?? 0 });
    }
  });
  after(async () => {
    await fleet?.destroy();
    await gh?.close();
    await cache?.close();
  });

  it('the firewall let the MongoDB through in runs 2, 3 and 5 only', () => {
    assert.deepEqual(
      runs.map((r) => r.findings.map((f) => `${f.kind} ${f.port}`)),
      [[], ['unexpected-open 27017'], ['unexpected-open 27017'], [], ['unexpected-open 27017']],
    );
  });

  it('the issue shows when the drift began: a chart of the runs, findings and open ports', () => {
    const issues = gh.issues.filter((i) => !i.pull_request);
    assert.equal(issues.length, 1, 'one issue, reopened');
    const body = issues[0]!.body;
    assert.equal(issues[0]!.state, 'open');
    assert.match(body, /^```mermaid\nxychart-beta\n/m);
    assert.match(body, /^ {2}bar \[0, 1, 1, 0, 1\]$/m);
    assert.match(body, /^ {2}line \[1, 2, 2, 1, 2\]$/m);
    assert.match(body, new RegExp(`Findings since .* UTC \\(run ${runNo}\\), 1 run in a row\\.`));
  });

  it('the same drift again adds its run to the issue’s chart, with no comment', () => {
    assert.match(after_[1]!.body, /^ {2}bar \[0, 1\]$/m);
    assert.match(after_[2]!.body, /^ {2}bar \[0, 1, 1\]$/m);
    assert.equal(after_[2]!.comments, after_[1]!.comments);
  });

  it('the job summary shows the same chart, and the first run none', () => {
    assert.doesNotMatch(runs[0]!.summary, /mermaid/);
    assert.match(runs[1]!.summary, /^ {2}bar \[0, 1\]$/m);
    assert.match(runs[4]!.summary, /^ {2}bar \[0, 1, 1, 0, 1\]$/m);
    assert.match(runs[3]!.summary, /No findings in the last run; 2 runs of the last 4 had some\./);
  });

  it('the issue says what to do: the MongoDB advice and the rule that would accept it', () => {
    const body = gh.issues.find((i) => !i.pull_request)!.body;
    assert.match(body, /^### What to do$/m);
    assert.match(body, /^- MongoDB: .*net\.bindIp.* — 27017\/tcp on `203\.0\.113\.72`$/m);
    assert.match(body, /^```\n203\.0\.113\.72: 27017\?\n```$/m);
  });

  it('keeps one small history entry per run in the Actions cache', () => {
    const history = cache.entries.filter((e) => e.key.startsWith('port-drift-history-v1-'));
    assert.equal(history.length, opened.length);
    assert.ok(history.every((e) => (e.data?.length ?? 0) < 4096));
  });
});

describe('a history entry forged in the Actions cache', () => {
  // Any job of the repository can save under port-drift's key prefix: this one plants the newest
  // entry, with markup in its run ids and counts that are no counts.
  const HOST = '203.0.113.30';
  let gh: GitHubServer;
  let cache: CacheServer;
  let second: ActionRun;
  let forgedKey: string;
  const RAW = ['@org/team', 'evil.example', '<img', '<!-- hidden', 'e+300', 'NaN'];

  before(async () => {
    gh = await startGitHubServer();
    cache = await startCacheServer();
    const run = (): Promise<ActionRun> =>
      runAction(
        {
          name: 'forged history',
          xml: writeNmapXml(
            join(work, `forged-${++runNo}.xml`),
            [22, 27017],
            [{ address: HOST, open: { 22: 'ssh', 27017: 'mongodb' } }],
          ),
          targets: HOST,
          expected: `${HOST}: 22`,
          issue: 'true',
          'github-token': gh.tokens.write,
        },
        runCommand,
        { ...runner(gh, cache), ...scheduled() },
      );
    const first = await run();
    assert.equal(first.code, 1, first.stdout);
    const saved = cache.entries.find((e) => e.key.startsWith('port-drift-history-v1-'))!.key;
    const hash = /^port-drift-history-v1-([0-9a-f]+)-/.exec(saved)![1]!;
    const dir = join(work, 'runner-temp', 'port-drift-history', hash);
    const point = (n: number) => ({
      at: new Date(Date.UTC(2026, 0, 1, n)).toISOString(),
      run: String(n),
      open: 2,
      findings: 1,
      failed: true,
    });
    writeFileSync(
      join(dir, 'history.json'),
      JSON.stringify({
        runs: [
          point(1),
          { ...point(2), run: '@org/team' },
          { ...point(3), run: '[click](https://evil.example/x)' },
          { ...point(4), run: '<img src=x onerror=alert(1)>' },
          { ...point(5), run: '<!-- hidden' },
          { ...point(6), open: 1e300 },
          { ...point(7), open: -1 },
          { ...point(8), findings: 'NaN' },
          { ...point(9), findings: Array(100_000).fill(1) },
          point(10),
        ],
      }),
    );
    forgedKey = `port-drift-history-v1-${hash}-zz-forged`;
    assert.notEqual(await saveAsAnotherJob(cache, [dir], forgedKey, work), -1);
    second = await run();
  });
  after(async () => {
    await gh.close();
    await cache.close();
  });

  it('shows none of it raw in the job summary or the issue, and the verdict is the run’s own', () => {
    assert.equal(second.code, 1, second.stdout);
    assert.match(second.stdout, /::error::Drift: 1 unexpected-open\./);
    const body = gh.issues.find((i) => !i.pull_request)!.body;
    for (const md of [second.summary, body]) {
      for (const raw of RAW) assert.ok(!md.includes(raw), `${raw} is shown`);
      assert.doesNotMatch(
        outsideCodeSpans(md).replace(/<!-- port-drift:[^>]* -->/g, ''),
        /@|<img|<!--/,
      );
    }
  });

  it('still draws a chart that parses: the two good runs and this one', () => {
    const body = gh.issues.find((i) => !i.pull_request)!.body;
    for (const md of [second.summary, body]) {
      assert.deepEqual(chartProblems(md), []);
      assert.match(md, /^ {2}bar \[1, 1, 1\]$/m);
    }
  });

  it('warns, naming the cache key the entry came from', () => {
    const warnings = second.stdout.split('\n').filter((l) => l.startsWith('::warning::'));
    assert.deepEqual(warnings, [
      `::warning::The history in the Actions cache (key ${forgedKey}): 8 entries of the history ignored, not as port-drift writes them (runs[1].run: want a run id (digits); runs[2].run: want a run id (digits); runs[3].run: want a run id (digits); and 5 more).`,
    ]);
  });
});
