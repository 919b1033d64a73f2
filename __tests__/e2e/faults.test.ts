// Faults the action must survive, end to end through the built dist/index.js: nmap missing, failing,
// killed mid-scan or stopped by the budget (a fake nmap alone on PATH, which never sends a packet),
// hostile and very large nmap XML, and a GitHub and a Slack that take a request and never answer.
// Each ends with a clear message, and whatever finished is still in the summary and report.json.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brief, runAction, type ActionRun } from '../helpers/action.js';
import { runCommand } from '../helpers/exec.js';
import { fakeNmap, shellQuote, type FakeNmap } from '../helpers/fake-nmap.js';
import { writeNmapXml } from '../helpers/nmap-xml.js';
import { fixturesDir } from '../helpers/paths.js';
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

describe('SIGTERM while the action waits on a GitHub that never answers', () => {
  it('ends with the cancelled message; the outputs, summary and report.json stand', async () => {
    let child: ChildProcess | undefined;
    const github = await startSilentServer(() => child?.kill('SIGTERM'));
    try {
      const run = await runAction(
        {
          name: 'cancelled while notifying',
          xml: writeNmapXml(
            join(work, 'cancel-notify.xml'),
            [22, 27017],
            [{ address: '203.0.113.21', open: { 22: 'ssh', 27017: 'mongodb' } }],
          ),
          targets: '203.0.113.21',
          expected: '203.0.113.21: 22',
          issue: 'true',
          'github-token': 'ghs_silentTOKEN0001',
        },
        (argv, opts) => runCommand(argv, { ...opts, onSpawn: (c) => (child = c) }),
        {
          GITHUB_API_URL: github.url,
          GITHUB_REPOSITORY: 'octo/fleet',
          GITHUB_RUN_ID: '10',
          GITHUB_EVENT_NAME: 'schedule',
          GITHUB_EVENT_PATH: undefined,
          ACTIONS_RESULTS_URL: undefined,
          ACTIONS_CACHE_URL: undefined,
          ACTIONS_RUNTIME_TOKEN: undefined,
        },
      );
      assert.ok(github.requests.length > 0, 'GitHub was asked');
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.stderr, '');
      assert.match(run.stdout, /^::warning::SIGTERM: the run was cancelled/m);
      assert.deepEqual(lines(run, 'error'), [
        '::error::Drift: 1 unexpected-open.',
        '::error::Cancelled while notifying: the verdict above and report.json stand; the issue, the pull-request comment or Slack may not have heard of this run.',
      ]);
      assert.doesNotMatch(
        run.stdout,
        /gave no answer|no answer within/,
        'it did not wait out a deadline',
      );
      assert.equal(run.outputs['drift'], 'true');
      assert.match(run.summary, /^## ❌ Drift found/m);
      assert.deepEqual(brief(run.findings), [
        'unexpected-open 203.0.113.21 203.0.113.21 27017/tcp open',
      ]);
      assert.ok(run.report, 'report.json is written');
      noStack(run);
    } finally {
      await github.close();
    }
  });
});

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
    // One deadline per call, retries included: a request that got no answer used it all. GitHub
    // was asked who the token is, and then not again.
    assert.deepEqual(github.requests, ['GET /user']);
    assert.equal(slack.requests.length, 1);
    assert.deepEqual(brief(run.findings), [
      'unexpected-open 203.0.113.20 203.0.113.20 27017/tcp open',
    ]);
    assert.match(readFileSync(summaryFile(), 'utf8'), /27017\/tcp \| \*\*unexpected-open\*\*/);
    noStack(run);
  });
});

/** The recorded IPv4 fixture cut inside its third host, as nmap leaves it when it is killed. */
function cutFixture(): string {
  const xml = readFileSync(join(fixturesDir, 'nmap', 'fleet-ipv4.xml'), 'utf8');
  let end = 0;
  for (let n = 0; n < 2; n++) end = xml.indexOf('</host>', end) + '</host>'.length;
  const third = xml.indexOf('<ports>', end);
  return xml.slice(0, third + 200);
}

/** The recorded fleet: 203.0.113.20 serves 22, 80 and 443; .21 serves 2222 and 27017; .250 is down. */
const FLEET = {
  targets: '203.0.113.20, 203.0.113.21, 203.0.113.250',
  ports: '22,80,443,2222,5432,6379,27017',
  expected: '203.0.113.20: 22, 80, 443\n203.0.113.21: 2222, 27017',
};

describe('nmap faults', () => {
  const fakes: FakeNmap[] = [];
  const fake = (then: string): FakeNmap => {
    const f = fakeNmap(then);
    fakes.push(f);
    return f;
  };
  after(() => fakes.forEach((f) => f.remove()));

  it('fails, naming the fix, when nmap is missing and cannot be installed (no apt-get)', async () => {
    // PATH is a folder with nothing in it: no nmap, no apt-get, no sudo. As root the missing apt-get
    // is what stops the install; as another user, with no sudo, privilege stops it first.
    const empty = mkdtempSync(join(work, 'empty-path-'));
    const cannotInstall =
      process.getuid?.() === 0
        ? /^::error::nmap is not installed, and this Linux has no apt-get to install it\. Install nmap in an earlier step\.$/
        : /^::error::nmap is not installed and cannot be: installing needs root or passwordless sudo\. Install nmap in an earlier step, or run as root\.$/;
    for (const [install, message] of [
      ['true', cannotInstall],
      ['false', /^::error::nmap is not on PATH and install-nmap is false\. Install nmap first\.$/],
    ] as const) {
      const run = await runAction(
        { targets: '203.0.113.20', ports: '22', 'install-nmap': install },
        runCommand,
        { PATH: empty },
      );
      assert.equal(run.code, 1, run.stdout);
      const errors = lines(run, 'error');
      assert.equal(errors.length, 1, run.stdout);
      assert.match(errors[0] ?? '', message);
      noStack(run);
      assert.deepEqual(run.files, [], 'nothing was scanned or written');
    }
  });

  it('fails with nmap’s own message when nmap exits non-zero, and still writes the summary and report.json', async () => {
    const nmap = fake("echo 'dnet: Failed to open device eth9' >&2; echo 'QUITTING!' >&2; exit 1");
    const run = await runAction(
      { targets: '203.0.113.20', ports: '22', expected: '203.0.113.20: 22' },
      runCommand,
      nmap.env,
    );
    assert.equal(run.code, 1, run.stdout);
    assert.deepEqual(lines(run, 'error'), [
      '::error::nmap exited with 1: dnet: Failed to open device eth9%0AQUITTING!',
    ]);
    noStack(run);
    const report = run.report as { failure?: string };
    assert.match(report.failure ?? '', /^nmap exited with 1: dnet: Failed to open device eth9/);
    assert.deepEqual(brief(run.findings), ['inconclusive 203.0.113.20 203.0.113.20 not scanned']);
    assert.match(run.summary, /`nmap exited with 1: dnet: Failed to open device eth9 QUITTING!`/);
    assert.match(run.summary, /^## ❌ nmap failed: what finished is below/);
    // nmap was asked its version, then given one scan, its targets after `--`.
    const calls = nmap.calls();
    assert.deepEqual(calls[0], ['--version']);
    assert.deepEqual(calls[1]?.slice(-2), ['--', '203.0.113.20']);
  });

  it('reports every host nmap finished when it is killed mid-scan, and the rest as inconclusive', async () => {
    const cut = join(work, 'killed.xml');
    writeFileSync(cut, cutFixture());
    const nmap = fake(`/bin/cat ${shellQuote(cut)} > "$xml"; kill -9 $$`);
    const run = await runAction(FLEET, runCommand, nmap.env);
    assert.equal(run.code, 1, run.stdout);
    const errors = lines(run, 'error');
    assert.equal(errors.length, 1, run.stdout);
    assert.match(errors[0] ?? '', /^::error::nmap exited with SIGKILL/);
    noStack(run);
    // .250 and .20 were finished: .20 has what it should; .250 answered nothing, and the careful
    // probe that would call it down was killed too, so it is not called down. .21 was cut off.
    assert.deepEqual(brief(run.findings), [
      'inconclusive 203.0.113.21 203.0.113.21 not scanned',
      'inconclusive 203.0.113.250 203.0.113.250 not scanned',
    ]);
    const observed = (run.report as { observed: { address: string; status: string }[] }).observed;
    assert.deepEqual(observed.map((o) => `${o.address} ${o.status}`).sort(), [
      '203.0.113.20 up',
      '203.0.113.21 inconclusive',
      '203.0.113.250 inconclusive',
    ]);
    assert.match(
      run.summary,
      /\| `203\.0\.113\.21` \| `203\.0\.113\.21` \| {2}\| \*\*inconclusive\*\*/,
    );
    assert.ok(run.files.includes('nmap-ipv4-tcp.xml'), 'the raw XML is kept');
  });

  it('stops nmap at scan-timeout: what finished is reported, the rest is inconclusive', async () => {
    const cut = join(work, 'stopped.xml');
    writeFileSync(cut, cutFixture());
    // Writes what it has so far, then never ends: the budget must stop it.
    const nmap = fake(`/bin/cat ${shellQuote(cut)} > "$xml"; exec /bin/sleep 120`);
    const run = await runAction({ ...FLEET, 'scan-timeout': '4s' }, runCommand, nmap.env);
    assert.match(run.stdout, /::warning::IPv4 TCP sweep: stopped at the scan-timeout budget/);
    // .250 answered nothing in the sweep, and its careful probe ran out of time: not called down.
    assert.deepEqual(brief(run.findings), [
      'inconclusive 203.0.113.21 203.0.113.21 not scanned',
      'inconclusive 203.0.113.250 203.0.113.250 not scanned',
    ]);
    // Running out of time is not nmap failing: the verdict is the drift's (here none: .20 was
    // judged and matches; the two inconclusive addresses are warnings under the default fail-on).
    assert.deepEqual(lines(run, 'error'), []);
    assert.match(run.stdout, /::warning::No drift, but: 2 inconclusive\./);
    assert.equal((run.report as { failure?: string }).failure, undefined);
    assert.match(run.summary, /\*\*inconclusive\*\*/);
  });
});

describe('hostile and very large nmap XML', () => {
  const fakes: FakeNmap[] = [];
  after(() => fakes.forEach((f) => f.remove()));

  it('never expands an entity nmap’s XML declares: no local file, no entity bomb', async () => {
    const secret = join(work, 'secret.txt');
    const token = `s3cret-${process.pid}-${Date.now()}`;
    writeFileSync(secret, token);
    const lol = Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`,
    ).join('');
    const xml = [
      '<?xml version="1.0"?>',
      `<!DOCTYPE nmaprun [<!ENTITY xxe SYSTEM "file://${secret}"><!ENTITY % p SYSTEM "file://${secret}"> %p; <!ENTITY lol0 "lol">${lol}]>`,
      '<nmaprun scanner="nmap" version="7.93" args="nmap"><scaninfo type="syn" protocol="tcp" numservices="1" services="80"/>',
      '<host><status state="up" reason="user-set"/><address addr="203.0.113.5" addrtype="ipv4"/>',
      '<ports><port protocol="tcp" portid="80"><state state="open" reason="syn-ack"/>',
      '<service name="http" product="&xxe;" version="&lol9;"/></port></ports></host>',
      '<runstats><finished time="1" elapsed="1" exit="success"/></runstats></nmaprun>',
    ].join('\n');
    const file = join(work, 'entities.xml');
    writeFileSync(file, xml);
    const nmap = fakeNmap(`/bin/cat ${shellQuote(file)} > "$xml"`);
    fakes.push(nmap);
    const run = await runAction(
      { targets: '203.0.113.5', ports: '80', expected: '203.0.113.5: none' },
      runCommand,
      nmap.env,
    );
    assert.deepEqual(brief(run.findings), ['unexpected-open 203.0.113.5 203.0.113.5 80/tcp open']);
    assert.deepEqual(run.findings[0]?.service, {
      name: 'http',
      product: '&xxe;',
      version: '&lol9;',
    });
    const everything = run.stdout + run.stderr + run.summary + JSON.stringify(run.report);
    assert.equal(everything.includes(token), false, 'the local file was read');
    assert.equal(everything.includes('lollol'), false, 'an entity was expanded');
  });

  it('compares a 65,536-host scan, keeping the summary under 1 MiB and the findings output under 1 MB', async () => {
    // 2001:db8::/112, every other host with a Redis nobody meant to expose.
    const hosts = Array.from({ length: 65_536 }, (_, i) => {
      const redis = i % 2 ? 'open' : 'closed';
      return (
        `<host><status state="up" reason="syn-ack"/><address addr="2001:db8::${i.toString(16)}" addrtype="ipv6"/>` +
        '<ports><port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/><service name="ssh"/></port>' +
        `<port protocol="tcp" portid="6379"><state state="${redis}" reason="syn-ack"/><service name="redis" product="Redis key-value store"/></port></ports></host>`
      );
    });
    const file = join(work, 'large.xml');
    writeFileSync(
      file,
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<nmaprun scanner="nmap" args="nmap -6 -sS -p 22,6379" version="7.93" xmloutputversion="1.05">',
        '<scaninfo type="syn" protocol="tcp" numservices="2" services="22,6379"/>',
        ...hosts,
        '<runstats><finished time="1" elapsed="60" exit="success"/><hosts up="65536" down="0" total="65536"/></runstats>',
        '</nmaprun>',
      ].join('\n'),
    );
    const run = await runAction({ xml: file, expected: '*: 22' });
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(lines(run, 'error'), ['::error::Drift: 32768 unexpected-open.']);
    assert.equal((run.report as { findings: unknown[] }).findings.length, 32_768);
    const summary = Buffer.byteLength(run.summary);
    assert.ok(summary > 0 && summary < 1024 * 1024, `summary of ${summary} bytes`);
    assert.match(run.summary, /not shown|more|report\.json/);
    const output = Buffer.byteLength(run.outputs['findings'] ?? '');
    assert.ok(output <= 1_000_000, `findings output of ${output} bytes`);
    assert.ok(run.findings.length > 1000 && run.findings.length < 32_768);
    assert.deepEqual(lines(run, 'warning'), [
      `::warning::The findings output holds ${run.findings.length} of 32768 findings: GitHub takes at most 1 MB in an output. report.json has them all.`,
    ]);
    noStack(run);
  });
});
