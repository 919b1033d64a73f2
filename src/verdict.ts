// The verdict: does this run fail, and the one line that says why.
import { countByKind } from './drift.js';
import { FINDING_KINDS, type Finding, type FindingKind } from './types.js';

export interface Verdict {
  /** Any unexpected-open, missing or host-down finding, whatever fail-on says. */
  drift: boolean;
  /** Drift of a kind listed in fail-on. */
  failed: boolean;
  counts: Record<FindingKind, number>;
  /** One line counting the findings by kind. */
  message: string;
}

export function decide(findings: readonly Finding[], failOn: ReadonlySet<FindingKind>): Verdict {
  const byKind = countByKind(findings);
  const counts = Object.fromEntries(FINDING_KINDS.map((k) => [k, byKind.get(k) ?? 0])) as Record<
    FindingKind,
    number
  >;
  const drift = counts['unexpected-open'] + counts.missing + counts['host-down'] > 0;
  const failed = FINDING_KINDS.some((k) => failOn.has(k) && counts[k] > 0);
  const listed = FINDING_KINDS.filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`);
  const message =
    listed.length === 0
      ? 'No drift: every open port is expected and every expected port is open.'
      : `${drift ? 'Drift' : 'No drift, but'}: ${listed.join(', ')}.`;
  return { drift, failed, counts, message };
}
