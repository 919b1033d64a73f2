// A fleet of fake hosts in Linux network namespaces, and a scanner namespace that reaches them.
//
// Topology of one fleet (id `pdt-<6 hex>`):
//
//   <id>-lan      holds bridge br0 and one end of every veth pair; IPv6 off, no addresses at all
//   <id>-scanner  eth0: 203.0.113.254/24, 2001:db8::fe/64 (where nmap and the action run)
//   <id>-<host>   eth0: the host's addresses, nft rules, and a listener process (listener.mjs)
//
// Network safety: only 203.0.113.0/24 and 2001:db8::/64 (documentation ranges) are ever
// configured; no namespace has a default route, router advertisements are ignored, every
// namespace gets a resolv.conf pointing at its own loopback; nothing is created in the initial
// namespace (veths are created inside the lan namespace with their peer placed straight into
// the host namespace). Addresses outside those ranges are rejected.
//
// Cleanup: a state file /run/port-drift-fleets/<id>.json (creator PID and its start time) is
// written before the first namespace exists and removed after the last is gone. destroy() (call
// it in after()) tears a fleet down; a process 'exit'/SIGINT/SIGTERM/SIGHUP handler tears down
// synchronously whatever is still up; sweepStaleFleets() (also run by createFleet) removes what
// runs that died without either left behind, never touching a fleet whose creator still lives.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  renameSync,
} from 'node:fs';
import { BlockList, SocketAddress, isIPv4, isIPv6 } from 'node:net';
import { join, resolve } from 'node:path';
import { repoRoot } from './paths.js';

// ---------------------------------------------------------------------------------------------
// Public types

export interface TcpListenerSpec {
  port: number;
  /** Written on connect. A string is sent as UTF-8; a Uint8Array as raw bytes. */
  banner?: string | Uint8Array;
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

export interface ExecOptions {
  /** Kill the command (SIGKILL) after this long; default 120 s. */
  timeoutMs?: number;
  /** Environment variables added to (or, when undefined, removed from) the inherited env. */
  env?: Record<string, string | undefined>;
  /** Written to the command's stdin, which is then closed. */
  input?: string | Uint8Array;
  cwd?: string;
}

export interface ExecResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface CreateFleetOptions {
  /** Name → addresses, visible as /etc/hosts inside the scanner namespace only. */
  hostsFile?: Record<string, string[]>;
  /** How long to wait for every listener to print READY; default 15 s. */
  readyTimeoutMs?: number;
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
  /** An address on the LAN where nothing answers (not even ARP). */
  readonly unusedIpv4: string;
  /** The same for IPv6 (no neighbour advertisement). */
  readonly unusedIpv6: string;
  /** Every namespace of the fleet, lan last. */
  readonly namespaces: readonly string[];
  /** Run argv inside the scanner namespace. */
  exec(args: string[], opts?: ExecOptions): Promise<ExecResult>;
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
export const FLEET_PREFIX = 'pdt-';
const PROBE_PREFIX = 'pdtprobe-';
export const STATE_DIR = '/run/port-drift-fleets';
const NETNS_ETC = '/etc/netns';
const ID_RE = /^pdt-[0-9a-f]{6}$/;
const NS_RE = /^(pdt-[0-9a-f]{6})-/;
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
// Running commands

function runSync(
  argv: string[],
  input?: string,
): { code: number | null; out: string; err: string } {
  const [cmd, ...args] = argv as [string, ...string[]];
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 30_000 });
  return { code: r.error ? -1 : r.status, out: r.stdout ?? '', err: r.stderr ?? String(r.error) };
}

/** spawn() with argv (no shell), collecting output. Never rejects for a non-zero exit. */
export function runCommand(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new Error('runCommand: empty argv'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        durationMs: Date.now() - started,
      });
    });
  });
}

/** Runs a setup step; throws with its stderr when it fails. */
export async function must(argv: string[], input?: string): Promise<string> {
  const r = await runCommand(argv, { timeoutMs: 30_000, ...(input !== undefined && { input }) });
  if (r.code !== 0) {
    throw new Error(`${argv.join(' ')} failed (${r.code ?? r.signal}): ${r.stderr.trim()}`);
  }
  return r.stdout;
}

// ---------------------------------------------------------------------------------------------
// Process identity (so a recycled PID is not mistaken for a live creator)

function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; starttime is field 22 overall.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isAlive(pid: number, startTime: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return startTime === undefined || processStartTime(pid) === startTime;
}

interface StateFile {
  id: string;
  pid: number;
  startTime?: string;
  created: string;
  namespaces: string[];
}

// ---------------------------------------------------------------------------------------------
// Synchronous teardown (used by the exit/signal handler and by the sweeper)

function listNamespaces(): string[] {
  const r = runSync(['ip', 'netns', 'list']);
  if (r.code !== 0) return [];
  return r.out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

function killNamespacePids(ns: string): void {
  const r = runSync(['ip', 'netns', 'pids', ns]);
  for (const p of r.out.split(/\s+/)) {
    const pid = Number(p);
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Deletes every namespace of `id` (plus `extra`), their /etc/netns dirs and the state file. */
function teardownSync(id: string, extra: readonly string[] = []): void {
  const prefix = `${id}-`;
  const names = new Set([...extra, ...listNamespaces().filter((n) => n.startsWith(prefix))]);
  // Host and scanner namespaces before the lan one, so veth peers go with their host side.
  const ordered = [...names].sort(
    (a, b) => Number(a.endsWith('-lan')) - Number(b.endsWith('-lan')),
  );
  for (const ns of ordered) killNamespacePids(ns);
  for (const ns of ordered) runSync(['ip', 'netns', 'del', ns]);
  removeEtcNetns(id);
  rmSync(join(STATE_DIR, `${id}.json`), { force: true });
}

function removeEtcNetns(id: string): void {
  let entries: string[];
  try {
    entries = readdirSync(NETNS_ETC);
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.startsWith(`${id}-`)) rmSync(join(NETNS_ETC, e), { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Sweeping leftovers of dead runs

/**
 * Removes namespaces, /etc/netns dirs, processes and state files left by fleets whose creator
 * process is dead (or whose namespaces have no state file at all: a creator always writes the
 * state file before its first namespace, so those are orphans). Live fleets are never touched.
 */
export function sweepStaleFleets(): void {
  if (canBuildFleets !== true) return;
  const live = new Set<string>();
  const dead = new Map<string, string[]>();
  let files: string[] = [];
  try {
    files = readdirSync(STATE_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    /* no state dir yet */
  }
  for (const f of files) {
    const id = f.slice(0, -'.json'.length);
    if (!ID_RE.test(id)) continue;
    let state: StateFile | undefined;
    try {
      state = JSON.parse(readFileSync(join(STATE_DIR, f), 'utf8')) as StateFile;
    } catch {
      // Being written right now (we write via rename, so this is a torn foreign file): leave it.
      live.add(id);
      continue;
    }
    if (state.pid === process.pid || isAlive(state.pid, state.startTime)) live.add(id);
    else dead.set(id, state.namespaces ?? []);
  }
  const ids = new Set<string>(dead.keys());
  for (const ns of listNamespaces()) {
    const id = NS_RE.exec(ns)?.[1];
    if (id && !live.has(id) && !files.includes(`${id}.json`)) ids.add(id);
  }
  try {
    for (const e of readdirSync(NETNS_ETC)) {
      const id = NS_RE.exec(e)?.[1];
      if (id && !live.has(id) && !files.includes(`${id}.json`)) ids.add(id);
    }
  } catch {
    /* no /etc/netns */
  }
  for (const id of ids) teardownSync(id, dead.get(id) ?? []);
  for (const ns of listNamespaces()) {
    const pid = Number(/^pdtprobe-(\d+)-/.exec(ns)?.[1]);
    if (pid && !isAlive(pid, undefined)) runSync(['ip', 'netns', 'del', ns]);
  }
}

// ---------------------------------------------------------------------------------------------
// Can this machine build fleets?

/**
 * Fleets need Linux and root; without them the fleet tests skip, saying why. As root, anything
 * else that stops a fleet (no `ip`, no `nft`, namespaces refused) is a failure, not a skip: CI
 * runs as root, and a fleet test that quietly skipped there would prove nothing.
 */
function probe(): true | string {
  if (process.platform !== 'linux')
    return `network namespaces need Linux (this is ${process.platform})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return 'building a fleet of network namespaces needs root';
  }
  return true;
}

/** Checks that namespaces and nft work here; throws with the reason when they do not. */
export function checkTools(): void {
  if (runSync(['ip', '-V']).code !== 0) throw new Error('`ip` (iproute2) is not installed');
  if (runSync(['nft', '--version']).code !== 0)
    throw new Error('`nft` (nftables) is not installed');
  // Not `pdt-<hex>-...`: a concurrent sweep would take it for an orphan. Swept by PID instead.
  const ns = `${PROBE_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    const add = runSync(['ip', 'netns', 'add', ns]);
    if (add.code !== 0) throw new Error(`\`ip netns add\` fails: ${add.err.trim()}`);
    const lo = runSync(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    if (lo.code !== 0) throw new Error(`cannot configure a namespace: ${lo.err.trim()}`);
    const rules =
      'table inet probe {\n chain input {\n type filter hook input priority 0;\n ct state established accept\n }\n}\n';
    const nft = runSync(['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], rules);
    if (nft.code !== 0) throw new Error(`nft does not work in a namespace: ${nft.err.trim()}`);
  } finally {
    runSync(['ip', 'netns', 'del', ns]);
  }
}

export const canBuildFleets: true | string = probe();

// ---------------------------------------------------------------------------------------------
// Live fleets and the safety net

export interface LiveFleet {
  id: string;
  namespaces: string[];
  children: Set<ChildProcess>;
}

const liveFleets = new Map<string, LiveFleet>();
let handlersInstalled = false;

function emergencyTeardown(): void {
  for (const f of liveFleets.values()) {
    for (const c of f.children) c.kill('SIGKILL');
    teardownSync(f.id, f.namespaces);
  }
  liveFleets.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', emergencyTeardown);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      emergencyTeardown();
      process.removeListener(sig, onSignal);
      // Die of the same signal, as if we had never caught it.
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

// ---------------------------------------------------------------------------------------------
// Building

export interface PlannedHost {
  name: string;
  ns: string;
  ipv4?: string;
  ipv6?: string;
  tcp: { address: string; port: number; banner?: string }[];
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
    const tcp: PlannedHost['tcp'] = [];
    for (const t of spec.tcp ?? []) {
      const l = typeof t === 'number' ? { port: t } : t;
      const port = checkPort(l.port, `host ${spec.name} tcp`);
      if (l.ipv4Only && l.ipv6Only)
        throw new Error(`host ${spec.name} tcp ${port}: ipv4Only and ipv6Only`);
      const addrs = [l.ipv6Only ? undefined : ipv4, l.ipv4Only ? undefined : ipv6].filter(
        (a): a is string => a !== undefined,
      );
      if (addrs.length === 0)
        throw new Error(`host ${spec.name} tcp ${port}: no address of that family`);
      const banner = b64(l.banner);
      for (const address of addrs)
        tcp.push({ address, port, ...(banner !== undefined && { banner }) });
    }
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

export function hostsFileText(map: Record<string, string[]>): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const [name, addrs] of Object.entries(map)) {
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name)) {
      throw new Error(`hostsFile: bad hostname ${JSON.stringify(name)}`);
    }
    for (const a of addrs) lines.push(`${docAddress(a, a.includes(':') ? 6 : 4)}\t${name}`);
  }
  return lines.join('\n') + '\n';
}

const SYSCTLS = [
  'net.ipv6.conf.all.accept_dad=0',
  'net.ipv6.conf.default.accept_dad=0',
  'net.ipv6.conf.all.accept_ra=0',
  'net.ipv6.conf.default.accept_ra=0',
  'net.ipv6.conf.all.forwarding=0',
  'net.ipv4.ip_forward=0',
];

/** Namespace with lo up, DAD and RAs off, and a resolv.conf that keeps DNS on its loopback. */
export async function addNamespace(ns: string, lan = false): Promise<void> {
  mkdirSync(join(NETNS_ETC, ns), { recursive: true });
  writeFileSync(
    join(NETNS_ETC, ns, 'resolv.conf'),
    'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n',
  );
  await must(['ip', 'netns', 'add', ns]);
  const sysctls = lan
    ? [...SYSCTLS, 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']
    : SYSCTLS;
  await must(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', ...sysctls]);
  await must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
}

/** veth pair: `<lanIf>` on the bridge in the lan namespace, `eth0` in `ns`, with addresses. */
export async function plug(
  lanNs: string,
  lanIf: string,
  ns: string,
  ipv4?: string,
  ipv6?: string,
): Promise<void> {
  await must([
    'ip',
    '-n',
    lanNs,
    'link',
    'add',
    lanIf,
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    ns,
  ]);
  await must(['ip', '-n', lanNs, 'link', 'set', lanIf, 'master', 'br0', 'up']);
  if (ipv4) await must(['ip', '-n', ns, 'addr', 'add', `${ipv4}/24`, 'dev', 'eth0']);
  if (ipv6) await must(['ip', '-n', ns, 'addr', 'add', `${ipv6}/64`, 'dev', 'eth0', 'nodad']);
  await must(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
}

export function startListener(
  host: PlannedHost,
  live: LiveFleet,
  timeoutMs: number,
): Promise<void> {
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
      else resolvePromise();
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

/** A fresh run id, `pdt-<6 hex>`, that no state file uses. */
export function newRunId(): string {
  let id: string;
  do id = `${FLEET_PREFIX}${randomBytes(3).toString('hex')}`;
  while (existsSync(join(STATE_DIR, `${id}.json`)));
  return id;
}

export interface Run {
  readonly live: LiveFleet;
  /** Stops the run's children, deletes its namespaces and state file. Idempotent. */
  readonly destroy: () => Promise<void>;
  readonly destroyed: boolean;
}

/**
 * Starts the bookkeeping of a run (a fleet, or another topology built on the same machinery,
 * such as netpath.ts): writes its state file before any namespace exists and registers it with
 * the exit/signal handlers. Children added to `live.children` are stopped by destroy().
 */
export function beginRun(id: string, namespaces: string[]): Run {
  installHandlers();
  const live: LiveFleet = { id, namespaces, children: new Set() };

  // The state file comes first: from now on a dead creator's leftovers are sweepable.
  mkdirSync(STATE_DIR, { recursive: true });
  const state: StateFile = {
    id,
    pid: process.pid,
    ...(processStartTime(process.pid) !== undefined && {
      startTime: processStartTime(process.pid),
    }),
    created: new Date().toISOString(),
    namespaces,
  };
  const tmp = join(STATE_DIR, `.${id}.tmp`);
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, join(STATE_DIR, `${id}.json`));
  liveFleets.set(id, live);

  let destroying: Promise<void> | undefined;
  const destroy = (): Promise<void> =>
    (destroying ??= (async () => {
      await Promise.all(
        [...live.children].map(
          (c) =>
            new Promise<void>((done) => {
              if (c.exitCode !== null || c.signalCode !== null) return done();
              // The children are unref()ed: a timer keeps the loop alive until 'exit' is seen
              // (else a process awaiting destroy() could end with its await unfinished).
              let last: NodeJS.Timeout | undefined;
              const t = setTimeout(() => {
                c.kill('SIGKILL');
                last = setTimeout(done, 2_000);
              }, 2_000);
              c.once('exit', () => {
                clearTimeout(t);
                clearTimeout(last);
                done();
              });
              c.kill('SIGTERM');
            }),
        ),
      );
      teardownSync(id, namespaces);
      liveFleets.delete(id);
      const left = listNamespaces().filter((n) => n.startsWith(`${id}-`));
      if (left.length > 0)
        throw new Error(`fleet ${id}: namespaces survived destroy: ${left.join(', ')}`);
    })());
  return {
    live,
    destroy,
    get destroyed() {
      return destroying !== undefined;
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
  const hostsText = opts.hostsFile ? hostsFileText(opts.hostsFile) : undefined;
  const lanNs = `${id}-lan`;
  const scannerNs = `${id}-scanner`;
  const namespaces = [scannerNs, ...planned.map((h) => h.ns), lanNs];
  const run = beginRun(id, namespaces);
  const { live, destroy } = run;

  try {
    await addNamespace(lanNs, true);
    await must(['ip', '-n', lanNs, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    await must(['ip', '-n', lanNs, 'link', 'set', 'br0', 'up']);

    await addNamespace(scannerNs);
    if (hostsText !== undefined) writeFileSync(join(NETNS_ETC, scannerNs, 'hosts'), hostsText);
    await plug(lanNs, 'vscan', scannerNs, SCANNER_IPV4, SCANNER_IPV6);

    const readyTimeoutMs = opts.readyTimeoutMs ?? 15_000;
    await Promise.all(
      planned.map(async (h, i) => {
        await addNamespace(h.ns);
        await plug(lanNs, `vh${i}`, h.ns, h.ipv4, h.ipv6);
        if (h.nft !== undefined) await must(['ip', 'netns', 'exec', h.ns, 'nft', '-f', '-'], h.nft);
        if (h.tcp.length + h.udp.length > 0) await startListener(h, live, readyTimeoutMs);
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

  const execIn = (nsOrHost: string, args: string[], o?: ExecOptions): Promise<ExecResult> => {
    const ns = (hostMap as Record<string, FleetHost | undefined>)[nsOrHost]?.ns ?? nsOrHost;
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
    unusedIpv4: UNUSED_IPV4,
    unusedIpv6: UNUSED_IPV6,
    namespaces,
    exec: (args, o) => execIn(scannerNs, args, o),
    execIn,
    address: (host, family = 4) => {
      const h = (hostMap as Record<string, FleetHost | undefined>)[host];
      const a = family === 4 ? h?.ipv4 : h?.ipv6;
      if (a === undefined) throw new Error(`fleet ${id}: host ${host} has no IPv${family} address`);
      return a;
    },
    destroy,
  };
}
