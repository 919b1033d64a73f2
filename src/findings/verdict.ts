// The verdict: does this run fail, and the one line that says why. A run that judged nothing (every
// address inconclusive, or none at all) or was cancelled is never a clean pass.
import { countByKind } from './drift.js';
import {
  FINDING_KINDS,
  type Finding,
  type FindingKind,
  type ObservedAddress,
} from '../base/types.js';

export interface Verdict {
  /** Any finding but inconclusive (a port, a host, a service or a certificate), whatever fail-on says. */
  drift: boolean;
  /** Drift of a kind listed in fail-on, a run that judged nothing, or a cancelled run. */
  failed: boolean;
  counts: Record<FindingKind, number>;
  /** One line counting the findings by kind. */
  message: string;
  /** Set when the run could not judge: `cancelled`, or `nothing` (no address was decided). */
  undecided?: 'cancelled' | 'nothing';
}

export interface VerdictFacts {
  /** The observed state: without it, only the findings count. */
  observed?: readonly ObservedAddress[];
  /** The run was stopped by SIGINT/SIGTERM (a cancelled workflow). */
  cancelled?: boolean;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 'es'}`;
}

export function decide(
  findings: readonly Finding[],
  failOn: ReadonlySet<FindingKind>,
  facts: VerdictFacts = {},
): Verdict {
  const byKind = countByKind(findings);
  const counts = Object.fromEntries(FINDING_KINDS.map((k) => [k, byKind.get(k) ?? 0])) as Record<
    FindingKind,
    number
  >;
  const drift = FINDING_KINDS.some((k) => k !== 'inconclusive' && counts[k] > 0);
  const failed = FINDING_KINDS.some((k) => failOn.has(k) && counts[k] > 0);
  const listed = FINDING_KINDS.filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`);
  const message =
    listed.length === 0
      ? 'No drift: every open port is expected and every expected port is open.'
      : `${drift ? 'Drift' : 'No drift, but'}: ${listed.join(', ')}.`;
  const observed = facts.observed;
  if (facts.cancelled) {
    return {
      drift,
      failed: true,
      counts,
      undecided: 'cancelled',
      message:
        `Cancelled before the scan ended: what finished is reported, the rest is inconclusive. ${listed.length ? `${listed.join(', ')}.` : ''}`.trim(),
    };
  }
  // Every address inconclusive (the budget ran out, no route, DNS silent), or no address at all:
  // nothing was judged, which must not read as a pass; fail-on: none still never fails.
  if (observed && observed.every((o) => o.status === 'inconclusive')) {
    // The reason may come from a shard file: only plain words of it go into the one-line message.
    const why = (observed[0]?.reason ?? '')
      .split('. ')[0]!
      .replace(/[^\w\s.,:;()/-]+/g, ' ')
      .slice(0, 160)
      .trim();
    return {
      drift,
      failed: failOn.size > 0,
      counts,
      undecided: 'nothing',
      message: `Nothing could be judged: ${observed.length === 0 ? 'no address to compare' : `${observed.length === 1 ? 'its one address is' : `all ${plural(observed.length, 'address')} are`} inconclusive (${why})`}.`,
    };
  }
  return { drift, failed, counts, message };
}
