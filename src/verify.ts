// Careful on the verdict: which ports the fast sweep must have re-checked before anything is
// reported, and how the re-check's answers replace the sweep's. A finding of the sweep that the
// re-check does not reproduce is flapping, not drift. Pure.
import { findDrift } from './drift.js';
import { answered } from './observe.js';
import { countPorts, mergeRanges, parseNmapPortList } from './ports.js';
import type {
  Finding,
  NmapRun,
  ObservedAddress,
  ObservedPort,
  PortRange,
  Protocol,
  Rule,
} from './types.js';
import { canonicalIp } from './targets.js';

export interface Recheck {
  family: 4 | 6;
  addresses: string[];
  tcp: PortRange[];
  udp: PortRange[];
}

/** A sweep finding that the careful re-check did not reproduce. */
export interface Flap {
  target: string;
  address: string;
  port: number;
  protocol: Protocol;
  kind: Finding['kind'];
  /** The sweep's state, then the re-check's. */
  sweep: string;
  recheck: string;
}

const range = (port: number, protocol: Protocol): PortRange => ({ from: port, to: port, protocol });

/**
 * Every port whose sweep state would produce a finding (an expected port not seen open is one: it
 * would be missing) on every address that answered: one re-check per address family, over the
 * union of those ports. An expected port the sweep saw open needs none: a SYN-ACK is proof.
 */
export function recheckPlan(
  rules: readonly Rule[],
  observed: readonly ObservedAddress[],
  scanned: readonly PortRange[],
): Recheck[] {
  const byFamily = new Map<4 | 6, { addresses: Set<string>; ports: PortRange[] }>();
  const add = (obs: ObservedAddress, ports: PortRange[]): void => {
    if (ports.length === 0) return;
    const entry = byFamily.get(obs.family) ?? { addresses: new Set(), ports: [] };
    entry.addresses.add(obs.address);
    entry.ports.push(...ports);
    byFamily.set(obs.family, entry);
  };
  const findings = findDrift(rules, observed, scanned);
  for (const obs of observed) {
    if (obs.status !== 'up') continue;
    add(
      obs,
      findings
        .filter(
          (f) => f.address === obs.address && f.port !== undefined && f.observed !== 'not scanned',
        )
        .map((f) => range(f.port ?? 0, f.protocol ?? 'tcp')),
    );
  }
  return [...byFamily].map(([family, { addresses, ports }]) => {
    const merged = mergeRanges(ports);
    return {
      family,
      addresses: [...addresses],
      tcp: merged.filter((r) => r.protocol === 'tcp'),
      udp: merged.filter((r) => r.protocol === 'udp'),
    };
  });
}

/** TCP ports of hosts that answered which stayed silent (no-response): a lost probe looks so. */
export function silentPorts(runs: readonly NmapRun[]): Map<string, PortRange[]> {
  const out = new Map<string, PortRange[]>();
  for (const run of runs) {
    for (const host of run.hosts) {
      const ip = host.addresses.find((a) => a.addrtype === 'ipv4' || a.addrtype === 'ipv6');
      if (!ip || host.status !== 'up' || !answered(host)) continue;
      const silent: PortRange[] = [
        ...host.ports
          .filter((p) => p.protocol === 'tcp' && p.reason === 'no-response')
          .map((p) => range(p.port, 'tcp')),
        ...host.extraports.flatMap((e) =>
          e.protocol === 'tcp'
            ? e.reasons
                .filter((r) => r.reason === 'no-response' || r.reason === 'no-responses')
                .flatMap((r) => parseNmapPortList(r.ports ?? '', 'tcp'))
            : [],
        ),
      ];
      if (silent.length) out.set(canonicalIp(ip.addr), mergeRanges(silent));
    }
  }
  return out;
}

/** How many silent ports, all hosts together. */
export function silentCount(silent: ReadonlyMap<string, PortRange[]>): number {
  return [...silent.values()].reduce((n, ports) => n + countPorts(ports), 0);
}

/** One more sweep over the silent ports, by family: whatever answers now was lost the first time. */
export function rescuePlan(silent: ReadonlyMap<string, PortRange[]>): Recheck[] {
  const byFamily = new Map<4 | 6, { addresses: string[]; ports: PortRange[] }>();
  for (const [address, ports] of silent) {
    const family = address.includes(':') ? 6 : 4;
    const entry = byFamily.get(family) ?? { addresses: [], ports: [] };
    entry.addresses.push(address);
    entry.ports.push(...ports);
    byFamily.set(family, entry);
  }
  return [...byFamily].map(([family, { addresses, ports }]) => ({
    family,
    addresses,
    tcp: mergeRanges(ports),
    udp: [],
  }));
}

/** The ports that end as unexpected-open, by family: version detection says what listens there. */
export function identifyPlan(findings: readonly Finding[]): Recheck[] {
  const byFamily = new Map<4 | 6, { addresses: Set<string>; ports: PortRange[] }>();
  for (const f of findings) {
    if (f.kind !== 'unexpected-open' || f.port === undefined) continue;
    const family = f.address.includes(':') ? 6 : 4;
    const entry = byFamily.get(family) ?? { addresses: new Set(), ports: [] };
    entry.addresses.add(f.address);
    entry.ports.push(range(f.port, f.protocol ?? 'tcp'));
    byFamily.set(family, entry);
  }
  return [...byFamily].map(([family, { addresses, ports }]) => {
    const merged = mergeRanges(ports);
    return {
      family,
      addresses: [...addresses],
      tcp: merged.filter((r) => r.protocol === 'tcp'),
      udp: merged.filter((r) => r.protocol === 'udp'),
    };
  });
}

/** What version detection saw, added to the ports it saw open; states stay as the re-check left them. */
export function withServices(
  observed: readonly ObservedAddress[],
  runs: readonly NmapRun[],
): ObservedAddress[] {
  const services = new Map<string, ObservedPort['service']>();
  for (const run of runs) {
    for (const host of run.hosts) {
      const ip = host.addresses.find((a) => a.addrtype === 'ipv4' || a.addrtype === 'ipv6');
      for (const p of ip ? host.ports : []) {
        if (p.state === 'open' && p.service) {
          services.set(`${canonicalIp(ip?.addr ?? '')} ${p.port}/${p.protocol}`, p.service);
        }
      }
    }
  }
  return observed.map((obs) => ({
    ...obs,
    ports: obs.ports.map((p) => {
      const service = services.get(`${obs.address} ${p.port}/${p.protocol}`);
      return service ? { ...p, service } : p;
    }),
  }));
}

/** The observed state with the re-check's answers in place of the sweep's, for the ports it saw. */
export function applyRecheck(
  observed: readonly ObservedAddress[],
  runs: readonly NmapRun[],
): ObservedAddress[] {
  const answers = new Map<string, ObservedPort[]>();
  for (const run of runs) {
    for (const host of run.hosts) {
      const ip = host.addresses.find((a) => a.addrtype === 'ipv4' || a.addrtype === 'ipv6');
      if (!ip) continue;
      const ports: ObservedPort[] = host.ports.flatMap((p) =>
        p.protocol === 'tcp' || p.protocol === 'udp'
          ? [
              {
                port: p.port,
                protocol: p.protocol,
                state: p.state,
                reason: p.reason,
                ...(p.service ? { service: p.service } : {}),
              },
            ]
          : [],
      );
      answers.set(canonicalIp(ip.addr), ports);
    }
  }
  return observed.map((obs) => {
    const checked = answers.get(obs.address);
    if (!checked || obs.status !== 'up') return obs;
    const key = (p: { port: number; protocol: string }): string => `${p.port}/${p.protocol}`;
    const replaced = new Set(checked.map(key));
    const ports = [...obs.ports.filter((p) => !replaced.has(key(p))), ...checked].sort(
      (a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port,
    );
    return { ...obs, ports };
  });
}

const findingKey = (f: Finding): string => `${f.kind} ${f.address} ${f.port}/${f.protocol}`;

/** The sweep's port findings that the re-checked state no longer produces. */
export function flapping(
  before: readonly Finding[],
  after: readonly Finding[],
  rechecked: readonly ObservedAddress[],
): Flap[] {
  const remaining = new Set(after.map(findingKey));
  const stateIn = (f: Finding): string =>
    rechecked
      .find((o) => o.address === f.address)
      ?.ports.find((p) => p.port === f.port && p.protocol === f.protocol)?.state ?? 'not open';
  return before
    .filter((f) => f.port !== undefined && !remaining.has(findingKey(f)))
    .map((f) => ({
      target: f.target,
      address: f.address,
      port: f.port ?? 0,
      protocol: f.protocol ?? 'tcp',
      kind: f.kind,
      sweep: f.observed,
      recheck: stateIn(f),
    }));
}
