// End to end (issue 24): a vantage for IPv6. Two scanner namespaces on one LAN scan the same
// dual-stack targets: `hosted`, with IPv4 only (a link-local IPv6 address and nothing else, like a
// GitHub-hosted runner), runs the action; the fleet's own scanner, with IPv6, runs the command
// line with `ip-version: 6`. Each writes report.json, each says where it looked from, and
// `mode: merge` over both finds the IPv6 drift the hosted runner could not see and names, per
// family, which file decided it. A merge of two IPv4-only vantages keeps IPv6 inconclusive.
// Needs root; real nmap.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/report/report.js';
import { brief, runAction, type ActionRun } from '../helpers/action.js';
import type { ExecOptions, ExecResult } from '../helpers/exec.js';
import { createFleet, type Fleet } from '../helpers/fleet.js';
import { canBuildFleets } from '../helpers/netns.js';
import { repoRoot } from '../helpers/paths.js';
import { actionNode } from '../helpers/runtime.js';

const skip = canBuildFleets === true ? false : canBuildFleets;

const HOSTS = [
  // Right on IPv4; on IPv6 a Redis nobody firewalled.
  {
    name: 'dual',
    ipv4: '203.0.113.40',
    ipv6: '2001:db8::40',
    tcp: [443, { port: 6379, ipv6Only: true }],
  },
  { name: 'six', ipv6: '2001:db8::41', tcp: [22] },
] as const;

const HOSTED_IPV4 = '203.0.113.253';

const INPUTS = {
  name: 'dual-stack watch',
  targets: 'dual.fleet.test\n2001:db8::41',
  expected: 'dual.fleet.test: 443\n2001:db8::41: 22',
  ports: '22, 443, 6379',
  'scan-timeout': '3m',
};

/** What a GitHub-hosted runner says of itself. */
const HOSTED_ENV = { RUNNER_ENVIRONMENT: 'github-hosted', RUNNER_NAME: 'GitHub Actions 2' };

const read = (file: string): Report => JSON.parse(readFileSync(file, 'utf8')) as Report;

describe('a vantage for IPv6: two scanners, one without an IPv6 route, merged', { skip }, () => {
  let fleet: Fleet<(typeof HOSTS)[number]['name']>;
  let work: string;
  let hosted: ActionRun;
  let hostedReport: Report;
  let cli: ExecResult;
  let ipv6Report: Report;
  let merge: ActionRun;
  let merged: Report;

  const inHosted = (argv: string[], opts: ExecOptions): Promise<ExecResult> =>
    fleet.execIn('hosted', argv, opts);

  before(async () => {
    fleet = await createFleet(HOSTS, {
      hostsFile: { 'dual.fleet.test': ['203.0.113.40', '2001:db8::40'] },
      scanners: [{ name: 'hosted', ipv4: HOSTED_IPV4 }],
    });
    work = mkdtempSync(join(tmpdir(), 'port-drift-vantage-'));
    hosted = await runAction({ ...INPUTS, 'report-dir': join(work, 'ipv4') }, inHosted, HOSTED_ENV);
    hostedReport = read(join(work, 'ipv4', 'report.json'));
    // The IPv6 vantage: the command line on a host with IPv6, its report.json handed over.
    mkdirSync(join(work, 'ipv6'));
    const args = Object.entries({ ...INPUTS, 'ip-version': '6' }).map(([k, v]) => `--${k}=${v}`);
    cli = await fleet.exec(
      [
        actionNode,
        join(repoRoot, 'dist/cli/index.js'),
        ...args,
        `--report-dir=${join(work, 'ipv6')}`,
      ],
      {
        env: {
          GITHUB_ACTIONS: undefined,
          GITHUB_OUTPUT: undefined,
          GITHUB_STEP_SUMMARY: undefined,
          RUNNER_NAME: undefined,
          RUNNER_ENVIRONMENT: undefined,
          XDG_STATE_HOME: work,
        },
        cwd: work,
        timeoutMs: 300_000,
      },
    );
    ipv6Report = read(join(work, 'ipv6', 'report.json'));
    merge = await runAction({
      mode: 'merge',
      results: join(work, 'ipv*', 'report.json'),
      'report-dir': join(work, 'merged'),
    });
    merged = read(join(work, 'merged', 'report.json'));
  });

  after(async () => {
    await fleet?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the hosted-like runner sees IPv4 and reports IPv6 inconclusive, saying where it looked from', () => {
    assert.deepEqual(brief(hosted.findings), [
      'inconclusive 2001:db8::41 2001:db8::41 not scanned',
      'inconclusive dual.fleet.test 2001:db8::40 not scanned',
    ]);
    const [v4, v6] = hostedReport.scan.vantage?.families ?? [];
    assert.deepEqual(v4, {
      family: 4,
      route: true,
      targets: 1,
      sources: [HOSTED_IPV4],
      public: [],
    });
    assert.equal(v6?.route, false);
    assert.equal(v6?.why, 'it has no IPv6 address beyond link-local');
    assert.deepEqual(hostedReport.scan.vantage?.runner, {
      name: 'GitHub Actions 2',
      environment: 'github-hosted',
    });
    assert.match(hosted.summary, /### Where the scan looked from/);
    assert.match(hosted.summary, /- From a `github-hosted` runner `GitHub Actions 2`\./);
    assert.match(hosted.summary, /- IPv4: route, from `203\.0\.113\.253`/);
    assert.match(hosted.summary, /- IPv6: no route \(`it has no IPv6 address beyond link-local`\)/);
    assert.match(hosted.summary, /> A firewall that allowlists GitHub Actions' address ranges/);
  });

  it('the IPv6 vantage (the command line) finds the IPv6 drift, and says it looked from IPv6', () => {
    assert.equal(cli.code, 1, cli.stderr);
    assert.deepEqual(brief(ipv6Report.findings), [
      'unexpected-open dual.fleet.test 2001:db8::40 6379/tcp open',
    ]);
    const v6 = ipv6Report.scan.vantage?.families.find((f) => f.family === 6);
    assert.deepEqual(v6, {
      family: 6,
      route: true,
      targets: 2,
      sources: [fleet.scanner.ipv6],
      public: [],
    });
    assert.equal(ipv6Report.scan.vantage?.runner, undefined);
    assert.match(
      cli.stdout,
      /Where the scan looked from:\n {2}IPv4: route.*\n {2}IPv6: route, from 2001:db8::fe/,
    );
  });

  it('the merge takes the IPv6 observation over the no route, and fails on the IPv6 drift', () => {
    assert.deepEqual(brief(merge.findings), [
      'unexpected-open dual.fleet.test 2001:db8::40 6379/tcp open',
    ]);
    assert.equal(merged.verdict.counts.inconclusive, 0);
    assert.equal(merge.code, 1, merge.stdout);
    assert.equal(merge.outputs['drift'], 'true');
  });

  it('the merge names per family which vantage decided it', () => {
    const ipv4File = join(work, 'ipv4', 'report.json');
    const ipv6File = join(work, 'ipv6', 'report.json');
    assert.deepEqual(merged.merged?.families, [
      { family: 4, addresses: 1, decided: 1, by: [{ file: ipv4File, addresses: 1 }] },
      { family: 6, addresses: 2, decided: 2, by: [{ file: ipv6File, addresses: 2 }] },
    ]);
    assert.deepEqual(
      merged.merged?.vantages?.map((v) => [v.file, v.ipVersion, v.vantage?.families[1]?.route]),
      [
        [ipv4File, 'both', false],
        [ipv6File, '6', true],
      ],
    );
    const cell = (file: string): string => file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    assert.match(merge.summary, /Merged from 2 results, each from its own vantage/);
    assert.match(
      merge.summary,
      new RegExp(`\\| IPv4 \\| 1 \\| 1 \\| \`${cell(ipv4File)}\` \\(1\\) \\|`),
    );
    assert.match(
      merge.summary,
      new RegExp(`\\| IPv6 \\| 2 \\| 2 \\| \`${cell(ipv6File)}\` \\(2\\) \\|`),
    );
  });

  it('a merge of two vantages without IPv6 keeps IPv6 inconclusive', async () => {
    const again = await runAction(
      { ...INPUTS, 'report-dir': join(work, 'v4-again', 'a') },
      inHosted,
      { ...HOSTED_ENV, RUNNER_NAME: 'GitHub Actions 3' },
    );
    assert.equal(again.code, 0, again.stdout);
    const both = await runAction({
      mode: 'merge',
      results: `${join(work, 'ipv4', 'report.json')}\n${join(work, 'v4-again', 'a', 'report.json')}`,
      'report-dir': join(work, 'merged-v4'),
    });
    assert.deepEqual(brief(both.findings), [
      'inconclusive 2001:db8::41 2001:db8::41 not scanned',
      'inconclusive dual.fleet.test 2001:db8::40 not scanned',
    ]);
    const report = read(join(work, 'merged-v4', 'report.json'));
    assert.deepEqual(
      report.merged?.families?.find((f) => f.family === 6),
      { family: 6, addresses: 2, decided: 0, by: [] },
    );
    assert.match(
      both.summary,
      /\| IPv6 \| 2 \| 0 \| none: no vantage reached it, so its addresses stay inconclusive \|/,
    );
    assert.match(both.stdout, /::warning::IPv4 was scanned from more than one vantage/);
  });
});
