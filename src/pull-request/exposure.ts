// What a change of the policy file exposes, read from its base and head versions before any scan:
// which ports on which patterns become allowed, required or accepted for a while, which are no
// longer allowed, and which targets join or leave the scan. For the pull-request comment, where a
// reviewer approves what a pull request opens up. Pure: the caller reads both versions.
// Ports are handled as ranges throughout (a rule may allow 1-65535), never one by one.
import { coalesceRanges, countPorts, formatPortList, rangeOf } from '../settings/ports.js';
import type { Policy } from '../settings/policy.js';
import { compareUntil } from '../settings/rules.js';
import { code, plural } from '../base/markdown.js';
import type { Exception, PortRange, PortRule, Protocol } from '../base/types.js';

/** Widens: more may (or must) be open, or for longer, or a new target. Narrows: the reverse. */
export type ExposureEffect = 'widens' | 'narrows';

export type PortChangeKind =
  /** Not allowed in base; required in head. */
  | 'requires'
  /** Not allowed in base; may be open in head. */
  | 'allows'
  /** Not allowed in base; accepted by an exception in head (`exception`). */
  | 'accepts'
  /** Allowed only (or accepted, `was`) in base; required in head. */
  | 'now-requires'
  /** Required in base; only allowed in head. */
  | 'no-longer-requires'
  /** Allowed (or accepted, `was`) in base; drift if open in head. */
  | 'no-longer-allows'
  /** Allowed without end in base; accepted only until `exception.until` in head. */
  | 'exception-added'
  /** Accepted until `was.until` in base; allowed without end in head. */
  | 'exception-removed'
  /** Accepted in both, until a later time in head. */
  | 'exception-extended'
  /** Accepted in both, until an earlier time in head. */
  | 'exception-shortened';

/** A change to what the ports of one rule pattern may be, for one protocol. */
export interface PortChange {
  kind: PortChangeKind;
  effect: ExposureEffect;
  /** The rule pattern as written (head's spelling when in both); `*` for every target. */
  pattern: string;
  protocol: Protocol;
  /** Sorted, merged, all of `protocol`. */
  ranges: PortRange[];
  /** The exception of head that accepts the ports. */
  exception?: Exception;
  /** The exception of base that accepted the ports. */
  was?: Exception;
}

/** A target entry that joins or leaves the scan. */
export interface TargetChange {
  kind: 'scans-target' | 'no-longer-scans-target';
  effect: ExposureEffect;
  /** The entry as written. */
  target: string;
}

export type ExposureChange = PortChange | TargetChange;

export interface ExposureDiff {
  /** There was no base version: the file is new in the pull request, and all it declares is new. */
  newFile: boolean;
  /** Target changes first, then port changes by pattern (head's order, then patterns gone). */
  changes: ExposureChange[];
}

/**
 * The ports of `from` that are not in `remove`, sorted and merged; protocols are kept apart. Works
 * on ranges, whatever their size.
 */
export function subtractRanges(
  from: readonly PortRange[],
  remove: readonly PortRange[],
): PortRange[] {
  // coalesceRanges sorts by protocol, then by first port: both lists walk in the same order.
  const cut = coalesceRanges(remove);
  const before = (c: PortRange, r: PortRange): boolean =>
    c.protocol < r.protocol || (c.protocol === r.protocol && c.to < r.from);
  const out: PortRange[] = [];
  let i = 0;
  for (const r of coalesceRanges(from)) {
    while (i < cut.length && before(cut[i] as PortRange, r)) i++;
    let start = r.from;
    for (let j = i; j < cut.length && start <= r.to; j++) {
      const c = cut[j] as PortRange;
      if (c.protocol !== r.protocol || c.from > r.to) break;
      if (c.from > start) out.push({ from: start, to: c.from - 1, protocol: r.protocol });
      start = Math.max(start, c.to + 1);
    }
    if (start <= r.to) out.push({ from: start, to: r.to, protocol: r.protocol });
  }
  return out;
}

function intersectRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  return subtractRanges(a, subtractRanges(a, b));
}

/** What one pattern's rules declare, as disjoint sets of ranges. */
interface Declared {
  required: PortRange[];
  /** May be open, without end, and not required. */
  optional: PortRange[];
  /** Accepted until a time and by nothing else; each port under the exception that ends last. */
  exceptions: { exception: Exception; ranges: PortRange[] }[];
  /** Every port that may be open. */
  allowed: PortRange[];
}

function declared(ports: readonly PortRule[]): Declared {
  const required = coalesceRanges(ports.filter((p) => !p.optional && !p.exception).map(rangeOf));
  const plain = coalesceRanges(ports.filter((p) => !p.exception).map(rangeOf));
  const byException = new Map<string, { exception: Exception; ranges: PortRange[] }>();
  for (const p of ports) {
    if (!p.exception) continue;
    const { until, reason } = p.exception;
    const key = `${until}\n${reason}`;
    const entry = byException.get(key) ?? { exception: { until, reason }, ranges: [] };
    entry.ranges.push(rangeOf(p));
    byException.set(key, entry);
  }
  const latestFirst = [...byException.values()].sort((a, b) =>
    compareUntil(b.exception.until, a.exception.until),
  );
  const exceptions: Declared['exceptions'] = [];
  let allowed = plain;
  for (const { exception, ranges } of latestFirst) {
    const own = subtractRanges(ranges, allowed);
    if (own.length === 0) continue;
    exceptions.push({ exception, ranges: own });
    allowed = coalesceRanges([...allowed, ...own]);
  }
  return { required, optional: subtractRanges(plain, required), exceptions, allowed };
}

const NOTHING: Declared = { required: [], optional: [], exceptions: [], allowed: [] };

/** Each rule pattern's ports, by pattern compared case-insensitively, in the order first written. */
function byPattern(
  policy: Policy | undefined,
): Map<string, { pattern: string; ports: PortRule[] }> {
  const out = new Map<string, { pattern: string; ports: PortRule[] }>();
  for (const rule of policy?.rules ?? []) {
    const key = rule.pattern.toLowerCase();
    const entry = out.get(key) ?? { pattern: rule.pattern, ports: [] };
    entry.ports.push(...rule.ports);
    out.set(key, entry);
  }
  return out;
}

function sameException(a: Exception, b: Exception): boolean {
  return a.until === b.until && a.reason === b.reason;
}

/** The changes of one pattern, from what base declared to what head declares. */
function patternChanges(pattern: string, base: Declared, head: Declared): PortChange[] {
  const out: PortChange[] = [];
  const add = (
    kind: PortChangeKind,
    effect: ExposureEffect,
    ranges: PortRange[],
    exceptions: { exception?: Exception; was?: Exception } = {},
  ): void => {
    for (const protocol of ['tcp', 'udp'] as const) {
      const own = ranges.filter((r) => r.protocol === protocol);
      if (own.length) out.push({ kind, effect, pattern, protocol, ranges: own, ...exceptions });
    }
  };
  const added = subtractRanges(head.allowed, base.allowed);
  const removed = subtractRanges(base.allowed, head.allowed);
  const basePlain = coalesceRanges([...base.required, ...base.optional]);

  add('requires', 'widens', intersectRanges(head.required, added));
  add('allows', 'widens', intersectRanges(head.optional, added));
  for (const { exception, ranges } of head.exceptions) {
    add('accepts', 'widens', intersectRanges(ranges, added), { exception });
  }
  add('now-requires', 'widens', intersectRanges(head.required, base.optional));
  for (const { exception: was, ranges } of base.exceptions) {
    add('now-requires', 'widens', intersectRanges(head.required, ranges), { was });
    add('exception-removed', 'widens', intersectRanges(head.optional, ranges), { was });
  }
  for (const { exception: was, ranges: baseRanges } of base.exceptions) {
    for (const { exception, ranges } of head.exceptions) {
      if (sameException(was, exception)) continue;
      const order = compareUntil(exception.until, was.until);
      // The same end with another reason, or the same time written another way: no change of exposure.
      if (order === 0) continue;
      const kind = order > 0 ? 'exception-extended' : 'exception-shortened';
      add(kind, order > 0 ? 'widens' : 'narrows', intersectRanges(ranges, baseRanges), {
        exception,
        was,
      });
    }
  }

  add('no-longer-allows', 'narrows', intersectRanges(basePlain, removed));
  for (const { exception: was, ranges } of base.exceptions) {
    add('no-longer-allows', 'narrows', intersectRanges(ranges, removed), { was });
  }
  add('no-longer-requires', 'narrows', intersectRanges(base.required, head.optional));
  for (const { exception, ranges } of head.exceptions) {
    add('exception-added', 'narrows', intersectRanges(ranges, basePlain), { exception });
  }
  return out;
}

/**
 * What changes in exposure from the base version of a policy to its head version: compared rule
 * pattern by rule pattern (hostnames case-insensitively; group rules are already one rule per
 * member), and target by target. `base` undefined: the file is new, everything in head is new.
 */
export function diffPolicies(base: Policy | undefined, head: Policy): ExposureDiff {
  const changes: ExposureChange[] = [];
  const baseTargets = new Map((base?.targets ?? []).map((t) => [t.spec.toLowerCase(), t.spec]));
  const headTargets = new Map(head.targets.map((t) => [t.spec.toLowerCase(), t.spec]));
  for (const [key, target] of headTargets) {
    if (!baseTargets.has(key)) changes.push({ kind: 'scans-target', effect: 'widens', target });
  }
  for (const [key, target] of baseTargets) {
    if (!headTargets.has(key)) {
      changes.push({ kind: 'no-longer-scans-target', effect: 'narrows', target });
    }
  }

  const baseRules = byPattern(base);
  const headRules = byPattern(head);
  const keys = new Set([...headRules.keys(), ...baseRules.keys()]);
  for (const key of keys) {
    const before = baseRules.get(key);
    const after = headRules.get(key);
    const pattern = after?.pattern ?? before?.pattern ?? key;
    changes.push(
      ...patternChanges(
        pattern,
        before ? declared(before.ports) : NOTHING,
        after ? declared(after.ports) : NOTHING,
      ),
    );
  }
  return { newFile: base === undefined, changes };
}

// ---------------------------------------------------------------------------
// Markdown for the pull-request comment. Patterns, targets, reasons and the file name come from the
// pull request: each goes through code(), where GitHub makes no mention, reference, link or HTML,
// and which breaks up `<!--` so that no text of the pull request can pass for a hidden marker.

const MAX_RANGES_SHOWN = 12;

function portsLabel(c: PortChange): string {
  const shown = c.ranges.slice(0, MAX_RANGES_SHOWN);
  const more = c.ranges.length > shown.length;
  const list = `**${formatPortList(shown)}${more ? ',…' : ''}/${c.protocol}**`;
  return more
    ? `${list} (${plural(countPorts(c.ranges), 'port')} in ${plural(c.ranges.length, 'range')})`
    : list;
}

function exceptionLabel(e: Exception): string {
  const reason = code(e.reason);
  return `until ${code(e.until, 40)}${reason ? ` (${reason})` : ''}`;
}

function line(c: ExposureChange): string {
  if ('target' in c) {
    return c.kind === 'scans-target'
      ? `scans new target ${code(c.target)}`
      : `no longer scans ${code(c.target)}: its ports are no longer checked`;
  }
  const what = `${portsLabel(c)} on ${c.pattern === '*' ? 'every target' : code(c.pattern)}`;
  const was = c.was ? `accepted ${exceptionLabel(c.was)}` : '';
  const until = c.exception ? exceptionLabel(c.exception) : '';
  switch (c.kind) {
    case 'requires':
      return `requires ${what}, new`;
    case 'allows':
      return `allows ${what}, new`;
    case 'accepts':
      return `accepts ${what} ${until}, new`;
    case 'now-requires':
      return `now requires ${what}, was ${was || 'only allowed'}`;
    case 'no-longer-requires':
      return `no longer requires ${what}, still allowed`;
    case 'no-longer-allows':
      return `no longer allows ${what}${was ? `, was ${was}` : ''}: drift if open`;
    case 'exception-added':
      return `accepts ${what} only ${until}, was allowed without end`;
    case 'exception-removed':
      return `allows ${what} without end, was ${was}`;
    case 'exception-extended':
    case 'exception-shortened':
      return `accepts ${what} ${until}, ${c.kind === 'exception-extended' ? 'extended' : 'shortened'} from ${c.was ? code(c.was.until, 40) : '?'}`;
  }
}

/**
 * The exposure change as Markdown: a heading naming the file, what widens (for the reviewer to
 * approve) before what narrows, at most `limit` lines and a count of the rest.
 */
export function renderExposure(diff: ExposureDiff, policyFile: string, limit = 50): string {
  const file = code(policyFile, 300);
  const out = [`### Exposure change in ${file}`];
  if (diff.newFile) out.push(`${file} is new in this pull request: all it declares is new.`);
  const widens = diff.changes.filter((c) => c.effect === 'widens');
  const narrows = diff.changes.filter((c) => c.effect === 'narrows');
  if (widens.length + narrows.length === 0) {
    out.push('This change of the policy does not change what is scanned or what may be open.');
    return out.join('\n\n');
  }
  const room = Math.max(0, limit);
  const shownWidens = widens.slice(0, room);
  const shownNarrows = narrows.slice(0, room - shownWidens.length);
  if (shownWidens.length) {
    out.push(`**Widens** (to approve):\n${shownWidens.map((c) => `- ${line(c)}`).join('\n')}`);
  }
  if (shownNarrows.length) {
    out.push(`**Narrows**:\n${shownNarrows.map((c) => `- ${line(c)}`).join('\n')}`);
  }
  const leftWidens = widens.length - shownWidens.length;
  const leftNarrows = narrows.length - shownNarrows.length;
  if (leftWidens + leftNarrows > 0) {
    const parts = [
      leftWidens ? `${leftWidens.toLocaleString('en-US')} widening` : '',
      leftNarrows ? `${leftNarrows.toLocaleString('en-US')} narrowing` : '',
    ].filter(Boolean);
    out.push(`…and ${plural(leftWidens + leftNarrows, 'more change')} (${parts.join(', ')}).`);
  }
  return out.join('\n\n');
}
