// Rescue: the silent ports of each address that answered, probed again (per address, not the union
// over addresses) at the pace the path allows, until their silence is judged (see coverage.ts) or
// the passes or the budget run out. What answers now was lost before; an open port found here
// counts like one found in the sweep.
import type { RunResult } from './observe.js';
import { countPorts, formatPortList } from '../settings/ports.js';
import type { ObservedAddress, PortRange } from '../base/types.js';
import { afterProbe, toProbe, type Silence } from './coverage.js';
import { runFacts } from './facts.js';
import { readIntake, runnerDuring } from './intake.js';
import type { Pacer } from './pacing.js';
import { pool, runsOf, type Runner } from './runner.js';

/** Passes after the sweep: each one multiplies the chance of a lost answer by the path's loss. */
export const RESCUE_PASSES = 4;
/**
 * A pass in which at least this many (and this share) of an address's silent ports answered found
 * lost packets, not a firewall: the answered share is the path's delivery for that address.
 */
const LOSSY_MIN = 5;
const LOSSY_SHARE = 0.01;
/** nmap runs at once; the pace is shared between them. */
const AT_ONCE = 4;

interface Batch {
  family: 4 | 6;
  addresses: string[];
  tcp: PortRange[];
}

/** Addresses with the same ports to probe share a run; every other address gets its own. */
export function rescueBatches(observed: readonly ObservedAddress[], silence: Silence): Batch[] {
  const batches = new Map<string, Batch>();
  for (const o of observed) {
    if (o.status !== 'up' || o.everyPort) continue;
    const tcp = toProbe(silence.get(o.address) ?? []);
    if (tcp.length === 0) continue;
    const key = `${o.family} ${formatPortList(tcp)}`;
    const batch = batches.get(key) ?? { family: o.family, addresses: [], tcp };
    batch.addresses.push(o.address);
    batches.set(key, batch);
  }
  return [...batches.values()];
}

/** The probes of the runs that go at once with `b`: its wave of `atOnce` batches. */
function probesOf(batches: readonly Batch[], atOnce: number, b: Batch): number {
  const i = batches.indexOf(b);
  const wave = batches.slice(i - (i % atOnce), i - (i % atOnce) + atOnce);
  return wave.reduce((n, x) => n + countPorts(x.tcp) * x.addresses.length, 0);
}

export async function rescue(
  runner: Runner,
  observed: readonly ObservedAddress[],
  silence: Silence,
  pacer: Pacer,
  deadline: number,
  /** Called after each pass with every result so far. */
  afterPass: (sofar: readonly RunResult[]) => void = () => {},
): Promise<RunResult[]> {
  if (rescueBatches(observed, silence).length === 0) return [];
  return runner.log.group('Rescue: the silent ports, probed again', () =>
    passes(runner, observed, silence, pacer, deadline, afterPass),
  );
}

async function passes(
  runner: Runner,
  observed: readonly ObservedAddress[],
  silence: Silence,
  pacer: Pacer,
  deadline: number,
  afterPass: (sofar: readonly RunResult[]) => void,
): Promise<RunResult[]> {
  const all: RunResult[] = [];
  for (let pass = 1; pass <= RESCUE_PASSES; pass++) {
    const batches = rescueBatches(observed, silence);
    if (batches.length === 0 || runner.cancelled() || Date.now() >= deadline) break;
    const ports = batches.reduce((n, b) => n + countPorts(b.tcp) * b.addresses.length, 0);
    // Each run gets the share of the pace its probes are of the pass, so the runs end together.
    const rateOfPass = pacer.rescueRate;
    const share = (b: Batch): number =>
      Math.max(
        100,
        Math.floor(
          (rateOfPass * countPorts(b.tcp) * b.addresses.length) / probesOf(batches, AT_ONCE, b),
        ),
      );
    let found = 0;
    const lossy = { probes: 0, answered: 0 };
    /** Addresses that measured nothing in this pass: judged on the pass's delivery, once known. */
    const unmeasured: { address: string; tcp: PortRange[]; silent: PortRange[] }[] = [];
    const started = Date.now();
    const intakeBefore = readIntake();
    await pool(batches, AT_ONCE, async (b) => {
      const rate = share(b);
      const results = await runner.run(
        {
          label: `IPv${b.family} rescue ${pass}`,
          file: `nmap-ipv${b.family}-rescue${pass}`,
          invocation: {
            profile: 'sweep',
            family: b.family,
            tcp: b.tcp,
            udp: [],
            targets: b.addresses,
            rate,
          },
        },
        deadline,
      );
      all.push(...results);
      const facts = runFacts(runsOf(results));
      for (const address of b.addresses) {
        const f = facts.get(address);
        if (!f) continue; // not reported (stopped): its silence stands as it was
        found += f.answered;
        // Silent ports that answer now were lost before: their share is this address's own
        // measure of the path, and the silence left carries that loss, whatever the pacer assumed.
        const measured = f.answered >= LOSSY_MIN && f.answered >= f.probed * LOSSY_SHARE;
        if (!measured) {
          unmeasured.push({ address, tcp: b.tcp, silent: f.silent });
          continue;
        }
        lossy.probes += f.probed;
        lossy.answered += f.answered;
        const delivery = Math.min(pacer.delivery, f.answered / f.probed);
        silence.set(address, afterProbe(silence.get(address) ?? [], b.tcp, f.silent, delivery));
      }
    });
    // What was lost and found again tells the pacer what the path lets through at this rate...
    // (not when the answers it missed were lost on the runner: intake.ts)...
    const intakeAfter = readIntake();
    if (lossy.probes > 0) {
      pacer.measure(
        {
          rate: rateOfPass,
          ...lossy,
          seconds: (Date.now() - started) / 1000,
          ...(intakeBefore && intakeAfter ? runnerDuring(intakeBefore, intakeAfter, found) : {}),
        },
        true,
      );
    }
    // ...and the silence of the other addresses carries the path's loss as now measured.
    for (const u of unmeasured) {
      silence.set(
        u.address,
        afterProbe(silence.get(u.address) ?? [], u.tcp, u.silent, pacer.delivery),
      );
    }
    afterPass(all);
    runner.log.info(
      `rescue ${pass}: ${ports.toLocaleString('en-US')} silent ports on ${batches.reduce((n, b) => n + b.addresses.length, 0)} addresses probed again at ${rateOfPass.toLocaleString('en-US')}/s in all; ${found.toLocaleString('en-US')} answered`,
    );
  }
  return all;
}
