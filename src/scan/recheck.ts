// Careful on the verdict: which ports the fast sweep must have re-checked before anything is
// reported, and how the re-check's answers replace the sweep's. A finding of the sweep that the
// re-check does not reproduce is flapping, not drift. The same per-family port sets plan version
// detection on what ends unexpected-open (identify.ts runs it), and carry its services back. Pure.
import { findDrift } from '../findings/drift.js';
import { hostAddress, observedPorts } from './observe.js';
import { checksOn, wantsVersion } from '../findings/behind.js';
import { expectationFor } from '../settings/rules.js';
import type { Settings } from '../settings/settings.js';
import { coalesceRanges, rangesContain } from '../settings/ports.js';
import { familyOf } from '../settings/targets.js';
import type {
  Finding,
  NmapRun,
  ObservedAddress,
  ObservedPort,
  PortRange,
  Protocol,
  Rule,
} from '../base/types.js';

/** One nmap run per address family: these addresses, the union of the ports they need. */
export interface FamilyRun {
  family: 4 | 6;
  addresses: string[];
  tcp: PortRange[];
  udp: PortRange[];
  /** identify: read TLS certificates too (nmap's ssl-cert). */
  certificates?: boolean;
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
): FamilyRun[] {
  const up = new Set(observed.filter((o) => o.status === 'up').map((o) => o.address));
  return byFamily(
    findDrift(rules, observed, scanned)
      .filter((f) => up.has(f.address) && f.port !== undefined && f.observed !== 'not scanned')
      .map((f) => [f.address, [range(f.port ?? 0, f.protocol ?? 'tcp')]]),
  );
}

/** One nmap run per address family, over the union of the ports each address needs. */
function byFamily(entries: Iterable<[string, PortRange[]]>): FamilyRun[] {
  const families = new Map<4 | 6, { addresses: Set<string>; ports: PortRange[] }>();
  for (const [address, ports] of entries) {
    const family = familyOf(address);
    const entry = families.get(family) ?? { addresses: new Set(), ports: [] };
    entry.addresses.add(address);
    entry.ports.push(...ports);
    families.set(family, entry);
  }
  return [...families].map(([family, { addresses, ports }]) => {
    const merged = coalesceRanges(ports);
    return {
      family,
      addresses: [...addresses],
      tcp: merged.filter((r) => r.protocol === 'tcp'),
      udp: merged.filter((r) => r.protocol === 'udp'),
    };
  });
}

/** A port of an address that version detection is asked about. */
export interface Asked {
  address: string;
  port: number;
  protocol: Protocol;
}

/** The ports that end as unexpected-open: version detection says what listens there. */
export function unexpectedPorts(findings: readonly Finding[]): Asked[] {
  return findings
    .filter((f) => f.kind === 'unexpected-open' && f.port !== undefined)
    .map((f) => ({ address: f.address, port: f.port ?? 0, protocol: f.protocol ?? 'tcp' }));
}

/**
 * The open ports whose rules ask what is behind them: a pinned service, a certificate (`tls`, or
 * every allowed port with tls-check: all), or every open port when record mode pins services.
 * Nothing when no rule asks: a run without pins costs nothing more.
 */
export function behindPorts(
  settings: Pick<Settings, 'rules' | 'checks' | 'mode' | 'recordServices'>,
  observed: readonly ObservedAddress[],
  now: number,
): Asked[] {
  const every = settings.mode === 'record' && settings.recordServices;
  if (!every && !wantsVersion(settings.rules, settings.checks)) return [];
  const out: Asked[] = [];
  for (const obs of observed) {
    if (obs.status !== 'up' || obs.everyPort) continue;
    const exp = expectationFor(settings.rules, obs.address, obs.targets, now);
    for (const p of obs.ports) {
      if (p.state !== 'open') continue;
      const allowed = rangesContain(exp.allowed, p.port, p.protocol);
      const asked = checksOn(exp, p.port, p.protocol);
      const all = settings.checks.tlsCheck === 'all' && p.protocol === 'tcp';
      if (every || (allowed && (asked.pins.length > 0 || asked.tls || all))) {
        out.push({ address: obs.address, port: p.port, protocol: p.protocol });
      }
    }
  }
  return out;
}

/** Version detection on these ports, by family; with nmap's ssl-cert too when certificates are checked. */
export function identifyPlan(asked: readonly Asked[], certificates = false): FamilyRun[] {
  return byFamily(asked.map((a) => [a.address, [range(a.port, a.protocol)]])).map((r) =>
    certificates && r.tcp.length > 0 ? { ...r, certificates } : r,
  );
}

/**
 * What version detection saw (the service, and the certificate when ssl-cert ran), added to the
 * ports it saw open that end open; states stay as the re-check left them.
 */
export function withServices(
  observed: readonly ObservedAddress[],
  runs: readonly NmapRun[],
): ObservedAddress[] {
  const seen = new Map<string, Pick<ObservedPort, 'service' | 'certificate'>>();
  for (const run of runs) {
    for (const host of run.hosts) {
      const address = hostAddress(host);
      for (const p of address ? host.ports : []) {
        if (p.state === 'open' && (p.service || p.certificate)) {
          seen.set(`${address} ${p.port}/${p.protocol}`, {
            ...(p.service ? { service: p.service } : {}),
            ...(p.certificate ? { certificate: p.certificate } : {}),
          });
        }
      }
    }
  }
  return observed.map((obs) => ({
    ...obs,
    ports: obs.ports.map((p) => {
      const found = seen.get(`${obs.address} ${p.port}/${p.protocol}`);
      // Only on a port that ends open: version detection may have run before a re-check closed it.
      return found && p.state === 'open' ? { ...p, ...found } : p;
    }),
  }));
}

/**
 * The observed state with the answers of later runs in place of what was known, for the ports they
 * listed. Runs are merged first (an address in several runs: every run's listed ports count, not
 * just the last run's). A `careful` re-check of a port is its verdict: its explicit answer replaces
 * the state, an open one too (that is flapping, shown). Any other pass (the rescue) only adds: an
 * open port, seen in any run, is never replaced by its answer. Folded (extraports) state never
 * replaces anything: it says nothing about ports outside the run.
 */
export function applyRecheck(
  observed: readonly ObservedAddress[],
  runs: readonly NmapRun[],
  careful = true,
): ObservedAddress[] {
  const key = (p: { port: number; protocol: string }): string => `${p.port}/${p.protocol}`;
  const answers = new Map<string, Map<string, ObservedPort>>();
  for (const run of runs) {
    for (const host of run.hosts) {
      const address = hostAddress(host);
      if (!address) continue;
      const known = answers.get(address) ?? new Map<string, ObservedPort>();
      for (const p of observedPorts(host)) {
        const before = known.get(key(p));
        if (!careful && before?.state === 'open' && p.state !== 'open') continue;
        known.set(key(p), p);
      }
      answers.set(address, known);
    }
  }
  return observed.map((obs) => {
    const checked = answers.get(obs.address);
    if (!checked || obs.status !== 'up') return obs;
    const merged = new Map(obs.ports.map((p) => [key(p), p]));
    for (const answer of checked.values()) {
      const before = merged.get(key(answer));
      if (!careful && before?.state === 'open' && answer.state !== 'open') continue;
      merged.set(key(answer), answer);
    }
    const ports = [...merged.values()].sort(
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
