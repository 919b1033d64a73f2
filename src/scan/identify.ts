// Identify: on what ends as unexpected-open, version detection says what listens, for the summary,
// the issue and Slack. Only there: on a silent service it waits out nmap's probe timeouts (about
// six seconds), so it starts early (ahead.ts: when nmap announces the port, and after each sweep run
// and rescue pass), beside the passes that follow; what they add later is identified at the end. A
// service is kept only on a port that ends open.
import { findDrift } from '../findings/drift.js';
import type { RunResult } from './observe.js';
import type { Finding, ObservedAddress } from '../base/types.js';
import type { PassContext } from './context.js';
import { identifyPlan, withServices, type FamilyRun } from './recheck.js';
import { suspects } from './everyport.js';
import { runPlan, runsOf } from './runner.js';

/** Version detection under way, and the ports (per address) it asks. */
export interface EarlyIdentify {
  asked: Set<string>;
  runs: Promise<RunResult[]>;
}

const keyOf = (address: string, port: number, protocol: string): string =>
  `${address} ${port}/${protocol}`;

function asked(plan: readonly FamilyRun[]): Set<string> {
  const out = new Set<string>();
  for (const r of plan) {
    for (const address of r.addresses) {
      for (const range of [...r.tcp, ...r.udp]) {
        for (let p = range.from; p <= range.to; p++) out.add(keyOf(address, p, range.protocol));
      }
    }
  }
  return out;
}

/** Nothing asked yet. */
export const NOT_YET: EarlyIdentify = { asked: new Set(), runs: Promise.resolve([]) };

/**
 * Starts version detection on the would-be unexpected-open ports the sweep has seen so far, those
 * `before` did not ask already (not on an address that may answer on every port: the every-port
 * check decides that first). Returns all that is under way.
 */
export function identifyEarly(
  ctx: PassContext,
  observed: readonly ObservedAddress[],
  maxRate: number | undefined,
  before: EarlyIdentify = NOT_YET,
): EarlyIdentify {
  const { runner } = ctx;
  const suspect = new Set(suspects(observed).map((o) => o.address));
  const plan = identifyPlan(
    findDrift(ctx.settings.rules, observed, ctx.scanned).filter(
      (f) =>
        !suspect.has(f.address) &&
        !before.asked.has(keyOf(f.address, f.port ?? 0, f.protocol ?? 'tcp')),
    ),
  );
  if (plan.length === 0 || runner.cancelled()) return before;
  const runs = runPlan(runner, plan, 'identify', ctx.deadlines.identify, maxRate);
  return {
    asked: new Set([...before.asked, ...asked(plan)]),
    runs: Promise.all([before.runs, runs]).then(([a, b]) => [...a, ...b]),
  };
}

export async function identify(
  ctx: PassContext,
  observed: readonly ObservedAddress[],
  maxRate: number | undefined,
  early: EarlyIdentify = NOT_YET,
): Promise<ObservedAddress[]> {
  const { runner } = ctx;
  const left = (f: Finding): boolean =>
    !early.asked.has(keyOf(f.address, f.port ?? 0, f.protocol ?? 'tcp'));
  const plan = identifyPlan(findDrift(ctx.settings.rules, observed, ctx.scanned).filter(left));
  if ((plan.length === 0 && early.asked.size === 0) || runner.cancelled()) {
    return withServices(observed, runsOf(await early.runs));
  }
  return ctx.log.group('Identify: version detection on the drifting ports', async () => {
    const [before, after] = await Promise.all([
      early.runs,
      plan.length
        ? runPlan(runner, plan, 'identify', ctx.deadlines.identify, maxRate)
        : Promise.resolve([]),
    ]);
    return withServices(observed, runsOf([...before, ...after]));
  });
}
