// What changed since the last run: findings are compared by what they are about (kind, address,
// port, protocol), not by how nmap described them, so the same drift seen again is no change.
// Pure: values in, values out.
import { createHash } from 'node:crypto';
import {
  SchemaError,
  checked,
  int,
  ip,
  line,
  list,
  matching,
  object,
  oneOf,
  optional,
  type Check,
} from '../base/check.js';
import { FINDING_KINDS, type Finding, type FindingKind, type Protocol } from '../base/types.js';

/** The part of a finding that identifies it from run to run, and enough to show it later. */
export interface FindingRef {
  kind: FindingKind;
  target: string;
  address: string;
  port?: number;
  protocol?: Protocol;
}

/** What a run leaves for the next: the drift it saw. */
export interface DriftState {
  /** SHA-256 of the sorted keys: equal digests, same drift. */
  digest: string;
  count: number;
  /** The findings; left out where a state must stay small (many findings), keeping the digest. */
  findings?: FindingRef[];
}

export interface Changes {
  /** False when there was no previous state to compare with: everything is reported as new. */
  known: boolean;
  /** Any difference at all (or no previous state). */
  changed: boolean;
  added: FindingRef[];
  resolved: FindingRef[];
  /** Still there since the last run. */
  kept: number;
  /** Previous state kept only its digest (too many findings): added/resolved are unknown. */
  detailsLost: boolean;
}

export function findingKey(f: FindingRef): string {
  // A hostname that did not resolve has no address: its target is what identifies it.
  const where = f.address || `name:${f.target}`;
  const port = f.port === undefined ? '' : `${f.port}/${f.protocol ?? 'tcp'}`;
  return `${f.kind}|${where}|${port}`;
}

function toRef(f: FindingRef): FindingRef {
  return {
    kind: f.kind,
    target: f.target,
    address: f.address,
    ...(f.port === undefined ? {} : { port: f.port, protocol: f.protocol ?? 'tcp' }),
  };
}

export function stateOf(findings: readonly Finding[]): DriftState {
  const byKey = new Map(findings.map((f) => [findingKey(f), toRef(f)]));
  const keys = [...byKey.keys()].sort();
  const digest = createHash('sha256').update(keys.join('\n')).digest('hex');
  return { digest, count: keys.length, findings: keys.map((k) => byKey.get(k)!) };
}

export function compare(previous: DriftState | undefined, current: DriftState): Changes {
  if (!previous) {
    return {
      known: false,
      changed: true,
      added: current.findings ?? [],
      resolved: [],
      kept: 0,
      detailsLost: current.findings === undefined,
    };
  }
  if (previous.digest === current.digest) {
    return {
      known: true,
      changed: false,
      added: [],
      resolved: [],
      kept: current.count,
      detailsLost: false,
    };
  }
  if (!previous.findings || !current.findings) {
    return {
      known: true,
      changed: true,
      added: [],
      resolved: [],
      kept: 0,
      detailsLost: true,
    };
  }
  const before = new Set(previous.findings.map(findingKey));
  const now = new Set(current.findings.map(findingKey));
  return {
    known: true,
    changed: true,
    added: current.findings.filter((f) => !before.has(findingKey(f))),
    resolved: previous.findings.filter((f) => !now.has(findingKey(f))),
    kept: current.findings.filter((f) => before.has(findingKey(f))).length,
    detailsLost: false,
  };
}

const findingRef: Check<FindingRef> = object({
  kind: oneOf(...FINDING_KINDS),
  target: line(300),
  // A hostname that did not resolve has no address.
  address: (value, path) => (value === '' ? '' : ip(value, path)),
  port: optional(int(1, 65535)),
  protocol: optional(oneOf('tcp', 'udp')),
});

/**
 * The last state as it is read back (from an issue body, the Actions cache, a --state file): every
 * field checked; a SchemaError names the field that does not fit.
 */
export const driftState: Check<DriftState> = object({
  digest: matching(/^[0-9a-f]{64}$/, 'a SHA-256 digest'),
  count: int(0, 1e9),
  findings: optional(list(findingRef, 1_000_000)),
});

/** A state read back where a broken one is simply none (an issue body's marker). */
export function parseState(value: unknown): DriftState | undefined {
  try {
    return checked(driftState, value);
  } catch (error) {
    if (error instanceof SchemaError) return undefined;
    throw error;
  }
}

/**
 * The last state read back from `source` (a file, a cache key), or none, with a warning naming the
 * source, when it does not fit: the drift is then new, and Slack hears of it.
 */
export function stateFrom(
  value: unknown,
  source: string,
  warn: (message: string) => void,
): DriftState | undefined {
  try {
    return checked(driftState, value);
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error;
    warn(
      `${source}: the last state is not one port-drift writes (${error.message}): ignored, so the drift counts as new.`,
    );
    return undefined;
  }
}

/** One line counting the changes, for an issue comment, the log and Slack. */
export function describeChanges(changes: Changes): string {
  if (!changes.known) return 'First report of this drift.';
  if (!changes.changed) return 'No change since the last run.';
  if (changes.detailsLost) return 'The drift changed since the last run.';
  const parts = [
    changes.added.length ? `${changes.added.length} new` : '',
    changes.resolved.length ? `${changes.resolved.length} resolved` : '',
    changes.kept ? `${changes.kept} unchanged` : '',
  ].filter(Boolean);
  return `Since the last run: ${parts.join(', ')}.`;
}

/**
 * What a run says about the drift. `undecided`: nothing drifted that counts, but the run could not
 * say all is clean either (inconclusive findings, or nmap failed); it neither opens nor closes.
 * Inconclusive findings count as drift only when fail-on lists them.
 */
export function classify(
  findings: readonly Finding[],
  failOn: ReadonlySet<FindingKind>,
  nmapFailed: boolean,
): { status: 'drift' | 'clean' | 'undecided'; tracked: Finding[] } {
  const tracked = findings.filter((f) => f.kind !== 'inconclusive' || failOn.has('inconclusive'));
  if (tracked.length > 0) return { status: 'drift', tracked };
  return { status: findings.length === 0 && !nmapFailed ? 'clean' : 'undecided', tracked };
}

/** Why Slack hears of a run: the drift is new, changed, resolved, or (notify: always) ongoing. */
export type SlackEvent = 'new' | 'changed' | 'resolved' | 'ongoing';

/**
 * Whether Slack hears of this run. `change`: new drift, changed drift and resolved drift; the same
 * drift again is silent. `always`: every run with drift, and resolved drift.
 */
export function slackEventFor(
  status: 'clean' | 'drift' | 'undecided',
  previous: { count: number } | undefined,
  changes: Changes,
  notify: 'change' | 'always',
): SlackEvent | undefined {
  if (status === 'undecided') return undefined;
  if (status === 'clean') return previous && previous.count > 0 ? 'resolved' : undefined;
  if (!previous || previous.count === 0) return 'new';
  if (changes.changed) return 'changed';
  return notify === 'always' ? 'ongoing' : undefined;
}
