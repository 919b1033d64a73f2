// Hosts that answer on every port (a SYN proxy, a WAF, a tarpit): an open port there says nothing
// about a service. A host that showed many open ports gets a careful probe of a sample of random
// high ports; if every one of them is open too, the address is reported once, as such, and skips
// the per-port rescue, re-check and version detection.
import { randomInt } from 'node:crypto';
import { hostAddress, type RunResult } from './observe.js';
import type { ObservedAddress, PortRange } from '../base/types.js';
import type { PassContext } from './context.js';
import { runsOf } from './runner.js';

/** A host with at least this many open ports, and more open than closed, is sampled. */
export const SUSPECT_OPEN = 16;
/** Random high ports sampled: all open on a host that listens on a few is next to impossible. */
const SAMPLE_SIZE = 8;

export function suspects(observed: readonly ObservedAddress[]): ObservedAddress[] {
  return observed.filter((o) => {
    if (o.status !== 'up') return false;
    const open = o.ports.filter((p) => p.state === 'open' && p.protocol === 'tcp').length;
    const closed =
      o.ports.filter((p) => p.state === 'closed' && p.protocol === 'tcp').length +
      o.extraports
        .filter((e) => e.state === 'closed' && e.protocol === 'tcp')
        .reduce((n, e) => n + e.count, 0);
    return open >= SUSPECT_OPEN && open > closed;
  });
}

/** Random ports from 1024..65535 that none of the hosts showed open. */
export function samplePorts(hosts: readonly ObservedAddress[], size = SAMPLE_SIZE): PortRange[] {
  const open = new Set(
    hosts.flatMap((o) => o.ports.filter((p) => p.state === 'open').map((p) => p.port)),
  );
  const picked = new Set<number>();
  for (let tries = 0; picked.size < size && tries < 10_000; tries++) {
    const port = randomInt(1024, 65536);
    if (!open.has(port)) picked.add(port);
  }
  // Every high port already seen open: sample those (they were seen once; the probe asks again).
  for (let port = 65535; picked.size < size; port--) picked.add(port);
  return [...picked]
    .sort((a, b) => a - b)
    .map((port) => ({ from: port, to: port, protocol: 'tcp' }));
}

/** Marks the addresses that answered open on every sampled port, with their open ports folded. */
export function markEveryPort(
  observed: readonly ObservedAddress[],
  results: readonly RunResult[],
  sample: number,
): ObservedAddress[] {
  const allOpen = new Set<string>();
  for (const run of runsOf(results)) {
    for (const host of run.hosts) {
      const address = hostAddress(host);
      const open = host.ports.filter((p) => p.protocol === 'tcp' && p.state === 'open').length;
      if (address && open >= sample) allOpen.add(address);
    }
  }
  return observed.map((o) => {
    if (!allOpen.has(o.address)) return o;
    const open = o.ports.filter((p) => p.state === 'open' && p.protocol === 'tcp').length;
    return {
      ...o,
      everyPort: { open, sampled: sample },
      ports: o.ports.filter((p) => p.protocol !== 'tcp'),
      extraports: [
        ...o.extraports.filter((e) => e.protocol !== 'tcp'),
        { state: 'open', count: open, protocol: 'tcp' },
      ],
    };
  });
}

export async function detectEveryPort(
  ctx: PassContext,
  observed: readonly ObservedAddress[],
  maxRate: number | undefined,
): Promise<{ observed: ObservedAddress[]; results: RunResult[] }> {
  const { runner } = ctx;
  const candidates = suspects(observed);
  if (candidates.length === 0 || runner.cancelled())
    return { observed: [...observed], results: [] };
  const tcp = samplePorts(candidates);
  const results: RunResult[] = [];
  for (const family of [4, 6] as const) {
    const group = candidates.filter((o) => o.family === family);
    if (group.length === 0) continue;
    results.push(
      ...(await runner.run(
        {
          label: `IPv${family} every-port check`,
          file: `nmap-ipv${family}-every-port`,
          invocation: {
            profile: 'verify',
            family,
            tcp,
            udp: [],
            targets: group.map((o) => o.address),
            ...(maxRate ? { maxRate } : {}),
          },
        },
        ctx.deadlines.rescue,
      )),
    );
  }
  const marked = markEveryPort(observed, results, tcp.length);
  for (const o of marked) {
    if (o.everyPort) {
      ctx.log.info(
        `${o.address} answers on every port (${o.everyPort.open.toLocaleString('en-US')} open, and ${o.everyPort.sampled} of ${o.everyPort.sampled} random high ports): reported once, not port by port`,
      );
    }
  }
  return { observed: marked, results };
}
