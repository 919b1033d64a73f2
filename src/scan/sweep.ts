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
import { answersClosed, runFacts, takePorts } from './facts.js';
import { readIntake, runnerDuring } from './intake.js';
import type { Pacer } from './pacing.js';
import { runsOf, type Runner } from './runner.js';

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

export async function sweep(
  runner: Runner,
  plan: ScanPlan,
  pacer: Pacer,
  deadline: number,
  /** Called after each TCP run with every result so far. */
  afterRun: (sofar: readonly RunResult[]) => void = () => {},
): Promise<Swept> {
  const results: RunResult[] = [];
  const silence: Silence = new Map();
  const swept = new Map<string, number>();
  const truth = new Set<string>();

  for (const { family, targets } of plan.runs) {
    const addresses = addressesIn(targets);
    let rest: PortRange[] = plan.tcp;
    for (let step = 1; rest.length > 0; step++) {
      if (runner.cancelled() || Date.now() >= deadline) {
        results.push(unfinished(targets, 'tcp', runner.cancelled()));
        break;
      }
      const seconds = pacer.stepSeconds;
      const count = Math.max(
        1,
        Math.min(countPorts(rest), Math.floor((pacer.rate * seconds) / addresses)),
      );
      const [ports, after] = takePorts(rest, count);
      rest = after;
      const rate = pacer.rate;
      const intakeBefore = readIntake();
      const done = await runner.run(
        {
          label: `IPv${family} TCP sweep`,
          file: `nmap-ipv${family}-tcp`,
          invocation: { profile: 'sweep', family, tcp: ports, udp: [], targets, rate },
        },
        deadline,
      );
      results.push(...done);
      const facts = runFacts(runsOf(done));
      const intakeAfter = readIntake();
      let probes = 0;
      let answered = 0;
      let seen = 0;
      for (const f of facts.values()) {
        seen += f.answered;
        swept.set(f.address, (swept.get(f.address) ?? 0) + f.probed);
        if (answersClosed(f)) truth.add(f.address);
        if (!truth.has(f.address)) continue;
        probes += f.probed;
        answered += f.answered;
      }
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
      addSweep(silence, facts, delivery, truth);
      afterRun(results);
      runner.log.info(
        probes > 0
          ? `[IPv${family} TCP sweep] ${countPorts(ports).toLocaleString('en-US')} ports at ${rate.toLocaleString('en-US')}/s: ${((answered / probes) * 100).toFixed(1)}% of probes to hosts that answer closed ports answered; next ${pacer.rate.toLocaleString('en-US')}/s`
          : `[IPv${family} TCP sweep] ${countPorts(ports).toLocaleString('en-US')} ports at ${rate.toLocaleString('en-US')}/s: no host answered closed ports to measure the path`,
      );
    }
  }

  for (const { family, targets } of plan.runs) {
    if (plan.udp.length === 0) break;
    if (runner.cancelled() || Date.now() >= deadline) {
      results.push(unfinished(targets, 'udp', runner.cancelled()));
      continue;
    }
    const probes = addressesIn(targets) * countPorts(plan.udp);
    results.push(
      ...(await runner.run(
        {
          label: `IPv${family} UDP sweep`,
          file: `nmap-ipv${family}-udp`,
          invocation: {
            profile: 'sweep',
            family,
            tcp: [],
            udp: plan.udp,
            targets,
            rate: udpRate(probes, pacer.rate),
          },
        },
        deadline,
      )),
    );
  }
  return { results, silence, swept };
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
