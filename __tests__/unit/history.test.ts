// The history of a policy's runs: what the chart in the summary and the issue shows, and the
// baseline a pull request compares its open ports with. What a user relies on: 30 runs at most,
// a pull request never rewrites the default branch's history, and a broken store is no history.
import { quietLogger } from '../../src/base/log.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  HISTORY_RUNS,
  driftStreak,
  historySections,
  nextHistory,
  historyFrom,
  readHistory,
  renderHistory,
  renderSince,
  sinceBaseline,
  type History,
  type HistoryStore,
  type RunPoint,
} from '../../src/memory/history.js';
import { FileStateStore } from '../../src/memory/state-file.js';
import type { Report } from '../../src/report/report.js';
import { report, up } from '../helpers/reports.js';

const quiet = quietLogger;

const withPorts = (ports: number[], finishedAt = '2026-11-30T10:00:00.000Z'): Report => ({
  ...report(
    [
      up(
        '203.0.113.5',
        ['db.example.com'],
        ports.map((port) => ({ port })),
      ),
    ],
    'db.example.com: 22',
  ),
  finishedAt,
});

/** A store in memory that records what was saved. */
function memoryStore(initial?: History): HistoryStore & { saved: History[] } {
  const saved: History[] = [];
  return {
    saved,
    loadHistory: () => Promise.resolve(initial),
    saveHistory: (h) => {
      saved.push(h);
      return Promise.resolve(true);
    },
  };
}

const point = (i: number, findings: number, open = 3): RunPoint => ({
  at: new Date(Date.UTC(2026, 10, 1, i)).toISOString(),
  run: String(100 + i),
  open,
  findings,
  failed: findings > 0,
});

describe('the history of runs', () => {
  it('adds each run and keeps the last 30', () => {
    let h: History | undefined;
    for (let i = 0; i < 35; i++) h = nextHistory(h, withPorts([22]), String(i), undefined);
    assert.equal(h?.runs.length, HISTORY_RUNS);
    assert.equal(h?.runs[0]?.run, '5');
    assert.equal(h?.runs.at(-1)?.run, '34');
  });

  it('counts open ports and findings per run', () => {
    const h = nextHistory(undefined, withPorts([22, 27017, 6379]), '7', undefined);
    assert.deepEqual(h.runs[0], {
      at: '2026-11-30T10:00:00.000Z',
      run: '7',
      open: 3,
      findings: 2,
      failed: true,
    });
  });

  it('a run on the default branch sets the baseline; a run elsewhere keeps the old one', () => {
    const onMain = nextHistory(undefined, withPorts([22]), '1', 'main');
    assert.deepEqual(onMain.baseline?.addresses, [
      { address: '203.0.113.5', target: 'db.example.com', open: ['22/tcp'] },
    ]);
    const elsewhere = nextHistory(onMain, withPorts([22, 5432]), '2', undefined);
    assert.deepEqual(elsewhere.baseline, onMain.baseline);
  });

  it('a pull request’s run is shown on the chart but never saved, and compares with main', async () => {
    const main = nextHistory(undefined, withPorts([22]), '1', 'main');
    const store = memoryStore(main);
    const sections = await historySections(store, withPorts([22, 5432]), {
      run: '2',
      branch: undefined,
      keep: false,
      pullRequest: true,
    });
    assert.deepEqual(store.saved, []);
    assert.match(
      sections.since ?? '',
      /^- \+\*\*5432\/tcp\*\* on `db\.example\.com` \(`203\.0\.113\.5`\)$/m,
    );
    assert.match(sections.history ?? '', /bar \[0, 1\]/);
  });

  it('a run that does not speak for production (a push to a branch) keeps nothing', async () => {
    const main = nextHistory(undefined, withPorts([22]), '1', 'main');
    const store = memoryStore(main);
    const sections = await historySections(store, withPorts([22, 5432]), {
      run: '2',
      branch: undefined,
      keep: false,
      pullRequest: false,
    });
    assert.deepEqual(store.saved, []);
    assert.equal(sections.since, undefined, 'no comparison outside a pull request');
    assert.match(sections.history ?? '', /bar \[0, 1\]/, 'its point is shown');
  });

  it('a scheduled run on main saves the history with its point and the new baseline', async () => {
    const store = memoryStore();
    await historySections(store, withPorts([22]), {
      run: '1',
      branch: 'main',
      keep: true,
      pullRequest: false,
    });
    assert.equal(store.saved.length, 1);
    assert.equal(store.saved[0]?.runs.length, 1);
    assert.equal(store.saved[0]?.baseline?.branch, 'main');
  });

  it('a shard, record mode and a cancelled run are not added', async () => {
    const base = withPorts([22]);
    const runs: Report[] = [
      { ...base, settings: { ...base.settings, shard: { index: 1, count: 2 } } },
      { ...base, settings: { ...base.settings, mode: 'record' } },
      { ...base, verdict: { ...base.verdict, undecided: 'cancelled' } },
    ];
    for (const r of runs) {
      const store = memoryStore();
      await historySections(store, r, {
        run: '1',
        branch: 'main',
        keep: true,
        pullRequest: false,
      });
      assert.deepEqual(store.saved, []);
    }
  });
});

describe('open ports since the default branch', () => {
  const main = nextHistory(undefined, withPorts([22, 80]), '1', 'main').baseline!;

  it('lists ports opened and closed on the addresses both runs saw', () => {
    const since = sinceBaseline(main, withPorts([22, 5432]));
    assert.deepEqual(
      since.added.map((p) => p.port),
      ['5432/tcp'],
    );
    assert.deepEqual(
      since.removed.map((p) => p.port),
      ['80/tcp'],
    );
    const md = renderSince(since);
    assert.match(md, /^### Open ports since `main` \(run `1`, 2026-11-30 10:00 UTC\)$/m);
    assert.match(md, /^- −\*\*80\/tcp\*\* on `db\.example\.com`/m);
  });

  it('counts addresses the default branch did not have, and says when nothing changed', () => {
    const more = {
      ...withPorts([22, 80]),
      observed: [
        ...withPorts([22, 80]).observed,
        up('203.0.113.9', ['new.example.com'], [{ port: 443 }]),
      ],
    };
    const md = renderSince(sinceBaseline(main, more));
    assert.match(md, /The same open ports as on `main`\./);
    assert.match(md, /1 address answered here that the last result on `main` did not have\./);
  });
});

describe('the chart', () => {
  it('is a Mermaid xychart of findings (bars) and open ports (line), oldest first', () => {
    const md = renderHistory([point(1, 0), point(2, 2, 5), point(3, 2, 5)]);
    assert.match(md, /^```mermaid\nxychart-beta\n/m);
    assert.match(md, /x-axis \["11-01 01:00", "11-01 02:00", "11-01 03:00"\]/);
    assert.match(md, /^ {2}bar \[0, 2, 2\]$/m);
    assert.match(md, /^ {2}line \[3, 5, 5\]$/m);
    assert.match(md, /Findings since 2026-11-01 02:00 UTC \(run 102\), 2 runs in a row\./);
  });

  it('keeps runs of the same minute apart on the axis, with their run numbers', () => {
    const same = { ...point(1, 0), run: '9"]\n' };
    const md = renderHistory([same, { ...point(1, 1), run: '10' }, point(2, 0)]);
    assert.match(md, /x-axis \["11-01 01:00 #9", "11-01 01:00 #10", "11-01 02:00"\]/);
  });

  it('says when the drift began, or that the last run had none', () => {
    assert.equal(driftStreak([point(1, 1), point(2, 0)]), undefined);
    assert.equal(driftStreak([point(1, 0), point(2, 1), point(3, 1)])?.since.run, '102');
    assert.match(
      renderHistory([point(1, 1), point(2, 0)]),
      /No findings in the last run; 1 run of the last 2 had some\./,
    );
    assert.equal(renderHistory([point(1, 1)]), '', 'one run is no chart');
  });
});

describe('reading a history back', () => {
  const at = '2026-11-30T10:00:00.000Z';
  const good = {
    runs: [point(1, 0), point(2, 1)],
    baseline: {
      at,
      run: '1',
      branch: 'main',
      addresses: [{ address: '203.0.113.5', target: 'db.example.com', open: ['22/tcp'] }],
    },
  };

  it('takes a well-formed history as it is, and says nothing', () => {
    assert.deepEqual(readHistory(good), { history: good, problems: [] });
  });

  it('drops each forged or broken run and baseline, naming the field, and keeps the rest', () => {
    const forged = [
      { ...point(3, 0), run: '@org/team' },
      { ...point(4, 0), run: '[x](https://evil.example)' },
      { ...point(5, 0), run: '<img src=x>' },
      { ...point(6, 0), run: '<!--' },
      { ...point(7, 0), open: 1e300 },
      { ...point(8, 0), open: -1 },
      { ...point(9, 0), findings: 'NaN' },
      { ...point(10, 0), findings: 1.5 },
      { ...point(11, 0), failed: 'no' },
      { ...point(12, 0), at: '<b>soon</b>' },
      null,
    ];
    const read = readHistory({ runs: [point(1, 0), ...forged, point(2, 1)] });
    assert.deepEqual(read.history?.runs, [point(1, 0), point(2, 1)]);
    assert.equal(read.problems.length, forged.length);
    assert.match(read.problems[0]!, /^runs\[1\]\.run: want a run id \(digits\)$/);
    assert.match(read.problems[4]!, /^runs\[5\]\.open: want a whole number in 0-1000000000/);
    for (const problem of read.problems) {
      assert.doesNotMatch(problem, /@org|evil|<img|<!--|<b>/, 'no forged text is quoted');
    }
    const base = readHistory({
      runs: [],
      baseline: {
        ...good.baseline,
        addresses: [{ ...good.baseline.addresses[0], open: ['22/tcp; rm -rf'] }],
      },
    });
    assert.equal(base.history?.baseline, undefined);
    assert.match(base.problems[0]!, /^baseline\.addresses\[0\]\.open\[0\]: want a port/);
  });

  it('is no history when it is not one, or holds a list too large to be ours', () => {
    assert.equal(readHistory({ runs: 'x' }).history, undefined);
    assert.equal(readHistory(null).history, undefined);
    const huge = readHistory({
      runs: [],
      baseline: {
        ...good.baseline,
        addresses: [{ ...good.baseline.addresses[0], open: Array(200_000).fill('22/tcp') }],
      },
    });
    assert.equal(huge.history?.baseline, undefined);
    assert.match(huge.problems[0]!, /more than 131070 items/);
  });

  it('reads only the last 30 runs of a long list', () => {
    const runs = Array.from({ length: 1000 }, (_, i) => point(i, 0));
    assert.deepEqual(readHistory({ runs }).history?.runs, runs.slice(-HISTORY_RUNS));
  });

  it('warns once, naming where the history came from', () => {
    const warnings: string[] = [];
    const history = historyFrom(
      { runs: [{ ...point(3, 0), run: '@org/team' }, point(2, 1)] },
      '/var/lib/port-drift/edge.json',
      (m) => warnings.push(m),
    );
    assert.deepEqual(history?.runs, [point(2, 1)]);
    assert.deepEqual(warnings, [
      '/var/lib/port-drift/edge.json: 1 entry of the history ignored, not as port-drift writes them (runs[0].run: want a run id (digits)).',
    ]);
  });

  it('the --state file keeps the history beside the last state, and ignores a broken one with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'port-drift-history-'));
    try {
      const path = join(dir, 'state.json');
      const store = await FileStateStore.open(path, 'fleet', quiet);
      const h = nextHistory(undefined, withPorts([22]), '', undefined);
      assert.equal(await store.saveHistory(h), true);
      store.close();
      const again = await FileStateStore.open(path, 'fleet', quiet);
      assert.deepEqual(await again.loadHistory(), h);
      assert.equal(await again.load(), undefined, 'no Slack state yet');
      again.close();
      writeFileSync(
        path,
        JSON.stringify({
          schema: 'port-drift/state@1',
          name: 'fleet',
          savedAt: 'x',
          history: { runs: 3 },
        }),
      );
      const warnings: string[] = [];
      const broken = await FileStateStore.open(path, 'fleet', {
        ...quiet,
        warning: (m) => warnings.push(m),
      });
      broken.close();
      assert.equal(await broken.loadHistory(), undefined);
      assert.deepEqual(warnings, [
        `${path}: the history is ignored, not as port-drift writes it (runs: want a list, found a number).`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
