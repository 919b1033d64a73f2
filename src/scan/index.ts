// The scan engine: nmap found, the plan made, then one pass after another, each a function of its
// own: sweep (paced to the path), careful probe (no false host-down), every-port check, rescue
// (re-probe silence), coverage, confirm (re-check what would be a finding), identify (-sV). The
// careful probe and version detection start during the sweep, on what it has seen (ahead.ts).
import { accountForSkipped } from '../plan/account.js';
import { ConfigurationError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { ensureNmap } from '../nmap/install.js';
import { observe } from './observe.js';
import type { ScanPlan } from '../plan/plan.js';
import { countPorts } from '../settings/ports.js';
import type { Settings } from '../settings/settings.js';
import type { ObservedAddress, PortRange, RunEntry, Scanned } from '../base/types.js';
import { applyRecheck, type Flap } from './recheck.js';
import { Ahead } from './ahead.js';
import { confirm } from './confirm.js';
import { carefulRate, type PassContext } from './context.js';
import { coverageOf, type Silence } from './coverage.js';
import { detectEveryPort } from './everyport.js';
import { identify } from './identify.js';
import { mergeByAddress } from './merge.js';
import { Pacer, type Pace } from './pacing.js';
import { chooseScanType, planScan } from './planning.js';
import { rescue } from './rescue.js';
import { makeRunner, runsOf, type Runner } from './runner.js';
import { sweep, type Swept } from './sweep.js';

export interface ScanContext {
  /** When the run started (ms since the epoch): scan-timeout counts from here. */
  startedAt: number;
  log: Logger;
  /** Cancellation: no new pass starts once aborted, and nmap is stopped. */
  signal?: AbortSignal;
}

export interface ScanOutcome {
  plan: ScanPlan | null;
  observed: ObservedAddress[];
  /** Every port the scans covered, by protocol: required ports outside it are inconclusive. */
  scannedPorts: PortRange[];
  scanned: Scanned;
  source: 'nmap' | 'xml';
  nmapVersion?: string;
  scanType?: string;
  privilege?: string;
  runs: RunEntry[];
  /** The rate the scan used, and why. */
  pace?: Pace;
  /** Sweep findings that the careful re-check did not reproduce: shown, not reported as drift. */
  flapping: Flap[];
  /** nmap's own message when a run failed (not merely ran out of time): the step fails with it. */
  nmapFailure?: string;
}

/** Shares of scan-timeout: the sweep, then careful probe and rescue, then the re-check. */
const SWEEP_SHARE = 0.6;
const RESCUE_SHARE = 0.75;
const CONFIRM_SHARE = 0.9;
/** Time kept back from the budget for reading XML and writing the reports. */
const REPORT_RESERVE_MS = 3000;

export async function scan(settings: Settings, ctx: ScanContext): Promise<ScanOutcome> {
  const { log } = ctx;
  const nmap = await log.group('nmap', async () => {
    const found = await ensureNmap(settings.installNmap);
    log.info(`nmap ${found.version} at ${found.path}`);
    return found;
  });
  const canRaw = nmap.rawPrefix !== null;
  const scanType = chooseScanType(settings, canRaw, nmap.privilege, log);
  const wantsUdp =
    settings.udpPorts.kind !== 'none' ||
    settings.rules.some((r) => r.ports.some((p) => p.protocol === 'udp'));
  if (wantsUdp && !canRaw) {
    throw new ConfigurationError(
      'udp-ports',
      `UDP scans need raw sockets, and this runner has none (${nmap.privilege}). Run as root or with passwordless sudo, or drop the UDP ports.`,
    );
  }
  const plan = await log.group('Plan', () => planScan(settings, nmap, log, ctx));

  const runner = makeRunner(nmap, scanType, settings.reportDir, log, ctx.signal);
  try {
    return {
      ...(await passes(passContext(settings, plan, runner, ctx))),
      nmapVersion: nmap.version,
      scanType: scanType === 'syn' ? 'SYN' : 'connect',
      privilege: nmap.privilege,
    };
  } finally {
    await runner.close();
  }
}

/** What the passes share: the plan, the nmap runs, the pace, and each pass's deadline. */
function passContext(
  settings: Settings,
  plan: ScanPlan,
  runner: Runner,
  ctx: ScanContext,
): PassContext {
  const budget = settings.scanTimeoutMs;
  const at = (share: number): number => ctx.startedAt + budget * share;
  return {
    settings,
    plan,
    scanned: [...plan.tcp, ...plan.udp],
    runner,
    pacer: new Pacer(settings.maxRate),
    log: ctx.log,
    signal: ctx.signal,
    deadlines: {
      sweep: at(SWEEP_SHARE),
      rescue: at(RESCUE_SHARE),
      confirm: at(CONFIRM_SHARE),
      identify: ctx.startedAt + budget - REPORT_RESERVE_MS,
    },
  };
}

type PassesOutcome = Omit<ScanOutcome, 'nmapVersion' | 'scanType' | 'privilege'>;

/** The passes of the scan, one after another, with the nmap runs of `ctx.runner`. */
async function passes(ctx: PassContext): Promise<PassesOutcome> {
  const { log, plan } = ctx;
  // What the sweep sees starts the slow passes (version detection, the careful probe) beside it.
  const ahead = new Ahead(ctx);
  const swept = await log.group(
    `Sweep: ${plan.addressCount} addresses, ${countPorts(plan.tcp)} TCP + ${countPorts(plan.udp)} UDP ports`,
    () => sweep(ctx, (sofar) => ahead.afterRun(sofar)),
  );
  ahead.endSweep(swept.results); // the UDP runs too, and what a fast sweep held back
  // Careful probes and re-checks may go as fast as the path was found to allow, never faster.
  const rate = carefulRate(ctx);
  const decided = withCoverageLogged(ctx, await afterSweep(ctx, ahead, swept, rate), swept);
  const confirmed = await confirm(ctx, decided, rate);
  const identified = await identify(ctx, confirmed.observed, rate, ahead.close());
  return outcome(ctx, identified, confirmed.flapping);
}

/**
 * The silent addresses decided, and the others checked for every port and rescued. The careful
 * probes of silent addresses (started during the sweep) concern other addresses than the
 * every-port check and the rescue: they finish beside them, and their results are merged by
 * address. An address a careful probe finds up is then rescued like the others.
 */
async function afterSweep(
  ctx: PassContext,
  ahead: Ahead,
  swept: Swept,
  rate: number | undefined,
): Promise<ObservedAddress[]> {
  const observed = observe(ctx.settings.targets, ctx.plan, swept.results);
  const [careful, checked] = await Promise.all([
    ahead.settle(observed),
    (async () => {
      const marked = (await detectEveryPort(ctx, observed, rate)).observed;
      // What a pass finds open and would be drift starts version detection at once.
      const rescued = await rescue(ctx, marked, swept.silence, (sofar) =>
        ahead.identifyFrom(applyRecheck(marked, runsOf(sofar), false)),
      );
      return applyRecheck(marked, runsOf(rescued), false);
    })(),
  ]);
  // Each side changed its own addresses: the careful probe those that were down, the rest those up.
  const merged = mergeByAddress(checked, careful.decided, (o) => o.status === 'down');
  const cameUp = careful.decided.filter((o) => o.status === 'up');
  if (cameUp.length === 0) return merged;
  const late = await rescue(ctx, cameUp, swept.silence);
  return applyRecheck(merged, runsOf(late), false);
}

/** The TCP coverage of each address that answered; what got no answer, in the log. */
function withCoverageLogged(
  ctx: PassContext,
  observed: readonly ObservedAddress[],
  swept: Swept,
): ObservedAddress[] {
  const covered = withCoverage(
    observed,
    swept.silence,
    swept.swept,
    countPorts(ctx.plan.tcp),
    ctx.runner.cancelled()
      ? 'the run was cancelled'
      : 'the passes or the scan-timeout budget ran out',
  );
  for (const o of covered) {
    if (o.coverage?.unanswered) {
      ctx.log.warning(
        `${o.address}: ${o.coverage.unanswered.toLocaleString('en-US')} of ${o.coverage.ports.toLocaleString('en-US')} TCP ports got no answer`,
      );
    }
  }
  return covered;
}

/** What the passes found, with the pace, every nmap run and what failed. */
function outcome(ctx: PassContext, observed: ObservedAddress[], flaps: Flap[]): PassesOutcome {
  const { log, plan, runner } = ctx;
  const pace = ctx.pacer.pace();
  if (plan.tcp.length > 0)
    log.info(`pace: ${pace.rate.toLocaleString('en-US')} packets/s: ${pace.reason}`);
  const failures = [
    ...new Set(
      runner.runs.flatMap((r) => (r.error && !r.error.startsWith('stopped') ? [r.error] : [])),
    ),
  ];
  return {
    plan,
    // Whatever nmap skipped or left out of its report for an address of the plan still ends in it.
    observed: accountForSkipped(plan, observed, runner.notes),
    scannedPorts: [...ctx.scanned],
    flapping: flaps,
    scanned: {
      addresses: plan.addressCount,
      tcpPorts: countPorts(plan.tcp),
      udpPorts: countPorts(plan.udp),
    },
    source: 'nmap',
    runs: runner.runs,
    ...(plan.tcp.length > 0 ? { pace } : {}),
    ...(failures.length ? { nmapFailure: failures.join('; ') } : {}),
  };
}

/** Each scanned address that answered, with its TCP coverage. */
export function withCoverage(
  observed: readonly ObservedAddress[],
  silence: Silence,
  swept: ReadonlyMap<string, number>,
  scanned: number,
  why: string,
): ObservedAddress[] {
  return observed.map((o) => {
    if (o.status !== 'up' || o.everyPort || scanned === 0) return o;
    return {
      ...o,
      coverage: coverageOf(silence.get(o.address) ?? [], scanned, swept.get(o.address) ?? 0, why),
    };
  });
}
