// What one nmap run says about each host, in the terms the engine steers by: how many TCP probes
// it answered, which ports stayed silent, and whether it answers closed ports with a reset (such a
// host is ground truth for the path: every probe to it should get an answer). Pure.
import { hostAddress } from './observe.js';
import { coalesceRanges, parseNmapPortList } from '../settings/ports.js';
import type { NmapHost, NmapRun, PortRange } from '../base/types.js';

/** Reasons that mean nothing came back for a port. */
const NO_ANSWER = new Set(['no-response', 'no-responses']);
/** A reset to a SYN: the port is closed, and the host answers closed ports. */
const RESET = new Set(['reset', 'resets', 'conn-refused', 'conn-refuseds']);

export interface HostFacts {
  address: string;
  /** TCP ports nmap reported on (listed and folded). */
  probed: number;
  /** TCP ports that answered anything. */
  answered: number;
  /** TCP ports that answered with a reset. */
  resets: number;
  /** TCP ports seen open. */
  open: number;
  /** TCP ports that stayed silent. */
  silent: PortRange[];
}

function tcpFacts(host: NmapHost, address: string): HostFacts {
  let probed = 0;
  let answered = 0;
  let resets = 0;
  let open = 0;
  const silent: PortRange[] = [];
  for (const p of host.ports) {
    if (p.protocol !== 'tcp') continue;
    probed++;
    if (p.state === 'open') open++;
    if (NO_ANSWER.has(p.reason)) silent.push({ from: p.port, to: p.port, protocol: 'tcp' });
    else answered++;
    if (RESET.has(p.reason)) resets++;
  }
  for (const e of host.extraports) {
    if ((e.protocol ?? 'tcp') !== 'tcp') continue;
    probed += e.count;
    let accounted = 0;
    for (const r of e.reasons) {
      accounted += r.count;
      if (NO_ANSWER.has(r.reason)) {
        silent.push(...parseNmapPortList(r.ports ?? '', 'tcp'));
      } else {
        answered += r.count;
        if (RESET.has(r.reason)) resets += r.count;
      }
    }
    // Without reasons (old nmap), a folded state says it: filtered is silence, closed a reset.
    if (accounted === 0) {
      if (e.state === 'closed') {
        answered += e.count;
        resets += e.count;
      }
    }
  }
  return { address, probed, answered, resets, open, silent: coalesceRanges(silent) };
}

/** The facts of every host of the runs, by address (a host in several runs: added up). */
export function runFacts(runs: readonly NmapRun[]): Map<string, HostFacts> {
  const out = new Map<string, HostFacts>();
  for (const run of runs) {
    for (const host of run.hosts) {
      const address = hostAddress(host);
      if (!address) continue;
      const f = tcpFacts(host, address);
      const known = out.get(address);
      out.set(
        address,
        known
          ? {
              address,
              probed: known.probed + f.probed,
              answered: known.answered + f.answered,
              resets: known.resets + f.resets,
              open: known.open + f.open,
              silent: coalesceRanges([...known.silent, ...f.silent]),
            }
          : f,
      );
    }
  }
  return out;
}

/**
 * Does this host answer closed ports? Then it is ground truth for the path. A few resets are not
 * enough (a firewall may reset a handful of ports): at least 5% of its probes.
 */
export function answersClosed(f: HostFacts): boolean {
  // Low enough that a host behind a policer that drops 99 in 100 probes still counts.
  return f.resets >= 5 && f.resets >= f.probed * 0.005;
}

/** The ports of `a` that are also in `b`. */
export function intersect(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  const left = coalesceRanges(a);
  const right = coalesceRanges(b);
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const x = left[i]!;
    const y = right[j]!;
    const from = Math.max(x.from, y.from);
    const to = Math.min(x.to, y.to);
    if (x.protocol === y.protocol && from <= to) out.push({ from, to, protocol: x.protocol });
    if (x.protocol < y.protocol || (x.protocol === y.protocol && x.to < y.to)) i++;
    else j++;
  }
  return out;
}

/** The ports of `a` that are not in `b`. */
export function subtract(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  const cuts = coalesceRanges(b);
  for (const r of coalesceRanges(a)) {
    let from = r.from;
    for (const c of cuts) {
      if (c.protocol !== r.protocol || c.to < from || c.from > r.to) continue;
      if (c.from > from) out.push({ from, to: c.from - 1, protocol: r.protocol });
      from = c.to + 1;
    }
    if (from <= r.to) out.push({ from, to: r.to, protocol: r.protocol });
  }
  return out;
}

/** The first `count` ports of the ranges, and the rest. */
export function takePorts(ranges: readonly PortRange[], count: number): [PortRange[], PortRange[]] {
  const head: PortRange[] = [];
  const rest: PortRange[] = [];
  let left = count;
  for (const r of ranges) {
    const size = r.to - r.from + 1;
    if (left >= size) {
      head.push(r);
      left -= size;
    } else if (left > 0) {
      head.push({ ...r, to: r.from + left - 1 });
      rest.push({ ...r, from: r.from + left });
      left = 0;
    } else {
      rest.push(r);
    }
  }
  return [head, rest];
}
