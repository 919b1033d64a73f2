// The action's run(), in process, with a typed fake of the runner (Core): the outputs, step result
// and job summary a workflow sees, for each way a run ends. nmap XML stands in for the scan (the
// scans themselves are the end-to-end tests' part), so this runs anywhere, as any user.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { run, type Core } from '../../src/action/main.js';
import { repoRoot } from '../helpers/paths.js';

/** A runner that keeps what the action told it. */
class FakeRunner implements Core {
  readonly outputs = new Map<string, string>();
  readonly failed: string[] = [];
  readonly warnings: string[] = [];
  readonly notices: string[] = [];
  readonly infos: string[] = [];
  readonly summaries: string[] = [];
  readonly secrets: string[] = [];
  readonly groups: string[] = [];

  constructor(
    private readonly inputs: Readonly<Record<string, string>>,
    /** false: no job summary file (a run outside a runner). */
    private readonly hasSummary = true,
  ) {}

  getInput(name: string): string {
    return this.inputs[name] ?? '';
  }
  getBooleanInput(name: string): boolean {
    const v = this.getInput(name).trim();
    if (['true', 'True', 'TRUE'].includes(v)) return true;
    if (['false', 'False', 'FALSE'].includes(v)) return false;
    throw new TypeError(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}`);
  }
  setSecret(secret: string): void {
    this.secrets.push(secret);
  }
  setOutput(name: string, value: string): void {
    this.outputs.set(name, value);
  }
  setFailed(message: string): void {
    this.failed.push(message);
  }
  info(message: string): void {
    this.infos.push(message);
  }
  warning(message: string): void {
    this.warnings.push(message);
  }
  notice(message: string): void {
    this.notices.push(message);
  }
  debug(): void {}
  group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.groups.push(name);
    return fn();
  }
  summary(markdown: string): Promise<boolean> {
    if (this.hasSummary) this.summaries.push(markdown);
    return Promise.resolve(this.hasSummary);
  }
}

const FLEET = join(repoRoot, '__tests__/fixtures/nmap/fleet-ipv4.xml');
/** The fixture's truth: .20 has 22, 80, 443 open; .21 has 2222 and 27017; .250 is down. */
const EXPECTED = '203.0.113.20: 22, 80, 443\n203.0.113.21: 2222, 27017';

describe('the action, in process', () => {
  const work = mkdtempSync(join(tmpdir(), 'port-drift-main-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const dir = (name: string): string => join(work, name);

  it('on drift: fails the step with one line, sets every output, writes the summary and reports', async () => {
    const runner = new FakeRunner({
      xml: FLEET,
      expected: '203.0.113.20: 22, 80, 443\n203.0.113.21: 2222',
      'report-dir': dir('drift'),
    });
    assert.equal(await run(runner), 'drift');
    assert.deepEqual(runner.failed, ['Drift: 1 unexpected-open, 1 host-down.']);
    assert.equal(runner.outputs.get('drift'), 'true');
    const findings = JSON.parse(runner.outputs.get('findings') ?? '') as {
      kind: string;
      address: string;
      port?: number;
    }[];
    assert.deepEqual(
      findings.map((f) => [f.kind, f.address, f.port]),
      [
        ['host-down', '203.0.113.250', undefined],
        ['unexpected-open', '203.0.113.21', 27017],
      ],
    );
    assert.equal(runner.outputs.get('report'), join(dir('drift'), 'report.json'));
    assert.equal(runner.outputs.get('sarif'), join(dir('drift'), 'report.sarif'));
    assert.deepEqual(JSON.parse(runner.outputs.get('scanned') ?? ''), {
      addresses: 3,
      tcpPorts: 7, // the fixture's scan: 22, 80, 443, 2222, 5432, 6379, 27017
      udpPorts: 0,
    });
    const report = JSON.parse(readFileSync(join(dir('drift'), 'report.json'), 'utf8')) as {
      findings: unknown[];
    };
    assert.deepEqual(report.findings, findings);
    assert.equal(runner.summaries.length, 1);
    assert.match(runner.summaries[0] ?? '', /^## ❌ Drift found: /);
    assert.equal(runner.outputs.has('issue-url'), false, 'no notification was asked for');
  });

  it('passes clean, and drift outside fail-on is a warning, not a failure', async () => {
    const clean = new FakeRunner({
      xml: FLEET,
      expected: EXPECTED,
      'fail-on': 'unexpected-open, missing',
      'report-dir': dir('clean'),
    });
    assert.equal(await run(clean), 'pass');
    assert.deepEqual(clean.failed, []);
    assert.equal(clean.outputs.get('drift'), 'true', 'host-down is drift, though it does not fail');
    assert.deepEqual(clean.warnings, ['Drift: 1 host-down.']);
  });

  it('without an artifact service, uploads nothing and the summary names the runner paths and why', async () => {
    const saved = { ...process.env };
    delete process.env['ACTIONS_RUNTIME_TOKEN'];
    delete process.env['ACTIONS_RESULTS_URL'];
    try {
      const runner = new FakeRunner({ xml: FLEET, expected: EXPECTED, 'report-dir': dir('local') });
      await run(runner);
      assert.deepEqual(runner.warnings, []);
      assert.match(
        runner.summaries[0] ?? '',
        /report: `[^`]+report\.json` · SARIF: `[^`]+report\.sarif`, on the runner only: `no artifact service \(ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set/,
      );
      assert.equal(runner.outputs.has('artifact-url'), false);
      assert.equal(existsSync(join(dir('local'), 'summary.md')), false);
      // A results service but no repository to name in the artifact's address: no upload either.
      process.env['ACTIONS_RUNTIME_TOKEN'] = 'x.e30.x';
      process.env['ACTIONS_RESULTS_URL'] = 'http://127.0.0.1:9/';
      delete process.env['GITHUB_REPOSITORY'];
      const norepo = new FakeRunner({
        xml: FLEET,
        expected: EXPECTED,
        'report-dir': dir('norepo'),
      });
      await run(norepo);
      assert.deepEqual(norepo.warnings, []);
      assert.match(
        norepo.summaries[0] ?? '',
        /on the runner only: `no artifact service \(GITHUB_REPOSITORY is not set\)`/,
      );
      delete process.env['ACTIONS_RUNTIME_TOKEN'];
      delete process.env['ACTIONS_RESULTS_URL'];
      const merge = new FakeRunner({ mode: 'merge', 'report-dir': dir('merge') });
      assert.equal(await run(merge), 'configuration-error');
      assert.match(
        merge.failed[0] ?? '',
        /^Input 'results': is empty, so the shard artifacts of this run are merged, but ACTIONS_RUNTIME_TOKEN/,
      );
    } finally {
      process.env = saved;
    }
  });

  it('a configuration error fails before anything runs: no outputs, a summary that says why', async () => {
    const runner = new FakeRunner({
      targets: '-iL /etc/passwd',
      expected: '*: 22',
      'report-dir': dir('never'),
    });
    assert.equal(await run(runner), 'configuration-error');
    assert.equal(runner.failed.length, 1);
    assert.match(runner.failed[0] ?? '', /^Input 'targets': '-iL \/etc\/passwd' starts with '-'/);
    assert.equal(runner.outputs.size, 0);
    assert.match(runner.summaries[0] ?? '', /^## ❌ A configuration error\n\n`Input 'targets'/);
    assert.equal(existsSync(dir('never')), false);
  });

  it('masks secrets as it reads them, and prints the summary where there is no runner to take it', async () => {
    const runner = new FakeRunner(
      {
        xml: FLEET,
        expected: EXPECTED,
        'fail-on': 'none',
        'github-token': 'ghp_notARealToken0000000000000000000000',
        'report-dir': dir('local'),
      },
      false,
    );
    assert.equal(await run(runner), 'pass');
    assert.deepEqual(runner.secrets, ['ghp_notARealToken0000000000000000000000']);
    assert.equal(runner.summaries.length, 0);
    const printed = runner.infos.find((m) => m.startsWith('## ⚠️ Drift found'));
    assert.ok(printed, runner.infos.join('\n'));
    assert.doesNotMatch(printed, /<details>|<\/?sub>/, 'the terminal form, without GitHub HTML');
  });
});
