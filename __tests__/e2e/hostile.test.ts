// A hostile host: its SSH and FTP banners carry Slack and GitHub control sequences, and nmap's
// version detection records them as the service's version. Scanned by real nmap inside a fleet
// (root), then given to the built action (`xml`), which tells a GitHub-like and a Slack-like server.
// Nothing the host wrote may become a mention, a reference, a link or HTML in the issue or the
// pull-request comment, nor a Slack mention or link.
import { pullRequestEvent } from '../helpers/events.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../helpers/action.js';
import { runCommand } from '../helpers/exec.js';
import { createFleet, type Fleet } from '../helpers/fleet.js';
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.js';
import { outsideCodeSpans } from '../helpers/markdown.js';
import { canBuildFleets } from '../helpers/netns.js';
import { startSlackServer, type SlackServer } from '../helpers/slack-server.js';

const skip = canBuildFleets === true ? false : canBuildFleets;

// nmap's match lines for OpenSSH on Ubuntu and for vsftpd copy free text from the banner into the
// version field: that is how a hostile host gets its words into a report.
const SSH =
  'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3 <!channel> @admin #1 <img src=x> [x](http://evil.test)\r\n';
const FTP = '220 vsFTPd <!here> <@U0ADMIN> @security #2 <b>x</b> ready...\r\n';

const HOSTILE_MD = ['@admin', '@security', '#1', '#2', '<img', '<b>', 'evil.test', '<!channel>'];
const HOSTILE_SLACK = ['<!channel>', '<!here>', '<@U0ADMIN>', '<http://evil.test', '<img', '<b>'];

describe('a hostile banner picked up by version detection', { skip }, () => {
  let fleet: Fleet<'evil'>;
  let gh: GitHubServer;
  let slack: SlackServer;
  let work: string;
  let xml: string;
  let scheduled: ActionRun;
  let run: ActionRun;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'port-drift-hostile-'));
    fleet = await createFleet([
      {
        name: 'evil',
        ipv4: '203.0.113.66',
        tcp: [
          { port: 21, banner: FTP },
          { port: 22, banner: SSH },
        ],
      },
    ]);
    xml = join(work, 'evil.xml');
    const scan = await fleet.exec(
      ['nmap', '-sV', '-Pn', '-n', '--reason', '-p', '21,22', '-oX', xml, '--', '203.0.113.66'],
      { timeoutMs: 180_000 },
    );
    assert.equal(scan.code, 0, scan.stderr);

    gh = await startGitHubServer();
    slack = await startSlackServer();
    const pull = gh.addPullRequest('Deploy');
    const event = join(work, 'event.json');
    writeFileSync(event, JSON.stringify(pullRequestEvent({ number: pull, head: 'feed' })));
    // The scheduled run opens the issue and tells Slack; the pull request's run writes its comment
    // and, asked to (slack-on-non-production), tells Slack too.
    const runAs = (runId: string, env: Record<string, string | undefined>): Promise<ActionRun> =>
      runAction(
        {
          name: 'edge',
          xml,
          targets: '203.0.113.66',
          expected: '203.0.113.66: none',
          issue: 'true',
          'github-token': gh.tokens.write,
          'slack-webhook-url': slack.url,
          'slack-on-non-production': 'true',
        },
        runCommand,
        {
          GITHUB_API_URL: gh.url,
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
          GITHUB_RUN_ID: runId,
          ACTIONS_RESULTS_URL: undefined,
          ACTIONS_CACHE_URL: undefined,
          ...env,
        },
      );
    scheduled = await runAs('6', { GITHUB_EVENT_NAME: 'schedule', GITHUB_EVENT_PATH: undefined });
    run = await runAs('7', { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event });
  });

  after(async () => {
    await fleet?.destroy();
    await gh?.close();
    await slack?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('nmap recorded the hostile text as the services’ versions', () => {
    const text = readFileSync(xml, 'utf8');
    assert.match(text, /version="8\.9p1 Ubuntu 3 &lt;!channel&gt; @admin #1 &lt;img src=x&gt;/);
    assert.match(text, /version="&lt;!here&gt; &lt;@U0ADMIN&gt; @security #2/);
    const services = run.findings.map((f) => f.service?.version ?? '');
    assert.ok(
      services.some((v) => v.includes('<!channel>')),
      JSON.stringify(services),
    );
  });

  it('opens the issue with the banners only inside code spans', () => {
    assert.equal(gh.issues.filter((i) => !i.pull_request).length, 1, scheduled.stdout);
    const issue = gh.issues.find((i) => !i.pull_request)!;
    assert.ok(issue.body.includes('<!channel>'), 'the banner is shown, as code');
    const bare = outsideCodeSpans(issue.body);
    for (const bad of HOSTILE_MD) assert.equal(bare.includes(bad), false, `${bad} in:\n${bare}`);
  });

  it('writes the pull-request comment with the banners only inside code spans', () => {
    const comment = gh.issues.find((i) => i.pull_request)!.comments[0]!.body;
    assert.ok(comment.includes('@admin'));
    const bare = outsideCodeSpans(comment);
    for (const bad of HOSTILE_MD) assert.equal(bare.includes(bad), false, `${bad} in:\n${bare}`);
  });

  it('sends Slack no mention and no link but the one to the run', () => {
    assert.equal(slack.messages.length, 2, scheduled.stdout + run.stdout);
    for (const [i, runId] of ['6', '7'].entries()) {
      const payload = JSON.stringify(slack.messages[i]);
      assert.ok(payload.includes('&lt;!channel&gt;'), 'the banner is shown, escaped');
      for (const bad of HOSTILE_SLACK) assert.equal(payload.includes(bad), false, bad);
      assert.deepEqual(
        [...payload.matchAll(/<([^>]*)>/g)].map((m) => m[1]),
        [`https://github.com/octo/fleet/actions/runs/${runId}|run ${runId}`],
      );
    }
  });
});
