// What happens to the drift issue, decided from what exists and what was found, alone: every branch
// of planIssue and pickOpen, without GitHub. The calls that carry a plan out are tested end to end
// against the loopback GitHub (e2e/notify.test.ts, github-answers.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/base/types.js';
import { stateOf, type DriftState } from '../../src/memory/changes.js';
import {
  pickOpen,
  planIssue,
  type Existing,
  type Found,
  type FoundIssue,
} from '../../src/notify/issue-plan.js';
import { stateMarker } from '../../src/notify/render.js';

function finding(port: number): Finding {
  return {
    kind: 'unexpected-open',
    target: 'web.example',
    address: '203.0.113.5',
    port,
    protocol: 'tcp',
    expected: 'not open',
    observed: 'open',
  };
}

const drift27017 = stateOf([finding(27017)]);
const drift6379 = stateOf([finding(6379)]);
const clean = stateOf([]);

function issue(
  number: number,
  state: DriftState | undefined,
  more: Partial<FoundIssue> = {},
): FoundIssue {
  return {
    number,
    url: `https://github.com/o/r/issues/${number}`,
    body: `Drift.\n\n${state ? stateMarker(state) : ''}`,
    state: 'open',
    legacy: false,
    ...more,
  };
}

const drift = (current: DriftState, history = false): Found => ({
  status: 'drift',
  current,
  history,
});
const listed = (more: Partial<Existing>): Existing => ({ fresh: false, ...more });
const fresh = (more: Partial<Existing>): Existing => ({ fresh: true, ...more });

describe('planIssue', () => {
  it('leaves the issue alone when nothing could be decided, passing on the state it carries', () => {
    const open = issue(4, drift27017);
    const step = planIssue(
      { status: 'undecided', current: clean, history: false },
      listed({ open }),
    );
    assert.deepEqual(step, { kind: 'leave', issue: open, previous: drift27017, action: 'none' });
    assert.deepEqual(
      planIssue({ status: 'undecided', current: clean, history: false }, listed({})),
      {
        kind: 'leave',
        action: 'none',
      },
    );
  });

  it('on a clean run: nothing without an issue; else reads it again, then closes it with the changes', () => {
    const found: Found = { status: 'clean', current: clean, history: false };
    assert.deepEqual(planIssue(found, listed({})), { kind: 'leave', action: 'none' });
    const open = issue(4, drift27017);
    assert.deepEqual(planIssue(found, listed({ open })), {
      kind: 'reread',
      issue: open,
      slot: 'open',
    });
    const step = planIssue(found, fresh({ open }));
    assert.equal(step.kind, 'close');
    assert.ok(step.kind === 'close');
    assert.equal(step.issue, open);
    assert.deepEqual(step.previous, drift27017);
    assert.deepEqual(
      step.changes.resolved.map((f) => f.port),
      [27017],
    );
  });

  it('on a clean run, leaves an issue closed meanwhile (by a person or an overlapping run) as it is', () => {
    const closed = issue(4, drift27017, { state: 'closed' });
    assert.deepEqual(
      planIssue({ status: 'clean', current: clean, history: false }, fresh({ open: closed })),
      {
        kind: 'leave',
        issue: closed,
        previous: drift27017,
        action: 'unchanged',
      },
    );
  });

  it('the same drift on the open issue: no write, or only the chart when there is a history', () => {
    const open = issue(4, drift27017);
    assert.deepEqual(planIssue(drift(drift27017), listed({ open })), {
      kind: 'leave',
      issue: open,
      previous: drift27017,
      action: 'unchanged',
    });
    const step = planIssue(drift(drift27017, true), listed({ open }));
    assert.equal(step.kind, 'refresh');
    assert.ok(step.kind === 'refresh' && !step.changes.changed);
  });

  it('changed drift on the open issue: read again first, then updated with what changed', () => {
    const open = issue(4, drift27017);
    assert.deepEqual(planIssue(drift(drift6379), listed({ open })), {
      kind: 'reread',
      issue: open,
      slot: 'open',
    });
    const step = planIssue(drift(drift6379), fresh({ open }));
    assert.ok(step.kind === 'update');
    assert.deepEqual(
      step.changes.added.map((f) => f.port),
      [6379],
    );
    assert.deepEqual(
      step.changes.resolved.map((f) => f.port),
      [27017],
    );
    // An overlapping run wrote this very drift meanwhile: nothing to add.
    const written = issue(4, drift6379);
    assert.deepEqual(planIssue(drift(drift6379), fresh({ open: written })), {
      kind: 'leave',
      issue: written,
      previous: drift6379,
      action: 'unchanged',
    });
  });

  it("takes over an earlier version's issue on drift, even with the same drift, rewriting it", () => {
    const legacy = issue(2, drift27017, { legacy: true });
    assert.deepEqual(planIssue(drift(drift27017), listed({ open: legacy })), {
      kind: 'reread',
      issue: legacy,
      slot: 'open',
    });
    const step = planIssue(drift(drift27017), fresh({ open: legacy }));
    assert.ok(step.kind === 'update' && !step.changes.changed);
  });

  it('drift and no open issue: the last closed one is listed, and a new issue opened when there is none', () => {
    assert.deepEqual(planIssue(drift(drift6379), listed({})), { kind: 'list-closed' });
    const step = planIssue(drift(drift6379), listed({ closed: null }));
    assert.ok(step.kind === 'create');
    assert.equal(step.changes.known, false);
  });

  it('reopens the last closed issue after reading it again, with what changed since its state', () => {
    const closed = issue(9, clean, { state: 'closed', stateReason: 'completed' });
    assert.deepEqual(planIssue(drift(drift6379), listed({ closed })), {
      kind: 'reread',
      issue: closed,
      slot: 'closed',
    });
    const step = planIssue(drift(drift6379), fresh({ closed }));
    assert.ok(step.kind === 'reopen');
    assert.equal(step.issue, closed);
    assert.deepEqual(
      step.changes.added.map((f) => f.port),
      [6379],
    );
  });

  it('does not reopen every hour an issue a person closed as not planned, until the drift changes', () => {
    const dismissed = issue(9, drift27017, { state: 'closed', stateReason: 'not_planned' });
    assert.deepEqual(planIssue(drift(drift27017), listed({ closed: dismissed })), {
      kind: 'leave',
      issue: dismissed,
      previous: drift27017,
      action: 'unchanged',
    });
    assert.equal(planIssue(drift(drift6379), listed({ closed: dismissed })).kind, 'reread');
  });

  it('keeps an issue an overlapping run reopened meanwhile as the open one', () => {
    const reopened = issue(9, drift27017, { state: 'open' });
    // The same drift: nothing to write.
    assert.deepEqual(planIssue(drift(drift27017), fresh({ closed: reopened })), {
      kind: 'leave',
      issue: reopened,
      previous: drift27017,
      action: 'unchanged',
    });
    // A change: read again as the open issue, then updated.
    assert.deepEqual(planIssue(drift(drift6379), fresh({ closed: reopened })), {
      kind: 'reread',
      issue: reopened,
      slot: 'open',
    });
    const step = planIssue(drift(drift6379), fresh({ closed: reopened, open: reopened }));
    assert.equal(step.kind, 'update');
  });
});

describe('pickOpen', () => {
  it("keeps the oldest issue of this key, closes the others, and takes an earlier version's only alone", () => {
    const [a, b, c] = [issue(3, undefined), issue(5, undefined), issue(8, undefined)];
    const legacy = issue(1, undefined, { legacy: true });
    assert.deepEqual(pickOpen([a, b, c, legacy]), { keep: a, duplicates: [b, c] });
    assert.deepEqual(pickOpen([legacy]), { keep: legacy, duplicates: [] });
    assert.deepEqual(pickOpen([]), { duplicates: [] });
  });
});
