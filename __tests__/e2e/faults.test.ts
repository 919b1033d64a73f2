// Faults the action must survive, end to end through the built dist/index.js: nmap missing, failing,
// killed mid-scan or stopped by the budget (a fake nmap alone on PATH, which never sends a packet),
// hostile and very large nmap XML, and a GitHub and a Slack that take a request and never answer.
// Each ends with a clear message, and whatever finished is still in the summary and report.json.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brief, runAction, type ActionRun } from '../helpers/action.js';
import { runCommand } from '../helpers/fleet.js';
import { writeNmapXml } from '../helpers/nmap-xml.js';
import { startSilentServer, type SilentServer } from '../helpers/silent-server.js';

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'port-drift-faults-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

const lines = (run: ActionRun, command: 'error' | 'warning'): string[] =>
  run.stdout.split('\n').filter((l) => l.startsWith(`::${command}::`));

/** No stack trace anywhere in what the step printed. */
const noStack = (run: ActionRun): void =>
  assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at /, run.stdout + run.stderr);

describe('GitHub and Slack that take a request and never answer', () => {
  const reportDir = (): string => join(work, 'silent-report');
  const summaryFile = (): string => join(work, 'silent-summary.md');
  /** What the run had written when the first request reached each server. */
  const seen: Record<string, { report?: { verdict: { failed: boolean } }; summary: string }> = {};
  let github: SilentServer;
  let slack: SilentServer;
  let run: ActionRun;

  const snapshot = (who: string) => (): void => {
    if (seen[who]) return;
    const report = join(reportDir(), 'report.json');
    seen[who] = {
      ...(existsSync(report)
        ? { report: JSON.parse(readFileSync(report, 'utf8')) as { verdict: { failed: boolean } } }
        : {}),
      summary: existsSync(summaryFile()) ? readFileSync(summaryFile(), 'utf8') : '',
    };
  };

  before(async () => {
    github = await startSilentServer(snapshot('github'));
    slack = await startSilentServer(snapshot('slack'));
    writeFileSync(summaryFile(), '');
    const xml = writeNmapXml(
      join(work, 'silent.xml'),
      [22, 27017],
      [{ address: '203.0.113.20', open: { 22: 'ssh', 27017: 'mongodb' } }],
    );
    run = await runAction(
      {
        name: 'silent services',
        xml,
        targets: '203.0.113.20',
        expected: '203.0.113.20: 22',
        issue: 'true',
        'github-token': 'ghs_silentTOKEN0000',
        'slack-webhook-url': `${slack.url}/services/T0SILENT/B0SILENT/s1l3ntW3bh00kXYZ`,
        'report-dir': reportDir(),
      },
      runCommand,
      {
        GITHUB_STEP_SUMMARY: summaryFile(),
        GITHUB_API_URL: github.url,
        GITHUB_REPOSITORY: 'octo/fleet',
        GITHUB_RUN_ID: '9',
        GITHUB_EVENT_NAME: 'schedule',
        GITHUB_EVENT_PATH: undefined,
        ACTIONS_RESULTS_URL: undefined,
        ACTIONS_CACHE_URL: undefined,
        ACTIONS_RUNTIME_TOKEN: undefined,
        // Seconds, not the default half minute, to keep the test short.
        PORT_DRIFT_HTTP_TIMEOUT: '1s',
      },
    );
  });
  after(async () => {
    await github?.close();
    await slack?.close();
  });

  it('had written the verdict, report.json and the summary before the first request', () => {
    for (const who of ['github', 'slack']) {
      assert.ok(seen[who], `${who} was asked: ${run.stdout}`);
      assert.equal(seen[who].report?.verdict.failed, true, who);
      assert.match(seen[who].summary, /^## ❌ Drift found: `silent services`/, who);
    }
  });

  it('gives up on each after its timeout and its retries, with a warning, and the verdict stands', () => {
    assert.equal(run.code, 1, run.stdout);
    assert.deepEqual(lines(run, 'error'), ['::error::Drift: 1 unexpected-open.']);
    assert.deepEqual(lines(run, 'warning'), [
      '::warning::The drift issue was not updated: could not reach GitHub: no answer within 1 s',
      '::warning::Slack was not notified: could not reach Slack: no answer within 1 s',
    ]);
    // GitHub: the first request and its two retries. Slack: four attempts.
    assert.deepEqual(github.requests, Array(3).fill(github.requests[0]));
    assert.match(github.requests[0] ?? '', /^GET \/repos\/octo\/fleet\/issues\?/);
    assert.equal(slack.requests.length, 4);
    assert.deepEqual(brief(run.findings), [
      'unexpected-open 203.0.113.20 203.0.113.20 27017/tcp open',
    ]);
    assert.match(readFileSync(summaryFile(), 'utf8'), /27017\/tcp \| \*\*unexpected-open\*\*/);
    noStack(run);
  });
});
