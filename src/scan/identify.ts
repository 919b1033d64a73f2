// Identify: on what ends as unexpected-open, version detection says what listens, for the summary,
// the issue and Slack. Only there: on a silent service it waits out nmap's probe timeouts.
import { findDrift } from '../drift.js';
import type { ObservedAddress, PortRange, Rule } from '../types.js';
import { identifyPlan, withServices } from '../verify.js';
import { runsOf, type Runner } from './runner.js';

export async function identify(
  runner: Runner,
  rules: readonly Rule[],
  observed: readonly ObservedAddress[],
  scanned: readonly PortRange[],
  deadline: number,
  maxRate: number | undefined,
): Promise<ObservedAddress[]> {
  const plan = identifyPlan(findDrift(rules, observed, scanned));
  if (plan.length === 0 || runner.cancelled()) return [...observed];
  return runner.log.group('Identify: version detection on the drifting ports', async () => {
    const results = await Promise.all(
      plan.map((r) =>
        runner.run(
          {
            label: `IPv${r.family} identify`,
            file: `nmap-ipv${r.family}-identify`,
            invocation: {
              profile: 'identify',
              family: r.family,
              tcp: r.tcp,
              udp: r.udp,
              targets: r.addresses,
              ...(maxRate ? { maxRate } : {}),
            },
          },
          deadline,
        ),
      ),
    );
    return withServices(observed, runsOf(results.flat()));
  });
}
