// End to end: the command line as a new user runs it from the README, installed with npm as the
// `port-drift` command, against listeners this test starts on 127.0.0.1. Needs nmap, not root.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { listenTcp } from '../helpers/loopback.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/report/report.js';
import { runCommand, type ExecResult } from '../helpers/exec.js';
import { repoRoot } from '../helpers/paths.js';
import { pathWithActionNode } from '../helpers/runtime.js';
import { startSlackServer, WEBHOOK_PATH } from '../helpers/slack-server.js';

const nmap = spawnSync('nmap', ['--version'], { encoding: 'utf8' });
const skip =
  nmap.status === 0 ? false : 'nmap is not installed: the CLI test scans 127.0.0.1 with it';

/** A runner's variables would change what the CLI does; a terminal has none of them. */
const TERMINAL = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => k.startsWith('GITHUB_') || k.startsWith('INPUT_') || k.startsWith('RUNNER_'))
    .map((k) => [k, undefined]),
);

describe('the port-drift command', { skip }, () => {
  let work: string;
  let bin: string;
  let servers: Server[];
  let web: number;
  let forgotten: number;
  let closed: number;

  /** The user's state folder, where reports go without --report-dir: inside this test's folder. */
  const stateHome = (): string => join(work, 'state-home');
  const portDrift = (...args: string[]): Promise<ExecResult> => runWith({}, ...args);
  const runWith = (env: Record<string, string>, ...args: string[]): Promise<ExecResult> =>
    runCommand([bin, ...args], {
      // The command's `#!/usr/bin/env node` finds the Node the action runs on (helpers/runtime.ts).
      env: { ...TERMINAL, PATH: pathWithActionNode(), XDG_STATE_HOME: stateHome(), ...env },
      cwd: work,
      timeoutMs: 120_000,
    });

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'port-drift-cli-'));
    // As the README says: npm install --global (here from this checkout, into a scratch prefix).
    const install = await runCommand(
      [
        'npm',
        'install',
        '--global',
        '--prefix',
        join(work, 'npm'),
        '--offline',
        '--no-audit',
        '--no-fund',
        repoRoot,
      ],
      { env: TERMINAL, timeoutMs: 120_000 },
    );
    assert.equal(install.code, 0, install.stderr);
    bin = join(work, 'npm', 'bin', 'port-drift');
    servers = [await listenTcp(), await listenTcp()];
    [web, forgotten] = servers.map((s) => (s.address() as AddressInfo).port) as [number, number];
    const spare = await listenTcp();
    closed = (spare.address() as AddressInfo).port;
    await new Promise((done) => spare.close(done));
  });

  after(async () => {
    await Promise.all((servers ?? []).map((s) => new Promise((done) => s.close(done))));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const ports = (): string => `${web},${forgotten},${closed}`;

  it('prints its help with every flag and the exit codes', async () => {
    const help = await portDrift('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: port-drift --targets/m);
    for (const flag of [
      '--targets',
      '--expected',
      '--ports',
      '--fail-on',
      '--report-dir',
      '--shard',
      '--format',
      '--state',
      '-v, --verbose',
      '-q, --quiet',
    ]) {
      assert.match(help.stdout, new RegExp(`^  ${flag} `, 'm'));
    }
    assert.match(help.stdout, /Exit codes: 0 .* 1 drift, 2 bad flags or inputs, 3 the scan failed/);
  });

  it('never scans a name that resolves to the runner itself: inconclusive, saying so, and no pass', async () => {
    // localhost resolves to 127.0.0.1, where this test's listeners are exactly what the rule asks:
    // scanned, the runner's own ports would pass for the host's.
    const run = await portDrift(
      '--targets',
      'localhost',
      '--expected',
      `localhost: ${web}, ${forgotten}`,
      '--ports',
      ports(),
      '--format',
      'json',
      '--report-dir',
      'runner-name',
    );
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    const findings = report.findings;
    const loopback = findings.find((f) => f.address === '127.0.0.1');
    assert.equal(loopback?.kind, 'inconclusive');
    assert.equal(loopback?.target, 'localhost');
    assert.match(
      loopback?.detail ?? '',
      /^localhost resolves to 127\.0\.0\.1, the runner itself \(loopback\): not scanned\./,
    );
    assert.deepEqual(
      findings.map((f) => f.kind),
      findings.map(() => 'inconclusive'),
    );
    assert.match(report.verdict.message, /^Nothing could be judged/);
    assert.equal(report.scan.runs.length, 0, 'no nmap run at all');
  });

  it('exits 0 and prints only the result, as plain text, when what is open is what was declared', async () => {
    const run = await portDrift(
      '--targets',
      '127.0.0.1',
      '--expected',
      `127.0.0.1: ${web}, ${forgotten}`,
      '--ports',
      ports(),
      '--report-dir',
      'clean',
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^No drift: port-drift$/m);
    assert.match(run.stdout, /^1 address, 3 TCP ports each\./m);
    // An address of the runner written as a target is scanned as written, and said to be the runner.
    assert.match(
      run.stdout,
      /^Note: 127\.0\.0\.1 is the runner itself \(loopback\): scanned as written\.$/m,
    );
    assert.match(run.stdout, new RegExp(`^Report: .*clean/report\\.json$`, 'm'));
    // Cron mails whatever is printed: no progress when stderr is not a terminal, no Markdown.
    assert.equal(run.stderr, '');
    assert.doesNotMatch(run.stdout, /^(::|##|\||<details>)/m);
    assert.doesNotMatch(run.stdout, /Initiating|SYN Stealth|nmap -s/);
    assert.deepEqual(readdirSync(join(work, 'clean')).sort(), [
      'nmap-ipv4-tcp.xml',
      'report.json',
      'report.sarif',
    ]);

    // Without --report-dir, the reports go to the user's own state folder, not to a shared /tmp.
    const quiet = await portDrift(
      '-q',
      '--targets',
      '127.0.0.1',
      '--expected',
      `127.0.0.1: ${web}, ${forgotten}`,
      '--ports',
      ports(),
    );
    assert.equal(quiet.code, 0, quiet.stdout + quiet.stderr);
    assert.equal(quiet.stdout + quiet.stderr, '', '-q: nothing when there is no drift');
    assert.ok(existsSync(join(stateHome(), 'port-drift', 'report.json')));
  });

  const drift = (...more: string[]): Promise<ExecResult> => driftWith({}, ...more);
  const driftWith = (env: Record<string, string>, ...more: string[]): Promise<ExecResult> =>
    runWith(
      env,
      '--targets',
      '127.0.0.1',
      '--expected',
      `127.0.0.1: ${web}`,
      '--expected',
      `127.0.0.1: ${closed}?`,
      '--ports',
      ports(),
      '--name',
      'bastion cron',
      ...more,
    );

  it('exits 1 on drift: an aligned table on stdout, one plain error line on stderr', async () => {
    const run = await drift('--report-dir', 'drift');
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const lines = run.stdout.split('\n');
    assert.equal(lines[0], 'Drift found: bastion cron');
    const header = lines.find((l) => l.startsWith('TARGET '));
    const row = lines.find((l) => l.includes(`${forgotten}/tcp`));
    assert.ok(header && row, run.stdout);
    assert.match(row, /^127\.0\.0\.1 +127\.0\.0\.1 +\d+\/tcp +unexpected-open +not open +open\b/);
    // Aligned: every column of the row starts where its heading does.
    assert.equal(row.indexOf('unexpected-open'), header.indexOf('FINDING'));
    assert.equal(row.indexOf('not open'), header.indexOf('EXPECTED'));
    assert.equal(run.stderr.trim(), 'error: Drift: 1 unexpected-open.');
    assert.ok(existsSync(join(work, 'drift', 'report.sarif')));

    const quiet = await drift('--report-dir', 'drift-quiet', '-q');
    assert.equal(quiet.code, 1);
    assert.equal(
      quiet.stdout,
      run.stdout.replace(/drift\/report\.json/, 'drift-quiet/report.json'),
    );
    assert.equal(quiet.stderr.trim(), 'error: Drift: 1 unexpected-open.');
  });

  it('prints the job summary with --format markdown and report.json with --format json', async () => {
    const md = await drift('--report-dir', 'drift-md', '--format', 'markdown');
    assert.equal(md.code, 1, md.stdout + md.stderr);
    assert.match(md.stdout, /^## ❌ Drift found: `bastion cron`$/m);
    assert.match(
      md.stdout,
      new RegExp(
        `\\| \`127\\.0\\.0\\.1\` \\| \`127\\.0\\.0\\.1\` \\| ${forgotten}/tcp \\| \\*\\*unexpected-open\\*\\*`,
      ),
    );

    // stdout is report.json alone, even where a library writes to stdout on its own: @actions/io
    // prints a line for a PATH folder it cannot look in (here, a folder under a file).
    writeFileSync(join(work, 'a-file'), '');
    const json = await driftWith(
      { PATH: pathWithActionNode(`${join(work, 'a-file', 'bin')}:${process.env['PATH'] ?? ''}`) },
      '--report-dir',
      'drift-json',
      '--format',
      'json',
    );
    assert.equal(json.code, 1, json.stdout + json.stderr);
    const report = JSON.parse(json.stdout) as { findings: { kind: string; port: number }[] };
    assert.deepEqual(
      report.findings.map((f) => [f.kind, f.port]),
      [['unexpected-open', forgotten]],
    );
    assert.deepEqual(
      report,
      JSON.parse(readFileSync(join(work, 'drift-json', 'report.json'), 'utf8')),
      'stdout is report.json',
    );
  });

  it('keeps stdout the result alone with -v while it globs and reads XML files', async () => {
    // Nothing the command runs may write to stdout: `--format json | jq` reads it whole. A glob
    // library that logs its own `::debug::` lines there would break it.
    const run = await portDrift(
      '-v',
      '--xml',
      'clean/*.xml',
      '--targets',
      '127.0.0.1',
      '--expected',
      `127.0.0.1: ${web}`,
      '--format',
      'json',
      '--report-dir',
      'from-xml',
    );
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /^error: Drift: 1 unexpected-open\.$/m);
    assert.deepEqual(
      JSON.parse(run.stdout),
      JSON.parse(readFileSync(join(work, 'from-xml', 'report.json'), 'utf8')),
      'stdout is report.json and nothing else',
    );
  });

  it('shows progress on stderr with -v, the long port list as its size, and stdout stays the result', async () => {
    // 100 odd ports below 200 and ours: a port list far longer than a log line should carry.
    const many = `${Array.from({ length: 100 }, (_, i) => 2 * i + 1).join(',')},${ports()}`;
    const run = await portDrift(
      '-v',
      '--targets',
      '127.0.0.1',
      '--expected',
      `127.0.0.1: ${web}, ${forgotten}`,
      '--ports',
      many,
      '--report-dir',
      'verbose',
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /^== Plan$/m);
    assert.match(run.stderr, / -p <\d{1,3}(,\d{3})* ports> /, 'a long -p list shows as its size');
    assert.doesNotMatch(run.stderr, /-p 1,3,5,/);
    assert.match(run.stdout, /^No drift: port-drift$/m);
    assert.doesNotMatch(run.stdout, /^== |SYN Stealth/m);
    const report = JSON.parse(readFileSync(join(work, 'verbose', 'report.json'), 'utf8')) as {
      scan: { runs: { args?: string[] }[] };
    };
    const args = report.scan.runs[0]?.args ?? [];
    assert.match(
      args[args.indexOf('-p') + 1] ?? '',
      /^1,3,5,7,/,
      'report.json keeps the whole argv',
    );
  });

  it('--state: Slack hears of new, then resolved drift, never the same drift twice, from cron', async () => {
    const slack = await startSlackServer();
    const state = join(work, 'state.json');
    const headers = (): (string | undefined)[] =>
      slack.messages.map((m) => (m.blocks[0] as { text?: { text: string } }).text?.text);
    try {
      // The webhook comes from the environment, as the README advises (argv shows in `ps`).
      const hourly = (expected: string, dir: string): Promise<ExecResult> =>
        runCommand(
          [
            bin,
            '-v',
            '--targets',
            '127.0.0.1',
            '--expected',
            expected,
            '--ports',
            ports(),
            '--name',
            'bastion cron',
            '--state',
            state,
            '--report-dir',
            dir,
          ],
          {
            env: { ...TERMINAL, PORT_DRIFT_SLACK_WEBHOOK_URL: slack.url },
            cwd: work,
            timeoutMs: 120_000,
          },
        );
      const first = await hourly(`127.0.0.1: ${web}`, 'state-1');
      assert.equal(first.code, 1, first.stdout + first.stderr);
      assert.deepEqual(headers(), ['🚨 New port drift: bastion cron']);
      const kept = JSON.parse(readFileSync(state, 'utf8')) as { schema: string; name: string };
      assert.equal(kept.schema, 'port-drift/state@1');
      assert.equal(kept.name, 'bastion cron');

      const again = await hourly(`127.0.0.1: ${web}`, 'state-2');
      assert.equal(again.code, 1);
      assert.deepEqual(headers(), ['🚨 New port drift: bastion cron'], 'the same drift: silent');
      assert.match(again.stderr, /Slack: not sent, the same drift as the last run/);

      const fixed = await hourly(`127.0.0.1: ${web}, ${forgotten}`, 'state-3');
      assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
      assert.deepEqual(headers(), [
        '🚨 New port drift: bastion cron',
        '✅ Port drift resolved: bastion cron',
      ]);
      for (const run of [first, again, fixed]) {
        assert.ok(!(run.stdout + run.stderr).includes(WEBHOOK_PATH), 'the webhook is never shown');
      }
    } finally {
      await slack.close();
    }
  });

  it('refuses a --state file that is not one, before any scan, naming it and the fix', async () => {
    const bad = join(work, 'not-state.json');
    writeFileSync(bad, '{"hello": "world"}\n');
    const run = await drift('--state', bad, '--report-dir', 'never');
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.equal(
      run.stderr.trim(),
      `error: Input '--state': ${bad} is not a port-drift state file (port-drift/state@1). Name another file, or delete this one to start afresh (the next drift is then reported as new).`,
    );
    assert.equal(run.stdout, '');
    assert.equal(existsSync(join(work, 'never')), false, 'no scan ran');
    assert.equal(readFileSync(bad, 'utf8'), '{"hello": "world"}\n', 'the file is left as it was');

    const nowhere = await drift('--state', join(work, 'no', 'such', 'dir', 's.json'));
    assert.equal(nowhere.code, 2);
    assert.match(nowhere.stderr, /^error: Input '--state': the folder of .* does not exist/);
  });

  it('exits 2 on a flag it does not know, or an input the action would refuse, without a stack', async () => {
    const flag = await portDrift('--target', '127.0.0.1');
    assert.equal(flag.code, 2);
    assert.equal(flag.stderr.trim(), 'error: unknown flag --target (see --help)');
    const input = await portDrift('--targets', '-iL /etc/passwd', '--expected', '*: 22');
    assert.equal(input.code, 2);
    assert.match(input.stderr, /^error: Input 'targets': '-iL \/etc\/passwd' starts with '-'/);
    assert.doesNotMatch(input.stdout + input.stderr, /\n\s+at /);
  });
});
