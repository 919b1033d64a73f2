// What to do with the drift issue, decided from what exists (the issue of this key as listed, or as
// just read again) and what was found (the run's status and drift state). Pure: issue.ts carries
// the plan out, reading what the plan asks for before it decides again.
import { compare, type Changes, type DriftState } from '../memory/changes.js';
import { readStateMarker, type Result } from './render.js';

export interface FoundIssue {
  number: number;
  url: string;
  body: string;
  state: 'open' | 'closed';
  /** Why a closed issue was closed: `completed` (by port-drift, or fixed), `not_planned`. */
  stateReason?: string;
  /** Carries the marker of an earlier port-drift version (keyed on the name alone). */
  legacy: boolean;
}

/** The issues of this key the token wrote, as far as they are known. */
export interface Existing {
  /** The open issue to keep (the oldest; one of an earlier version only on drift). */
  open?: FoundIssue;
  /** The last closed issue: undefined while not listed, null when there is none. */
  closed?: FoundIssue | null;
  /** Whether the issue in hand was just read again, rather than taken from a listing. */
  fresh: boolean;
}

/** What the run found, as the issue sees it. */
export interface Found {
  status: Result['status'];
  current: DriftState;
  /** The run has a history chart: the same drift still rewrites the body, to show this run. */
  history: boolean;
}

/** What the run did to the issue, for the log and the outcome. */
export type IssueAction = 'created' | 'updated' | 'unchanged' | 'reopened' | 'closed' | 'none';

export type IssueStep =
  /** Read the last closed issue of this key, then decide again. */
  | { kind: 'list-closed' }
  /** Read this issue as it is now (another run or a person may have changed it), then decide again. */
  | { kind: 'reread'; issue: FoundIssue; slot: 'open' | 'closed' }
  /** Write nothing. */
  | { kind: 'leave'; issue?: FoundIssue; previous?: DriftState; action: 'none' | 'unchanged' }
  /** The same drift: rewrite the body for the chart, notifying no one. */
  | { kind: 'refresh'; issue: FoundIssue; previous?: DriftState; changes: Changes }
  /** Clean: a comment, then closed as completed. */
  | { kind: 'close'; issue: FoundIssue; previous?: DriftState; changes: Changes }
  /** Drift on an open issue: the body rewritten, and a comment when the drift changed. */
  | { kind: 'update'; issue: FoundIssue; previous?: DriftState; changes: Changes }
  /** Drift again on the last closed issue: reopened with the new body and a comment. */
  | { kind: 'reopen'; issue: FoundIssue; previous?: DriftState; changes: Changes }
  /** Drift, and no issue of this key at all: a new one. */
  | { kind: 'create'; changes: Changes };

export function planIssue(found: Found, existing: Existing): IssueStep {
  if (found.status === 'undecided') {
    const previous = existing.open ? readStateMarker(existing.open.body) : undefined;
    return {
      kind: 'leave',
      ...(existing.open && { issue: existing.open }),
      ...(previous && { previous }),
      action: 'none',
    };
  }
  if (found.status === 'clean') return planClean(found, existing);
  if (existing.open) return planOpenDrift(found, existing.open, existing.fresh);
  return planClosedDrift(found, existing);
}

/** Clean: the open issue, read again, is closed; one closed meanwhile is left as it is. */
function planClean(found: Found, { open, fresh }: Existing): IssueStep {
  if (!open) return { kind: 'leave', action: 'none' };
  if (!fresh) return { kind: 'reread', issue: open, slot: 'open' };
  const previous = readStateMarker(open.body);
  // Closed meanwhile, by an overlapping run or a person: nothing left to say.
  if (open.state === 'closed')
    return { kind: 'leave', issue: open, ...(previous && { previous }), action: 'unchanged' };
  return {
    kind: 'close',
    issue: open,
    ...(previous && { previous }),
    changes: compare(previous, found.current),
  };
}

/**
 * Drift on an open issue. The same drift as its marker says: nothing to add (the chart aside).
 * Different: read it again first, since an overlapping run may have written this very drift.
 */
function planOpenDrift(found: Found, issue: FoundIssue, fresh: boolean): IssueStep {
  const previous = readStateMarker(issue.body);
  const changes = compare(previous, found.current);
  const known = previous && { previous };
  if (!changes.changed && !issue.legacy) {
    return found.history
      ? { kind: 'refresh', issue, ...known, changes }
      : { kind: 'leave', issue, ...known, action: 'unchanged' };
  }
  if (!fresh) return { kind: 'reread', issue, slot: 'open' };
  return { kind: 'update', issue, ...known, changes };
}

/** Drift and no open issue: the last closed one of this key is reopened, else one is opened. */
function planClosedDrift(found: Found, existing: Existing): IssueStep {
  const { closed } = existing;
  if (closed === undefined) return { kind: 'list-closed' };
  if (closed === null) return { kind: 'create', changes: compare(undefined, found.current) };
  const previous = readStateMarker(closed.body);
  const changes = compare(previous, found.current);
  const known = previous && { previous };
  // Closed by a person as not planned, with this very drift: they have seen it. It is reopened
  // when the drift changes, not every hour.
  if (!existing.fresh && closed.stateReason === 'not_planned' && !changes.changed) {
    return { kind: 'leave', issue: closed, ...known, action: 'unchanged' };
  }
  if (!existing.fresh) return { kind: 'reread', issue: closed, slot: 'closed' };
  // Reopened meanwhile by an overlapping run: from here on, it is an open issue to keep.
  if (closed.state === 'open') return planOpenDrift(found, closed, false);
  return { kind: 'reopen', issue: closed, ...known, changes };
}

/** Of the open issues listed (oldest first, this key's before an earlier version's), the one kept. */
export function pickOpen(open: readonly FoundIssue[]): {
  keep?: FoundIssue;
  duplicates: FoundIssue[];
} {
  const keyed = open.filter((i) => !i.legacy);
  // Overlapping runs whose listing did not yet show each other's issue may have left two: the
  // oldest is kept, the others are closed pointing to it. An issue of an earlier version is taken
  // over only when no issue of this key is open.
  const keep = keyed[0] ?? open.find((i) => i.legacy);
  return { ...(keep && { keep }), duplicates: keyed.slice(1) };
}
