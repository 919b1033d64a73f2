// Pacing to the path. Hosts that answer closed ports with a reset are ground truth: every probe to
// them should get an answer, so the share that does measures the path at the rate it was sent.
// The first, short run goes at the top rate (a LAN, or any path that keeps up, needs nothing
// slower). When the share falls there, either a policer let through less than was sent, or the
// path loses packets at any rate: the next run goes a little below what got through. If its share
// rises, it was a policer, and the rate settles just below what got through it; if the share falls
// a good deal later on, lower again. If the share stays the same, it is random loss: the speed
// comes back. Either way the silent ports are probed again (rescue.ts), below a policer at a slower
// rate, where its bursts lose little. `max-rate` caps all of it.
//
// Why sweep at the policer and not well below it: nmap sends in bursts of a few milliseconds, and
// across a policer with a small bucket some answers are lost at any rate near it (measured on the
// test path: 0.5-1% at 0.6 of the policer, now and then 4%). On a host that drops closed ports a
// lost answer cannot be told from a firewall, so one lost answer in a run means probing every
// silent port of that run again; near a policer that second pass comes anyway, and the sweep
// is cheapest at the rate that gets the most answers per second. Pure: the passes feed it.

/** The fastest nmap is asked to send: beyond it one nmap process on a small runner falls behind. */
export const TOP_RATE = 50_000;
/** The first rate tried, in packets per second: the top, backed off from when answers drop. */
export const START_RATE = TOP_RATE;
/** Below this share of answers at the first rate, the next run goes slower to tell loss from a policer. */
const CLEAN = 0.97;
/** A slower run whose share is this much higher found a policer; less, and it is loss. */
const HOLD = 0.05;
/** Below a policer, the first rate is this fraction of what got through. */
const SETTLE = 0.9;
/** Below this share, a run went well above a policer. */
const NEAR = 0.85;
/** Once a policer is found, the rate settles at this fraction of what got through it. */
const AT_POLICER = 0.95;
/** Re-probing below a policer goes at this fraction of what gets through it. */
const RESCUE_BELOW = 0.8;
/** How long each sweep run lasts: the first, any run while the rate is unsure, and runs below a policer. */
const FIRST_SECONDS = 0.5;
const STEP_SECONDS = 0.5;
/** Once settled, runs of this long keep measuring the path (a policer may show up late). */
const SETTLED_SECONDS = 10;
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
  /** Packets that reached the runner (or that its kernel dropped on the way in) and that nmap never saw (intake.ts). */
  lostOnRunner?: number;
  /** The share of the machine's CPU time that sat idle during the run (0..1). */
  idle?: number;
}

/** What holds the rate down: a rate limit on the path, the runner itself, or max-rate. */
export type PaceLimit = 'path' | 'runner' | 'max-rate';

export interface Pace {
  /** The rate the scan settled at, packets per second. */
  rate: number;
  /** max-rate, when set. */
  ceiling?: number;
  /** The share of probes to ground-truth hosts that the path answers at that rate (0..1), when measured. */
  delivery?: number;
  /** Why this rate, in a sentence. */
  reason: string;
  /** What held the rate down, when anything did. */
  limit?: PaceLimit;
  steps: PaceStep[];
}

/**
 * Were the answers a run missed lost on the runner? Enough of them reached it, or were dropped by
 * its kernel, and nmap never saw them: at least this share of what was missed, and this many.
 */
const ON_RUNNER = { share: 0.25, least: 50 } as const;

export function lostOnTheRunner(step: PaceStep): boolean {
  const missed = step.probes - step.answered;
  return (
    step.lostOnRunner !== undefined &&
    missed > 0 &&
    step.lostOnRunner >= Math.max(ON_RUNNER.least, ON_RUNNER.share * missed)
  );
}

export class Pacer {
  readonly steps: PaceStep[] = [];
  /** The share of answers the path gives when the rate is not what limits it. */
  private baseline: number | undefined;
  /** Packets per second that get through a policer, as last measured. */
  private policer: number | undefined;
  private current: number;
  private settledWhy: 'policer' | 'runner' | 'ceiling' | 'top' | undefined;
  /** The last run lost answers on the runner: the next, at the same rate, says whether it lasts. */
  private runnerOnce = false;
  /** Packets per second the runner took in when it could not keep up, as last measured. */
  private runnerRate: number | undefined;
  /** After a first low share: the run it was measured on; the next run, slower, tells policer from loss. */
  private tentative: { rate: number; share: number } | undefined;
  /** Below a policer: the share of the first run at the settled rate, to notice a large fall. */
  private held: number | undefined;
  /** The rate came back up after loss was found: the next run is short. */
  private checking = false;

  constructor(private readonly ceiling?: number) {
    this.current = Math.min(START_RATE, ceiling ?? Infinity);
    if (ceiling !== undefined && ceiling <= START_RATE) this.settledWhy = 'ceiling';
  }

  /** The rate for the next run. */
  get rate(): number {
    return this.current;
  }

  /** The rate for probing silent ports again: below a policer, where its bursts lose little. */
  get rescueRate(): number {
    if (this.settledWhy !== 'policer' || this.policer === undefined) return this.current;
    return this.round(Math.min(this.current, this.policer * RESCUE_BELOW));
  }

  /** True once raising the rate is over: the ceiling, the top rate, or a policer. */
  get settled(): boolean {
    return this.settledWhy !== undefined;
  }

  /** True once a policer was found: runs keep being measured, in case the rate must settle lower. */
  get policed(): boolean {
    return this.settledWhy === 'policer';
  }

  /** True when a rate limit on the path, the runner or max-rate holds the rate down: careful runs keep to it. */
  get limited(): boolean {
    return this.settledWhy !== undefined && this.settledWhy !== 'top';
  }

  /** The share of CPU time that sat idle during the last run measured, when known. */
  get idle(): number | undefined {
    return this.steps.at(-1)?.idle;
  }

  /** Has any run measured the path (on hosts that answer closed ports)? */
  get measured(): boolean {
    return this.baseline !== undefined;
  }

  /** The share of answers the path gives below any rate limit (for judging silence). */
  get delivery(): number {
    return this.baseline ?? ASSUMED_DELIVERY;
  }

  /** How long the next sweep run should last, in seconds: short while the rate is unsure. */
  get stepSeconds(): number {
    if (this.steps.length === 0) return FIRST_SECONDS;
    if (this.tentative || this.checking) return STEP_SECONDS;
    return this.settled ? SETTLED_SECONDS : STEP_SECONDS;
  }

  /**
   * What one run measured on ground-truth hosts; chooses the next rate. `loose`: a rescue pass
   * (silent ports probed again, some of which a firewall may drop): it measures the path's own
   * loss, and lowers the rate only on a large fall.
   */
  measure(step: PaceStep, loose = false): void {
    if (step.probes < 50) return; // too few to say anything
    this.steps.push(step);
    const share = step.answered / step.probes;
    const through = step.rate * share;
    if (!loose) this.checking = false;
    if (!loose && this.onRunner(step, share, through)) return;
    if (loose) this.measureRescue(step, share, through);
    else if (this.tentative) this.afterTentative(step, share, through, this.tentative);
    else if (this.baseline === undefined) this.measureFirst(step, share, through);
    else this.measureSettled(step, share, through, this.baseline);
  }

  /**
   * A rescue pass: re-probing goes below a policer, so a higher share there is the path's own
   * loss, better measured (silence a firewall drops only lowers it); the first measure when the
   * sweep left none. Only a large fall lowers the rate.
   */
  private measureRescue(step: PaceStep, share: number, through: number): void {
    if (this.baseline === undefined || share > this.baseline) this.baseline = share;
    else if (share < this.baseline - HOLD && this.settled && !lostOnTheRunner(step)) {
      this.policer = Math.min(this.policer ?? Infinity, through);
      this.settleAt(Math.min(this.current, through * SETTLE));
    }
  }

  /** The first run measured: clean, the rate rises; a low share, the next run tells why. */
  private measureFirst(step: PaceStep, share: number, through: number): void {
    if (share >= CLEAN) {
      this.baseline = share;
      this.raise();
    } else {
      this.tentative = { rate: step.rate, share };
      this.policer = through;
      this.settleAt(through * SETTLE);
    }
  }

  /** The slower run after a low share: a policer, or loss that no rate avoids. */
  private afterTentative(
    step: PaceStep,
    share: number,
    through: number,
    before: { rate: number; share: number },
  ): void {
    this.tentative = undefined;
    if (share < before.share - HOLD) {
      // Slower lost more: no random loss does that. A policer whose bucket carried the first,
      // short run: below what got through this time.
      this.policer = through;
      this.settleAt(through * SETTLE);
      this.tentative = { rate: step.rate, share };
      return;
    }
    if (share > before.share + HOLD) {
      // Slower got more answers: a policer, and the rate settles just below what got through.
      // A share still far from whole means this run, too, went above it: what got through now
      // is its measure. Near whole, the first run's measure stands (nmap's bursts lose a few
      // percent near a policer, so this run under-measures it), and what this run lost is
      // (mostly) the path's own loss.
      this.baseline = share;
      this.policer = share < NEAR ? through : Math.max(before.rate * before.share, through);
      this.settleAt(this.policer * AT_POLICER);
      this.held = undefined;
      return;
    }
    if (share < NEAR) {
      // The same low share: no path loses that much at random; a policer that a short run
      // measures badly. Below what got through this time, and measured again.
      this.policer = through;
      this.settleAt(through * SETTLE);
      this.tentative = { rate: step.rate, share };
      return;
    }
    // The same share at a lower rate: loss that no rate avoids. The speed comes back, in a
    // short run first, in case it was a policer after all.
    this.baseline = Math.max(share, before.share);
    this.settledWhy = undefined;
    this.policer = undefined;
    this.current = before.rate;
    this.raise();
    this.checking = true;
  }

  /** A run once the path was measured: the rate holds, rises, or settles below a fall. */
  private measureSettled(step: PaceStep, share: number, through: number, baseline: number): void {
    if (this.policed && this.held === undefined) {
      if (share < baseline - 2 * HOLD) {
        // The first run at the settled rate lost far more than below the policer: the policer
        // was over-measured. What got through at this rate is the better measure.
        this.policer = through;
        this.settleAt(through);
        return;
      }
      this.held = share;
      return;
    }
    const holds = this.policed ? (this.held ?? 0) : baseline;
    if (share >= holds - HOLD) {
      if (share > baseline && !this.policed) this.baseline = share;
      if (!this.settled) this.raise();
      return;
    }
    // A large fall at a rate that held before: a policer (or a tighter one). Below what got through.
    this.policer = Math.min(this.policer ?? Infinity, through);
    this.held = undefined;
    this.settleAt(Math.min(step.rate, through) * SETTLE);
  }

  /**
   * A run whose missing answers were lost on the runner, not the path: it says nothing of a rate
   * limit on the path. The first is measured again at the same rate (a busy moment passes); a
   * second in a row lowers the rate below what the runner took in, and says it was the runner.
   * Returns true when the step was taken as such.
   */
  private onRunner(step: PaceStep, share: number, through: number): boolean {
    if (share >= CLEAN || !lostOnTheRunner(step)) {
      this.runnerOnce = false;
      if (this.settledWhy === 'runner' && share >= CLEAN) {
        this.baseline = Math.max(this.baseline ?? 0, share);
        return true; // the runner keeps up at this rate: it stays
      }
      return false;
    }
    if (!this.runnerOnce) {
      this.runnerOnce = true;
      this.checking = true;
      return true;
    }
    this.runnerOnce = false;
    this.tentative = undefined;
    this.runnerRate = Math.min(this.runnerRate ?? Infinity, through);
    this.current = this.round(Math.min(this.current, through * SETTLE));
    this.settledWhy = 'runner';
    return true;
  }

  /** Doubles the rate, up to the ceiling or the top rate. */
  private raise(): void {
    const limit = Math.min(this.ceiling ?? Infinity, TOP_RATE);
    const next = Math.min(limit, this.current * 2);
    if (next <= this.current) {
      this.settledWhy ??= limit === this.ceiling ? 'ceiling' : 'top';
      return;
    }
    this.current = next;
    if (next >= limit) this.settledWhy = limit === this.ceiling ? 'ceiling' : 'top';
  }

  private round(rate: number): number {
    const r = Math.max(100, Math.floor(rate / 100) * 100);
    return this.ceiling !== undefined ? Math.min(r, this.ceiling) : r;
  }

  private settleAt(rate: number): void {
    this.current = this.round(rate);
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
    } else if (this.settledWhy === 'runner') {
      reason = `settled below what this runner could take in (about ${n(this.runnerRate ?? 0)} packets/s): answers reached it and were lost on it (its CPU busy or its capture full), not on the path`;
    } else if (this.settledWhy === 'ceiling') {
      reason = `max-rate: the ceiling you set`;
    } else if (this.settledWhy === 'top') {
      reason = `the path kept up with the fastest rate port-drift asks of nmap`;
    } else {
      reason = `the path kept up with every rate tried (the scan ended before a limit was found)`;
    }
    // Once settled, the rate in use; before (the scan ended while rising), the fastest rate used.
    const used = this.settled ? this.current : Math.max(0, ...this.steps.map((s) => s.rate));
    const limit: PaceLimit | undefined =
      this.settledWhy === 'policer'
        ? 'path'
        : this.settledWhy === 'runner'
          ? 'runner'
          : this.settledWhy === 'ceiling'
            ? 'max-rate'
            : undefined;
    return {
      rate: used || this.current,
      ...(limit ? { limit } : {}),
      ...(this.ceiling !== undefined ? { ceiling: this.ceiling } : {}),
      ...(this.baseline !== undefined ? { delivery: Number(this.baseline.toFixed(4)) } : {}),
      reason: reason + lossText,
      steps: this.steps,
    };
  }
}
