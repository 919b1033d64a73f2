// mode: merge over vantages (issue 24): a hosted runner without an IPv6 route and another vantage
// that has one scan the same targets; the merge takes what a vantage observed over what another
// could not decide, says per family which result file decided it, and keeps a family that no
// vantage reached inconclusive.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../../src/base/errors.js';
import { mergeReports, type ShardResult } from '../../src/report/merge.js';
import { checkReport } from '../../src/report/schema.js';
import { renderSummary } from '../../src/report/summary.js';
import { renderText } from '../../src/report/text.js';
import { combineObserved } from '../../src/report/vantages.js';
import { vantageOf } from '../../src/plan/network.js';
import type { FindingKind, ObservedAddress, Vantage } from '../../src/base/types.js';
import { brief } from '../helpers/action.js';
import { report, up } from '../helpers/reports.js';

const TARGETS = ['dual.example.com', '2001:db8::/126'];
const EXPECTED = 'dual.example.com: 443\n2001:db8::/126: none';
const failOn = new Set<FindingKind>(['unexpected-open', 'missing', 'host-down']);
const JOB = { name: '', failOn, targets: [], rules: [], maxAddresses: 4096 };
const BLOCK = ['2001:db8::', '2001:db8::1', '2001:db8::2', '2001:db8::3'];

function noRoute(address: string, target: string): ObservedAddress {
  return {
    address,
    family: address.includes(':') ? 6 : 4,
    targets: [target],
    hostnames: [],
    status: 'inconclusive',
    reason: `this runner has no IPv6 route to ${address} (it has no IPv6 address beyond link-local).`,
    ports: [],
    extraports: [],
  };
}

const HOSTED: Vantage = {
  families: [
    { family: 4, route: true, targets: 1, sources: ['10.1.0.4'], public: [] },
    {
      family: 6,
      route: false,
      why: 'it has no IPv6 address beyond link-local',
      targets: 2,
      sources: [],
      public: [],
    },
  ],
  runner: { name: 'GitHub Actions 7', environment: 'github-hosted' },
};
const IPV6_HOST: Vantage = {
  families: [
    { family: 4, route: true, targets: 0, sources: [], public: [] },
    { family: 6, route: true, targets: 2, sources: ['2a01:4f8::2'], public: ['2a01:4f8::2'] },
  ],
};

/** The hosted runner's result: IPv4 observed, IPv6 (the name's address and the block) no route. */
function hosted(file = 'ipv4/report.json'): ShardResult {
  const r = report(
    [
      up('198.51.100.7', ['dual.example.com'], [{ port: 443 }]),
      noRoute('2001:db8::7', 'dual.example.com'),
      noRoute('2001:db8::/126', '2001:db8::/126'),
    ],
    EXPECTED,
    { targets: TARGETS },
  );
  r.scan.resolved = { 'dual.example.com': ['198.51.100.7', '2001:db8::7'] };
  r.scan.vantage = HOSTED;
  return { file, report: r };
}

/** The IPv6 vantage's result (ip-version: 6): the IPv6 side, where the drift is. */
function ipv6(observedBlock = BLOCK, file = 'ipv6/report.json'): ShardResult {
  const r = report(
    [
      up('2001:db8::7', ['dual.example.com'], [{ port: 443 }, { port: 6379, service: 'redis' }]),
      ...observedBlock.map((a) =>
        up(a, ['2001:db8::/126'], a === '2001:db8::2' ? [{ port: 22 }] : []),
      ),
    ],
    EXPECTED,
    { targets: TARGETS, settings: { ipVersion: '6' } },
  );
  r.scan.resolved = { 'dual.example.com': ['2001:db8::7'] };
  r.scan.vantage = IPV6_HOST;
  return { file, report: r };
}

function refuses(results: ShardResult[], words: RegExp): void {
  assert.throws(
    () => mergeReports(results, JOB, new Date()),
    (error: unknown) => {
      assert.ok(error instanceof ConfigurationError, String(error));
      assert.match(error.message, words);
      return true;
    },
  );
}

describe('merge over vantages', () => {
  it('takes the IPv6 vantage’s observation over the hosted runner’s no route, in either order', () => {
    for (const results of [
      [hosted(), ipv6()],
      [ipv6(), hosted()],
    ]) {
      const { report: merged, warnings } = mergeReports(results, JOB, new Date());
      assert.deepEqual(brief(merged.findings), [
        'unexpected-open 2001:db8::/126 2001:db8::2 22/tcp open',
        'unexpected-open dual.example.com 2001:db8::7 6379/tcp open',
      ]);
      assert.equal(merged.verdict.counts.inconclusive, 0);
      assert.equal(merged.verdict.failed, true);
      assert.deepEqual(merged.merged?.families, [
        { family: 4, addresses: 1, decided: 1, by: [{ file: 'ipv4/report.json', addresses: 1 }] },
        { family: 6, addresses: 5, decided: 5, by: [{ file: 'ipv6/report.json', addresses: 5 }] },
      ]);
      assert.deepEqual(
        merged.merged?.vantages?.map((v) => [v.file, v.ipVersion, v.vantage?.runner?.environment]),
        [
          ['ipv4/report.json', 'both', 'github-hosted'],
          ['ipv6/report.json', '6', undefined],
        ],
      );
      assert.equal(merged.settings.ipVersion, 'both');
      assert.deepEqual(warnings, []);
    }
  });

  it('keeps a family that no vantage reached inconclusive', () => {
    const other = hosted('other-hosted/report.json');
    const { report: merged } = mergeReports([hosted(), other], JOB, new Date());
    assert.deepEqual(brief(merged.findings), [
      'inconclusive 2001:db8::/126 2001:db8::/126 not scanned',
      'inconclusive dual.example.com 2001:db8::7 not scanned',
    ]);
    const six = merged.merged?.families?.find((f) => f.family === 6);
    assert.deepEqual(six, { family: 6, addresses: 2, decided: 0, by: [] });
    const md = renderSummary(merged, 'report.json');
    assert.match(md, /### Where the scan looked from/);
    assert.match(
      md,
      /\| IPv6 \| 2 \| 0 \| none: no vantage reached it, so its addresses stay inconclusive \|/,
    );
  });

  it('keeps a block inconclusive when another vantage decided only part of it', () => {
    const { report: merged } = mergeReports([hosted(), ipv6(BLOCK.slice(0, 2))], JOB, new Date());
    assert.ok(
      merged.findings.some((f) => f.kind === 'inconclusive' && f.address === '2001:db8::/126'),
      'the block is still undecided as a whole',
    );
    assert.ok(merged.observed.some((o) => o.address === '2001:db8::1' && o.status === 'up'));
  });

  it('keeps an entry inconclusive for its target beside the same address scanned as written', () => {
    const runnerItself: ObservedAddress = {
      ...noRoute('127.0.0.1', 'parked.example.com'),
      reason:
        'parked.example.com resolves to 127.0.0.1, the runner itself (loopback): not scanned.',
    };
    const { taken } = combineObserved([
      { file: 'a.json', observed: [runnerItself] },
      { file: 'b.json', observed: [up('127.0.0.1', ['127.0.0.1'], [])] },
    ]);
    assert.deepEqual(
      taken.map((t) => [t.entry.address, t.entry.targets[0], t.entry.status, t.file]),
      [
        ['127.0.0.1', '127.0.0.1', 'up', 'b.json'],
        ['127.0.0.1', 'parked.example.com', 'inconclusive', 'a.json'],
      ],
    );
  });

  it('never expands a block of an untrusted result: a /64 half decided stays inconclusive', () => {
    const started = Date.now();
    const { taken } = combineObserved([
      { file: 'a.json', observed: [noRoute('2001:db8::/64', '2001:db8::/64')] },
      { file: 'b.json', observed: [up('2001:db8::5', ['2001:db8::/64'], [])] },
    ]);
    assert.deepEqual(taken.map((t) => `${t.entry.address} ${t.entry.status}`).sort(), [
      '2001:db8::/64 inconclusive',
      '2001:db8::5 up',
    ]);
    assert.ok(Date.now() - started < 1000);
  });

  it('warns when two vantages decided the same family: the first file stands', () => {
    const both = ipv6();
    both.report.settings.ipVersion = 'both';
    both.report.observed.push(
      up('198.51.100.7', ['dual.example.com'], [{ port: 443 }, { port: 22 }]),
    );
    both.report.scan.resolved = { 'dual.example.com': ['198.51.100.7', '2001:db8::7'] };
    const { report: merged, warnings } = mergeReports([both, hosted()], JOB, new Date());
    assert.ok(
      warnings.some((w) =>
        /IPv4 was scanned from more than one vantage \(ipv4\/report\.json, ipv6\/report\.json\): where both decided an address, ipv4\/report\.json stands/.test(
          w,
        ),
      ),
      warnings.join('\n'),
    );
    assert.ok(!merged.findings.some((f) => f.port === 22 && f.address === '198.51.100.7'));
  });

  it('refuses a lone whole result, a merged result, and vantages of different policies', () => {
    refuses([hosted()], /ipv4\/report\.json is not a shard result .* and it is the only result/);
    const again = mergeReports([hosted(), ipv6()], JOB, new Date()).report;
    refuses(
      [hosted(), { file: 'merged/report.json', report: again }],
      /merged\/report\.json is the result of a merge/,
    );
    const other = ipv6();
    other.report.settings.rules = [];
    refuses(
      [hosted(), other],
      /ipv4\/report\.json and ipv6\/report\.json are not results of one policy: their rules differ/,
    );
  });

  it('fails when no result accounts for an address, naming it', () => {
    const lost = ipv6();
    lost.report.observed = lost.report.observed.filter((o) => o.address !== '2001:db8::7');
    const first = hosted();
    first.report.observed = first.report.observed.filter((o) => o.address !== '2001:db8::7');
    refuses([first, lost], /no result file accounts for 2001:db8::7 \(target dual\.example\.com\)/);
  });

  it('merges the shards of one scan with a vantage beside them', () => {
    const [a, b] = [hosted('ipv4/shard-1.json'), hosted('ipv4/shard-2.json')];
    a.report.settings.shard = { index: 1, count: 2 };
    b.report.settings.shard = { index: 2, count: 2 };
    a.report.observed = a.report.observed.filter((o) => o.family === 4);
    b.report.observed = b.report.observed.filter((o) => o.family === 6);
    const { report: merged } = mergeReports([ipv6(), b, a], JOB, new Date());
    assert.deepEqual(merged.merged?.files, [
      'ipv4/shard-1.json',
      'ipv4/shard-2.json',
      'ipv6/report.json',
    ]);
    assert.equal(merged.merged?.shards, 2);
    assert.deepEqual(
      merged.merged?.families?.map((f) => [f.family, f.decided, f.by]),
      [
        [4, 1, [{ file: 'ipv4/shard-1.json', addresses: 1 }]],
        [6, 5, [{ file: 'ipv6/report.json', addresses: 5 }]],
      ],
    );
    assert.match(
      renderSummary(merged, 'report.json'),
      /Merged from 2 shards of one scan and 1 result/,
    );
  });

  it('keeps the vantage fields through report.json as the merge reads it', () => {
    const merged = mergeReports([hosted(), ipv6()], JOB, new Date()).report;
    const read = checkReport(JSON.parse(JSON.stringify(merged)));
    assert.deepEqual(read.merged, merged.merged);
    assert.deepEqual(checkReport(JSON.parse(JSON.stringify(hosted().report))).scan.vantage, HOSTED);
  });

  it('shows each file’s vantage in the summary and the text, and the allowlist note', () => {
    const merged = mergeReports([hosted(), ipv6()], JOB, new Date()).report;
    const md = renderSummary(merged, 'report.json');
    assert.match(md, /Merged from 2 results, each from its own vantage/);
    assert.match(md, /\| IPv6 \| 5 \| 5 \| `ipv6\/report\.json` \(5\) \|/);
    assert.match(
      md,
      /- `ipv4\/report\.json` \(`github-hosted` runner `GitHub Actions 7`\): IPv4: route, from `10\.1\.0\.4` \(private: .*\); IPv6: no route \(`it has no IPv6 address beyond link-local`\)/,
    );
    assert.match(
      md,
      /- `ipv6\/report\.json` \(ip-version 6\): .*IPv6: route, from `2a01:4f8::2` \(public\)/,
    );
    assert.match(
      md,
      /> A firewall that allowlists GitHub Actions' address ranges .* shows a GitHub-hosted runner more than the internet sees/,
    );
    const text = renderText(merged, 'report.json');
    assert.match(text, /IPv6: 5 of 5 addresses decided: ipv6\/report\.json \(5\)/);
  });
});

describe('the vantage of this machine', () => {
  it('asks the kernel for the route and the source address, sending nothing', async () => {
    const { vantage, unreachable } = await vantageOf(['127.0.0.1'], {
      RUNNER_NAME: 'runner 1',
      RUNNER_ENVIRONMENT: 'self-hosted',
    });
    assert.deepEqual(vantage.families[0], {
      family: 4,
      route: true,
      targets: 1,
      sources: ['127.0.0.1'],
      public: [],
    });
    assert.equal(vantage.families[1]?.targets, 0);
    assert.deepEqual(vantage.runner, { name: 'runner 1', environment: 'self-hosted' });
    assert.equal(unreachable.size, 0);
  });

  it('keeps the runner’s names on one line, within what a merge reads back', async () => {
    const { vantage } = await vantageOf([], {
      RUNNER_NAME: `evil\n::error::${'x'.repeat(300)}`,
      RUNNER_ENVIRONMENT: 'self-hosted\r\n',
    });
    assert.doesNotMatch(vantage.runner?.name ?? '', /\n/);
    assert.ok([...(vantage.runner?.name ?? '')].length <= 200);
    assert.equal(vantage.runner?.environment, 'self-hosted');
    const r = hosted().report;
    r.scan.vantage = vantage;
    assert.deepEqual(checkReport(JSON.parse(JSON.stringify(r))).scan.vantage, vantage);
  });
});
