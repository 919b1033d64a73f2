// What is behind a port: the service a pinned port must run, and the certificate a TLS port serves.
// Findings of the kinds service-changed, tls-expired, tls-expiring and tls-name-mismatch, and what
// could not be decided (inconclusive). Pure: the scan reads services and certificates, this judges.
import { exceptionFor, pinText, type Expectation } from '../settings/rules.js';
import { rangesContain } from '../settings/ports.js';
import { classifyTarget } from '../settings/targets.js';
import type {
  BehindChecks,
  Certificate,
  Finding,
  ObservedAddress,
  ObservedPort,
  Protocol,
  Rule,
  Service,
  ServicePin,
} from '../base/types.js';

export const DEFAULT_CHECKS: BehindChecks = { tlsExpiryDays: 14, tlsCheck: 'marked' };

const DAY_MS = 24 * 3600 * 1000;

/** The pins and the TLS mark the rules put on one port. */
export interface PortChecks {
  pins: ServicePin[];
  tls: boolean;
}

/** What the rules that apply to an address ask of one of its ports. */
export function checksOn(exp: Expectation, port: number, protocol: Protocol): PortChecks {
  const out: PortChecks = { pins: [], tls: false };
  for (const rule of exp.rules) {
    for (const p of rule.ports) {
      if (!rangesContain([p], port, protocol)) continue;
      if (p.service && !out.pins.some((q) => samePin(q, p.service!))) out.pins.push(p.service);
      if (p.tls) out.tls = true;
    }
  }
  return out;
}

const samePin = (a: ServicePin, b: ServicePin): boolean =>
  a.name === b.name && (a.product ?? '') === (b.product ?? '');

/** Do any of the rules ask what is behind a port: a pin, a TLS mark, or tls-check: all? */
export function wantsVersion(rules: readonly Rule[], checks: BehindChecks): boolean {
  return checks.tlsCheck === 'all' || rules.some((r) => r.ports.some((p) => p.service || p.tls));
}

/** Do the rules ask for certificates anywhere? Then version detection runs nmap's ssl-cert too. */
export function wantsCertificates(rules: readonly Rule[], checks: BehindChecks): boolean {
  return checks.tlsCheck === 'all' || rules.some((r) => r.ports.some((p) => p.tls));
}

/** nmap's names for an HTTP server, and for one over TLS: one service to a pin. */
const HTTP_NAMES = new Set(['http', 'http-alt', 'http-proxy']);
const HTTPS_NAMES = new Set([
  'https',
  'https-alt',
  'ssl/http',
  'ssl/http-alt',
  'ssl/http-proxy',
  'ssl/https',
]);

/** A service as a pin names it: nmap's name, `ssl/NAME` when wrapped in TLS, `https` for HTTP over TLS. */
export function serviceLabel(service: Service): string {
  const name = (service.name ?? '').toLowerCase();
  const label = service.tunnel === 'ssl' && !name.startsWith('ssl/') ? `ssl/${name}` : name;
  if (HTTPS_NAMES.has(label)) return 'https';
  return HTTP_NAMES.has(label) ? 'http' : label;
}

/** Has version detection told what listens (not guessed from the port number, nor given up)? */
export function identified(service: Service | undefined): service is Service {
  const name = service?.name?.toLowerCase() ?? '';
  return (
    service?.method === 'probed' && name !== '' && !/^(ssl\/)?(unknown|tcpwrapped)$/.test(name)
  );
}

/** Does a service meet a pin? `unknown` when its product was not read and the pin names one. */
export function meetsPin(pin: ServicePin, service: Service): 'yes' | 'no' | 'unknown' {
  if (serviceLabel({ name: pin.name }) !== serviceLabel(service)) return 'no';
  if (!pin.product) return 'yes';
  if (!service.product) return 'unknown';
  return service.product.toLowerCase().includes(pin.product.toLowerCase()) ? 'yes' : 'no';
}

/** What nmap found, short: `ssh (OpenSSH 9.2p1)`. Untrusted text: escaped wherever it is shown. */
export function serviceText(service: Service): string {
  const product = [service.product, service.version].filter(Boolean).join(' ');
  return product ? `${serviceLabel(service)} (${product})` : serviceLabel(service);
}

/** Is a DNS name one of a certificate's names (a `*.` name covers one leftmost label)? */
export function certificateCovers(names: readonly string[], host: string): boolean {
  const want = host.toLowerCase().replace(/\.$/, '');
  return names.some((raw) => {
    const name = raw.toLowerCase().replace(/\.$/, '');
    if (name === want) return true;
    if (!name.startsWith('*.')) return false;
    const dot = want.indexOf('.');
    return dot > 0 && want.slice(dot + 1) === name.slice(2);
  });
}

type Base = Pick<Finding, 'target' | 'address' | 'port' | 'protocol'>;

function serviceFindings(base: Base, pins: readonly ServicePin[], p: ObservedPort): Finding[] {
  if (pins.length === 0) return [];
  const service = p.service;
  if (!identified(service)) {
    return [
      {
        ...base,
        kind: 'inconclusive',
        expected: pins.map(pinText).join(' and '),
        observed: 'not identified',
        ...(service ? { service } : {}),
        detail: `version detection could not tell what listens on ${base.port}/${base.protocol} (it did not run to the end, or the service did not answer any of its probes), so the pinned service is not checked`,
      },
    ];
  }
  for (const pin of pins) {
    const met = meetsPin(pin, service);
    if (met === 'yes') continue;
    return [
      {
        ...base,
        kind: met === 'no' ? 'service-changed' : 'inconclusive',
        expected: pinText(pin),
        observed: serviceText(service),
        service,
        ...(met === 'unknown'
          ? {
              detail: `version detection named the service but not its product, so '${pin.product ?? ''}' is not checked`,
            }
          : {}),
      },
    ];
  }
  return [];
}

const day = (iso: string): string => iso.slice(0, 10);

function certificateFindings(
  base: Base,
  cert: Certificate | undefined,
  names: readonly string[],
  checks: BehindChecks,
  now: number,
): Finding[] {
  const where = `${base.port}/${base.protocol}`;
  if (!cert) {
    return [
      {
        ...base,
        kind: 'inconclusive',
        expected: 'a TLS certificate',
        observed: 'no certificate',
        detail: `no certificate was read on ${where}: it did not complete a TLS handshake with nmap's ssl-cert script, or version detection did not run to the end`,
      },
    ];
  }
  const out: Finding[] = [];
  const end = cert.notAfter ? Date.parse(cert.notAfter) : NaN;
  if (!Number.isFinite(end)) {
    out.push({
      ...base,
      kind: 'inconclusive',
      expected: 'a readable expiry date',
      observed: 'no date',
      certificate: cert,
      detail: `nmap could not read the dates of the certificate on ${where}`,
    });
  } else if (now >= end) {
    out.push({
      ...base,
      kind: 'tls-expired',
      expected: 'a valid certificate',
      observed: `expired ${cert.notAfter}`,
      certificate: cert,
    });
  } else if (end - now <= checks.tlsExpiryDays * DAY_MS) {
    out.push({
      ...base,
      kind: 'tls-expiring',
      expected: `valid beyond ${day(new Date(now + checks.tlsExpiryDays * DAY_MS).toISOString())}`,
      observed: `expires ${cert.notAfter}`,
      certificate: cert,
    });
  }
  for (const name of names) {
    if (certificateCovers(cert.names, name)) continue;
    out.push({
      ...base,
      target: name,
      kind: 'tls-name-mismatch',
      expected: `a certificate for ${name}`,
      observed: cert.names.length ? `for ${cert.names.join(', ')}` : 'no DNS name',
      certificate: cert,
    });
  }
  return out;
}

/** Does a port get its certificate checked: marked `tls`, or found speaking TLS with tls-check: all. */
function checksCertificate(p: ObservedPort, marked: boolean, checks: BehindChecks): boolean {
  if (marked) return true;
  if (checks.tlsCheck !== 'all' || p.protocol !== 'tcp') return false;
  return p.certificate !== undefined || (p.service?.tunnel === 'ssl' && identified(p.service));
}

/**
 * The findings behind an up address's allowed open ports, and those an exception in force accepts
 * (until its date, as it accepts an open port). A finding past its exception's end says so.
 */
export function behindFindings(
  obs: ObservedAddress,
  exp: Expectation,
  checks: BehindChecks,
  now: number,
): { findings: Finding[]; accepted: Finding[] } {
  const out = { findings: [] as Finding[], accepted: [] as Finding[] };
  if (obs.status !== 'up' || obs.everyPort) return out;
  const names = obs.targets.filter((t) => {
    const target = classifyTarget(t);
    return typeof target !== 'string' && target.kind === 'hostname';
  });
  for (const p of obs.ports) {
    if (p.state !== 'open' || !rangesContain(exp.allowed, p.port, p.protocol)) continue;
    const asked = checksOn(exp, p.port, p.protocol);
    const base: Base = {
      target: obs.targets[0] ?? obs.address,
      address: obs.address,
      port: p.port,
      protocol: p.protocol,
    };
    const found = [
      ...serviceFindings(base, asked.pins, p),
      ...(checksCertificate(p, asked.tls, checks)
        ? certificateFindings(base, p.certificate, names, checks, now)
        : []),
    ];
    const accepting = exceptionFor(exp.accepted, p.port, p.protocol);
    const ended = exceptionFor(exp.expired, p.port, p.protocol);
    for (const f of found) {
      if (accepting && f.kind !== 'inconclusive') out.accepted.push(f);
      else if (ended && f.kind !== 'inconclusive') {
        out.findings.push({ ...f, expiredException: { ...ended.exception, source: ended.source } });
      } else out.findings.push(f);
    }
  }
  return out;
}

/**
 * A certificate in one line: `subject CN=…; names a, b; issuer CN=…; valid 2026-01-01T00:00:00Z to
 * 2026-04-01T00:00:00Z`. Its text comes from the scanned host: escaped wherever it is shown.
 */
export function certificateText(cert: Certificate): string {
  return [
    `subject ${cert.subject || '(none)'}`,
    `names ${cert.names.length ? cert.names.join(', ') : '(none)'}`,
    `issuer ${cert.issuer || '(none)'}`,
    `valid ${cert.notBefore ?? '?'} to ${cert.notAfter ?? '?'}`,
  ].join('; ');
}
