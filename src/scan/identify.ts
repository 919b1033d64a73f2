// Identify: on what ends as unexpected-open, version detection says what listens, for the summary,
// the issue and Slack; on the open ports whose rules pin a service or check a certificate, it says
// what is behind them (with nmap's ssl-cert for certificates). Only there: on a silent service it
// waits out nmap's probe timeouts (about six seconds), so it starts early (ahead.ts: when nmap
// announces the port, and after each sweep run and rescue pass), beside the passes that follow;
// what they add later is identified at the end. A service is kept only on a port that ends open.
import { findDrift } from '../findings/drift.js';
import type { RunResult } from './observe.js';
import type { ObservedAddress } from '../base/types.js';
import type { PassContext } from './context.js';
import {
  behindPorts,
  identifyPlan,
  unexpectedPorts,
  withServices,
  type Asked,
  type FamilyRun,
} from './recheck.js';
import { wantsCertificates } from '../findings/behind.js';
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

/**
 * Version detection's plan for what the observed state shows so far: the would-be unexpected-open
 * ports and the ports whose rules ask what is behind them, those `keep` keeps; each port once.
 */
function planFor(
  ctx: PassContext,
  observed: readonly ObservedAddress[],
  keep: (a: Asked) => boolean,
): FamilyRun[] {
  const { settings } = ctx;
  const asked = [
    ...unexpectedPorts(findDrift(settings.rules, observed, ctx.scanned)),
    ...behindPorts(settings, observed, Date.now()),
  ].filter(keep);
  const unique = [...new Map(asked.map((a) => [keyOf(a.address, a.port, a.protocol), a])).values()];
  return identifyPlan(unique, wantsCertificates(settings.rules, settings.checks));
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
  const plan = planFor(
    ctx,
    observed,
    (a) => !suspect.has(a.address) && !before.asked.has(keyOf(a.address, a.port, a.protocol)),
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
  const plan = planFor(
    ctx,
    observed,
    (a) => !early.asked.has(keyOf(a.address, a.port, a.protocol)),
  );
  if ((plan.length === 0 && early.asked.size === 0) || runner.cancelled()) {
    return withServices(observed, runsOf(await early.runs));
  }
  return ctx.log.group('Identify: version detection on the drifting and pinned ports', async () => {
    const [before, after] = await Promise.all([
      early.runs,
      plan.length
        ? runPlan(runner, plan, 'identify', ctx.deadlines.identify, maxRate)
        : Promise.resolve([]),
    ]);
    return withServices(observed, runsOf([...before, ...after]));
  });
}
