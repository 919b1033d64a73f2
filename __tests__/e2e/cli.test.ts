// End to end: the command line as a new user runs it from the README, installed with npm as the
// `port-drift` command, against listeners this test starts on 127.0.0.1. Needs nmap, not root.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand, type ExecResult } from '../helpers/fleet.js';
import { repoRoot } from '../helpers/paths.js';

const nmap = spawnSync('nmap', ['--version'], { encoding: 'utf8' });
const skip =
  nmap.status === 0 ? false : 'nmap is not installed: the CLI test scans 127.0.0.1 with it';

/** A runner's variables would change what the CLI does; a terminal has none of them. */
const TERMINAL = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => k.startsWith('GITHUB_') || k.startsWith('INPUT_') || k.startsWith('RUNNER_'))
    .map((k) => [k, undefined]),
);

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.end());
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('the port-drift command', { skip }, () => {
  let work: string;
  let bin: string;
  let servers: Server[];
  let web: number;
  let forgotten: number;
  let closed: number;

  const portDrift = (...args: string[]): Promise<ExecResult> =>
    runCommand([bin, ...args], { env: TERMINAL, cwd: work, timeoutMs: 120_000 });

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
    servers = [await listen(), await listen()];
    [web, forgotten] = servers.map((s) => (s.address() as AddressInfo).port) as [number, number];
    const spare = await listen();
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
    ]) {
      assert.match(help.stdout, new RegExp(`^  ${flag} `, 'm'));
    }
    assert.match(help.stdout, /Exit codes: 0 .* 1 drift, 2 bad flags or inputs, 3 the scan failed/);
  });

  it('exits 0 and prints the summary when what is open is what was declared', async () => {
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
    assert.match(run.stdout, /^## ✅ No drift: `port-drift`$/m);
    assert.doesNotMatch(run.stdout + run.stderr, /^::/m, 'no workflow commands in a terminal');
    assert.deepEqual(readdirSync(join(work, 'clean')).sort(), [
      'nmap-ipv4-tcp.xml',
      'report.json',
      'report.sarif',
    ]);
  });

  it('exits 1 on drift, with the drift in the summary and one plain error line', async () => {
    const run = await portDrift(
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
      '--report-dir',
      'drift',
    );
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^## ❌ Drift found: `bastion cron`$/m);
    assert.match(
      run.stdout,
      new RegExp(
        `\\| \`127\\.0\\.0\\.1\` \\| \`127\\.0\\.0\\.1\` \\| ${forgotten}/tcp \\| \\*\\*unexpected-open\\*\\*`,
      ),
    );
    assert.equal(run.stderr.trim(), 'error: Drift: 1 unexpected-open.');
    assert.ok(existsSync(join(work, 'drift', 'report.sarif')));
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
