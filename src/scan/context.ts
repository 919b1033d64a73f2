// What every pass of the scan shares, in one object: the settings and the plan, the nmap runs
// (runner.ts: nmap, the scan type, the log, the run's private folder), the pace (pacing.ts), the
// log, the cancellation, the ports scanned and each pass's deadline within scan-timeout. Made once
// per scan (index.ts); the passes read it and add their own inputs (what the last pass observed).
import type { Logger } from '../base/log.js';
import type { PortRange } from '../base/types.js';
import type { ScanPlan } from '../plan/plan.js';
import type { Settings } from '../settings/settings.js';
import type { Pacer } from './pacing.js';
import type { Runner } from './runner.js';

/** When each pass must end (ms since the epoch): shares of scan-timeout. */
export interface Deadlines {
  /** The sweep. */
  sweep: number;
  /** The careful probe and bulk decision of silent addresses, the every-port check, the rescue. */
  rescue: number;
  /** The re-check. */
  confirm: number;
  /** Version detection: what is left but the time the reports need. */
  identify: number;
}

export interface PassContext {
  readonly settings: Settings;
  readonly plan: ScanPlan;
  /** Every port the scans cover, TCP then UDP. */
  readonly scanned: readonly PortRange[];
  /** Runs nmap for every pass, and keeps the entries of its runs. */
  readonly runner: Runner;
  /** The pace of the path, measured by the sweep and the rescue. */
  readonly pacer: Pacer;
  readonly log: Logger;
  /** Cancellation: no new pass starts once aborted, and nmap is stopped. */
  readonly signal: AbortSignal | undefined;
  readonly deadlines: Deadlines;
}

/**
 * The rate careful runs may use, as the pace stands now: what a rate limit on the path (or the
 * runner, or max-rate) allows; max-rate (or none) when nothing held the rate down.
 */
export function carefulRate(ctx: PassContext): number | undefined {
  return ctx.pacer.limited ? ctx.pacer.rate : ctx.settings.maxRate;
}
