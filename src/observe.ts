// Turns what nmap wrote into the observed state of every planned address: each address with the
// target entries that named it, whether anything answered, and its ports. Pure.
import type { ScanPlan } from './plan.js';
import { canonicalIp, familyOf, targetsNaming } from './targets.js';
import type {
  NmapHost,
  NmapRun,
  ObservedAddress,
  ObservedPort,
  Protocol,
  Target,
} from './types.js';

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

function hostAddress(host: NmapHost): string | undefined {
  const ip = host.addresses.find((a) => a.addrtype === 'ipv4' || a.addrtype === 'ipv6');
  return ip ? canonicalIp(ip.addr) : undefined;
}

function asProtocol(text: string | undefined): Protocol | undefined {
  return text === 'tcp' || text === 'udp' ? text : undefined;
}

/** Did anything answer? An open or closed port, or a reset or ICMP error from the host, says yes. */
export function answered(host: NmapHost): boolean {
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
  const ports: ObservedPort[] = host.ports.flatMap((p) => {
    const protocol = asProtocol(p.protocol);
    if (!protocol) return [];
    return [
      {
        port: p.port,
        protocol,
        state: p.state,
        reason: p.reason,
        ...(p.service ? { service: p.service } : {}),
      },
    ];
  });
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

/**
 * The observed state of a scan: one entry per scanned address, plus entries for what could not be
 * scanned (unresolved names, unreachable families, runs that did not finish).
 */
export function observe(
  targets: readonly Target[],
  plan: ScanPlan,
  runs: readonly {
    run: NmapRun | null;
    finished: boolean;
    targets: readonly string[];
    why?: string;
  }[],
): ObservedAddress[] {
  const out: ObservedAddress[] = [];
  const seen = new Set<string>();
  const namesOf = (address: string): string[] =>
    [...plan.resolved].filter(([, addrs]) => addrs.includes(address)).map(([name]) => name);

  for (const { target, reason } of plan.unresolved) {
    out.push(placeholder('', [target], 'unresolved', `${target} ${reason}`));
  }
  for (const { target, address, reason } of plan.unreachable) {
    out.push(placeholder(address, [target], 'inconclusive', reason));
  }
  for (const entry of runs) {
    for (const host of entry.run?.hosts ?? []) {
      const address = hostAddress(host);
      if (!address || seen.has(address)) continue;
      seen.add(address);
      out.push(
        observeHost(
          host,
          address,
          targetsNaming(targets, address, plan.resolved),
          namesOf(address),
        ),
      );
    }
    // What a run did not finish: single addresses it never reported, and its CIDR blocks as a whole.
    for (const spec of entry.targets) {
      const isBlock = spec.includes('/');
      if (isBlock ? entry.finished : seen.has(spec)) continue;
      const named = isBlock ? targets.filter((t) => t.spec === spec).map((t) => t.spec) : null;
      const why = entry.why ?? 'nmap did not report it';
      out.push(
        placeholder(
          spec,
          named ?? targetsNaming(targets, spec, plan.resolved),
          'inconclusive',
          isBlock ? `only part of the block was scanned: ${why}` : why,
          isBlock ? [] : namesOf(spec),
        ),
      );
      if (!isBlock) seen.add(spec);
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
    family: address.includes(':') ? 6 : 4,
    targets,
    hostnames,
    status,
    reason,
    ports: [],
    extraports: [],
  };
}
