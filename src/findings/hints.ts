// What to do about a finding: the rule that would accept it, as an `expected` line or a policy
// file's `rules`, and one plain sentence on how to fix it (close a well-known service, look at a
// missing port, a host that is gone, a scan that could not decide). Pure: callers escape and show it.
import { Document, isMap, isSeq } from 'yaml';
import { EXPOSED_SERVICES } from '../settings/ports.js';
import { SERVICES, type WellKnownService } from '../settings/services.js';
import { parsePattern } from '../settings/rules.js';
import { RUNNER_NAME_FIX, classifyTarget } from '../settings/targets.js';
import type { Finding, Protocol, Service } from '../base/types.js';

/** A service hints know how to close. */
type KnownService = WellKnownService & { close: (port: string) => string };

/** Every service remedyFor knows how to close, most specific first. */
const KNOWN_SERVICES: readonly KnownService[] = SERVICES.filter(
  (s): s is KnownService => s.close !== undefined,
);

const ACCEPT = 'if it is meant to be reachable, accept it in the policy';

/** A port as the rule grammar writes it: `27017`, `53/udp`. */
function portText(port: number, protocol: Protocol): string {
  return protocol === 'udp' ? `${port}/udp` : `${port}`;
}

/**
 * The known service on a port: by nmap's name for it first (version detection), preferring the
 * entry for this port, then for this protocol and TLS; else by the port and protocol.
 */
function knownService(
  port: number,
  protocol: Protocol,
  name: string | undefined,
  tls?: boolean,
): KnownService | undefined {
  const byPort = (s: KnownService): boolean => s.protocol === protocol && s.ports.includes(port);
  const wanted = name?.trim().toLowerCase();
  if (wanted) {
    const named = KNOWN_SERVICES.filter((s) => s.names.includes(wanted));
    const best =
      named.find(byPort) ??
      named.find((s) => s.protocol === protocol && (tls === undefined || s.tls === tls)) ??
      named.find((s) => s.protocol === protocol) ??
      named[0];
    if (best) return best;
  }
  return KNOWN_SERVICES.find(byPort);
}

/** The commonly exposed services `ports: default` adds (TCP), for those KNOWN_SERVICES lacks. */
function exposedService(port: number, protocol: Protocol): string | undefined {
  return protocol === 'tcp' ? EXPOSED_SERVICES.find((s) => s.port === port)?.service : undefined;
}

/**
 * The well-known service on a port: by nmap's service name when it names one (a `mongodb` on
 * 27999), else by the port and protocol; undefined when neither is known.
 */
export function serviceAt(port: number, protocol: Protocol, name?: string): string | undefined {
  return knownService(port, protocol, name)?.product ?? exposedService(port, protocol);
}

/** nmap's name for a service, when version detection found it rather than guessed from the port. */
function probedName(service: Service | undefined): string | undefined {
  return service?.method === 'table' ? undefined : service?.name;
}

/**
 * The rule that accepts a finding: for an open port, the port as `?` (may be open; a reviewer drops
 * the `?` to require it). A missing port has none: rules add up, so a line cannot take back what
 * another requires; its remedy says to edit the rule that requires it. The pattern is
 * the target as written, or the address for a CIDR block (a rule for the block would allow the
 * port on every address of it). Undefined for a finding about a host.
 */
export function acceptRule(f: Finding): { pattern: string; port: string } | undefined {
  // A port whose exception ended is renewed with a date and a reason (its remedy), not allowed
  // for good by a copied line.
  if (f.kind !== 'unexpected-open' || f.port === undefined || f.expiredException) return undefined;
  return { pattern: patternFor(f), port: `${portText(f.port, f.protocol ?? 'tcp')}?` };
}

function patternFor(f: Finding): string {
  const target = classifyTarget(f.target);
  if (typeof target === 'string' || target.kind === 'cidr4' || target.kind === 'cidr6') {
    return f.address;
  }
  // A name the rule grammar would not read back (from an nmap XML file, say): the address is safe.
  return typeof parsePattern(f.target) === 'string' ? f.target : f.address;
}

/**
 * Every finding's accept rule in one block to copy: one line per pattern, its ports in the order
 * first seen, each once. `expected`: `db.example.com: 27017?, 6379?` lines; `policy`: a `rules:`
 * mapping in YAML. Undefined when no finding has an accept rule.
 */
export function acceptBlock(
  findings: readonly Finding[],
  form: 'expected' | 'policy',
): string | undefined {
  const byPattern = new Map<string, { pattern: string; ports: string[] }>();
  for (const f of findings) {
    const rule = acceptRule(f);
    if (!rule) continue;
    const key = rule.pattern.toLowerCase();
    const entry = byPattern.get(key) ?? { pattern: rule.pattern, ports: [] };
    if (!entry.ports.includes(rule.port)) entry.ports.push(rule.port);
    byPattern.set(key, entry);
  }
  if (byPattern.size === 0) return undefined;
  const entries = [...byPattern.values()];
  if (form === 'expected') {
    return entries.map((e) => `${e.pattern}: ${e.ports.join(', ')}`).join('\n');
  }
  // yaml quotes whatever a key needs; every port is single-quoted (`?` ends each one).
  const doc = new Document({ rules: new Map(entries.map((e) => [e.pattern, e.ports])) });
  const rules = doc.get('rules');
  if (isMap(rules)) {
    for (const pair of rules.items) if (isSeq(pair.value)) pair.value.flow = true;
  }
  return doc
    .toString({
      lineWidth: 0,
      defaultStringType: 'QUOTE_SINGLE',
      defaultKeyType: 'PLAIN',
      flowCollectionPadding: false,
    })
    .trimEnd();
}

/**
 * What to do about a finding, as one plain-text sentence made only of this module's words, a
 * well-known service's port and dates (other ports are left to the place it is shown beside, so
 * that findings with the same advice share one sentence): no text of the scanned host or of the policy, so it needs no escaping beyond Markdown's.
 */
export function remedyFor(f: Finding): string {
  switch (f.kind) {
    case 'unexpected-open':
      return openRemedy(f);
    case 'missing':
      return missingRemedy(f);
    case 'host-down':
      return hostDownRemedy(f);
    case 'service-changed':
      return 'Something else now answers on this port than the service pinned to it: check what listens there (a replaced or added service, a port forward, another box behind the address); restore the service, or change the pin if the change is meant.';
    case 'tls-expired':
      return 'Clients refuse this certificate: renew it and reload the service (or fix the automatic renewal that should have done it).';
    case 'tls-expiring':
      return 'Renew the certificate before it ends, and check that its automatic renewal runs; tls-expiry sets how many days ahead this warns.';
    case 'tls-name-mismatch':
      return "Clients that connect by this name refuse the certificate: serve one whose names include it, or check whether another host now answers at the address (a DNS change, a load balancer's default certificate).";
    case 'inconclusive':
      return inconclusiveRemedy(f);
  }
}

function openRemedy(f: Finding): string {
  const protocol = f.protocol ?? 'tcp';
  const port = f.port === undefined ? 'the port' : portText(f.port, protocol);
  const expired = f.expiredException;
  if (expired) {
    // The date only: the reason is untrusted text (a pull request may write it), shown elsewhere.
    const until = /^[0-9TZ:.+-]+$/i.test(expired.until) ? ` until ${expired.until}` : '';
    return `The exception that accepted this port${until} has ended: renew it with a new date and reason if the port must stay open, or close the port.`;
  }
  if (f.port !== undefined) {
    const known = knownService(
      f.port,
      protocol,
      probedName(f.service),
      f.service?.tunnel === 'ssl',
    );
    if (known) return `${known.product}: ${known.close(port)}; ${ACCEPT}.`;
    const exposed = exposedService(f.port, protocol);
    if (exposed) {
      return `${exposed} should rarely face the internet: close the port at the firewall or bind it to a private address; ${ACCEPT}.`;
    }
  }
  // What nmap saw is not repeated here: it is the scanned host's text, shown (escaped) beside.
  return `Close the port at the firewall or bind the service to a private address; ${ACCEPT}.`;
}

function missingRemedy(f: Finding): string {
  const protocol = f.protocol ?? 'tcp';
  const drop = `if the port is no longer needed, drop it from the rule that requires it or mark it with ? (may be open, not required)`;
  switch (f.observed) {
    case 'closed':
      return protocol === 'udp'
        ? `The host answered the port with port unreachable: nothing listens there (the service is stopped, crashed, or bound to another address or interface); start it or fix where it listens; ${drop}.`
        : `The host answered the port with a reset: nothing listens there (the service is stopped, crashed, or bound to another address or interface) or a firewall rejects it; start it or fix where it listens; ${drop}.`;
    case 'filtered':
    case 'no-response':
    case 'no answer':
      return `Nothing came back from the port while the host answered elsewhere: a firewall or security group drops it, or the service behind a proxy or load balancer is down; open it there or restart the service; ${drop}.`;
    case 'open|filtered':
      return `The port gave no answer, which a silent UDP service and a firewall that drops both give, so it cannot be told from outside; check that the service answers its protocol; ${drop}.`;
    default:
      return `The port is not open: start the service or open it at the firewall; ${drop}.`;
  }
}

function hostDownRemedy(f: Finding): string {
  if (f.observed === 'unresolved') {
    return 'The name has no A or AAAA record: check DNS for a typo, a deleted or expired record, or a zone that no longer answers; remove the target if the host is retired.';
  }
  return 'Nothing answered any probe on any port: the host is off, its address changed, or a firewall drops everything from the scanner, ping included; remove the target if the host is retired.';
}

function inconclusiveRemedy(f: Finding): string {
  const detail = f.detail ? ' (see its detail)' : '';
  if (f.observed === 'open|filtered') {
    return `This UDP port gave no answer, which a silent service and a firewall that drops both give, so it is neither passed nor failed${detail}; check that the service answers its protocol, or mark it ${f.port === undefined ? 'optional with ?' : `${portText(f.port, 'udp')}?`} if it need not be open.`;
  }
  if (f.observed === 'answers on every port') {
    return `Every port answers, as a SYN proxy, WAF or tarpit does, so open ports say nothing here and it is neither passed nor failed${detail}; scan it from behind the proxy.`;
  }
  if (f.observed.endsWith('no answer')) {
    return `No answer came, after too few probes to tell a firewall that drops from lost packets, so this is neither passed nor failed${detail}; re-run, raise scan-timeout so more probes fit, or set a lower max-rate if the path drops bursts.`;
  }
  if (f.detail?.endsWith(RUNNER_NAME_FIX)) {
    return `The name resolves to an address of the machine that scans (loopback, link-local, unspecified) or to its cloud provider's metadata service, not to a host of the fleet (a parked or expired domain, split-horizon DNS, a changed record), so it is not judged; fix the name's DNS record, or write the address in targets to scan it as written.`;
  }
  if (f.expected === 'a TLS certificate' || f.observed === 'no date') {
    return `The certificate could not be read${detail}, so it is neither passed nor failed; check that the port speaks TLS from the start (not STARTTLS on a protocol nmap does not know), or re-run with a higher scan-timeout.`;
  }
  if (f.observed === 'not identified' || f.detail?.startsWith('version detection named')) {
    return `Version detection could not tell what listens${detail}, so the pinned service is neither passed nor failed; check the service by hand, or re-run with a higher scan-timeout.`;
  }
  if (f.port !== undefined) {
    return `This port was not scanned (the scan ran out of time, or the nmap XML read did not cover it), so it is neither passed nor failed${detail}; re-run with a higher scan-timeout, or include the port in the scan.`;
  }
  return `This could not be decided either way${detail}; re-run, and raise scan-timeout if the scan ran out of time.`;
}
