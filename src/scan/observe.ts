// Turns what nmap wrote into the observed state of every planned address: each address with the
// target entries that named it, whether anything answered, and its ports. Pure.
import type { ScanPlan } from '../plan/plan.js';
import {
  canonicalIp,
  coversBlock,
  familyOf,
  runnerRange,
  targetsNaming,
} from '../settings/targets.js';
import type {
  NmapHost,
  NmapRun,
  ObservedAddress,
  ObservedPort,
  Protocol,
  Target,
} from '../base/types.js';

/** Reasons that mean "nothing came back": a port with only these never showed the host is there. */
const SILENT = new Set([
  'no-response',
  'no-responses',
  'host-unreach',
  'host-unreaches',
  'net-unreach',
  'net-unreaches',
  'user-set',
]);

/** A host's IP address, canonical; undefined for a host nmap knew only by MAC. */
export function hostAddress(host: NmapHost): string | undefined {
  const ip = host.addresses.find((a) => a.addrtype === 'ipv4' || a.addrtype === 'ipv6');
  return ip ? canonicalIp(ip.addr) : undefined;
}

function asProtocol(text: string | undefined): Protocol | undefined {
  return text === 'tcp' || text === 'udp' ? text : undefined;
}

/** A host's TCP and UDP ports as port-drift keeps them. */
export function observedPorts(host: NmapHost): ObservedPort[] {
  return host.ports.flatMap((p) => {
    const protocol = asProtocol(p.protocol);
    if (!protocol) return [];
    return [
      {
        port: p.port,
        protocol,
        state: p.state,
        reason: p.reason,
        ...(p.service ? { service: p.service } : {}),
        ...(p.certificate ? { certificate: p.certificate } : {}),
      },
    ];
  });
}

/** Did anything answer? An open or closed port, or a reset or ICMP error from the host, says yes. */
function answered(host: NmapHost): boolean {
  return (
    host.ports.some((p) => !SILENT.has(p.reason)) ||
    host.extraports.some((e) => e.reasons.some((r) => !SILENT.has(r.reason)))
  );
}

export function observeHost(
  host: NmapHost,
  address: string,
  targets: string[],
  hostnames: string[],
): ObservedAddress {
  const ports = observedPorts(host);
  const extraports = host.extraports.map((e) => ({
    state: e.state,
    count: e.count,
    protocol: asProtocol(e.protocol) ?? 'tcp',
  }));
  const scanned = host.ports.length + host.extraports.reduce((n, e) => n + e.count, 0);
  let status: ObservedAddress['status'] = 'up';
  let reason = host.reason;
  if (host.status !== 'up') {
    status = 'down';
  } else if (!answered(host)) {
    status = 'down';
    reason = `no answer on any of ${scanned} scanned ports`;
  }
  for (const name of host.hostnames) {
    if (name.type !== 'user' && !hostnames.includes(name.name)) hostnames.push(name.name);
  }
  return {
    address,
    family: familyOf(address),
    targets,
    hostnames,
    status,
    reason,
    ports,
    extraports,
  };
}

/** One nmap run's result, as the scan phase hands it over. */
export interface RunResult {
  run: NmapRun | null;
  /** False when nmap was stopped (the budget) or failed before the end. */
  finished: boolean;
  /** The addresses and blocks it was given. */
  targets: readonly string[];
  /** The protocols it scanned. */
  protocols: readonly Protocol[];
  why?: string;
}

/** One host seen by several runs (TCP and UDP, say) as one: up when any run saw it up. */
function combineHosts(a: NmapHost, b: NmapHost): NmapHost {
  const up = a.status === 'up' ? a : b;
  return {
    ...up,
    hostnames: [...a.hostnames, ...b.hostnames],
    ports: [...a.ports, ...b.ports],
    extraports: [...a.extraports, ...b.extraports],
  };
}

/** How the targets name an address: the entries that cover it, the names that resolved to it. */
interface Naming {
  targets: readonly Target[];
  resolved: Map<string, string[]>;
  namesOf(address: string): string[];
}

/**
 * The observed state of a scan: one entry per scanned address, plus entries for what could not be
 * scanned (unresolved names, unreachable families, runs that did not finish).
 */
export function observe(
  targets: readonly Target[],
  plan: ScanPlan,
  runs: readonly RunResult[],
): ObservedAddress[] {
  // A name never stands for the runner's own address (the plan reports that pair unscanned): the
  // scan of a literal 127.0.0.1 is the literal's, not that of a name that resolved to it too.
  const resolved = new Map(
    [...plan.resolved].map(([name, addrs]) => [name, addrs.filter((a) => !runnerRange(a))]),
  );
  const naming: Naming = {
    targets,
    resolved,
    namesOf: (address) =>
      [...resolved].filter(([, addrs]) => addrs.includes(address)).map(([name]) => name),
  };
  const out: ObservedAddress[] = [];
  for (const { target, reason } of plan.unresolved) {
    out.push(placeholder('', [target], 'unresolved', `${target} ${reason}`));
  }
  for (const { target, address, reason } of plan.unreachable) {
    out.push(placeholder(address, [target], 'inconclusive', reason));
  }
  const { hosts, reported } = hostsOf(runs);
  const unfinished = runs.filter((r) => !r.finished);
  for (const [address, host] of hosts) {
    out.push(observeScanned(host, address, naming, unfinished, reported.get(address)));
  }
  out.push(...neverReported(unfinished, hosts, naming));
  return out;
}

/** Every host the runs reported, one per address, and the protocols each was reported on. */
function hostsOf(runs: readonly RunResult[]): {
  hosts: Map<string, NmapHost>;
  reported: Map<string, Set<Protocol>>;
} {
  const hosts = new Map<string, NmapHost>();
  const reported = new Map<string, Set<Protocol>>();
  for (const entry of runs) {
    for (const host of entry.run?.hosts ?? []) {
      const address = hostAddress(host);
      if (!address) continue;
      const known = hosts.get(address);
      hosts.set(address, known ? combineHosts(known, host) : host);
      const protocols = reported.get(address) ?? new Set();
      entry.protocols.forEach((p) => protocols.add(p));
      reported.set(address, protocols);
    }
  }
  return { hosts, reported };
}

/** A host nmap reported, with what the runs that stopped before it leave unknown. */
function observeScanned(
  host: NmapHost,
  address: string,
  naming: Naming,
  unfinished: readonly RunResult[],
  reported: ReadonlySet<Protocol> | undefined,
): ObservedAddress {
  const obs = observeHost(
    host,
    address,
    targetsNaming(naming.targets, address, naming.resolved),
    naming.namesOf(address),
  );
  const stopped = unfinished.filter((r) =>
    r.targets.some((t) => t === address || coversBlock(t, address)),
  );
  // A run that stopped before this address: its ports of that protocol are unknown, not closed.
  const unscanned = stopped.flatMap((r) => r.protocols).filter((p) => !reported?.has(p));
  const seen = unscanned.length ? { ...obs, unscanned: [...new Set(unscanned)] } : obs;
  // Silent on the ports that were asked, while a run of its ports stopped: not down, unknown.
  const why = stopped[0]?.why;
  return seen.status === 'down' && stopped.length
    ? {
        ...seen,
        status: 'inconclusive',
        reason: `no answer on the ports scanned before a run stopped (${why ?? 'nmap did not finish'})`,
      }
    : seen;
}

/** What a run did not finish and nmap never reported: single addresses, and blocks as a whole. */
function neverReported(
  unfinished: readonly RunResult[],
  hosts: ReadonlyMap<string, NmapHost>,
  naming: Naming,
): ObservedAddress[] {
  const out: ObservedAddress[] = [];
  const placed = new Set<string>();
  for (const entry of unfinished) {
    for (const spec of entry.targets) {
      const isBlock = spec.includes('/');
      if (placed.has(spec) || (!isBlock && hosts.has(spec))) continue;
      placed.add(spec);
      const why = entry.why ?? 'nmap did not report it';
      out.push(
        placeholder(
          spec,
          isBlock ? [spec] : targetsNaming(naming.targets, spec, naming.resolved),
          'inconclusive',
          isBlock ? `only part of the block was scanned: ${why}` : why,
          isBlock ? [] : naming.namesOf(spec),
        ),
      );
    }
  }
  return out;
}

function placeholder(
  address: string,
  targets: string[],
  status: ObservedAddress['status'],
  reason: string,
  hostnames: string[] = [],
): ObservedAddress {
  return {
    address,
    family: familyOf(address),
    targets,
    hostnames,
    status,
    reason,
    ports: [],
    extraports: [],
  };
}
