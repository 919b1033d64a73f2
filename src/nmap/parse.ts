// Reads nmap XML (any version from 4.x on, written by anyone) into a typed NmapRun. Pure.
// No entity is expanded but XML's five and numeric references; nmap writes each byte it will not
// print as `&#xNN;`, so runs of those are decoded as UTF-8 bytes, not as Latin-1 code points.
import ipaddr from 'ipaddr.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type {
  Certificate,
  NmapExtraPorts,
  NmapHost,
  NmapPort,
  NmapRun,
  NmapScanInfo,
  NmapTargetNote,
  Service,
} from '../base/types.js';

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Entities are decoded by decodeText below, which knows nmap's byte references.
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Every element is an array, so that one host, one port or one address reads like many.
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const utf8 = new TextDecoder('utf-8');

/** XML's five entities and numeric references; references below 256 are bytes of UTF-8 text. */
export function decodeText(raw: string): string {
  if (!raw.includes('&')) return raw;
  let out = '';
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length) out += utf8.decode(Uint8Array.from(bytes));
    bytes = [];
  };
  const re = /&(?:#x([0-9a-f]+)|#([0-9]+)|([a-z]+));/gi;
  let last = 0;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    if (m.index > last) {
      flush();
      out += raw.slice(last, m.index);
    }
    last = m.index + m[0].length;
    const code = m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? Number(m[2]) : NaN;
    if (m[3] !== undefined) {
      flush();
      // Any other named entity stays as written: nothing is ever looked up or expanded.
      out += NAMED[m[3]] ?? m[0];
    } else if (code < 256) {
      bytes.push(code);
    } else {
      flush();
      out += code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
    }
  }
  flush();
  return out + raw.slice(last);
}

function all(node: unknown, name: string): Node[] {
  const value = (node as Node | undefined)?.[name];
  return Array.isArray(value) ? (value as Node[]) : [];
}

function first(node: unknown, name: string): Node | undefined {
  return all(node, name)[0];
}

function attr(node: Node | undefined, name: string): string | undefined {
  const value = node?.[`@${name}`];
  return typeof value === 'string' ? decodeText(value) : undefined;
}

function num(node: Node | undefined, name: string): number | undefined {
  const text = attr(node, name);
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Drops a DOCTYPE with its internal subset: no entity a file declares is ever expanded. */
function withoutDoctype(xml: string): string {
  return xml.replace(/<!DOCTYPE\s[^[>]*(?:\[[\s\S]*?\]\s*)?>/gi, '');
}

/**
 * A file that ends before `</nmaprun>` (nmap killed, or still running) is cut back to its last
 * complete host and closed, so that every host nmap finished is read.
 */
function closeTruncated(xml: string): string {
  const lastHost = xml.lastIndexOf('</host>');
  let body: string;
  if (lastHost >= 0) {
    body = xml.slice(0, lastHost + '</host>'.length);
  } else {
    const hostStart = xml.search(/<host[\s>]/);
    const head = hostStart >= 0 ? xml.slice(0, hostStart) : xml;
    body = head.slice(0, head.lastIndexOf('>') + 1);
  }
  return `${body}</nmaprun>`;
}

function service(node: Node | undefined): Service | undefined {
  if (!node) return undefined;
  const out: Service = {};
  for (const key of ['name', 'product', 'version', 'extrainfo', 'method', 'tunnel'] as const) {
    const value = attr(node, key);
    if (value) out[key] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

/** The text of an element: `<elem key="commonName">web</elem>`. */
function textOf(node: Node | undefined): string | undefined {
  const value = node?.['#text'];
  return typeof value === 'string' ? decodeText(value) : undefined;
}

/** `<elem key=K>` and `<table key=K>` children of a script's table, by key. */
function keyed(node: Node | undefined, kind: 'elem' | 'table', key: string): Node | undefined {
  return all(node, kind).find((n) => attr(n, 'key') === key);
}

const NAME_FIELDS: Record<string, string> = {
  commonName: 'CN',
  organizationName: 'O',
  organizationalUnitName: 'OU',
  countryName: 'C',
  stateOrProvinceName: 'ST',
  localityName: 'L',
};

/** A subject or issuer table as `CN=web.example.com, O=Example`. */
function distinguishedName(table: Node | undefined): string {
  return all(table, 'elem')
    .map((e) => {
      const key = attr(e, 'key') ?? '?';
      return `${NAME_FIELDS[key] ?? key}=${textOf(e) ?? ''}`;
    })
    .join(', ');
}

/**
 * nmap writes a certificate's dates as `2026-12-07T04:39:04` (UTC, no zone); older versions add a
 * zone, and a date it cannot read is written as its own message. ISO 8601 in UTC, or undefined.
 */
export function certificateDate(text: string | undefined): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(Z|[+-]\d{2}:?\d{2})?$/.exec(
    text?.trim() ?? '',
  );
  if (!m) return undefined;
  const zone = !m[3] || m[3] === 'Z' ? 'Z' : m[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const at = Date.parse(`${m[1]}T${m[2]}${zone}`);
  return Number.isFinite(at) ? new Date(at).toISOString().replace('.000Z', 'Z') : undefined;
}

/** The DNS names of a subjectAltName value, `DNS:a.example, DNS:*.example, IP Address:…`. */
function altNames(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^DNS:/i.test(s))
    .map((s) => s.slice(4).trim());
}

/** What nmap's ssl-cert script read: from its structured output (nmap 6.x on). */
function certificate(script: Node): Certificate | undefined {
  const subject = keyed(script, 'table', 'subject');
  const validity = keyed(script, 'table', 'validity');
  if (!subject && !validity) return undefined;
  const extensions = all(keyed(script, 'table', 'extensions'), 'table');
  const san = extensions.find(
    (t) => textOf(keyed(t, 'elem', 'name')) === 'X509v3 Subject Alternative Name',
  );
  const sanNames = altNames(textOf(keyed(san, 'elem', 'value')) ?? '');
  const cn = textOf(keyed(subject, 'elem', 'commonName'));
  const notBefore = certificateDate(textOf(keyed(validity, 'elem', 'notBefore')));
  const notAfter = certificateDate(textOf(keyed(validity, 'elem', 'notAfter')));
  return {
    subject: distinguishedName(subject),
    names: sanNames.length > 0 ? sanNames : cn ? [cn] : [],
    issuer: distinguishedName(keyed(script, 'table', 'issuer')),
    ...(notBefore ? { notBefore } : {}),
    ...(notAfter ? { notAfter } : {}),
  };
}

function port(node: Node): NmapPort | undefined {
  const id = num(node, 'portid');
  const state = first(node, 'state');
  if (id === undefined || !state) return undefined;
  const svc = service(first(node, 'service'));
  const scripts = all(node, 'script').map((s) => ({
    id: attr(s, 'id') ?? '',
    output: attr(s, 'output') ?? '',
  }));
  const sslCert = all(node, 'script').find((s) => attr(s, 'id') === 'ssl-cert');
  const cert = sslCert ? certificate(sslCert) : undefined;
  return {
    protocol: attr(node, 'protocol') ?? 'tcp',
    port: id,
    state: attr(state, 'state') ?? 'unknown',
    reason: attr(state, 'reason') ?? '',
    ...(svc ? { service: svc } : {}),
    ...(scripts.length ? { scripts } : {}),
    ...(cert ? { certificate: cert } : {}),
  };
}

/**
 * Old nmap (before 5.x) wrote `<extraports>` without a protocol. When a run scanned TCP and UDP,
 * each block goes to the protocol whose unlisted port count it fits.
 */
function assignProtocols(
  extraports: NmapExtraPorts[],
  ports: readonly NmapPort[],
  scanInfo: readonly NmapScanInfo[],
): void {
  const remaining = new Map<string, number>();
  for (const info of scanInfo) {
    const listed = ports.filter((p) => p.protocol === info.protocol).length;
    remaining.set(info.protocol, (remaining.get(info.protocol) ?? 0) + info.numservices - listed);
  }
  for (const block of extraports) {
    if (block.protocol) {
      remaining.set(block.protocol, (remaining.get(block.protocol) ?? 0) - block.count);
    }
  }
  for (const block of extraports) {
    if (block.protocol) continue;
    const candidates = [...remaining].filter(([, left]) => left >= block.count);
    const exact = candidates.find(([, left]) => left === block.count);
    const chosen =
      exact?.[0] ??
      (candidates.length === 1 ? candidates[0]?.[0] : undefined) ??
      (block.state === 'open|filtered' && remaining.has('udp') ? 'udp' : undefined) ??
      scanInfo[0]?.protocol ??
      'tcp';
    block.protocol = chosen;
    remaining.set(chosen, (remaining.get(chosen) ?? 0) - block.count);
  }
}

function host(node: Node, scanInfo: readonly NmapScanInfo[]): NmapHost {
  const status = first(node, 'status');
  const portsNode = first(node, 'ports');
  const ports = all(portsNode, 'port').flatMap((p) => port(p) ?? []);
  const extraports: NmapExtraPorts[] = all(portsNode, 'extraports').map((e) => {
    const reasonNodes = all(e, 'extrareasons');
    const reasons = reasonNodes.map((r) => {
      const list = attr(r, 'ports');
      return {
        reason: attr(r, 'reason') ?? '',
        count: num(r, 'count') ?? 0,
        ...(list ? { ports: list } : {}),
      };
    });
    const protocol = reasonNodes.map((r) => attr(r, 'proto')).find(Boolean);
    return {
      state: attr(e, 'state') ?? 'unknown',
      count: num(e, 'count') ?? 0,
      reasons,
      ...(protocol ? { protocol } : {}),
    };
  });
  assignProtocols(extraports, ports, scanInfo);
  const timesNode = first(node, 'times');
  const srtt = num(timesNode, 'srtt');
  const to = num(timesNode, 'to');
  return {
    addresses: all(node, 'address').map((a) => ({
      addr: attr(a, 'addr') ?? '',
      addrtype: attr(a, 'addrtype') ?? 'ipv4',
    })),
    hostnames: all(first(node, 'hostnames'), 'hostname').map((h) => {
      const type = attr(h, 'type');
      return { name: attr(h, 'name') ?? '', ...(type ? { type } : {}) };
    }),
    status: attr(status, 'state') ?? 'unknown',
    reason: attr(status, 'reason') ?? '',
    ports,
    extraports,
    ...(srtt !== undefined && to !== undefined ? { times: { srtt, to } } : {}),
  };
}

/** An IP address nmap wrote must be one: the file is named, and the host, when it is not. */
function checkedAddresses(h: NmapHost, source: string, index: number): NmapHost {
  for (const a of h.addresses) {
    const ok =
      a.addrtype === 'ipv4'
        ? ipaddr.IPv4.isValidFourPartDecimal(a.addr)
        : a.addrtype === 'ipv6'
          ? ipaddr.IPv6.isValid(a.addr)
          : true;
    if (!ok) {
      const shown = /^[\w.:%/-]{1,60}$/.test(a.addr) ? `'${a.addr}'` : 'a value';
      throw new Error(
        `${source} is not nmap XML as nmap writes it: host ${index + 1} has ${shown} as its ${a.addrtype} address. Give the file nmap wrote with -oX, unchanged.`,
      );
    }
  }
  return h;
}

/** Parses one nmap XML document; `source` names it in errors. Throws when it is not nmap XML. */
export function parseNmapXml(xml: string, source = 'nmap XML'): NmapRun {
  const complete = /<\/nmaprun\s*>/.test(xml);
  const root = nmaprunOf(xml, complete, source);
  const scanInfo: NmapScanInfo[] = all(root, 'scaninfo').map((s) => ({
    type: attr(s, 'type') ?? '',
    protocol: attr(s, 'protocol') ?? '',
    numservices: num(s, 'numservices') ?? 0,
    services: attr(s, 'services') ?? '',
  }));
  const targets: NmapTargetNote[] = all(root, 'target').map((t) => ({
    specification: attr(t, 'specification') ?? '',
    status: attr(t, 'status') ?? '',
    reason: attr(t, 'reason') ?? '',
  }));
  const runstats = first(root, 'runstats');
  const finishedNode = first(runstats, 'finished');
  const hostsNode = first(runstats, 'hosts');
  return {
    version: attr(root, 'version') ?? '',
    args: attr(root, 'args') ?? '',
    scanInfo,
    hosts: all(root, 'host').map((h, i) => checkedAddresses(host(h, scanInfo), source, i)),
    targets,
    complete,
    ...(finishedNode ? { finished: finishedOf(finishedNode) } : {}),
    ...(hostsNode
      ? {
          hostCounts: {
            up: num(hostsNode, 'up') ?? 0,
            down: num(hostsNode, 'down') ?? 0,
            total: num(hostsNode, 'total') ?? 0,
          },
        }
      : {}),
  };
}

/** The document's <nmaprun>; `source` names the file in errors. */
function nmaprunOf(xml: string, complete: boolean, source: string): Node {
  const prepared = withoutDoctype(complete ? xml : closeTruncated(xml));
  // The parser takes mismatched tags without a word, and drops what they hold: a file that says it
  // is complete must be well-formed. A cut-off one (nmap stopped) is read as far as it goes.
  if (complete) {
    const valid = XMLValidator.validate(prepared);
    if (valid !== true) {
      throw new Error(
        `${source} is not well-formed XML: ${valid.err.msg.replace(/\.$/, '')}, line ${valid.err.line}. Give the file nmap wrote with -oX, unchanged.`,
      );
    }
  }
  let doc: Node;
  try {
    doc = parser.parse(prepared) as Node;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${source} is not well-formed XML: ${why}`, { cause: error });
  }
  const root = first(doc, 'nmaprun');
  if (!root) {
    throw new Error(`${source} is not nmap XML: it has no <nmaprun> element`);
  }
  return root;
}

/** <runstats><finished>: how long nmap ran and how it ended. */
function finishedOf(node: Node): NonNullable<NmapRun['finished']> {
  const finished: NonNullable<NmapRun['finished']> = {};
  const elapsed = num(node, 'elapsed');
  if (elapsed !== undefined) finished.elapsed = elapsed;
  for (const key of ['exit', 'errormsg'] as const) {
    const value = attr(node, key);
    if (value) finished[key] = value;
  }
  return finished;
}
