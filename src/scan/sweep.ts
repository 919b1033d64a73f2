// The sweep: every planned port of every address, each probe sent once at a rate nmap is held to.
// TCP starts with a short run at the top rate, so that the pacer measures the path on hosts that
// answer closed ports and keeps the rate (or backs off) before the next run. The pacer says how long
// each run lasts: half a second while the rate is unsure, about ten seconds once settled, so that a
// policer that shows up late is still seen. UDP follows, at the settled rate at most, with
// retransmissions.
import type { RunResult } from './observe.js';
import type { ScanPlan } from '../plan/plan.js';
import { countPorts } from '../settings/ports.js';
import { classifyTarget } from '../settings/targets.js';
import type { PortRange, Protocol } from '../base/types.js';
import { addSweep, type Silence } from './coverage.js';
import type { PassContext } from './context.js';
import { answersClosed, runFacts, takePorts, type HostFacts } from './facts.js';
import { readIntake, runnerDuring } from './intake.js';
import { runsOf } from './runner.js';

export interface Swept {
  results: RunResult[];
  silence: Silence;
  /** Per address: how many TCP ports the sweep probed. */
  swept: Map<string, number>;
}

export function addressesIn(targets: readonly string[]): number {
  return targets.reduce((n, spec) => {
    const t = classifyTarget(spec);
    return n + (typeof t === 'string' ? 1 : t.size);
  }, 0);
}

/** UDP's rate: every probe once in about four seconds, 1,000..50,000/s, never above the pace. */
export function udpRate(probes: number, pace: number): number {
  return Math.min(pace, Math.min(50_000, Math.max(1_000, Math.ceil(probes / 4 / 1000) * 1000)));
}

/** What the sweep gathers as it goes, run after run. */
interface SweepState extends Swept {
  /** Addresses that answer closed ports: ground truth for the path. */
  truth: Set<string>;
}

/** One nmap run of the plan: a family's addresses and blocks. */
type PlannedRun = ScanPlan['runs'][number];

/** What one TCP sweep run measured on the hosts that answer closed ports. */
interface Measured {
  rate: number;
  probes: number;
  answered: number;
}

export async function sweep(
  ctx: PassContext,
  /** Called after each TCP run with every result so far. */
  afterRun: (sofar: readonly RunResult[]) => void = () => {},
): Promise<Swept> {
  const state: SweepState = { results: [], silence: new Map(), swept: new Map(), truth: new Set() };
  for (const run of ctx.plan.runs) await sweepTcp(ctx, run, state, afterRun);
  for (const run of ctx.plan.runs) {
    if (ctx.plan.udp.length === 0) break;
    state.results.push(...(await sweepUdp(ctx, run)));
  }
  return { results: state.results, silence: state.silence, swept: state.swept };
}

/** Every planned TCP port of one family's targets, in runs as long as the pacer says. */
async function sweepTcp(
  ctx: PassContext,
  run: PlannedRun,
  state: SweepState,
  afterRun: (sofar: readonly RunResult[]) => void,
): Promise<void> {
  const { runner, pacer } = ctx;
  const { family, targets } = run;
  const addresses = addressesIn(targets);
  let rest: PortRange[] = ctx.plan.tcp;
  while (rest.length > 0) {
    if (runner.cancelled() || Date.now() >= ctx.deadlines.sweep) {
      state.results.push(unfinished(targets, 'tcp', runner.cancelled()));
      break;
    }
    const seconds = pacer.stepSeconds;
    const count = Math.max(
      1,
      Math.min(countPorts(rest), Math.floor((pacer.rate * seconds) / addresses)),
    );
    const [ports, after] = takePorts(rest, count);
    rest = after;
    const measured = await tcpRun(ctx, run, ports, state);
    afterRun(state.results);
    const head = `[IPv${family} TCP sweep] ${countPorts(ports).toLocaleString('en-US')} ports at ${measured.rate.toLocaleString('en-US')}/s`;
    runner.log.info(
      measured.probes > 0
        ? `${head}: ${((measured.answered / measured.probes) * 100).toFixed(1)}% of probes to hosts that answer closed ports answered; next ${pacer.rate.toLocaleString('en-US')}/s`
        : `${head}: no host answered closed ports to measure the path`,
    );
  }
}

/** One TCP sweep run: its results, the path measured on it, what it left silent. */
async function tcpRun(
  ctx: PassContext,
  { family, targets }: PlannedRun,
  ports: PortRange[],
  state: SweepState,
): Promise<Measured> {
  const { runner, pacer } = ctx;
  const rate = pacer.rate;
  const intakeBefore = readIntake();
  const done = await runner.run(
    {
      label: `IPv${family} TCP sweep`,
      file: `nmap-ipv${family}-tcp`,
      invocation: { profile: 'sweep', family, tcp: ports, udp: [], targets, rate },
    },
    ctx.deadlines.sweep,
  );
  state.results.push(...done);
  const facts = runFacts(runsOf(done));
  const intakeAfter = readIntake();
  const { probes, answered, seen } = tally(facts, state);
  const elapsed = runsOf(done).reduce((n, r) => n + (r.finished?.elapsed ?? 0), 0);
  pacer.measure({
    rate,
    probes,
    answered,
    seconds: elapsed,
    ...(intakeBefore && intakeAfter ? runnerDuring(intakeBefore, intakeAfter, seen) : {}),
  });
  // A run the path could not be measured on says nothing of its silence: every silent port
  // is probed again (delivery 0), not judged on an assumed delivery.
  const delivery = probes >= 50 ? answered / probes : pacer.measured ? pacer.delivery : 0;
  addSweep(state.silence, facts, delivery, state.truth);
  return { rate, probes, answered };
}

/**
 * Adds up a run's facts: the ports each address was probed on, the hosts that answer closed ports
 * (kept), the probes to them and their answers, and every answer seen.
 */
function tally(
  facts: ReadonlyMap<string, HostFacts>,
  state: SweepState,
): { probes: number; answered: number; seen: number } {
  let probes = 0;
  let answered = 0;
  let seen = 0;
  for (const f of facts.values()) {
    seen += f.answered;
    state.swept.set(f.address, (state.swept.get(f.address) ?? 0) + f.probed);
    if (answersClosed(f)) state.truth.add(f.address);
    if (!state.truth.has(f.address)) continue;
    probes += f.probed;
    answered += f.answered;
  }
  return { probes, answered, seen };
}

/** The UDP ports of one family's targets, in one run at the settled rate at most. */
async function sweepUdp(ctx: PassContext, { family, targets }: PlannedRun): Promise<RunResult[]> {
  const { runner, plan } = ctx;
  if (runner.cancelled() || Date.now() >= ctx.deadlines.sweep) {
    return [unfinished(targets, 'udp', runner.cancelled())];
  }
  const probes = addressesIn(targets) * countPorts(plan.udp);
  return runner.run(
    {
      label: `IPv${family} UDP sweep`,
      file: `nmap-ipv${family}-udp`,
      invocation: {
        profile: 'sweep',
        family,
        tcp: [],
        udp: plan.udp,
        targets,
        rate: udpRate(probes, ctx.pacer.rate),
      },
    },
    ctx.deadlines.sweep,
  );
}

/** A run that never started: its targets' ports of that protocol are unknown. */
function unfinished(targets: readonly string[], protocol: Protocol, cancelled: boolean): RunResult {
  return {
    run: null,
    finished: false,
    targets,
    protocols: [protocol],
    why: cancelled ? 'cancelled before it was scanned' : 'stopped at the scan-timeout budget',
  };
}
