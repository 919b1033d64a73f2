// Drift: compares the observed state with the rules and returns findings. A pure function.
import { rangesContain } from '../settings/ports.js';
import { namedAlone } from '../settings/targets.js';
import {
  exceptionFor,
  expectationFor,
  isAllowed,
  isPlainlyAllowed,
  type Expectation,
} from '../settings/rules.js';
import { behindFindings, DEFAULT_CHECKS } from './behind.js';
import type {
  Accepted,
  BehindChecks,
  Finding,
  ObservedAddress,
  ObservedPort,
  PortRange,
  Protocol,
  Rule,
} from '../base/types.js';

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

function findingsFor(
  obs: ObservedAddress,
  exp: Expectation,
  scanned: readonly PortRange[],
  behind: readonly Finding[],
): Finding[] {
  switch (obs.status) {
    case 'unresolved':
      return [hostFinding(obs, 'host-down', 'resolves', 'unresolved')];
    case 'inconclusive':
      return [hostFinding(obs, 'inconclusive', 'scanned', 'not scanned')];
    case 'down':
      // An empty address inside a CIDR block is not drift unless a rule says something must listen there.
      return namedAlone(obs.targets) || exp.required.length > 0
        ? [hostFinding(obs, 'host-down', 'up', 'no answer')]
        : [];
    case 'up':
      break;
  }
  if (obs.everyPort) return [everyPortFinding(obs, exp)];
  const short = obs.coverage && obs.coverage.unanswered > 0 ? obs.coverage : undefined;
  return [
    ...unexpectedOpen(obs, exp),
    ...requiredFindings(obs, exp, scanned, short),
    ...behind,
    ...(short ? [shortFinding(obs, short)] : []),
  ];
}

/** The open ports the rules do not allow; one an ended exception accepted says so. */
function unexpectedOpen(obs: ObservedAddress, exp: Expectation): Finding[] {
  const findings: Finding[] = [];
  for (const p of obs.ports) {
    if (isOpen(p.state) && !isAllowed(exp, p.port, p.protocol)) {
      const finding = portFinding(
        obs,
        'unexpected-open',
        p.port,
        p.protocol,
        'not open',
        p,
        p.state,
      );
      // Open past the end of the exception that accepted it: drift again, and said to be so.
      const ended = exceptionFor(exp.expired, p.port, p.protocol);
      if (ended) finding.expiredException = { ...ended.exception, source: ended.source };
      findings.push(finding);
    }
  }
  return findings;
}

type Coverage = NonNullable<ObservedAddress['coverage']>;

/** The required ports that are not open, or that the scan could not decide. */
function requiredFindings(
  obs: ObservedAddress,
  exp: Expectation,
  scanned: readonly PortRange[],
  short: Coverage | undefined,
): Finding[] {
  const findings: Finding[] = [];
  const byPort = new Map(obs.ports.map((p) => [`${p.port}/${p.protocol}`, p]));
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
    // Nor can a TCP port that never answered on an address whose silence is not judged yet.
    const unsure = state === 'open|filtered' || (short && protocol === 'tcp' && state !== 'closed');
    const kind = unsure ? 'inconclusive' : 'missing';
    findings.push(
      portFinding(obs, kind, port, protocol, 'open', seen, unsure && short ? 'no answer' : state),
    );
  }
  return findings;
}

/** An address whose TCP ports did not all answer: an open port among them would not be seen. */
function shortFinding(obs: ObservedAddress, short: Coverage): Finding {
  const n = (x: number): string => x.toLocaleString('en-US');
  return {
    ...hostFinding(
      obs,
      'inconclusive',
      'every port answers',
      `${n(short.unanswered)} ports no answer`,
    ),
    detail: `${n(short.unanswered)} of ${n(short.ports)} TCP ports got no answer (${short.why ?? 'too few probes for the path'}): an open port among them would not be seen`,
  };
}

/** A host that answers on every port: one finding, since an open port there says nothing. */
function everyPortFinding(obs: ObservedAddress, exp: Expectation): Finding {
  const every = obs.everyPort ?? { open: 0, sampled: 0 };
  const required = exp.required.filter((p) => p.protocol === 'tcp');
  const list = required
    .map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`))
    .join(', ');
  return {
    ...hostFinding(obs, 'inconclusive', 'ports as declared', 'answers on every port'),
    detail:
      `answers on every port: ${every.open.toLocaleString('en-US')} scanned ports and ${every.sampled} of ${every.sampled} random high ports open, as a SYN proxy, WAF or tarpit does. ` +
      (list
        ? `Its expected ports (${list}) answer too, but that does not show a service behind them; `
        : '') +
      'unexpected open ports cannot be told apart from the rest. Check it from a vantage point behind the proxy.',
  };
}

/**
 * Every finding of a scan, in the order of the observed addresses and then by port. Exceptions and
 * certificates are judged at `now`: a report passes the time its scan finished.
 */
export function findDrift(
  rules: readonly Rule[],
  observed: readonly ObservedAddress[],
  scanned: readonly PortRange[],
  now: number = Date.now(),
  checks: BehindChecks = DEFAULT_CHECKS,
): Finding[] {
  return observed.flatMap((obs) => {
    const exp = expectationFor(rules, obs.address, obs.targets, now);
    const behind = behindFindings(obs, exp, checks, now).findings;
    return findingsFor(obs, exp, scanned, behind).sort(
      (a, b) => (a.port ?? 0) - (b.port ?? 0) || (a.protocol ?? '').localeCompare(b.protocol ?? ''),
    );
  });
}

/**
 * The open ports that are not drift only because an exception in force at `now` accepts them: what
 * the summary lists under "accepted until". A host that answers on every port has none.
 */
export function acceptedPorts(
  rules: readonly Rule[],
  observed: readonly ObservedAddress[],
  now: number,
  checks: BehindChecks = DEFAULT_CHECKS,
): Accepted[] {
  const accepted: Accepted[] = [];
  for (const obs of observed) {
    if (obs.status !== 'up' || obs.everyPort) continue;
    const open = obs.ports.filter((p) => isOpen(p.state));
    if (open.length === 0) continue;
    const exp = expectationFor(rules, obs.address, obs.targets, now);
    if (exp.accepted.length === 0) continue;
    const behind = behindFindings(obs, exp, checks, now).accepted;
    for (const p of open) {
      const by = exceptionFor(exp.accepted, p.port, p.protocol);
      const found = behind.filter((f) => f.port === p.port && f.protocol === p.protocol);
      if (!by || (isPlainlyAllowed(exp, p.port, p.protocol) && found.length === 0)) continue;
      accepted.push({
        target: obs.targets[0] ?? obs.address,
        address: obs.address,
        port: p.port,
        protocol: p.protocol,
        until: by.exception.until,
        reason: by.exception.reason,
        source: by.source,
        ...(p.service ? { service: p.service } : {}),
        ...(found.length
          ? { findings: found.map(({ kind, observed }) => ({ kind, observed })) }
          : {}),
      });
    }
  }
  return accepted;
}

/** Counts by kind, in the contract's order, e.g. `2 unexpected-open, 1 missing`. */
export function countByKind(findings: readonly Finding[]): Map<Finding['kind'], number> {
  const counts = new Map<Finding['kind'], number>();
  for (const f of findings) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  return counts;
}
