// End to end: the built action run as a GitHub-hosted runner runs it, by a user that is not root
// (`runner`, with passwordless sudo), against a fleet in network namespaces with real nmap: it sees
// it is not root, sends its SYN and UDP probes through `sudo -n`, and finds what root finds. Then
// as a user with no sudo rights (`nosudo`): the documented connect scan, and the documented error
// for UDP and SYN. The test stays root (it builds the namespaces) and switches user for the action alone.
// Needs root, nmap, sudo and the two users, which .ci/run creates; skips, saying what is missing,
// unless PORT_DRIFT_REQUIRE_SUDO_SUITE=1 (set by .ci/run) makes that a failure.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brief, runAction, type ActionRun } from '../helpers/action.js';
import { runSync } from '../helpers/exec.js';
import { createFleet, type Fleet } from '../helpers/fleet.js';
import { canBuildFleets } from '../helpers/netns.js';
import { distEntry, isRoot } from '../helpers/paths.js';
import { actionNode } from '../helpers/runtime.js';
import { asUser, findUser, hasPasswordlessSudo, userEnv, type User } from '../helpers/users.js';

const runner = findUser('runner');
const nosudo = findUser('nosudo');
const required = process.env['PORT_DRIFT_REQUIRE_SUDO_SUITE'] === '1';

/** What this machine lacks for the suite, in words that name the fix; false when nothing. */
function missing(): string | false {
  if (!isRoot) return 'needs root (it builds network namespaces and switches users)';
  if (canBuildFleets !== true) return canBuildFleets;
  if (spawnSync('nmap', ['--version']).status !== 0) return 'needs nmap';
  if (runSync(['sudo', '--version']).code !== 0)
    return 'sudo is not installed (apt-get install sudo)';
  if (!runner || runner.uid === 0)
    return "no user 'runner': .ci/run creates it (useradd --uid 1001 --user-group --create-home runner)";
  if (!hasPasswordlessSudo(runner))
    return "'runner' has no passwordless sudo: .ci/run writes /etc/sudoers.d/port-drift-runner ('runner ALL=(ALL) NOPASSWD: ALL')";
  if (!nosudo || nosudo.uid === 0)
    return "no user 'nosudo': .ci/run creates it (useradd --uid 1002 --user-group --create-home nosudo)";
  if (hasPasswordlessSudo(nosudo)) return "'nosudo' has passwordless sudo: it must have none";
  for (const file of [actionNode, distEntry]) {
    if (runSync(asUser(runner, ['test', '-r', file])).code !== 0)
      return `'runner' cannot read ${file}: the checkout must be readable by other users`;
  }
  return false;
}

const lacking = missing();

/** What report.json says of an address, as far as this test reads it. */
interface Observed {
  address: string;
  ports: { port: number; protocol: string; state: string }[];
}

// In CI a missing piece is a failure, never a quiet skip.
it(
  'finds root, nmap, sudo and the two users the hosted-runner suite needs',
  { skip: required ? false : 'PORT_DRIFT_REQUIRE_SUDO_SUITE is not 1: the suite may skip' },
  () => assert.equal(lacking, false),
);

const HOSTS = [
  // SSH and HTTPS, as declared; 8443 is declared too, and nothing listens there.
  { name: 'exact', ipv4: '203.0.113.30', tcp: [22, 443] },
  // SSH and an SNMP agent as declared, and a Redis nobody meant to expose.
  {
    name: 'leaky',
    ipv4: '203.0.113.31',
    tcp: [22, { port: 6379, banner: '-ERR unknown command\r\n' }],
    udp: [{ port: 161, reply: 'snmp' }],
  },
] as const;

const TCP_INPUTS = {
  name: 'hosted runner',
  targets: '203.0.113.30\n203.0.113.31',
  ports: '22,443,6379,8443',
  'ip-version': '4',
  'scan-timeout': '3m',
};
const WITH_UDP = {
  ...TCP_INPUTS,
  'udp-ports': '161',
  expected: '203.0.113.30: 22, 443, 8443\n203.0.113.31: 22, 161/udp',
};
const TCP_ONLY = { ...TCP_INPUTS, expected: '203.0.113.30: 22, 443, 8443\n203.0.113.31: 22' };

/** The drift in this fleet: the forgotten Redis, and the declared 8443 that is closed. */
const DRIFT = [
  'missing 203.0.113.30 203.0.113.30 8443/tcp closed',
  'unexpected-open 203.0.113.31 203.0.113.31 6379/tcp open',
];

describe("the action as a hosted runner's user", { skip: lacking }, () => {
  let fleet: Fleet<(typeof HOSTS)[number]['name']>;
  let homes: string;
  let asRoot: ActionRun;
  const reportDirs = new Map<string, string>();

  before(async () => {
    homes = mkdtempSync(join(tmpdir(), 'port-drift-users-'));
    chmodSync(homes, 0o755); // the users walk through to their own workspaces
    fleet = await createFleet(HOSTS);
    asRoot = await runAction(WITH_UDP, (argv, opts) => fleet.exec(argv, opts));
  });

  after(async () => {
    await fleet?.destroy();
    if (homes) rmSync(homes, { recursive: true, force: true });
  });

  /**
   * The action as `user`, in the scanner namespace, with a workspace of the user's own holding
   * the report folder, as on a runner. `key` names the run's workspace.
   */
  const runAs = async (
    user: User,
    key: string,
    inputs: Record<string, string>,
  ): Promise<ActionRun> => {
    const workspace = join(homes, key);
    mkdirSync(workspace, { mode: 0o755 });
    chownSync(workspace, user.uid, user.gid);
    const reportDir = join(workspace, 'port-drift');
    reportDirs.set(key, reportDir);
    const run = await runAction(
      { ...inputs, 'report-dir': reportDir },
      (argv, opts) => fleet.exec(asUser(user, argv), opts),
      { ...userEnv(user), GITHUB_WORKSPACE: workspace },
      user,
    );
    // runAction reads its own report folder; this run's is in the user's workspace.
    const files = existsSync(reportDir) ? readdirSync(reportDir).sort() : [];
    const json = join(reportDir, 'report.json');
    const report = existsSync(json)
      ? (JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>)
      : undefined;
    return { ...run, files, report };
  };

  const scanOf = (run: ActionRun): { scanType: string; privilege: string } => {
    const { scanType, privilege } = (run.report as { scan: Record<string, string> }).scan;
    return { scanType: scanType ?? '', privilege: privilege ?? '' };
  };

  const errors = (run: ActionRun): string =>
    run.stdout
      .split('\n')
      .filter((l) => l.startsWith('::error::'))
      .join('\n');

  describe('with passwordless sudo (runner)', () => {
    let run: ActionRun;
    before(async () => {
      run = await runAs(runner!, 'runner', WITH_UDP);
    });

    it('finds what root finds: the forgotten Redis and the closed 8443, and the same verdict', () => {
      assert.deepEqual(brief(asRoot.findings), DRIFT, asRoot.stdout);
      assert.deepEqual(brief(run.findings), DRIFT, run.stdout + run.stderr);
      assert.equal(run.code, 1);
      assert.equal(asRoot.code, 1);
      assert.equal(errors(run), '::error::Drift: 1 unexpected-open, 1 missing.');
      assert.equal(run.outputs['drift'], 'true');
    });

    it('sees the declared SNMP agent open over UDP, which needs raw sockets, as root does', () => {
      const snmp = (r: ActionRun): string | undefined =>
        (r.report as { observed: Observed[] }).observed
          .find((o) => o.address === '203.0.113.31')
          ?.ports.find((p) => p.port === 161 && p.protocol === 'udp')?.state;
      assert.equal(snmp(asRoot), 'open');
      assert.equal(snmp(run), 'open');
    });

    it('says it is not root and sends its SYN scan through passwordless sudo', () => {
      assert.match(
        run.stdout,
        /^scan-type auto: SYN scan, because passwordless sudo is available$/m,
      );
      assert.deepEqual(scanOf(run), {
        scanType: 'SYN',
        privilege: 'passwordless sudo is available',
      });
      assert.match(run.summary, /SYN scan \(passwordless sudo is available\)/);
      assert.deepEqual(scanOf(asRoot), { scanType: 'SYN', privilege: 'running as root' });
    });

    it("writes its reports into the user's folder, as files of the user's", () => {
      assert.ok(run.files.includes('report.json') && run.files.includes('report.sarif'));
      const dir = reportDirs.get('runner')!;
      assert.equal(statSync(dir).uid, runner!.uid, 'the report folder');
      for (const file of ['report.json', 'report.sarif']) {
        assert.equal(statSync(join(dir, file)).uid, runner!.uid, file);
      }
    });

    it("leaves nmap's XML (written by nmap under sudo) for the user to read and remove", () => {
      const xml = run.files.filter((f) => f.endsWith('.xml'));
      for (const sweep of ['nmap-ipv4-tcp.xml', 'nmap-ipv4-udp.xml'])
        assert.ok(xml.includes(sweep), `${sweep} among ${xml.join(', ')}`);
      const dir = reportDirs.get('runner')!;
      for (const file of xml) {
        const read = runSync(asUser(runner!, ['cat', join(dir, file)]));
        assert.equal(read.code, 0, read.err);
        assert.match(read.out, /<nmaprun /, file);
      }
      // A later step of the job cleans up, as that user.
      const rm = runSync(asUser(runner!, ['rm', '-r', dir]));
      assert.equal(rm.code, 0, rm.err);
    });
  });

  describe('without sudo rights (nosudo)', () => {
    let run: ActionRun;
    let udp: ActionRun;
    let syn: ActionRun;
    before(async () => {
      run = await runAs(nosudo!, 'nosudo', TCP_ONLY);
      udp = await runAs(nosudo!, 'nosudo-udp', WITH_UDP);
      syn = await runAs(nosudo!, 'nosudo-syn', { ...TCP_ONLY, 'scan-type': 'syn' });
    });

    it('falls back to a connect scan, says why, and finds the same TCP drift', () => {
      assert.match(
        run.stdout,
        /^scan-type auto: connect scan, because not root and no passwordless sudo$/m,
      );
      assert.deepEqual(scanOf(run), {
        scanType: 'connect',
        privilege: 'not root and no passwordless sudo',
      });
      assert.deepEqual(brief(run.findings), DRIFT, run.stdout + run.stderr);
      assert.equal(run.code, 1);
    });

    it('refuses UDP ports, and a SYN scan asked for, before scanning, naming the fix', () => {
      assert.equal(
        errors(udp),
        "::error::Input 'udp-ports': UDP scans need raw sockets, and this runner has none (not root and no passwordless sudo). Run as root or with passwordless sudo, or drop the UDP ports.",
      );
      assert.equal(
        errors(syn),
        "::error::Input 'scan-type': syn needs raw sockets, and this runner has none (not root and no passwordless sudo). Use scan-type: connect or auto, or run as root.",
      );
      for (const r of [udp, syn]) {
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.deepEqual(r.findings, []);
        assert.deepEqual(
          r.files.filter((f) => f.endsWith('.xml')),
          [],
          'no nmap run',
        );
      }
    });
  });
});
