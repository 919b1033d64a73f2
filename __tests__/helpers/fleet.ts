// A LAN fleet: fake hosts in Linux network namespaces, and a scanner namespace that reaches them
// across one bridge. plan() checks the hosts and works out their addresses, nft rules and
// listeners; createFleet() builds them on the namespaces and run bookkeeping of netns.ts.
//
// Topology of one fleet (id `pdt-<6 hex>`):
//
//   <id>-lan      holds bridge br0 and one end of every veth pair; IPv6 off, no addresses at all
//   <id>-scanner  eth0: 203.0.113.254/24, 2001:db8::fe/64 (where nmap and the action run)
//   <id>-<host>   eth0: the host's addresses, nft rules, and a listener process (listener.mjs)
//
// Network safety: only 203.0.113.0/24 and 2001:db8::/64 (documentation ranges) are ever
// configured (docAddress() rejects anything else); no namespace has a default route, router
// advertisements are ignored, every namespace gets a resolv.conf pointing at its own loopback,
// and nothing is created in the initial namespace (netns.ts's addNamespace() and plug()).
//
// Cleanup: destroy() (call it in after()) tears a fleet down; netns.ts's exit/signal handler and
// sweep remove whatever a run that could not call it left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { BlockList, SocketAddress, isIPv4, isIPv6 } from 'node:net';
import { join, resolve } from 'node:path';
import { must, runCommand, type ExecOptions, type ExecResult } from './exec.js';
import {
  NETNS_ETC,
  addNamespace,
  beginRun,
  canBuildFleets,
  checkTools,
  installHandlers,
  newRunId,
  plug,
  sweepStaleFleets,
  type LiveFleet,
} from './netns.js';
import { repoRoot } from './paths.js';

// ---------------------------------------------------------------------------------------------
// Public types

export interface TcpListenerSpec {
  port: number;
  /** Written on connect. A string is sent as UTF-8; a Uint8Array as raw bytes. */
  banner?: string | Uint8Array;
  /** Answer every request as a web server with this Server header (`nginx/1.25.3`). */
  http?: string;
  /** Speak TLS first, with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
  /** Listen on the host's IPv4 address only. */
  ipv4Only?: boolean;
  /** Listen on the host's IPv6 address only. */
  ipv6Only?: boolean;
}

export interface UdpListenerSpec {
  port: number;
  /** Sent back for every datagram. Without it the port is bound but silent (open|filtered). */
  reply?: string | Uint8Array;
}

export interface HostSpec<N extends string = string> {
  /** Short logical name: letters, digits, `_`, `-`; not `lan` or `scanner`. */
  name: N;
  /** In 203.0.113.0/24 (not .0, .250, .254, .255). At least one of ipv4/ipv6 is required. */
  ipv4?: string;
  /** In 2001:db8::/64 (not ::fa, ::fe). */
  ipv6?: string;
  /** TCP listeners, on every address of the host unless ipv4Only/ipv6Only. */
  tcp?: readonly (number | TcpListenerSpec)[];
  /** UDP listeners, on every address of the host. */
  udp?: readonly (number | UdpListenerSpec)[];
  /** Inbound TCP to these ports is silently dropped by nft (the listener still runs behind it). */
  dropTcp?: readonly number[];
  /** Default-drop everything inbound except loopback, established/related and IPv6 neighbour
   *  discovery (the IPv6 analogue of ARP, which nft's inet family never sees anyway). */
  dropAll?: boolean;
  /** Drop this percentage (0-100) of inbound packets at random (`numgen random mod 100 < N`). */
  lossPercent?: number;
  /** More nft rules for the host's input chain, one statement each, as written. */
  nft?: readonly string[];
}

export interface FleetHost {
  ns: string;
  ipv4?: string;
  ipv6?: string;
}

export interface CreateFleetOptions {
  /** Name → addresses, visible as /etc/hosts inside the scanner namespace only. An address may
   *  also be the IPv4-mapped IPv6 form (::ffff:a.b.c.d) of a documentation IPv4 address. */
  hostsFile?: Record<string, string[]>;
  /** The scanner namespace's resolv.conf, instead of one that keeps DNS on its loopback. Its
   *  nameservers must be loopback addresses. */
  resolvConf?: string;
  /** How long to wait for every listener to print READY; default 15 s. */
  readyTimeoutMs?: number;
  /**
   * More scanner namespaces on the same LAN, each `<id>-<name>`, with the addresses given (and the
   * hosts file): a scanner without `ipv6` has only a link-local IPv6 address, like a
   * GitHub-hosted runner, so it has no IPv6 route. Run in one with `execIn(name, ...)`.
   */
  scanners?: readonly ScannerSpec[];
}

export interface ScannerSpec {
  /** Letters, digits, `_`, `-`; not a host's name, not `lan` or `scanner`. */
  name: string;
  /** In 203.0.113.0/24, not taken by a host. */
  ipv4?: string;
  /** In 2001:db8::/64, not taken by a host. */
  ipv6?: string;
}

export interface Fleet<N extends string = string> {
  /** Unique run id, `pdt-<6 hex>`; every namespace of this fleet is named `<id>-...`. */
  readonly id: string;
  /** Namespace holding the bridge. */
  readonly lanNs: string;
  /** Namespace the action (and nmap) runs in. */
  readonly scannerNs: string;
  readonly scanner: { readonly ipv4: string; readonly ipv6: string };
  readonly hosts: Readonly<Record<N, FleetHost>>;
  /** The scanners of `scanners`, by name. */
  readonly scanners: Readonly<Record<string, FleetHost>>;
  /** An address on the LAN where nothing answers (not even ARP). */
  readonly unusedIpv4: string;
  /** The same for IPv6 (no neighbour advertisement). */
  readonly unusedIpv6: string;
  /** Every namespace of the fleet, lan last. */
  readonly namespaces: readonly string[];
  /** Run argv inside the scanner namespace. */
  exec(args: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Stops a host's listeners and starts these TCP ones instead (its UDP ones again): a service replaced. */
  replaceTcp(host: N, tcp: readonly (number | TcpListenerSpec)[]): Promise<void>;
  /** Run argv inside one of the fleet's namespaces, given by namespace or host name. */
  execIn(nsOrHost: N | string, args: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** A host's address of that family (default 4); throws when it has none. */
  address(host: N, family?: 4 | 6): string;
  /** Kill listeners and anything else in the namespaces, delete them and all files. Idempotent. */
  destroy(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Constants

export const SCANNER_IPV4 = '203.0.113.254';
export const SCANNER_IPV6 = '2001:db8::fe';
export const UNUSED_IPV4 = '203.0.113.250';
export const UNUSED_IPV6 = '2001:db8::fa';
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const RESERVED = new Set(['lan', 'scanner']);

export const listenerScript = resolve(repoRoot, '__tests__/helpers/listener.mjs');

const docRanges = new BlockList();
docRanges.addSubnet('203.0.113.0', 24, 'ipv4');
docRanges.addSubnet('2001:db8::', 64, 'ipv6');

/** Canonical form of a documentation address; throws for anything else. */
export function docAddress(addr: string, family: 4 | 6): string {
  const ok = family === 4 ? isIPv4(addr) : isIPv6(addr) && !addr.includes('%');
  if (!ok) throw new Error(`not an IPv${family} address: ${JSON.stringify(addr)}`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const canonical = new SocketAddress({ address: addr, family: type }).address;
  if (!docRanges.check(canonical, type)) {
    throw new Error(
      `refusing ${addr}: fleet addresses must be in 203.0.113.0/24 or 2001:db8::/64 (documentation ranges)`,
    );
  }
  return canonical;
}

// ---------------------------------------------------------------------------------------------
// Planning

export interface PlannedHost {
  name: string;
  ns: string;
  ipv4?: string;
  ipv6?: string;
  tcp: {
    address: string;
    port: number;
    banner?: string;
    http?: string;
    tls?: { cert: string; key: string };
  }[];
  udp: { address: string; port: number; reply?: string }[];
  nft?: string;
}

function checkPort(port: unknown, what: string): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${what}: bad port ${String(port)}`);
  }
  return port;
}

const b64 = (v: string | Uint8Array | undefined): string | undefined =>
  v === undefined ? undefined : Buffer.from(v).toString('base64');

function nftRules(spec: HostSpec): string | undefined {
  const drop = spec.dropTcp ?? [];
  const loss = spec.lossPercent ?? 0;
  const extra = spec.nft ?? [];
  if (!spec.dropAll && drop.length === 0 && loss === 0 && extra.length === 0) return undefined;
  if (!(Number.isInteger(loss) && loss >= 0 && loss <= 100)) {
    throw new Error(`host ${spec.name}: lossPercent must be an integer 0-100`);
  }
  const lines = [
    'table inet portdrift {',
    '  chain input {',
    `    type filter hook input priority filter; policy ${spec.dropAll ? 'drop' : 'accept'};`,
    '    iif "lo" accept',
  ];
  if (loss > 0) lines.push(`    numgen random mod 100 < ${loss} drop`);
  for (const rule of extra) lines.push(`    ${rule}`);
  if (spec.dropAll) {
    lines.push('    ct state established,related accept');
    lines.push(
      '    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept',
    );
  }
  if (drop.length > 0) {
    lines.push(
      `    tcp dport { ${drop.map((p) => checkPort(p, `host ${spec.name} dropTcp`)).join(', ')} } drop`,
    );
  }
  lines.push('  }', '}', '');
  return lines.join('\n');
}

/** A host's TCP listeners as listener.mjs takes them: one per port and address. */
function tcpListeners(
  name: string,
  specs: readonly (number | TcpListenerSpec)[],
  ipv4: string | undefined,
  ipv6: string | undefined,
): PlannedHost['tcp'] {
  const tcp: PlannedHost['tcp'] = [];
  for (const t of specs) {
    const l = typeof t === 'number' ? { port: t } : t;
    const port = checkPort(l.port, `host ${name} tcp`);
    if (l.ipv4Only && l.ipv6Only)
      throw new Error(`host ${name} tcp ${port}: ipv4Only and ipv6Only`);
    const addrs = [l.ipv6Only ? undefined : ipv4, l.ipv4Only ? undefined : ipv6].filter(
      (a): a is string => a !== undefined,
    );
    if (addrs.length === 0) throw new Error(`host ${name} tcp ${port}: no address of that family`);
    const banner = b64(l.banner);
    for (const address of addrs) {
      tcp.push({
        address,
        port,
        ...(banner !== undefined && { banner }),
        ...(l.http !== undefined && { http: l.http }),
        ...(l.tls !== undefined && { tls: l.tls }),
      });
    }
  }
  return tcp;
}

export function plan(id: string, specs: readonly HostSpec[]): PlannedHost[] {
  const seenNames = new Set<string>();
  const seenAddrs = new Set<string>([SCANNER_IPV4, SCANNER_IPV6, UNUSED_IPV4, UNUSED_IPV6]);
  const reservedV4 = new Set(['203.0.113.0', '203.0.113.255']);
  return specs.map((spec) => {
    if (!NAME_RE.test(spec.name) || RESERVED.has(spec.name)) {
      throw new Error(
        `bad host name ${JSON.stringify(spec.name)} (letters, digits, _ -; not lan/scanner)`,
      );
    }
    if (seenNames.has(spec.name)) throw new Error(`duplicate host name ${spec.name}`);
    seenNames.add(spec.name);
    const ipv4 = spec.ipv4 === undefined ? undefined : docAddress(spec.ipv4, 4);
    const ipv6 = spec.ipv6 === undefined ? undefined : docAddress(spec.ipv6, 6);
    if (!ipv4 && !ipv6) throw new Error(`host ${spec.name} needs ipv4 or ipv6`);
    for (const a of [ipv4, ipv6]) {
      if (a === undefined) continue;
      if (seenAddrs.has(a) || reservedV4.has(a)) {
        throw new Error(`host ${spec.name}: address ${a} is taken or reserved`);
      }
      seenAddrs.add(a);
    }
    const tcp = tcpListeners(spec.name, spec.tcp ?? [], ipv4, ipv6);
    const udp: PlannedHost['udp'] = [];
    for (const u of spec.udp ?? []) {
      const l = typeof u === 'number' ? { port: u } : u;
      const port = checkPort(l.port, `host ${spec.name} udp`);
      const reply = b64(l.reply);
      for (const address of [ipv4, ipv6]) {
        if (address !== undefined)
          udp.push({ address, port, ...(reply !== undefined && { reply }) });
      }
    }
    const nft = nftRules(spec);
    return {
      name: spec.name,
      ns: `${id}-${spec.name}`,
      ...(ipv4 !== undefined && { ipv4 }),
      ...(ipv6 !== undefined && { ipv6 }),
      tcp,
      udp,
      ...(nft !== undefined && { nft }),
    };
  });
}

/** The only addresses outside the documentation ranges that a hosts file may give a name. */
const RUNNER_OWN = ['127.0.0.1', '::1', '169.254.169.254'];

export function hostsFileText(map: Record<string, string[]>): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const [name, addrs] of Object.entries(map)) {
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name)) {
      throw new Error(`hostsFile: bad hostname ${JSON.stringify(name)}`);
    }
    for (const a of addrs) {
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a)?.[1];
      // A name may also stand for the runner's own loopback or its metadata address, which
      // port-drift must refuse to scan; a packet to either never leaves the scanner's namespace.
      const line = RUNNER_OWN.includes(a)
        ? a
        : mapped
          ? `::ffff:${docAddress(mapped, 4)}`
          : docAddress(a, a.includes(':') ? 6 : 4);
      lines.push(`${line}\t${name}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** The extra scanners, checked: names and addresses unique across the fleet. */
export function planScanners(
  id: string,
  specs: readonly ScannerSpec[],
  hosts: readonly PlannedHost[],
): (FleetHost & { name: string })[] {
  const names = new Set(hosts.map((h) => h.name));
  const taken = new Set<string>([SCANNER_IPV4, SCANNER_IPV6, UNUSED_IPV4, UNUSED_IPV6]);
  for (const h of hosts) for (const a of [h.ipv4, h.ipv6]) if (a) taken.add(a);
  return specs.map((spec) => {
    if (!NAME_RE.test(spec.name) || RESERVED.has(spec.name) || names.has(spec.name)) {
      throw new Error(`bad or taken scanner name ${JSON.stringify(spec.name)}`);
    }
    names.add(spec.name);
    const ipv4 = spec.ipv4 === undefined ? undefined : docAddress(spec.ipv4, 4);
    const ipv6 = spec.ipv6 === undefined ? undefined : docAddress(spec.ipv6, 6);
    for (const a of [ipv4, ipv6]) {
      if (a === undefined) continue;
      if (taken.has(a)) throw new Error(`scanner ${spec.name}: address ${a} is taken`);
      taken.add(a);
    }
    return {
      name: spec.name,
      ns: `${id}-${spec.name}`,
      ...(ipv4 !== undefined && { ipv4 }),
      ...(ipv6 !== undefined && { ipv6 }),
    };
  });
}

/** Builds the extra scanners' namespaces on the LAN, with the hosts file. */
async function addScanners(
  lanNs: string,
  scanners: readonly (FleetHost & { name: string })[],
  hostsText: string | undefined,
): Promise<void> {
  for (const [i, sc] of scanners.entries()) {
    await addNamespace(sc.ns);
    if (hostsText !== undefined) writeFileSync(join(NETNS_ETC, sc.ns, 'hosts'), hostsText);
    await plug(lanNs, `vx${i}`, sc.ns, sc.ipv4, sc.ipv6);
  }
}

// ---------------------------------------------------------------------------------------------
// Building

/** Starts a planned host's listener.mjs in its namespace; resolves when it prints READY. */
export function startListener(
  host: PlannedHost,
  live: LiveFleet,
  timeoutMs: number,
): Promise<ChildProcess> {
  const config = JSON.stringify({ name: host.name, tcp: host.tcp, udp: host.udp });
  const child = spawn('ip', ['netns', 'exec', host.ns, process.execPath, listenerScript, config], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.children.add(child);
  child.on('exit', () => live.children.delete(child));
  child.stdin.on('error', () => {});
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      finish(
        new Error(`listener ${host.name}: no READY within ${timeoutMs} ms; stderr: ${err.trim()}`),
      );
    }, timeoutMs);
    const finish = (e?: Error): void => {
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.removeListener('exit', onExit);
      // Don't let the listener keep the test process alive; destroy()/exit handler stop it.
      child.unref();
      for (const s of [child.stdin, child.stdout, child.stderr] as unknown as {
        unref?: () => void;
      }[]) {
        s.unref?.();
      }
      if (e) reject(e);
      else resolvePromise(child);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      finish(
        new Error(`listener ${host.name} exited (${code ?? signal}) before READY: ${err.trim()}`),
      );
    };
    child.on('exit', onExit);
    child.on('error', (e) => finish(e));
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString('utf8');
    });
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      if (out.includes('READY')) finish();
    });
  });
}

/** The listeners of a fleet's hosts: started once, and replaced when a test changes a service. */
export function hostListeners(
  planned: readonly PlannedHost[],
  live: LiveFleet,
  timeoutMs: number,
): {
  start: (host: PlannedHost) => Promise<void>;
  replaceTcp: (name: string, tcp: readonly (number | TcpListenerSpec)[]) => Promise<void>;
} {
  const children = new Map<string, ChildProcess>();
  const start = async (host: PlannedHost): Promise<void> => {
    if (host.tcp.length + host.udp.length === 0) return;
    children.set(host.name, await startListener(host, live, timeoutMs));
  };
  return {
    start,
    replaceTcp: async (name, tcp) => {
      const host = planned.find((h) => h.name === name);
      if (!host) throw new Error(`no host ${name}`);
      const old = children.get(name);
      if (old && old.exitCode === null && old.signalCode === null) {
        // The child is unref()ed: a timer keeps the loop alive until its 'exit' is seen.
        const keep = setInterval(() => {}, 1000);
        const gone = new Promise<void>((done) => old.once('exit', () => done()));
        old.kill('SIGTERM');
        await gone.finally(() => clearInterval(keep));
      }
      await start({ ...host, tcp: tcpListeners(name, tcp, host.ipv4, host.ipv6) });
    },
  };
}

/**
 * Builds a fleet: the lan namespace with its bridge, the scanner namespace and one namespace per
 * host, with addresses, nft rules and listeners; resolves when every listener is listening.
 * On failure everything built so far is removed before the error is thrown.
 */
export async function createFleet<const N extends string>(
  hosts: readonly HostSpec<N>[],
  opts: CreateFleetOptions = {},
): Promise<Fleet<N>> {
  if (canBuildFleets !== true) throw new Error(`cannot build fleets here: ${canBuildFleets}`);
  checkTools();
  sweepStaleFleets();
  installHandlers();

  const id = newRunId();
  const planned = plan(id, hosts);
  const extra = planScanners(id, opts.scanners ?? [], planned);
  const hostsText = opts.hostsFile ? hostsFileText(opts.hostsFile) : undefined;
  const lanNs = `${id}-lan`;
  const scannerNs = `${id}-scanner`;
  const namespaces = [scannerNs, ...extra.map((x) => x.ns), ...planned.map((h) => h.ns), lanNs];
  const run = beginRun(id, namespaces);
  const { live, destroy } = run;
  const listeners = hostListeners(planned, live, opts.readyTimeoutMs ?? 15_000);

  try {
    await addNamespace(lanNs, true);
    await must(['ip', '-n', lanNs, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    await must(['ip', '-n', lanNs, 'link', 'set', 'br0', 'up']);

    await addNamespace(scannerNs);
    if (hostsText !== undefined) writeFileSync(join(NETNS_ETC, scannerNs, 'hosts'), hostsText);
    if (opts.resolvConf !== undefined) {
      for (const m of opts.resolvConf.matchAll(/^\s*nameserver\s+(\S+)/gm)) {
        if (!/^127\./.test(m[1] ?? '')) throw new Error(`resolvConf: ${m[1]} is not loopback`);
      }
      writeFileSync(join(NETNS_ETC, scannerNs, 'resolv.conf'), opts.resolvConf);
    }
    await plug(lanNs, 'vscan', scannerNs, SCANNER_IPV4, SCANNER_IPV6);
    await addScanners(lanNs, extra, hostsText);

    await Promise.all(
      planned.map(async (h, i) => {
        await addNamespace(h.ns);
        await plug(lanNs, `vh${i}`, h.ns, h.ipv4, h.ipv6);
        if (h.nft !== undefined) await must(['ip', 'netns', 'exec', h.ns, 'nft', '-f', '-'], h.nft);
        await listeners.start(h);
      }),
    );
  } catch (e) {
    await destroy().catch(() => {});
    throw e;
  }

  const hostMap = {} as Record<N, FleetHost>;
  for (const h of planned) {
    hostMap[h.name as N] = {
      ns: h.ns,
      ...(h.ipv4 !== undefined && { ipv4: h.ipv4 }),
      ...(h.ipv6 !== undefined && { ipv6: h.ipv6 }),
    };
  }

  const scanners: Record<string, FleetHost> = {};
  for (const { name, ...host } of extra) scanners[name] = host;
  const execIn = (nsOrHost: string, args: string[], o?: ExecOptions): Promise<ExecResult> => {
    const ns =
      (hostMap as Record<string, FleetHost | undefined>)[nsOrHost]?.ns ??
      scanners[nsOrHost]?.ns ??
      nsOrHost;
    if (!namespaces.includes(ns))
      return Promise.reject(new Error(`not a namespace of fleet ${id}: ${nsOrHost}`));
    if (run.destroyed) return Promise.reject(new Error(`fleet ${id} is destroyed`));
    return runCommand(['ip', 'netns', 'exec', ns, ...args], o);
  };

  return {
    id,
    lanNs,
    scannerNs,
    scanner: { ipv4: SCANNER_IPV4, ipv6: SCANNER_IPV6 },
    hosts: hostMap,
    scanners,
    unusedIpv4: UNUSED_IPV4,
    unusedIpv6: UNUSED_IPV6,
    namespaces,
    exec: (args, o) => execIn(scannerNs, args, o),
    execIn,
    replaceTcp: listeners.replaceTcp,
    address: (host, family = 4) => {
      const h = (hostMap as Record<string, FleetHost | undefined>)[host];
      const a = family === 4 ? h?.ipv4 : h?.ipv6;
      if (a === undefined) throw new Error(`fleet ${id}: host ${host} has no IPv${family} address`);
      return a;
    },
    destroy,
  };
}
