// Drift: compares the observed state with the rules and returns findings. A pure function.
import { rangesContain } from './ports.js';
import { expectationFor, isAllowed, type Expectation } from './rules.js';
import type { Finding, ObservedAddress, ObservedPort, PortRange, Protocol, Rule } from './types.js';

/** Is a port open? UDP's `open|filtered` is not: no answer is what a firewall that drops gives too. */
function isOpen(state: string): boolean {
  return state === 'open';
}

/** The state of a port nmap did not list: the folded-away state, when that is unambiguous. */
function foldedState(obs: ObservedAddress, protocol: Protocol): string {
  const states = new Set(obs.extraports.filter((e) => e.protocol === protocol).map((e) => e.state));
  return states.size === 1 ? [...states][0]! : 'not open';
}

function* portsIn(ranges: readonly PortRange[]): Generator<[number, Protocol]> {
  for (const r of ranges) for (let p = r.from; p <= r.to; p++) yield [p, r.protocol];
}

function hostFinding(
  obs: ObservedAddress,
  kind: Finding['kind'],
  expected: string,
  observed: string,
): Finding {
  return {
    kind,
    target: obs.targets[0] ?? obs.address,
    address: obs.address,
    expected,
    observed,
    detail: obs.reason,
  };
}

function portFinding(
  obs: ObservedAddress,
  kind: Finding['kind'],
  port: number,
  protocol: Protocol,
  expected: string,
  seen: ObservedPort | undefined,
  observed: string,
): Finding {
  return {
    kind,
    target: obs.targets[0] ?? obs.address,
    address: obs.address,
    port,
    protocol,
    expected,
    observed,
    // What nmap saw listening; on a port that is not open it has only guessed from the number.
    ...(seen?.service && seen.state === 'open' ? { service: seen.service } : {}),
  };
}

/** Was the address named on its own (an IP or a hostname), rather than only as part of a block? */
function namedAlone(obs: ObservedAddress): boolean {
  return obs.targets.some((t) => !t.includes('/'));
}

export function findingsFor(
  obs: ObservedAddress,
  exp: Expectation,
  scanned: readonly PortRange[],
): Finding[] {
  switch (obs.status) {
    case 'unresolved':
      return [hostFinding(obs, 'host-down', 'resolves', 'unresolved')];
    case 'inconclusive':
      return [hostFinding(obs, 'inconclusive', 'scanned', 'not scanned')];
    case 'down':
      // An empty address inside a CIDR block is not drift unless a rule says something must listen there.
      return namedAlone(obs) || exp.required.length > 0
        ? [hostFinding(obs, 'host-down', 'up', 'no answer')]
        : [];
    case 'up':
      break;
  }
  const findings: Finding[] = [];
  const byPort = new Map(obs.ports.map((p) => [`${p.port}/${p.protocol}`, p]));
  for (const p of obs.ports) {
    if (isOpen(p.state) && !isAllowed(exp, p.port, p.protocol)) {
      findings.push(
        portFinding(obs, 'unexpected-open', p.port, p.protocol, 'not open', p, p.state),
      );
    }
  }
  for (const [port, protocol] of portsIn(exp.required)) {
    const seen = byPort.get(`${port}/${protocol}`);
    const unknown = !rangesContain(scanned, port, protocol) || obs.unscanned?.includes(protocol);
    if (!seen && unknown) {
      findings.push(portFinding(obs, 'inconclusive', port, protocol, 'open', seen, 'not scanned'));
      continue;
    }
    const state = seen?.state ?? foldedState(obs, protocol);
    if (isOpen(state)) continue;
    // open|filtered on UDP cannot tell a silent service from a dropping firewall: say so, don't guess.
    const kind = state === 'open|filtered' ? 'inconclusive' : 'missing';
    findings.push(portFinding(obs, kind, port, protocol, 'open', seen, state));
  }
  return findings;
}

/** Every finding of a scan, in the order of the observed addresses and then by port. */
export function findDrift(
  rules: readonly Rule[],
  observed: readonly ObservedAddress[],
  scanned: readonly PortRange[],
): Finding[] {
  return observed.flatMap((obs) => {
    const exp = expectationFor(rules, obs.address, obs.targets);
    return findingsFor(obs, exp, scanned).sort(
      (a, b) => (a.port ?? 0) - (b.port ?? 0) || (a.protocol ?? '').localeCompare(b.protocol ?? ''),
    );
  });
}

/** Counts by kind, in the contract's order, e.g. `2 unexpected-open, 1 missing`. */
export function countByKind(findings: readonly Finding[]): Map<Finding['kind'], number> {
  const counts = new Map<Finding['kind'], number>();
  for (const f of findings) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  return counts;
}
