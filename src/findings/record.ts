// Record mode: turns an observed state into rules that a later check of the same targets passes.
// Pure. A target's rule lists what is open on every one of its addresses; an address that differs
// gets a rule of its own for the rest, and a CIDR block gets `none` plus a rule per live address.
// A port that an exception of the policy in force accepts, or accepted until a time now past, stays
// that exception, with its date and reason: recording never turns a port accepted for a while into
// one required for good.
import { exceptionFor, expectationFor, isPlainlyAllowed } from '../settings/rules.js';
import type { ObservedAddress, PortRule, Rule, Target } from '../base/types.js';

const SOURCE = 'recorded';

function keyOf(p: PortRule): string {
  const exception = p.exception ? ` until ${p.exception.until} ${p.exception.reason}` : '';
  return `${p.from}/${p.protocol}${p.optional ? '?' : ''}${exception}`;
}

/** What a later check must find open (and, for silent UDP ports, may find open) at one address. */
function portsOf(obs: ObservedAddress, previous: readonly Rule[], now: number): PortRule[] {
  const exp = previous.length ? expectationFor(previous, obs.address, obs.targets, now) : undefined;
  return obs.ports
    .filter((p) => p.state === 'open' || (p.protocol === 'udp' && p.state === 'open|filtered'))
    .map((p): PortRule => {
      const rule = { from: p.port, to: p.port, protocol: p.protocol, optional: p.state !== 'open' };
      if (!exp || isPlainlyAllowed(exp, p.port, p.protocol)) return rule;
      // An exception in force stays one; so does one that has ended, as it was: its port is not
      // required for good, and the next check still reports it open with its ended exception.
      const by =
        exceptionFor(exp.accepted, p.port, p.protocol) ??
        exceptionFor(exp.expired, p.port, p.protocol);
      return by ? { ...rule, optional: true, exception: by.exception } : rule;
    })
    .sort((a, b) => a.protocol.localeCompare(b.protocol) || a.from - b.from);
}

/**
 * The rules that the observed state passes. `previous`: the rules in force, whose exceptions (at
 * `now`) are kept for the ports they accept.
 */
export function recordRules(
  targets: readonly Target[],
  observed: readonly ObservedAddress[],
  previous: readonly Rule[] = [],
  now = Date.now(),
): Rule[] {
  const rules: Rule[] = [];
  const perAddress = new Map<string, PortRule[]>();
  const addAddressRule = (address: string, ports: PortRule[]): void => {
    const known = new Set((perAddress.get(address) ?? []).map(keyOf));
    const extra = ports.filter((p) => !known.has(keyOf(p)));
    if (extra.length) perAddress.set(address, [...(perAddress.get(address) ?? []), ...extra]);
  };

  for (const target of targets) {
    const live = observed.filter((o) => o.status === 'up' && o.targets.includes(target.spec));
    if (target.kind === 'cidr4' || target.kind === 'cidr6') {
      rules.push({ pattern: target.spec, ports: [], source: SOURCE });
      for (const obs of live) {
        const ports = portsOf(obs, previous, now);
        if (ports.length) addAddressRule(obs.address, ports);
      }
      continue;
    }
    const sets = live.map((obs) => portsOf(obs, previous, now));
    const common = (sets[0] ?? []).filter((p) =>
      sets.every((s) => s.some((q) => keyOf(q) === keyOf(p))),
    );
    rules.push({ pattern: target.spec, ports: common, source: SOURCE });
    const commonKeys = new Set(common.map(keyOf));
    live.forEach((obs, i) => {
      const rest = (sets[i] ?? []).filter((p) => !commonKeys.has(keyOf(p)));
      if (rest.length) addAddressRule(obs.address, rest);
    });
  }
  for (const [address, ports] of perAddress)
    rules.push({ pattern: address, ports, source: SOURCE });
  return rules;
}
