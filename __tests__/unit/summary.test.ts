// The job summary: the verdict first, counts at a glance, drift grouped by target, and at any scale
// under GitHub's 1 MiB limit, with a pointer to report.json for what it leaves out.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  MAX_SUMMARY_BYTES,
  fairRows,
  groupByTarget,
  renderSummary,
  reportsSection,
  toTerminal,
} from '../../src/report/summary.js';
import { outsideCodeSpans } from '../helpers/markdown.js';
import type { Finding, ObservedAddress } from '../../src/base/types.js';
import { down, report, up } from '../helpers/reports.js';

const MiB = 1024 * 1024;

/** n hosts in 10.x blocks of 4,096, each with a Redis nobody meant to open and a hostile banner. */
function fleet(n: number): ReturnType<typeof report> {
  const observed: ObservedAddress[] = [];
  for (let i = 0; i < n; i++) {
    const address = `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    observed.push(
      up(
        address,
        [`host-${i}.example.com`],
        [
          { port: 22, service: 'ssh' },
          { port: 443, service: 'https' },
          { port: 6379, service: `redis <img src=x> | ${'x'.repeat(200)}` },
          ...Array.from({ length: i % 50 === 0 ? 60 : 0 }, (_, k) => ({
            port: 8000 + k,
            service: 'http-alt',
          })),
        ],
      ),
    );
  }
  return report(observed, '*: 22, 443, 5432');
}

describe('where the reports are', () => {
  const r = report([up('203.0.113.5', ['203.0.113.5'], [{ port: 22 }])], '203.0.113.5: 22');
  const paths = { report: '/tmp/r/report.json', sarif: '/tmp/r/report.sarif' };
  const url = 'https://github.com/octo/ops/actions/runs/42/artifacts/9001';

  it('links the artifact instead of naming paths on the runner', () => {
    const reports = reportsSection({ artifact: { name: 'port-drift-fleet watch', url } });
    const md = renderSummary(r, paths.report, { sarifPath: paths.sarif, sections: { reports } });
    assert.ok(md.includes(`[artifact \`port-drift-fleet watch\`](${url})`), md);
    assert.doesNotMatch(md, /\/tmp\/r\//);
  });

  it('names the runner paths and why when there is no artifact', () => {
    const reports = reportsSection({ runner: paths, why: 'artifact is false' });
    const md = renderSummary(r, paths.report, { sections: { reports } });
    assert.match(
      md,
      /report: `\/tmp\/r\/report\.json` · SARIF: `\/tmp\/r\/report\.sarif`, on the runner only: `artifact is false`/,
    );
  });

  it('keeps a hostile artifact name or cause inside code spans or escaped', () => {
    const name = '@admin [x](http://evil.test) <img src=x>';
    const link = reportsSection({ artifact: { name, url } });
    const failed = reportsSection({ runner: paths, why: `upload of ${name} failed: @admin` });
    for (const md of [link, failed]) {
      const bare = outsideCodeSpans(md).replace(/\\[@[\]<>()]/g, '');
      for (const bad of ['@admin', '<img', '](http://evil']) {
        assert.equal(bare.includes(bad), false, `${bad} in ${md}`);
      }
    }
  });
});

describe('job summary', () => {
  it('opens with the verdict and counts, then the drift grouped by target with service names', () => {
    const r = report(
      [
        up(
          '203.0.113.10',
          ['web.example.com'],
          [
            { port: 80, service: 'http' },
            { port: 6379, service: 'redis' },
          ],
        ),
        up('203.0.113.11', ['db.example.com'], [{ port: 27017, service: 'mongodb' }]),
        up(
          '203.0.113.12',
          ['web.example.com'],
          [
            { port: 80, service: 'http' },
            { port: 9200, service: 'elasticsearch' },
          ],
        ),
      ],
      'web.example.com: 80\ndb.example.com: 5432',
    );
    const md = renderSummary(r, '/tmp/r/report.json', {
      sarifPath: '/tmp/r/report.sarif',
      issueUrl: 'https://github.com/octo/ops/issues/7',
    });
    const lines = md.split('\n').filter(Boolean);
    assert.match(lines[0]!, /^## ❌ Drift found: `fleet watch`$/);
    assert.match(lines[1]!, /^\*\*3 unexpected-open · 1 missing\*\* on 3 addresses of 3\./);
    assert.match(md, /\[Drift issue\]\(https:\/\/github\.com\/octo\/ops\/issues\/7\)/);
    assert.match(md, /report: `\/tmp\/r\/report\.json` · SARIF: `\/tmp\/r\/report\.sarif`/);
    assert.match(
      md,
      /\| Addresses \| TCP ports \| UDP ports \| unexpected-open \| missing \| host-down \| inconclusive \|\n.*\n\| 3 \| 30,000 \| 0 \| 3 \| 1 \| 0 \| 0 \|/,
    );
    const rows = md
      .split('\n')
      .filter((l) => l.includes('**unexpected-open**') || l.includes('**missing**'));
    assert.deepEqual(
      rows.map((l) => /^\| `([^`]+)` \| `([^`]+)` \| ([^ ]+)/.exec(l)?.slice(1).join(' ')),
      [
        'web.example.com 203.0.113.10 6379/tcp',
        'web.example.com 203.0.113.12 9200/tcp',
        'db.example.com 203.0.113.11 5432/tcp',
        'db.example.com 203.0.113.11 27017/tcp',
      ],
    );
    assert.match(md, /<details><summary>Every address: what is open \(3 addresses\)<\/summary>/);
  });

  it('folds the empty addresses of a block into one line; an address named alone keeps its row', () => {
    const block = '203.0.113.0/24';
    const empty = Array.from({ length: 249 }, (_, i) => ({
      ...down(`203.0.113.${i + 1}`, [block]),
      reason: 'no answer in the sweep, nor to 2 probes of each of 53 ports',
    }));
    const r = report(
      [
        up('203.0.113.250', [block], [{ port: 22 }]),
        down('203.0.113.251', ['203.0.113.251']),
        ...empty,
      ],
      `${block}: 22?`,
    );
    const md = renderSummary(r, 'report.json');
    const rows = md.split('\n').filter((l) => / \| (up|down) \| /.test(l));
    assert.deepEqual(
      rows.map((l) => /`(203\.0\.113\.\d+)`/.exec(l)?.[1]),
      ['203.0.113.250', '203.0.113.251'],
      'the live host and the named one that is down (a finding), nothing else',
    );
    assert.match(
      md,
      /^249 empty addresses \(no rule requires a port there\): no answer in the sweep, nor to 2 probes of each of 53 ports\. report\.json lists each one\.$/m,
    );
    assert.equal(r.observed.length, 251, 'the report keeps every address');
  });

  it('gives no link for an issue URL that is not a plain https URL', () => {
    const r = report([up('203.0.113.10', ['a'], [{ port: 22 }])], 'a: 22');
    const md = renderSummary(r, 'report.json', { issueUrl: 'javascript:alert(1)' });
    assert.doesNotMatch(md, /Drift issue/);
  });

  const sizes: string[] = [];
  after(() => console.log(`summary sizes: ${sizes.join(', ')}`));
  for (const hosts of [2_000, 20_000]) {
    it(`stays under 1 MiB at ${hosts.toLocaleString('en-US')} hosts, verdict first, pointing to report.json`, () => {
      const md = renderSummary(fleet(hosts), '/tmp/r/report.json');
      const bytes = Buffer.byteLength(md);
      assert.ok(bytes <= MAX_SUMMARY_BYTES && bytes < MiB, `${bytes} bytes`);
      assert.match(md.split('\n')[0]!, /^## ❌ Drift found/);
      const n = hosts.toLocaleString('en-US');
      assert.match(
        md,
        new RegExp(`^\\*\\*[\\d,]+ unexpected-open · ${n} missing\\*\\* on ${n} addresses`, 'm'),
      );
      // The rollup says what is common across the fleet before the long table.
      assert.match(
        md,
        /### Most common drift[\s\S]*\| \*\*unexpected-open\*\* \| 6379\/tcp \| `redis <img src=x> \\\| x+…` \| [\d,]+ \|/,
      );
      assert.match(md, /_[\d,]+ findings more in report\.json\._/);
      assert.match(md, /_[\d,]+ addresses more in report\.json\._/);
      sizes.push(`${n} hosts: ${bytes} bytes`);
    });
  }

  it('says per address how many TCP ports answered, and which rate the scan used and why', () => {
    const full = {
      ...up('203.0.113.1', ['203.0.113.1'], [{ port: 22 }]),
      coverage: { ports: 30000, answered: 29990, silent: 10, unanswered: 0, probes: 2 },
    };
    const short = {
      ...up('203.0.113.2', ['203.0.113.2'], [{ port: 22 }]),
      coverage: { ports: 30000, answered: 20000, silent: 10000, unanswered: 9000, probes: 1 },
    };
    const proxy = {
      ...up('203.0.113.3', ['203.0.113.3'], []),
      everyPort: { open: 30000, sampled: 8 },
    };
    const r = report([full, short, proxy], '*: 22');
    r.scan.pace = { rate: 15000, reason: 'settled below a rate limit on the path', steps: [] };
    const md = renderSummary(r, '/r/report.json');
    assert.match(
      md,
      /\| `203\.0\.113\.1` \| up \| .* \| 29,990 of 30,000 answered; 10 silent \(filtered\) \|/,
    );
    assert.match(
      md,
      /\| 20,000 of 30,000 answered; 1,000 silent \(filtered\); \*\*9,000 no answer\*\* \|/,
    );
    assert.match(md, /\| `203\.0\.113\.3` \| up \| .* \| answers on every port \|/);
    assert.match(md, /Pace: 15,000 packets\/s, `settled below a rate limit on the path`/);
    assert.match(md, /\*\*inconclusive\*\* \| `every port answers` \| `9,000 ports no answer`/);
  });

  it('keeps the verdict even under a tiny budget', () => {
    const md = renderSummary(fleet(50), '/tmp/r/report.json', { maxBytes: 400 });
    assert.ok(Buffer.byteLength(md) <= 400, `${Buffer.byteLength(md)} bytes`);
    assert.match(md, /^## ❌ Drift found/);
    assert.match(md, /report\.json/);
  });

  it('says when a run is one shard of a matrix, and that the merge job decides', () => {
    const r = report([up('203.0.113.10', ['a'], [{ port: 22 }])], 'a: 22', {
      settings: { shard: { index: 2, count: 4 } },
    });
    const md = renderSummary(r, 'report.json');
    assert.match(md, /^## ✅ Shard 2\/4: No drift: `fleet watch`/);
    assert.match(md, /merge job \(`mode: merge`\) reports, notifies and fails/);
  });

  it('prints for a terminal without the HTML that folds it on GitHub', () => {
    const r = report([up('203.0.113.10', ['a'], [{ port: 22 }])], 'a: 22');
    const text = toTerminal(renderSummary(r, 'report.json'));
    assert.doesNotMatch(text, /<\/?(details|summary|sub)>/);
    assert.match(text, /### Every address: what is open \(1 address\)/);
  });
});

describe('drift rows at scale', () => {
  const f = (target: string, port: number): Finding => ({
    kind: 'unexpected-open',
    target,
    address: '203.0.113.1',
    port,
    protocol: 'tcp',
    expected: 'not open',
    observed: 'open',
  });
  const groups = (sizes: Record<string, number>): Map<string, Finding[]> =>
    groupByTarget(
      Object.entries(sizes).flatMap(([t, n]) => Array.from({ length: n }, (_, i) => f(t, i + 1))),
    );
  const count = (rows: Finding[]): Record<string, number> =>
    rows.reduce<Record<string, number>>(
      (c, r) => ({ ...c, [r.target]: (c[r.target] ?? 0) + 1 }),
      {},
    );

  it('shows every row when they fit', () => {
    assert.deepEqual(count(fairRows(groups({ a: 3, b: 2 }), 10)), { a: 3, b: 2 });
  });

  it('gives every target its share, so that one big target does not hide the others', () => {
    assert.deepEqual(count(fairRows(groups({ a: 1000, b: 5, c: 400 }), 300)), {
      a: 148,
      b: 5,
      c: 147,
    });
  });

  it('shows one row each for the first targets when there are more targets than rows', () => {
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`t${i}`, 2]));
    const rows = fairRows(groups(many), 300);
    assert.equal(rows.length, 300);
    assert.equal(new Set(rows.map((r) => r.target)).size, 300);
  });
});
