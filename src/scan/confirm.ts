// Confirm: careful on the verdict. Whatever would be a finding is probed again with nmap's normal
// timing and more retransmissions before anything is reported; its answer is the verdict. A finding
// of the sweep that the re-check does not reproduce is flapping, not drift.
import { findDrift } from '../findings/drift.js';
import { countPorts } from '../settings/ports.js';
import type { ObservedAddress } from '../base/types.js';
import type { PassContext } from './context.js';
import { applyRecheck, flapping, recheckPlan, type Flap } from './recheck.js';
import { runPlan, runsOf } from './runner.js';

export async function confirm(
  ctx: PassContext,
  observed: readonly ObservedAddress[],
  maxRate: number | undefined,
): Promise<{ observed: ObservedAddress[]; flapping: Flap[] }> {
  const { runner, scanned } = ctx;
  const rules = ctx.settings.rules;
  const rechecks = recheckPlan(rules, observed, scanned);
  if (rechecks.length === 0 || runner.cancelled()) return { observed: [...observed], flapping: [] };
  const ports = rechecks.reduce((n, r) => n + countPorts(r.tcp) + countPorts(r.udp), 0);
  const addresses = rechecks.reduce((n, r) => n + r.addresses.length, 0);
  const checked = await ctx.log.group(
    `Re-check: ${ports} ports on ${addresses} addresses`,
    async () => {
      const results = await runPlan(runner, rechecks, 'recheck', ctx.deadlines.confirm, maxRate);
      return applyRecheck(observed, runsOf(results));
    },
  );
  const flaps = flapping(
    findDrift(rules, observed, scanned),
    findDrift(rules, checked, scanned),
    checked,
  );
  for (const f of flaps) {
    ctx.log.info(
      `flapping: ${f.address} ${f.port}/${f.protocol} was ${f.sweep} in the sweep, ${f.recheck} when re-checked`,
    );
  }
  return { observed: checked, flapping: flaps };
}
