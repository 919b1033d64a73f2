// End to end, issue 12: a green run means every declared address was scanned and matched the policy.
// Each class of input, network or runner fault that once ended in a pass that hid an open port (or
// lost the results) is run through the built action with real nmap on a namespace fleet, and must
// end in a clear error or an honest finding. Needs root.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/report/report.js';
import { brief, parseOutputs, runAction, type ActionRun } from '../helpers/action.js';
import { runCommand } from '../helpers/exec.js';
import { createFleet, type Fleet } from '../helpers/fleet.js';
import { canBuildFleets } from '../helpers/netns.js';
import { writeNmapXml } from '../helpers/nmap-xml.js';
import { distEntry, repoRoot } from '../helpers/paths.js';
import { actionNode } from '../helpers/runtime.js';

const skip = canBuildFleets === true ? false : canBuildFleets;

const HOSTS = [
  // Serves 22 and 80; every policy here allows 22 only, so 80 is the open port a pass would hide.
  { name: 'web', ipv4: '203.0.113.60', ipv6: '2001:db8::60', tcp: [22, 80] },
  // Answers nothing at all: a scan of all its ports runs until it is stopped.
  { name: 'dark', ipv4: '203.0.113.61', tcp: [22], dropAll: true },
] as const;

/** A DNS server that takes every query and never answers, on the scanner's loopback. */
const SILENT_DNS = '127.0.0.53';

/** Addresses dark answers ARP for and nothing else, for a scan that runs until it is stopped. */
const DARK_BLOCK = '203.0.113.64/26';

const errors = (run: ActionRun): string[] =>
  run.stdout.split('\n').filter((l) => l.startsWith('::error::'));

describe('no silent pass', { skip }, () => {
  let fleet: Fleet<(typeof HOSTS)[number]['name']>;
  let work: string;
  let dns: ChildProcess | undefined;

  const scan = (inputs: Record<string, string>): Promise<ActionRun> =>
    runAction(
      { name: 'no silent pass', ports: '22, 80', expected: '*: 22', ...inputs },
      (argv, o) => fleet.exec(argv, o),
    );

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'port-drift-nosilent-'));
    fleet = await createFleet(HOSTS, {
      hostsFile: {
        'web.fleet.test': ['203.0.113.60'],
        // An AAAA answer nmap would skip without scanning: the IPv4-mapped form of web's address.
        'mapped.fleet.test': ['::ffff:203.0.113.60'],
        'v6only.fleet.test': ['2001:db8::60'],
        // A parked domain that points at the runner itself, and a record that points at the
        // cloud's metadata service: neither is a host of the fleet.
        'parked.fleet.test': ['127.0.0.1'],
        'metadata.fleet.test': ['169.254.169.254'],
      },
      // Names not in /etc/hosts go to a resolver that never answers, and glibc waits long for it.
      resolvConf: `nameserver ${SILENT_DNS}\noptions timeout:30 attempts:5\n`,
    });
    dns = spawn(
      'ip',
      [
        'netns',
        'exec',
        fleet.scannerNs,
        process.execPath,
        '-e',
        `const s = require('node:dgram').createSocket('udp4');
         s.on('message', () => {});
         s.bind(53, '${SILENT_DNS}', () => console.log('READY'));`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((ready, fail) => {
      dns!.stdout!.on('data', (b: Buffer) => b.toString().includes('READY') && ready());
      dns!.once('exit', (code) => fail(new Error(`the silent DNS server exited (${code})`)));
    });
  });

  after(async () => {
    dns?.kill('SIGKILL');
    await fleet?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  describe('address forms nmap skips', () => {
    it('refuses an IPv4-mapped IPv6 literal before any scan, saying what to write', async () => {
      const run = await scan({ targets: '::ffff:203.0.113.60' });
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(errors(run), [
        "::error::Input 'targets': '::ffff:203.0.113.60' is an IPv4-mapped IPv6 address, which nmap skips without scanning: write 203.0.113.60. Write hostnames, IPv4 or IPv6 addresses, or CIDR blocks, one per line or comma-separated.",
      ]);
      assert.doesNotMatch(run.stdout, /Sweep/);
    });

    it('scans the IPv4 address of a name whose only answer is IPv4-mapped IPv6', async () => {
      const run = await scan({ targets: 'mapped.fleet.test' });
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(brief(run.findings), [
        'unexpected-open mapped.fleet.test 203.0.113.60 80/tcp open',
      ]);
      assert.match(run.stdout, /mapped\.fleet\.test -> 203\.0\.113\.60/);
    });
  });

  describe('names that resolve to the runner itself', () => {
    const targets = 'parked.fleet.test, metadata.fleet.test, web.fleet.test';

    it('reports each as inconclusive, saying what the address is, scans neither, and judges the rest', async () => {
      // Every port of web is declared: the only findings are about the two names.
      const run = await scan({ targets, expected: '*: 22, 80' });
      assert.deepEqual(brief(run.findings), [
        'inconclusive metadata.fleet.test 169.254.169.254 not scanned',
        'inconclusive parked.fleet.test 127.0.0.1 not scanned',
      ]);
      assert.match(
        run.findings.find((f) => f.target === 'parked.fleet.test')?.detail ?? '',
        /^parked\.fleet\.test resolves to 127\.0\.0\.1, the runner itself \(loopback\): not scanned\./,
      );
      assert.match(
        run.findings.find((f) => f.target === 'metadata.fleet.test')?.detail ?? '',
        /169\.254\.169\.254, a cloud metadata address/,
      );
      // inconclusive is not in the default fail-on: a warning, and web was judged.
      assert.equal(run.code, 0, run.stdout);
      assert.match(run.summary, /^## ⚠️ No drift, with warnings/);
      assert.match(run.summary, /parked\.fleet\.test resolves to 127\.0\.0\.1, the runner itself/);
      assert.match(run.stdout, /^::warning::parked\.fleet\.test resolves to 127\.0\.0\.1/m);
      const scanned = (run.report?.observed as { address: string; status: string }[]).filter(
        (o) => o.status === 'up',
      );
      assert.deepEqual(
        scanned.map((o) => o.address),
        ['203.0.113.60'],
      );
    });

    it('fails the step when inconclusive is in fail-on, and when nothing else was judged', async () => {
      const strict = await scan({ targets, expected: '*: 22, 80', 'fail-on': 'inconclusive' });
      assert.equal(strict.code, 1, strict.stdout);
      const alone = await scan({ targets: 'parked.fleet.test' });
      assert.equal(alone.code, 1, alone.stdout);
      assert.match(
        errors(alone)[0] ?? '',
        /Nothing could be judged: its one address is inconclusive/,
      );
    });
  });

  describe('targets outside ip-version', () => {
    it('reports an IPv6 literal and an IPv6-only name as inconclusive under ip-version 4, and fails: nothing was judged', async () => {
      const run = await scan({
        targets: '2001:db8::60, v6only.fleet.test',
        'ip-version': '4',
      });
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(brief(run.findings), [
        'inconclusive 2001:db8::60 2001:db8::60 not scanned',
        'inconclusive v6only.fleet.test 2001:db8::60 not scanned',
      ]);
      for (const f of run.findings) assert.match(f.detail ?? '', /ip-version: 4 leaves out IPv6/);
      assert.match(
        errors(run)[0] ?? '',
        /Nothing could be judged: all 2 addresses are inconclusive/,
      );
      assert.match(run.summary, /^## ❌ Nothing could be judged/);
    });

    it('still scans and judges the targets of the chosen family beside them', async () => {
      const run = await scan({ targets: '203.0.113.60, 2001:db8::60', 'ip-version': '4' });
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(brief(run.findings), [
        'inconclusive 2001:db8::60 2001:db8::60 not scanned',
        'unexpected-open 203.0.113.60 203.0.113.60 80/tcp open',
      ]);
    });
  });

  describe('DNS that never answers', () => {
    it('scans the names /etc/hosts answers, and reports the silent ones inconclusive within the budget', async () => {
      // More silent names than lookups run at once, and the name /etc/hosts answers last of all.
      const silent = Array.from({ length: 10 }, (_, i) => `silent${i}.fleet.test`);
      const run = await scan({
        targets: [...silent, 'web.fleet.test'].join('\n'),
        'scan-timeout': '20s',
      });
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(brief(run.findings), [
        ...silent.map((name) => `inconclusive ${name} not scanned`),
        'unexpected-open web.fleet.test 203.0.113.60 80/tcp open',
      ]);
      for (const f of run.findings.filter((f) => f.kind === 'inconclusive')) {
        assert.match(f.detail ?? '', /could not be resolved: no answer within \d s/);
      }
    });
  });

  describe('a run that decided nothing', () => {
    const dark = { targets: '203.0.113.61', ports: 'all', 'scan-timeout': '1s' };

    it('fails when the budget ran out before any address was judged, saying so', async () => {
      const run = await scan(dark);
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(brief(run.findings), ['inconclusive 203.0.113.61 203.0.113.61 not scanned']);
      assert.match(
        errors(run)[0] ?? '',
        /^::error::Nothing could be judged: its one address is inconclusive \(.*scan-timeout budget.*\)\.$/,
      );
      assert.equal(run.outputs['drift'], 'false');
    });

    it('passes with fail-on: none, and still says nothing was judged', async () => {
      const run = await scan({ ...dark, 'fail-on': 'none' });
      assert.equal(run.code, 0, run.stdout);
      assert.deepEqual(errors(run), []);
      assert.match(run.summary, /^## .* Nothing could be judged/);
    });
  });

  describe('budgets and files', () => {
    it('refuses a report-dir that is a file before scanning, naming it', async () => {
      const file = join(work, 'not-a-dir');
      writeFileSync(file, 'x');
      for (const dir of [file, join(file, 'reports')]) {
        const run = await scan({ targets: '203.0.113.60', 'report-dir': dir });
        assert.equal(run.code, 1, run.stdout);
        assert.deepEqual(errors(run), [
          `::error::Input 'report-dir': ${dir} cannot hold the reports (it, or a folder on its path, is a file). Name a writable directory.`,
        ]);
        assert.doesNotMatch(run.stdout, /Sweep/);
      }
      assert.equal(readFileSync(file, 'utf8'), 'x');
    });

    it('refuses a FIFO that the xml glob matches, or named as the policy, instead of waiting on it', async () => {
      const dir = join(work, 'xml-fifo');
      mkdirSync(dir);
      writeNmapXml(join(dir, 'a.xml'), [22], [{ address: '203.0.113.60', open: { 22: 'ssh' } }]);
      const fifo = join(dir, 'b.xml');
      const made = await runCommand(['mkfifo', fifo]);
      assert.equal(made.code, 0, made.stderr);
      const run = await runAction({ xml: join(dir, '*.xml'), expected: '*: 22' });
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(errors(run), [
        `::error::Input 'xml': ${fifo} is not a regular file (a FIFO, socket or device): not read`,
      ]);
      const policy = await runAction({ policy: fifo, expected: '*: 22' });
      assert.equal(policy.code, 1, policy.stdout);
      assert.deepEqual(errors(policy), [
        `::error::Input 'policy': ${fifo} is not a regular file (a FIFO, socket or device): not read`,
      ]);
    });

    it('refuses a YAML hex port in a policy file, naming the file, line and key', async () => {
      const policy = join(work, 'hex.yml');
      writeFileSync(policy, 'targets: [203.0.113.60]\nrules:\n  203.0.113.60: [22, 0x50]\n');
      const run = await scan({ policy, expected: '' });
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        errors(run)[0] ?? '',
        /hex\.yml:3, key 'rules\.203\.0\.113\.60': '0x50' is a hexadecimal YAML number \(80\)/,
      );
    });

    it('exits 2 (bad input) from the CLI for nmap XML with an address that is not one, naming the file', async () => {
      const xml = join(work, 'bad-address.xml');
      writeNmapXml(xml, [22], [{ address: '203.0.113.999', open: { 22: 'ssh' } }]);
      const run = await runCommand(
        [actionNode, join(repoRoot, 'dist/cli/index.js'), '--xml', xml],
        { env: { GITHUB_ACTIONS: undefined, GITHUB_OUTPUT: undefined, XDG_STATE_HOME: work } },
      );
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(
        run.stdout + run.stderr,
        new RegExp(
          `${xml.replace(/[.]/g, '\\.')} is not nmap XML as nmap writes it: host 1 has '203\\.0\\.113\\.999' as its ipv4 address`,
        ),
      );
    });
  });

  describe('merge of untrusted shard files', () => {
    let shardDir: string;
    let original: Report;

    before(async () => {
      shardDir = join(work, 'shard');
      const run = await scan({
        targets: '203.0.113.60, 203.0.113.61',
        shard: '1/1',
        'report-dir': shardDir,
      });
      assert.equal(run.code, 0, run.stdout);
      original = JSON.parse(readFileSync(join(shardDir, 'report.json'), 'utf8')) as Report;
    });

    const merge = (name: string, text: string | ((r: Report) => unknown)): Promise<ActionRun> => {
      const dir = join(work, `merge-${name}`);
      mkdirSync(dir);
      const body =
        typeof text === 'string'
          ? text
          : JSON.stringify(text(JSON.parse(JSON.stringify(original)) as Report));
      writeFileSync(join(dir, 'report.json'), body);
      return runAction({ mode: 'merge', results: join(dir, '*.json') });
    };

    it('merges the file as written into the drift it holds', async () => {
      const run = await merge('unchanged', JSON.stringify(original));
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(brief(run.findings), [
        'host-down 203.0.113.61 203.0.113.61 no answer',
        'unexpected-open 203.0.113.60 203.0.113.60 80/tcp open',
      ]);
    });

    it('fails, naming the file, when a host was taken out of it', async () => {
      const run = await merge('lost-host', (r) => {
        r.observed = r.observed.filter((o) => o.address !== '203.0.113.60');
        r.findings = r.findings.filter((f) => f.address !== '203.0.113.60');
        return r;
      });
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        errors(run)[0] ?? '',
        /merge-lost-host\/report\.json does not account for 203\.0\.113\.60 \(target 203\.0\.113\.60\): neither observed nor in a finding/,
      );
      assert.equal(run.report, undefined);
    });

    it('fails, naming the file, when every host was taken out', async () => {
      const run = await merge('no-hosts', (r) => ({ ...r, observed: [], findings: [] }));
      assert.equal(run.code, 1, run.stdout);
      assert.match(errors(run)[0] ?? '', /merge-no-hosts\/report\.json does not account for/);
    });

    it('refuses a field of the wrong type, naming the file and the field, and shows none of it', async () => {
      const run = await merge('wrong-type', (r) => {
        const web = r.observed.find((o) => o.address === '203.0.113.60')!;
        (web.ports[0] as unknown as { port: string }).port = '<img src=x onerror=alert(1)> @octo';
        return r;
      });
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        errors(run)[0] ?? '',
        /merge-wrong-type\/report\.json is not a valid port-drift report\.json: observed\[\d\]\.ports\[0\]\.port: want a whole number in 1-65535, found a string/,
      );
      assert.doesNotMatch(run.stdout + run.summary, /img src|@octo/);
    });

    it('refuses markup where the summary shows a value as it is (nmap’s version)', async () => {
      const run = await merge('markup', (r) => ({
        ...r,
        scan: { ...r.scan, nmapVersion: '7.93 <img src=x onerror=alert(1)>' },
      }));
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        errors(run)[0] ?? '',
        /merge-markup\/report\.json is not a valid port-drift report\.json: scan\.nmapVersion: want plain words/,
      );
      assert.doesNotMatch(run.stdout + run.summary, /img src/);
    });

    it('names a file that is not JSON without quoting any of it', async () => {
      const run = await merge('not-json', 'ghp_SECRETsecretSECRETsecret0000000000\n');
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        errors(run)[0] ?? '',
        /merge-not-json\/report\.json is not JSON \(a syntax error\)\./,
      );
      assert.doesNotMatch(run.stdout + run.stderr + run.summary, /ghp_|SECRET/);
    });

    it('does not follow a symbolic link to another file', async () => {
      const dir = join(work, 'merge-link');
      mkdirSync(dir);
      const secret = join(work, 'shadow');
      writeFileSync(secret, 'root:$y$j9T$SECRETHASH:19000:0:99999:7:::\n');
      symlinkSync(secret, join(dir, 'report.json'));
      const run = await runAction({ mode: 'merge', results: join(dir, '*.json') });
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        errors(run)[0] ?? '',
        /merge-link\/report\.json is a symbolic link, which is not followed/,
      );
      assert.doesNotMatch(run.stdout + run.stderr + run.summary, /SECRETHASH|root:/);
    });
  });

  describe('cancellation', () => {
    let run: {
      code: number | null;
      stdout: string;
      outputs: Record<string, string>;
      summary: string;
    };
    let report: Report;
    let left: string[];

    before(async () => {
      const dir = mkdtempSync(join(work, 'cancel-'));
      const outputFile = join(dir, 'output');
      const summaryFile = join(dir, 'summary.md');
      writeFileSync(outputFile, '');
      writeFileSync(summaryFile, '');
      // 64 more silent addresses on dark (ARP answers for them, nothing else does): the sweep of
      // 20,000 ports on them takes tens of seconds; its first, short run already covers web's 22
      // and 80.
      const anyIp = await fleet.execIn('dark', [
        'ip',
        'route',
        'add',
        'local',
        DARK_BLOCK,
        'dev',
        'lo',
      ]);
      assert.equal(anyIp.code, 0, anyIp.stderr);
      const inputs: Record<string, string> = {
        name: 'cancelled',
        targets: `203.0.113.60, ${DARK_BLOCK}`,
        expected: '203.0.113.60: 22',
        ports: '1-20000',
        'scan-timeout': '5m',
        'report-dir': join(dir, 'report'),
      };
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        RUNNER_TEMP: dir,
      };
      for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
      const child = spawn('ip', ['netns', 'exec', fleet.scannerNs, actionNode, distEntry], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      // Once the sweep's first run has finished and the next is under way: cancelled then.
      await new Promise<void>((done) => {
        child.stdout.on('data', (b: Buffer) => {
          stdout += b.toString();
          if (/\[IPv4 TCP sweep\] [\d,]+ ports at /.test(stdout)) done();
        });
      });
      child.kill('SIGINT');
      // The runner's second signal, while the first is being handled: it must lose nothing.
      setTimeout(() => child.kill('SIGTERM'), 200);
      const code = await exited;
      run = {
        code,
        stdout,
        outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
        summary: readFileSync(summaryFile, 'utf8'),
      };
      child.stderr.on('data', (b: Buffer) => (stdout += b.toString()));
      try {
        report = JSON.parse(readFileSync(join(dir, 'report', 'report.json'), 'utf8')) as Report;
      } catch (error) {
        throw new Error(`no report.json after the cancel (exit ${code}): ${stdout}`, {
          cause: error,
        });
      }
      const pids = await runCommand(['ip', 'netns', 'pids', fleet.scannerNs]);
      left = pids.stdout
        .split('\n')
        .filter(Boolean)
        .map((pid) => {
          try {
            return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
          } catch {
            return '';
          }
        })
        .filter((comm) => comm === 'nmap' || comm === 'sudo');
    });

    it('exits non-zero, saying it was cancelled', () => {
      assert.notEqual(run.code, 0, run.stdout);
      assert.match(
        run.stdout,
        /::error::Cancelled before the scan ended: what finished is reported, the rest is inconclusive\./,
      );
    });

    it('leaves no nmap running', () => {
      assert.deepEqual(left, []);
    });

    it('writes report.json with what finished and the rest inconclusive, cancelled', () => {
      const decided = report.findings.filter((f) => f.kind !== 'inconclusive');
      assert.deepEqual(brief(decided), ['unexpected-open 203.0.113.60 203.0.113.60 80/tcp open']);
      // The rest of the scan was stopped: whatever nmap had not finished is inconclusive.
      const rest = report.findings.filter((f) => !decided.includes(f));
      assert.ok(rest.length > 0, JSON.stringify(report.observed));
      for (const f of rest) {
        assert.equal(f.kind, 'inconclusive');
        assert.match(f.detail ?? '', /the run was cancelled/);
      }
      assert.equal(report.verdict.undecided, 'cancelled');
    });

    it('writes the outputs and the job summary', () => {
      assert.equal(run.outputs['drift'], 'true');
      assert.match(run.outputs['report'] ?? '', /report\.json$/);
      assert.match(run.summary, /^## ❌ Cancelled: what finished is below/);
    });
  });
});
