// Record mode: turns an observed state into rules that a later check of the same targets passes.
// Pure. A target's rule lists what is open on every one of its addresses; an address that differs
// gets a rule of its own for the rest, and a CIDR block gets `none` plus a rule per live address.
// A port that an exception of the policy in force accepts, or accepted until a time now past, stays
// that exception, with its date and reason: recording never turns a port accepted for a while into
// one required for good.
import { exceptionFor, expectationFor, isPlainlyAllowed } from '../settings/rules.js';
import { parseServicePin } from '../settings/rules.js';
import { identified, serviceLabel } from './behind.js';
import type { ObservedAddress, ObservedPort, PortRule, Rule, Target } from '../base/types.js';

const SOURCE = 'recorded';

function keyOf(p: PortRule): string {
  const exception = p.exception ? ` until ${p.exception.until} ${p.exception.reason}` : '';
  const service = p.service ? ` (${p.service.name})` : '';
  return `${p.from}/${p.protocol}${p.optional ? '?' : ''}${service}${exception}`;
}

/** The pin of a service version detection identified: nmap's name for it (`ssh`, `https`). */
function pinOf(p: ObservedPort): Pick<PortRule, 'service'> {
  if (p.state !== 'open' || !identified(p.service)) return {};
  // A name the grammar would not read back (odd characters) pins nothing.
  const pin = parseServicePin(serviceLabel(p.service));
  return typeof pin === 'string' ? {} : { service: pin };
}

/** What a later check must find open (and, for silent UDP ports, may find open) at one address. */
function portsOf(
  obs: ObservedAddress,
  previous: readonly Rule[],
  now: number,
  pinServices: boolean,
): PortRule[] {
  const exp = previous.length ? expectationFor(previous, obs.address, obs.targets, now) : undefined;
  return obs.ports
    .filter((p) => p.state === 'open' || (p.protocol === 'udp' && p.state === 'open|filtered'))
    .map((p): PortRule => {
      const rule = {
        from: p.port,
        to: p.port,
        protocol: p.protocol,
        optional: p.state !== 'open',
        ...(pinServices ? pinOf(p) : {}),
      };
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

/** What record mode keeps of the rules in force, and whether it pins services. */
export interface RecordOptions {
  /** The rules in force, whose exceptions (at `now`) are kept for the ports they accept. */
  previous?: readonly Rule[];
  now?: number;
  /** Pin the service version detection identified on each open port (`record-services`). */
  pinServices?: boolean;
}

/** The rules that the observed state passes. */
export function recordRules(
  targets: readonly Target[],
  observed: readonly ObservedAddress[],
  { previous = [], now = Date.now(), pinServices = false }: RecordOptions = {},
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
        const ports = portsOf(obs, previous, now, pinServices);
        if (ports.length) addAddressRule(obs.address, ports);
      }
      continue;
    }
    const sets = live.map((obs) => portsOf(obs, previous, now, pinServices));
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
