// Pacing to the path. Hosts that answer closed ports with a reset are ground truth: every probe to
// them should get an answer, so the share that does measures the path at the rate it was sent.
// The first run goes at the top rate (a LAN, or any path that keeps up, needs nothing slower); when
// the share falls there, answers stopped rising with the send rate: a policer, and the rate backs
// off below what got through (a run at that rate tells a policer from loss). After loss, the rate
// doubles again while the share holds. When the share is
// low whatever the rate, it is random loss: the speed stays and the silent ports are probed again.
// `max-rate` caps all of it. Pure: the sweep feeds it what each nmap run measured.

/** The fastest nmap is asked to send: beyond it one nmap process on a small runner falls behind. */
export const TOP_RATE = 50_000;
/** The first rate tried, in packets per second: the top, backed off from when answers drop. */
export const START_RATE = TOP_RATE;
/** Below this share of answers at the first rate, the next run tries half the rate to tell loss from a policer. */
const CLEAN = 0.97;
/** How far the share of answers may fall below the best seen and still hold. */
const HOLD = 0.05;
/**
 * Settle at this fraction of what got through a policer: nmap's sending is bursty at the scale of
 * milliseconds, and a policer with a small bucket drops bursts well below its average rate.
 */
const BELOW_POLICER = 0.75;
/** What the path delivers when nothing measures it (no host answers closed ports). */
export const ASSUMED_DELIVERY = 0.97;

export interface PaceStep {
  /** The rate nmap was held to, packets per second. */
  rate: number;
  /** Probes to ground-truth hosts, and how many of them were answered. */
  probes: number;
  answered: number;
  /** nmap's elapsed time for the run. */
  seconds: number;
}

export interface Pace {
  /** The rate the scan settled at, packets per second. */
  rate: number;
  /** max-rate, when set. */
  ceiling?: number;
  /** The share of probes to ground-truth hosts that the path answers at that rate (0..1), when measured. */
  delivery?: number;
  /** Why this rate, in a sentence. */
  reason: string;
  steps: PaceStep[];
}

export class Pacer {
  readonly steps: PaceStep[] = [];
  /** The share of answers the path gives when the rate is not what limits it. */
  private baseline: number | undefined;
  private policer: number | undefined;
  private current: number;
  private settledWhy: string | undefined;

  constructor(private readonly ceiling?: number) {
    this.current = Math.min(START_RATE, ceiling ?? Infinity);
    if (ceiling !== undefined && ceiling <= START_RATE) this.settledWhy = 'ceiling';
  }

  /** The rate for the next run. */
  get rate(): number {
    return this.current;
  }

  /** True once raising the rate is over: the ceiling, the top rate, or a policer. */
  get settled(): boolean {
    return this.settledWhy !== undefined;
  }

  /** True once a policer was found: runs keep being measured, in case the rate must settle lower. */
  get policed(): boolean {
    return this.settledWhy === 'policer';
  }

  /** True when a rate limit on the path (or max-rate) holds the rate down: careful runs keep to it. */
  get limited(): boolean {
    return this.settledWhy === 'policer' || this.settledWhy === 'ceiling';
  }

  /** Has any run measured the path (on hosts that answer closed ports)? */
  get measured(): boolean {
    return this.baseline !== undefined;
  }

  /** The share of answers expected at the current rate (for judging silence). */
  get delivery(): number {
    return this.baseline ?? ASSUMED_DELIVERY;
  }

  /** What one run measured on ground-truth hosts; chooses the next rate. */
  record(step: PaceStep): void {
    if (step.probes < 50) return; // too few to say anything
    this.steps.push(step);
    const share = step.answered / step.probes;
    if (this.tentative) {
      // The run after a first low share, at a lower rate: more answers mean a policer, the
      // same share means loss that no rate avoids.
      const before = this.tentative;
      this.tentative = undefined;
      if (share > before.share + HOLD) {
        this.baseline = share;
        if (share < CLEAN) this.settleBelow(step.rate * share);
        return;
      }
      this.baseline = Math.max(share, before.share);
      this.settledWhy = undefined;
      this.policer = undefined;
      this.current = before.rate;
      this.raise();
      return;
    }
    if (this.baseline === undefined) {
      if (share >= CLEAN) {
        this.baseline = share;
        this.raise();
      } else {
        // Loss, or a policer below even the first rate: try below what got through.
        this.tentative = { rate: step.rate, share };
        this.settleBelow(step.rate * share);
      }
      return;
    }
    if (share >= this.baseline - HOLD) {
      this.baseline = Math.max(this.baseline, share);
      if (!this.settled) this.raise();
    } else {
      this.settleBelow((step.rate * share) / this.baseline);
    }
  }

  private tentative: { rate: number; share: number } | undefined;

  /** Doubles the rate, up to the ceiling, the top rate, or below a policer already found. */
  private raise(): void {
    const limit = Math.min(
      this.ceiling ?? Infinity,
      TOP_RATE,
      this.policer !== undefined ? this.policer * BELOW_POLICER : Infinity,
    );
    const next = Math.min(limit, this.current * 2);
    if (next <= this.current) {
      this.settledWhy ??= limit === this.ceiling ? 'ceiling' : 'top';
      return;
    }
    this.current = next;
    if (next >= limit) this.settledWhy = limit === this.ceiling ? 'ceiling' : 'top';
  }

  private settleBelow(through: number): void {
    this.policer = Math.min(this.policer ?? Infinity, through);
    // A rate that held before is no more than twice what the path allows (a policer's burst may
    // have carried it): never settle below half of it, whatever one bad run measured.
    const held = this.steps
      .filter((s) => s.answered / s.probes >= (this.baseline ?? CLEAN) - HOLD)
      .reduce((n, s) => Math.max(n, s.rate), 0);
    const below = Math.max(through * BELOW_POLICER, held / 2);
    this.current = Math.max(100, Math.floor(below / 100) * 100);
    if (this.ceiling !== undefined) this.current = Math.min(this.current, this.ceiling);
    this.settledWhy = 'policer';
  }

  /** The pace as report.json and the summary show it. */
  pace(): Pace {
    const n = (x: number): string => Math.round(x).toLocaleString('en-US');
    const loss = this.baseline !== undefined ? 1 - this.baseline : undefined;
    const lossText =
      loss !== undefined && loss > 1 - CLEAN
        ? `; about ${Math.round(loss * 100)}% of answers lost at any rate (random loss): silent ports probed again`
        : '';
    let reason: string;
    if (this.steps.length === 0) {
      reason =
        this.ceiling !== undefined
          ? `max-rate ${n(this.ceiling)} packets/s; no host answered closed ports, so the path was not measured`
          : 'not measured: no host answered closed ports, so the path could not be measured';
    } else if (this.settledWhy === 'policer') {
      reason = `settled below a rate limit on the path: answers stopped rising at about ${n(this.policer ?? 0)} packets/s`;
    } else if (this.settledWhy === 'ceiling') {
      reason = `max-rate: the ceiling you set`;
    } else if (this.settledWhy === 'top') {
      reason = `the path kept up with the fastest rate port-drift asks of nmap`;
    } else {
      reason = `the path kept up with every rate tried (the scan ended before a limit was found)`;
    }
    // Once settled, the rate in use; before (the scan ended while rising), the fastest rate used.
    const used = this.settled ? this.current : Math.max(0, ...this.steps.map((s) => s.rate));
    return {
      rate: used || this.current,
      ...(this.ceiling !== undefined ? { ceiling: this.ceiling } : {}),
      ...(this.baseline !== undefined ? { delivery: Number(this.baseline.toFixed(4)) } : {}),
      reason: reason + lossText,
      steps: this.steps,
    };
  }
}
