// The command line as root on a host that other users share, end to end through the built CLI
// (dist/cli) with real nmap against listeners on 127.0.0.1: another user (uid 1000) plants symbolic
// links named like the files port-drift writes, pointing at a file of root's; --state names a FIFO
// or a folder that cannot be written; two cron runs overlap on one --state; SIGTERM comes while
// Slack does not answer; a --state file holds a forged history. Needs root and nmap.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { listenTcp } from '../helpers/loopback.js';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand, type ExecResult } from '../helpers/exec.js';
import { chartProblems, outsideCodeSpans } from '../helpers/markdown.js';
import { isRoot, repoRoot } from '../helpers/paths.js';
import { actionNode } from '../helpers/runtime.js';
import { startSlackServer, type SlackServer } from '../helpers/slack-server.js';

const OTHER = 1000; // the machine's unprivileged user (cloudsdk), or any uid: only ownership counts
const nmap = spawnSync('nmap', ['--version']).status === 0;
const skip = !isRoot ? 'needs root' : !nmap ? 'needs nmap' : false;
const CLI = join(repoRoot, 'dist/cli/index.js');

/** A terminal's environment: no runner variables, which would change what the CLI does. */
const TERMINAL = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => /^(GITHUB_|INPUT_|RUNNER_|PORT_DRIFT_)/.test(k))
    .map((k) => [k, undefined]),
);

/** Runs argv as the other user (no shell), as that user would plant a link. */
function asOther(argv: string[]): void {
  const r = spawnSync('setpriv', [
    `--reuid=${OTHER}`,
    `--regid=${OTHER}`,
    '--clear-groups',
    '--',
    ...argv,
  ]);
  assert.equal(r.status, 0, `${argv.join(' ')}: ${r.stderr?.toString()}`);
}

describe('files a root run writes where another user can plant links', { skip }, () => {
  let work: string;
  let servers: Server[];
  let web: number;
  let forgotten: number;
  let victim: string;
  const VICTIM = 'root:$6$keepme:19000:0:99999:7:::\n';

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'port-drift-files-'));
    chmodSync(work, 0o755); // the other user may walk in, and write only where allowed below
    victim = join(work, 'shadow');
    writeFileSync(victim, VICTIM, { mode: 0o600 });
    servers = [await listenTcp(), await listenTcp()];
    [web, forgotten] = servers.map((s) => (s.address() as AddressInfo).port) as [number, number];
  });
  after(async () => {
    await Promise.all((servers ?? []).map((s) => new Promise((done) => s.close(done))));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** The CLI, scanning 127.0.0.1: the forgotten port is drift. */
  const cli = (env: Record<string, string | undefined>, ...more: string[]): Promise<ExecResult> =>
    runCommand(
      [
        actionNode,
        CLI,
        '--targets',
        '127.0.0.1',
        '--expected',
        `127.0.0.1: ${web}`,
        '--ports',
        `${web},${forgotten}`,
        '--name',
        'shared host',
        ...more,
      ],
      { env: { ...TERMINAL, XDG_STATE_HOME: join(work, 'xdg'), ...env }, cwd: work },
    );

  /** Names port-drift writes, as the other user would guess them (the old temporary names too). */
  const PLANTED = [
    'report.json',
    'report.sarif',
    'nmap-ipv4-tcp.xml',
    'state.json',
    'state.json.lock',
    ...Array.from({ length: 20 }, (_, i) => `report.json.${process.pid + 1 + i}.tmp`),
    '.port-drift-check-1',
  ];
  const plant = (dir: string, names = PLANTED): void => {
    for (const name of names) asOther(['ln', '-s', victim, join(dir, name)]);
  };
  const untouched = (): void => assert.equal(readFileSync(victim, 'utf8'), VICTIM, 'the victim');

  it('refuses a report folder the other user owns, or every user can write, before any scan', async () => {
    const theirs = join(work, 'theirs');
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, OTHER, OTHER);
    plant(theirs);
    const run = await cli({}, '--report-dir', theirs);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.equal(
      run.stderr.trim(),
      `error: Input 'report-dir': ${theirs} cannot hold the reports safely: ${theirs} belongs to another user (uid ${OTHER}), who can plant links in it. Name a folder of this user's that no other user can write (chmod go-w it, or make a new one).`,
    );
    const open = join(work, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    plant(open);
    const state = await cli(
      {},
      '--report-dir',
      join(work, 'mine'),
      '--state',
      join(open, 'state.json'),
    );
    assert.equal(state.code, 2, state.stdout + state.stderr);
    assert.match(
      state.stderr,
      new RegExp(
        `^error: Input '--state': ${open} cannot hold the state file safely: ${open} can be written by every user\\.`,
      ),
    );
    assert.equal(existsSync(join(work, 'mine', 'report.json')), false, 'no scan ran');
    for (const dir of [theirs, open]) {
      assert.deepEqual(readdirSync(dir).sort(), [...PLANTED].sort(), 'nothing written there');
    }
    untouched();
  });

  it('writes safely into its own sticky folder where the other user planted links: each replaced, none followed', async () => {
    const sticky = join(work, 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777); // like /tmp: every user may add files, none may touch another's
    plant(
      sticky,
      PLANTED.filter((n) => !n.startsWith('state.json')),
    );
    const run = await cli({}, '--report-dir', sticky);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    untouched();
    const report = JSON.parse(readFileSync(join(sticky, 'report.json'), 'utf8')) as {
      findings: { port: number }[];
      scan: { runs: { xml: string }[] };
    };
    assert.deepEqual(
      report.findings.map((f) => f.port),
      [forgotten],
    );
    const xml = report.scan.runs.map((r) => r.xml);
    assert.ok(xml.includes(join(sticky, 'nmap-ipv4-tcp.xml')), xml.join(', '));
    for (const file of [join(sticky, 'report.json'), join(sticky, 'report.sarif'), ...xml]) {
      const stat = lstatSync(file);
      assert.ok(stat.isFile() && stat.uid === 0, `${file} is root's own file, not the link`);
    }
    assert.ok(
      !readdirSync(sticky).some((n) => n.startsWith('.port-drift-run-')),
      'the private folder nmap wrote into is gone',
    );
  });

  it('refuses a --state that is a planted link, a FIFO, a device or a folder, at once, naming it', async () => {
    const mine = join(work, 'mine-state');
    mkdirSync(mine, { mode: 0o1777 });
    chmodSync(mine, 0o1777);
    plant(mine, ['state.json']);
    const fifo = join(mine, 'fifo.json');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const cases: [string, RegExp][] = [
      [
        join(mine, 'state.json'),
        /.*state\.json is a symbolic link, which is not followed: name the file itself$/,
      ],
      [fifo, /.*fifo\.json is not a regular file \(a FIFO, socket or device\): not read$/],
      ['/dev/null', /\/dev\/null is not a regular file \(a FIFO, socket or device\): not read$/],
      [join(work, 'sticky'), /.*sticky is a folder, not a file: name the file itself$/],
    ];
    for (const [state, says] of cases) {
      const run = await cli({}, '--report-dir', join(work, 'never'), '--state', state);
      assert.equal(run.code, 2, `${state}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr.trim(), new RegExp(`^error: Input '--state': ${says.source}`));
      assert.ok(run.durationMs < 30_000, `${state}: refused at once, not waited on`);
    }
    assert.equal(existsSync(join(work, 'never')), false, 'no scan ran');
    untouched();
  });

  it('exits 2 before scanning when the --state folder cannot be written, naming --state and the fix', async () => {
    const reports = join(work, 'their-reports');
    mkdirSync(reports);
    chownSync(reports, OTHER, OTHER);
    const locked = join(work, 'root-only');
    mkdirSync(locked, { mode: 0o755 });
    const run = await runCommand(
      [
        'setpriv',
        `--reuid=${OTHER}`,
        `--regid=${OTHER}`,
        '--clear-groups',
        '--',
        actionNode,
        CLI,
        '--targets',
        '127.0.0.1',
        '--ports',
        String(web),
        '--report-dir',
        reports,
        '--state',
        join(locked, 'state.json'),
      ],
      { env: { ...TERMINAL, HOME: reports }, cwd: reports },
    );
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.equal(
      run.stderr.trim(),
      `error: Input '--state': cannot write beside ${join(locked, 'state.json')} (EACCES): the state file is replaced whole, through a new file in its folder. Name a file in a folder this user can write.`,
    );
    assert.deepEqual(readdirSync(reports), [], 'no scan ran');
  });
});

describe('one run per --state, and every wait ends', { skip }, () => {
  let work: string;
  let servers: Server[];
  let web: number;
  let forgotten: number;
  let slack: SlackServer;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'port-drift-state-runs-'));
    servers = [await listenTcp(), await listenTcp()];
    [web, forgotten] = servers.map((s) => (s.address() as AddressInfo).port) as [number, number];
    slack = await startSlackServer();
  });
  after(async () => {
    await slack?.close();
    await Promise.all((servers ?? []).map((s) => new Promise((done) => s.close(done))));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const argv = (state: string, dir: string, ...more: string[]): string[] => [
    actionNode,
    CLI,
    '-v',
    '--targets',
    '127.0.0.1',
    '--expected',
    `127.0.0.1: ${web}`,
    '--ports',
    `${web},${forgotten}`,
    '--name',
    'cron',
    '--state',
    state,
    '--report-dir',
    join(work, dir),
    ...more,
  ];
  const env = (): Record<string, string | undefined> => ({
    ...TERMINAL,
    PORT_DRIFT_SLACK_WEBHOOK_URL: slack.url,
  });
  const headers = (): (string | undefined)[] =>
    slack.messages.map((m) => (m.blocks[0] as { text?: { text: string } }).text?.text);

  /** Starts the CLI; `done` resolves with its result once it ends, `stderr` is what it said so far. */
  function start(args: string[]): {
    child: ReturnType<typeof spawn>;
    done: Promise<ExecResult>;
    stderr: () => string;
  } {
    const [cmd, ...rest] = args as [string, ...string[]];
    const vars: NodeJS.ProcessEnv = { ...process.env, PORT_DRIFT_SLACK_WEBHOOK_URL: slack.url };
    for (const key of Object.keys(TERMINAL)) delete vars[key];
    vars['PORT_DRIFT_SLACK_WEBHOOK_URL'] = slack.url;
    const child = spawn(cmd, rest, { env: vars, cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const started = Date.now();
    const done = new Promise<ExecResult>((resolve) =>
      child.on('close', (code, signal) =>
        resolve({
          code,
          signal,
          stdout,
          stderr,
          timedOut: false,
          durationMs: Date.now() - started,
        }),
      ),
    );
    return { child, done, stderr: () => stderr };
  }
  const until = async (what: () => boolean, ms = 60_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!what()) {
      if (Date.now() > end) throw new Error('waited too long');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('two overlapping cron runs: the second waits for the first; one Slack post, both runs in the history', async () => {
    const state = join(work, 'overlap.json');
    slack.delayMs = 3000; // the first run is slow to finish: Slack takes its time
    try {
      const first = start(argv(state, 'one'));
      await until(() => existsSync(`${state}.lock`));
      const second = start(argv(state, 'two'));
      const [a, b] = await Promise.all([first.done, second.done]);
      assert.equal(a.code, 1, a.stderr);
      assert.equal(b.code, 1, b.stderr);
      assert.match(
        b.stderr,
        /overlap\.json is in use by another port-drift run \(pid \d+ on .*\): waiting up to 60 s for it\./,
      );
      assert.match(b.stderr, /Slack: not sent, the same drift as the last run/);
      assert.deepEqual(headers(), ['🚨 New port drift: cron']);
      const kept = JSON.parse(readFileSync(state, 'utf8')) as { history: { runs: unknown[] } };
      assert.equal(kept.history.runs.length, 2, 'no history point lost');
      assert.equal(existsSync(`${state}.lock`), false, 'the lock is gone');
    } finally {
      slack.delayMs = 0;
    }
  });

  it('SIGTERM while Slack does not answer: exit 3, the cancelled message, report.json written', async () => {
    const state = join(work, 'hang.json');
    slack.hang = true;
    try {
      const before = slack.attempts;
      const run = start(argv(state, 'hang'));
      await until(() => slack.attempts > before);
      run.child.kill('SIGTERM');
      const r = await run.done;
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.signal, null, 'it ended itself, not by the signal');
      assert.match(r.stderr, /SIGTERM: the run was cancelled/);
      assert.match(
        r.stderr,
        /^error: Cancelled while notifying: the verdict above and report\.json stand; the issue, the pull-request comment or Slack may not have heard of this run\.$/m,
      );
      assert.match(r.stdout, /^Drift found: cron$/m, 'the result is printed');
      const report = JSON.parse(readFileSync(join(work, 'hang', 'report.json'), 'utf8')) as {
        findings: { port: number }[];
      };
      assert.deepEqual(
        report.findings.map((f) => f.port),
        [forgotten],
      );
      assert.equal(existsSync(`${state}.lock`), false, 'the lock is gone');
    } finally {
      slack.hang = false;
    }
  });

  it('SIGINT while waiting for another run’s lock: exit 3, cancelled before anything was reported', async () => {
    const state = join(work, 'waiting.json');
    writeFileSync(
      `${state}.lock`,
      // pid 1 is alive: a run that holds the lock.
      JSON.stringify({ pid: 1, host: hostname(), since: 'now' }),
    );
    const posted = slack.messages.length;
    const run = start(argv(state, 'waiting'));
    await until(() => /waiting up to 60 s for it/.test(run.stderr()));
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /is in use by another port-drift run \(pid 1 on /);
    assert.match(
      r.stderr,
      /^error: Cancelled before anything could be reported: no verdict on drift\.$/m,
    );
    assert.equal(existsSync(join(work, 'waiting')), false, 'no scan ran');
    assert.equal(slack.messages.length, posted, 'nothing notified');
    assert.ok(existsSync(`${state}.lock`), 'the other run’s lock is left alone');
  });

  it('a --state holding a forged history: nothing of it raw in the Markdown, the chart parses, a warning names the file', async () => {
    const state = join(work, 'forged.json');
    const run = (
      n: number,
    ): { at: string; run: string; open: number; findings: number; failed: boolean } => ({
      at: new Date(Date.UTC(2026, 0, 1, n)).toISOString(),
      run: '',
      open: 1,
      findings: 0,
      failed: false,
    });
    writeFileSync(
      state,
      JSON.stringify({
        schema: 'port-drift/state@1',
        name: 'cron',
        savedAt: '',
        history: {
          runs: [
            run(1),
            { ...run(2), run: '@org/team' },
            { ...run(3), run: '[click](https://evil.example/x)' },
            { ...run(4), run: '<img src=x onerror=alert(1)>' },
            { ...run(5), run: '<!-- hidden' },
            { ...run(6), open: 1e300 },
            { ...run(7), findings: -1 },
            { ...run(8), findings: 'NaN' },
            { ...run(9), open: Number.MAX_SAFE_INTEGER * 4 },
            run(10),
          ],
          baseline: {
            at: run(1).at,
            run: '',
            branch: 'main',
            addresses: [
              { address: '127.0.0.1', target: '@org/team', open: Array(300_000).fill('22/tcp') },
            ],
          },
        },
      }),
    );
    const r = await runCommand(argv(state, 'forged', '--format', 'markdown'), {
      env: env(),
      cwd: work,
    });
    assert.equal(r.code, 1, r.stderr);
    const md = r.stdout;
    for (const raw of ['@org/team', 'evil.example', '<img', '<!-- hidden', 'e+300', 'NaN']) {
      assert.ok(!md.includes(raw), `${raw} is not in the Markdown`);
    }
    assert.doesNotMatch(outsideCodeSpans(md), /@|<img|<!--/);
    assert.deepEqual(chartProblems(md), []);
    assert.match(md, /^ {2}bar \[0, 0, 1\]$/m, 'the two good runs and this one');
    assert.match(
      r.stderr,
      new RegExp(
        `^warning: ${state}: 9 entries of the history ignored, not as port-drift writes them \\(runs\\[1\\]\\.run: want a run id \\(digits\\); runs\\[2\\]\\.run: want a run id \\(digits\\); runs\\[3\\]\\.run: want a run id \\(digits\\); and 6 more\\)\\.$`,
        'm',
      ),
    );
    // The run's own verdict is its own: the forged history changed nothing of it.
    assert.match(md, /^## ❌ Drift found: `cron`$/m);
  });
});
