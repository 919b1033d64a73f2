// The closing sequence's order for the reports: the history first, then the reports kept (the
// action's artifact), then the result shown, so that the summary links to what was kept; a
// cancelled run does not wait for an upload.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import type { RunContext } from '../../src/github/context.js';
import { closeRun, type CloseEdge, type FinishedJob } from '../../src/run/close.js';
import type { Sections } from '../../src/report/summary.js';
import { readSettings } from '../../src/settings/settings.js';
import { inputs } from '../helpers/inputs.js';
import { report, up } from '../helpers/reports.js';

const silent = {
  info: () => {},
  warning: () => {},
  debug: () => {},
  group: <T>(_: string, fn: () => Promise<T>) => fn(),
};

function job(): FinishedJob {
  const settings = readSettings(
    inputs({ targets: '203.0.113.5', expected: '203.0.113.5: 22' }),
    {},
  );
  const context: RunContext = {
    apiUrl: 'https://api.github.com',
    run: {
      name: settings.name,
      runId: '42',
      runUrl: 'https://github.com/o/r/actions/runs/42',
      key: { repository: 'o/r', workflow: 'w.yml', job: 'scan', name: settings.name },
    },
    runnerTemp: tmpdir(),
    production: { speaks: true, place: 'main', branch: 'main' },
    attempt: '42-1',
    workspace: tmpdir(),
    httpTimeoutMs: 1000,
  };
  return {
    result: {
      report: report([up('203.0.113.5', ['203.0.113.5'], [{ port: 22 }])], '203.0.113.5: 22'),
      paths: { report: '/r/report.json', sarif: '/r/report.sarif' },
    },
    settings,
    context,
  };
}

function edge(signal: AbortSignal, steps: string[], shown: Sections[]): CloseEdge {
  return {
    log: silent,
    signal,
    history: {
      store: () => {
        steps.push('history');
        return Promise.reject(new Error('no history here'));
      },
      run: '42-1',
    },
    state: () => Promise.reject(new Error('no state here')),
    keep: (sections) => {
      steps.push(`keep ${Object.keys(sections).join(',')}`);
      return Promise.resolve(
        'Reports: [artifact `x`](https://github.com/o/r/actions/runs/42/artifacts/1)',
      );
    },
    show: (sections) => {
      steps.push('show');
      shown.push(sections);
      return Promise.resolve();
    },
  };
}

describe('closing a run', () => {
  it('keeps the reports after the history and before the summary, which links to them', async () => {
    const steps: string[] = [];
    const shown: Sections[] = [];
    const closed = await closeRun(job(), edge(new AbortController().signal, steps, shown));
    assert.deepEqual(steps, ['history', 'keep ', 'show']);
    assert.match(shown[0]?.reports ?? '', /^Reports: \[artifact `x`\]\(https:\/\/github\.com\//);
    assert.equal(closed.sections.reports, shown[0]?.reports, 'the notifications get it too');
  });

  it('does not wait for an upload in a cancelled run', async () => {
    const steps: string[] = [];
    const shown: Sections[] = [];
    const cancelled = new AbortController();
    cancelled.abort();
    await closeRun(job(), edge(cancelled.signal, steps, shown));
    assert.ok(!steps.some((s) => s.startsWith('keep')), steps.join(', '));
    assert.deepEqual(steps.slice(-1), ['show']);
    assert.equal(shown[0]?.reports, undefined);
  });
});
