// Rescue: the silent ports of each address that answered, probed again (per address, not the union
// over addresses) at the pace the path allows, until their silence is judged (see coverage.ts) or
// the passes or the budget run out. What answers now was lost before; an open port found here
// counts like one found in the sweep.
import type { RunResult } from './observe.js';
import { countPorts, formatPortList } from '../settings/ports.js';
import type { ObservedAddress, PortRange } from '../base/types.js';
import { afterProbe, toProbe, type Silence } from './coverage.js';
import type { PassContext } from './context.js';
import { runFacts, type HostFacts } from './facts.js';
import { readIntake, runnerDuring } from './intake.js';
import { pool, runsOf, type Job } from './runner.js';

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
  ctx: PassContext,
  observed: readonly ObservedAddress[],
  silence: Silence,
  /** Called after each pass with every result so far. */
  afterPass: (sofar: readonly RunResult[]) => void = () => {},
): Promise<RunResult[]> {
  if (rescueBatches(observed, silence).length === 0) return [];
  return ctx.log.group('Rescue: the silent ports, probed again', () =>
    passes(ctx, observed, silence, afterPass),
  );
}

async function passes(
  ctx: PassContext,
  observed: readonly ObservedAddress[],
  silence: Silence,
  afterPass: (sofar: readonly RunResult[]) => void,
): Promise<RunResult[]> {
  const r: Rescuing = { silence, all: [] };
  for (let pass = 1; pass <= RESCUE_PASSES; pass++) {
    const batches = rescueBatches(observed, silence);
    if (batches.length === 0 || ctx.runner.cancelled() || Date.now() >= ctx.deadlines.rescue) break;
    const ports = batches.reduce((n, b) => n + countPorts(b.tcp) * b.addresses.length, 0);
    const { rate, found } = await rescuePass(ctx, pass, batches, r);
    afterPass(r.all);
    ctx.log.info(
      `rescue ${pass}: ${ports.toLocaleString('en-US')} silent ports on ${batches.reduce((n, b) => n + b.addresses.length, 0)} addresses probed again at ${rate.toLocaleString('en-US')}/s in all; ${found.toLocaleString('en-US')} answered`,
    );
  }
  return r.all;
}

/** What the rescue carries from pass to pass: the silence left, every result so far. */
interface Rescuing {
  silence: Silence;
  all: RunResult[];
}

/** What the runs of one pass found, as they end, and the silence they leave. */
interface PassTally {
  silence: Silence;
  /** Silent ports that answered. */
  found: number;
  /** Probes and answers on the addresses that measured the path's loss in this pass. */
  lossy: { probes: number; answered: number };
  /** Addresses that measured nothing in this pass: judged on the pass's delivery, once known. */
  unmeasured: { address: string; tcp: PortRange[]; silent: PortRange[] }[];
}

/** One pass over the batches, at most AT_ONCE runs at once: its rate, and how many answered. */
async function rescuePass(
  ctx: PassContext,
  pass: number,
  batches: readonly Batch[],
  { silence, all }: Rescuing,
): Promise<{ rate: number; found: number }> {
  const { pacer } = ctx;
  // Each run gets the share of the pace its probes are of the pass, so the runs end together.
  const rateOfPass = pacer.rescueRate;
  const share = (b: Batch): number =>
    Math.max(
      100,
      Math.floor(
        (rateOfPass * countPorts(b.tcp) * b.addresses.length) / probesOf(batches, AT_ONCE, b),
      ),
    );
  const tally: PassTally = {
    silence,
    found: 0,
    lossy: { probes: 0, answered: 0 },
    unmeasured: [],
  };
  const started = Date.now();
  const intakeBefore = readIntake();
  await pool(batches, AT_ONCE, async (b) => {
    const results = await ctx.runner.run(batchJob(pass, b, share(b)), ctx.deadlines.rescue);
    all.push(...results);
    judgeBatch(ctx, b, runFacts(runsOf(results)), tally);
  });
  // What was lost and found again tells the pacer what the path lets through at this rate...
  // (not when the answers it missed were lost on the runner: intake.ts)...
  const intakeAfter = readIntake();
  if (tally.lossy.probes > 0) {
    pacer.measure(
      {
        rate: rateOfPass,
        ...tally.lossy,
        seconds: (Date.now() - started) / 1000,
        ...(intakeBefore && intakeAfter
          ? runnerDuring(intakeBefore, intakeAfter, tally.found)
          : {}),
      },
      true,
    );
  }
  // ...and the silence of the other addresses carries the path's loss as now measured.
  for (const u of tally.unmeasured) {
    silence.set(
      u.address,
      afterProbe(silence.get(u.address) ?? [], u.tcp, u.silent, pacer.delivery),
    );
  }
  return { rate: rateOfPass, found: tally.found };
}

/** The nmap job of one batch in one pass. */
function batchJob(pass: number, b: Batch, rate: number): Job {
  return {
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
  };
}

/** What one batch's run says of each of its addresses: the silence left, or its measure of loss. */
function judgeBatch(
  ctx: PassContext,
  b: Batch,
  facts: ReadonlyMap<string, HostFacts>,
  tally: PassTally,
): void {
  const { silence } = tally;
  for (const address of b.addresses) {
    const f = facts.get(address);
    if (!f) continue; // not reported (stopped): its silence stands as it was
    tally.found += f.answered;
    // Silent ports that answer now were lost before: their share is this address's own
    // measure of the path, and the silence left carries that loss, whatever the pacer assumed.
    const measured = f.answered >= LOSSY_MIN && f.answered >= f.probed * LOSSY_SHARE;
    if (!measured) {
      tally.unmeasured.push({ address, tcp: b.tcp, silent: f.silent });
      continue;
    }
    tally.lossy.probes += f.probed;
    tally.lossy.answered += f.answered;
    const delivery = Math.min(ctx.pacer.delivery, f.answered / f.probed);
    silence.set(address, afterProbe(silence.get(address) ?? [], b.tcp, f.silent, delivery));
  }
}
