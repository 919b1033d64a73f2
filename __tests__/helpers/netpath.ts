// An internet-like path in network namespaces: the scanner reaches its targets across two
// routers and a userspace forwarder (netpath.c) that adds delay, random loss and a token-bucket
// policer per direction. This kernel has no netem; the forwarder is the internet.
//
//   <id>-scanner   eth0 198.51.100.2/24, 2001:db8:1::2/64; routes to the targets via router A
//       | veth
//   <id>-router.a  up0 198.51.100.1/24, 2001:db8:1::1/64; targets routed into TUN pa0
//       = netpath-fwd: pa0 <-> pb0 (delay, loss, policer; "forward" is scanner -> targets)
//   <id>-router.b  eth0 203.0.113.254/24, 2001:db8::fe/64 on the bridge; scanner routed into TUN
//       |          pb0; a blackhole route for the dead address (203.0.113.250, 2001:db8::fa)
//   <id>-lan       the bridge, as in fleet.ts
//       |
//   <id>-<host>    as in fleet.ts (listeners, nft), plus a route back to the scanner's subnets
//
// The scanner cannot ARP (or solicit) a target: every target is two routed hops away, and a
// packet's TTL drops by two. The dead address is simply silent: no ICMP, no failed ARP.
//
// Same machinery as fleet.ts (netns.ts: ids `pdt-<6 hex>`, state file, exit/signal handler,
// sweep), same shape of object (a NetPath is a Fleet: exec() runs in the scanner namespace), so a test or the
// bench can run the action across the path exactly as across the LAN. The forwarder is compiled
// with gcc on first use, into build/netpath/, named by the hash of its source.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { must, runCommand, type ExecOptions, type ExecResult } from './exec.js';
import {
  UNUSED_IPV4,
  UNUSED_IPV6,
  hostsFileText,
  plan,
  hostListeners,
  type CreateFleetOptions,
  type Fleet,
  type FleetHost,
  type HostSpec,
} from './fleet.js';
import {
  addNamespace,
  beginRun,
  canBuildFleets,
  checkTools,
  newRunId,
  plug,
  sweepStaleFleets,
} from './netns.js';
import { repoRoot } from './paths.js';

// ---------------------------------------------------------------------------------------------
// Public types

export interface PathHostSpec<N extends string = string> extends HostSpec<N> {
  /** Answer on every TCP port, like a SYN proxy or a tarpit: nft redirects inbound TCP to any
   *  port to the host's first TCP listener (required), so a SYN scan sees 65,535 open ports. */
  everyPort?: boolean;
}

/** One direction of the path. */
export interface DirectionSettings {
  /** One-way delay in milliseconds. */
  delayMs: number;
  /** Random loss, percent of the packets the policer let through. */
  lossPercent: number;
  /** Token-bucket policer: packets per second; 0 for none. */
  pps: number;
  /** The bucket's depth in packets. */
  burst: number;
}

export interface PathSettings {
  /** Round-trip time added by the path, split evenly between the directions; default 40. */
  rttMs?: number;
  /** Random loss in each direction, percent; default 0. */
  lossPercent?: number;
  /** Policer in each direction, packets per second; default 0 (none). */
  pps?: number;
  /** Policer depth in each direction; default 10 ms worth of `pps`, at least 10 packets. */
  burst?: number;
  /** Per-direction overrides, applied after the settings above. */
  forward?: Partial<DirectionSettings>;
  reverse?: Partial<DirectionSettings>;
}

export interface DirectionCounters {
  /** Packets the forwarder read from this direction's input. */
  in: number;
  /** Delivered after the delay. */
  passed: number;
  /** Dropped by the policer (no token). */
  policed: number;
  /** Dropped at random (loss). */
  lost: number;
  /** Dropped because the delay queue was full (the forwarder's own limit: should stay 0). */
  overflow: number;
  /** Dropped by the kernel before the forwarder read them: its TUN device's queue (50,000
   *  packets) was full, the forwarder falling behind. Should stay 0. */
  queueDropped: number;
  /** Failed writes into the other namespace (the packet is gone). */
  errors: number;
  /** In the delay queue right now, and the most ever. */
  queued: number;
  peakQueue: number;
  /** The latest a packet left after its due time, in ms: the forwarder falling behind (CPU). */
  maxLateMs: number;
  delayMs: number;
  lossPercent: number;
  pps: number;
  burst: number;
}

export interface PathCounters {
  /** Scanner -> targets. */
  forward: DirectionCounters;
  /** Targets -> scanner. */
  reverse: DirectionCounters;
}

export interface CreatePathOptions<N extends string> extends PathSettings, CreateFleetOptions {
  hosts: readonly PathHostSpec<N>[];
  /** Every address of the targets' networks that no host holds is silent from router A on: the
   *  block as the internet shows it, where only the used addresses are routed. Probes to empty
   *  addresses then cost the forwarder (and its policer) nothing, as on a path whose rate limit
   *  sits at the hosts' own edge. */
  emptySilent?: boolean;
}

export interface NetPath<N extends string = string> extends Fleet<N> {
  readonly routerANs: string;
  readonly routerBNs: string;
  /** The current settings of each direction. */
  readonly settings: { readonly forward: DirectionSettings; readonly reverse: DirectionSettings };
  /** Changes the path now (what is in flight keeps its release time); unset fields keep their
   *  value. Counters are not reset. */
  set(settings: PathSettings): Promise<void>;
  /** What the path did to the packets since it was built (or since resetCounters()). */
  counters(): Promise<PathCounters>;
  resetCounters(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Constants

export const PATH_SCANNER_IPV4 = '198.51.100.2';
export const PATH_SCANNER_IPV6 = '2001:db8:1::2';
const ROUTER_A_IPV4 = '198.51.100.1';
const ROUTER_A_IPV6 = '2001:db8:1::1';
/** Router B's leg on the targets' LAN: fleet.ts reserves these (its scanner's addresses). */
const ROUTER_B_IPV4 = '203.0.113.254';
const ROUTER_B_IPV6 = '2001:db8::fe';
const SCANNER_NET4 = '198.51.100.0/24';
const SCANNER_NET6 = '2001:db8:1::/64';
const TARGET_NET4 = '203.0.113.0/24';
const TARGET_NET6 = '2001:db8::/64';

/** Routers, unlike netns.ts's namespaces, forward; no redirects, no reverse-path filter. */
const ROUTER_SYSCTLS = [
  'net.ipv4.ip_forward=1',
  'net.ipv6.conf.all.forwarding=1',
  'net.ipv4.conf.all.rp_filter=0',
  'net.ipv4.conf.default.rp_filter=0',
  'net.ipv4.conf.all.send_redirects=0',
  'net.ipv4.conf.default.send_redirects=0',
];

export const forwarderSource = resolve(repoRoot, '__tests__/helpers/netpath.c');

/** Paths need what fleets need (Linux, root); as root a missing gcc or TUN is a failure. */
export const canBuildPaths: true | string = canBuildFleets;

// ---------------------------------------------------------------------------------------------
// The forwarder

/** Compiles netpath.c once per source version (build/netpath/netpath-fwd-<hash>); its path. */
export function forwarderBinary(): string {
  const source = readFileSync(forwarderSource);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = resolve(repoRoot, 'build/netpath');
  const bin = join(dir, `netpath-fwd-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const r = spawnSync('gcc', ['-O2', '-Wall', '-pthread', '-o', tmp, forwarderSource], {
    encoding: 'utf8',
  });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(
      `cannot compile the path's forwarder (${forwarderSource}); it needs gcc and libc6-dev: ${String(r.error ?? r.stderr.trim())}`,
    );
  }
  renameSync(tmp, bin);
  return bin;
}

/** The forwarder's stdin/stdout: one command line, one answer line. */
class Forwarder {
  private buffer = '';
  private readonly waiting: ((line: string) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private stderr = '';
  private exited: string | undefined;

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.waiting.shift()?.(line);
      }
    });
    child.stderr!.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString('utf8')).slice(-4000);
    });
    child.stdin!.on('error', () => {});
    child.on('exit', (code, signal) => {
      this.exited = `exited (${code ?? signal})`;
      for (const w of this.waiting.splice(0)) w(`error: forwarder ${this.exited}`);
    });
  }

  /** The next line of output (READY, or the answer to a command). */
  nextLine(timeoutMs = 10_000): Promise<string> {
    if (this.exited) return Promise.resolve(`error: forwarder ${this.exited}: ${this.stderr}`);
    return new Promise((resolvePromise) => {
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(done);
        if (i >= 0) this.waiting.splice(i, 1);
        resolvePromise(`error: no answer from the forwarder within ${timeoutMs} ms`);
      }, timeoutMs);
      const done = (line: string): void => {
        clearTimeout(timer);
        resolvePromise(line);
      };
      this.waiting.push(done);
    });
  }

  /** Sends one command and returns its answer; commands are serialised. */
  command(line: string): Promise<string> {
    const run = this.queue.then(async () => {
      const answer = this.nextLine();
      this.child.stdin!.write(`${line}\n`);
      const got = await answer;
      if (got.startsWith('error')) throw new Error(`forwarder: ${line}: ${got} ${this.stderr}`);
      return got;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  detach(): void {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr] as unknown as {
      unref?: () => void;
    }[]) {
      s.unref?.();
    }
  }
}

function directionCommand(which: 'fwd' | 'rev', d: DirectionSettings): string {
  // burst before rate: a new rate starts with a full bucket of the new depth.
  return `set ${which} delay_ms=${d.delayMs} loss=${d.lossPercent} burst=${d.burst} rate=${d.pps}`;
}

function checkDirection(d: DirectionSettings, what: string): DirectionSettings {
  const bad = (field: string, v: number): never => {
    throw new Error(`path ${what}: bad ${field} ${v}`);
  };
  if (!(Number.isFinite(d.delayMs) && d.delayMs >= 0 && d.delayMs <= 10_000))
    bad('delay', d.delayMs);
  if (!(Number.isFinite(d.lossPercent) && d.lossPercent >= 0 && d.lossPercent <= 100))
    bad('loss', d.lossPercent);
  if (!(Number.isFinite(d.pps) && d.pps >= 0)) bad('pps', d.pps);
  if (!(Number.isFinite(d.burst) && d.burst >= 1)) bad('burst', d.burst);
  return d;
}

/** Applies `s` over the current settings of both directions. */
function merge(
  current: { forward: DirectionSettings; reverse: DirectionSettings },
  s: PathSettings,
): { forward: DirectionSettings; reverse: DirectionSettings } {
  const both = (d: DirectionSettings, over: Partial<DirectionSettings> | undefined) => {
    const pps = s.pps ?? d.pps;
    const next: DirectionSettings = {
      delayMs: s.rttMs !== undefined ? s.rttMs / 2 : d.delayMs,
      lossPercent: s.lossPercent ?? d.lossPercent,
      pps,
      burst: s.burst ?? (s.pps !== undefined ? Math.max(10, Math.round(pps / 100)) : d.burst),
      ...over,
    };
    return next;
  };
  return {
    forward: checkDirection(both(current.forward, s.forward), 'forward'),
    reverse: checkDirection(both(current.reverse, s.reverse), 'reverse'),
  };
}

// ---------------------------------------------------------------------------------------------
// Building

async function addRouter(ns: string): Promise<void> {
  await addNamespace(ns);
  await must(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', ...ROUTER_SYSCTLS]);
}

/** The nat rule of an every-port host: every TCP port to its first listener's port. */
function everyPortRules(spec: PathHostSpec): string | undefined {
  if (!spec.everyPort) return undefined;
  const first = spec.tcp?.[0];
  const port = typeof first === 'number' ? first : first?.port;
  if (port === undefined)
    throw new Error(`host ${spec.name}: everyPort needs a TCP listener to redirect to`);
  return [
    'table inet netpath_everyport {',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    `    tcp dport 1-65535 redirect to :${port}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Builds a path and its target hosts; resolves when every listener listens and the forwarder
 * forwards. On failure everything built so far is removed before the error is thrown.
 */
export async function createPath<const N extends string>(
  opts: CreatePathOptions<N>,
): Promise<NetPath<N>> {
  if (canBuildPaths !== true) throw new Error(`cannot build paths here: ${canBuildPaths}`);
  checkTools();
  if (!existsSync('/dev/net/tun')) throw new Error('/dev/net/tun is missing: the path needs TUN');
  const binary = forwarderBinary();
  sweepStaleFleets();

  const initial = merge(
    {
      forward: { delayMs: 20, lossPercent: 0, pps: 0, burst: 10 },
      reverse: { delayMs: 20, lossPercent: 0, pps: 0, burst: 10 },
    },
    opts,
  );
  const id = newRunId();
  const planned = plan(id, opts.hosts);
  const natRules = new Map(opts.hosts.map((h) => [h.name as string, everyPortRules(h)]));
  const hostsText = opts.hostsFile ? hostsFileText(opts.hostsFile) : undefined;
  const lanNs = `${id}-lan`;
  const scannerNs = `${id}-scanner`;
  // Dots: no host name can take these (fleet.ts's names are letters, digits, _ and -).
  const routerANs = `${id}-router.a`;
  const routerBNs = `${id}-router.b`;
  const namespaces = [scannerNs, routerANs, routerBNs, ...planned.map((h) => h.ns), lanNs];
  const run = beginRun(id, namespaces);
  const { live, destroy } = run;
  const listeners = hostListeners(planned, live, opts.readyTimeoutMs ?? 15_000);
  let forwarder: Forwarder | undefined;

  try {
    await addNamespace(lanNs, true);
    await must(['ip', '-n', lanNs, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    await must(['ip', '-n', lanNs, 'link', 'set', 'br0', 'up']);

    // Scanner and router A, on their own link.
    await addNamespace(scannerNs);
    if (hostsText !== undefined) writeFileSync(join('/etc/netns', scannerNs, 'hosts'), hostsText);
    await addRouter(routerANs);
    await must([
      'ip',
      '-n',
      routerANs,
      'link',
      'add',
      'up0',
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      scannerNs,
    ]);
    for (const [ns, dev, v4, v6] of [
      [scannerNs, 'eth0', PATH_SCANNER_IPV4, PATH_SCANNER_IPV6],
      [routerANs, 'up0', ROUTER_A_IPV4, ROUTER_A_IPV6],
    ] as const) {
      await must(['ip', '-n', ns, 'addr', 'add', `${v4}/24`, 'dev', dev]);
      await must(['ip', '-n', ns, 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad']);
      await must(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    }
    await must(['ip', '-n', scannerNs, 'route', 'add', TARGET_NET4, 'via', ROUTER_A_IPV4]);
    await must(['ip', '-n', scannerNs, '-6', 'route', 'add', TARGET_NET6, 'via', ROUTER_A_IPV6]);

    // Router B on the targets' LAN; the dead address blackholed (silent, no ICMP).
    await addRouter(routerBNs);
    await plug(lanNs, 'vrtr', routerBNs, ROUTER_B_IPV4, ROUTER_B_IPV6);
    await must(['ip', '-n', routerBNs, 'route', 'add', 'blackhole', `${UNUSED_IPV4}/32`]);
    await must(['ip', '-n', routerBNs, '-6', 'route', 'add', 'blackhole', `${UNUSED_IPV6}/128`]);

    // The forwarder between them, on TUN devices made beforehand so that their queues are deep
    // from the start (a TUN device's queue is sized when the forwarder attaches).
    for (const [ns, dev] of [
      [routerANs, 'pa0'],
      [routerBNs, 'pb0'],
    ] as const) {
      await must(['ip', '-n', ns, 'tuntap', 'add', 'dev', dev, 'mode', 'tun']);
      // No IPv6 link-local address: no router solicitation or MLD report ever crosses the path.
      await must(['ip', '-n', ns, 'link', 'set', dev, 'addrgenmode', 'none']);
      await must(['ip', '-n', ns, 'link', 'set', dev, 'mtu', '1500', 'txqueuelen', '50000']);
    }
    const child = spawn(
      'ip',
      ['netns', 'exec', routerANs, binary, 'pa0', `/run/netns/${routerBNs}`, 'pb0'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    live.children.add(child);
    child.on('exit', () => live.children.delete(child));
    forwarder = new Forwarder(child);
    const ready = await forwarder.nextLine(10_000);
    if (ready !== 'READY') throw new Error(`the path's forwarder did not start: ${ready}`);
    forwarder.detach();
    for (const [ns, dev, net4, net6] of [
      [routerANs, 'pa0', TARGET_NET4, TARGET_NET6],
      [routerBNs, 'pb0', SCANNER_NET4, SCANNER_NET6],
    ] as const) {
      await must(['ip', '-n', ns, 'link', 'set', dev, 'up']);
      await must(['ip', '-n', ns, 'route', 'add', net4, 'dev', dev]);
      await must(['ip', '-n', ns, '-6', 'route', 'add', net6, 'dev', dev]);
    }
    if (opts.emptySilent) {
      // Router A routes only the hosts' addresses (and the dead one, silent behind router B) into
      // the path; the rest of each block is a blackhole there.
      await must(['ip', '-n', routerANs, 'route', 'replace', 'blackhole', TARGET_NET4]);
      await must(['ip', '-n', routerANs, '-6', 'route', 'replace', 'blackhole', TARGET_NET6]);
      for (const a of [...planned.flatMap((h) => [h.ipv4, h.ipv6]), UNUSED_IPV4, UNUSED_IPV6]) {
        if (a === undefined) continue;
        const v6 = a.includes(':');
        await must(['ip', '-n', routerANs, ...(v6 ? ['-6'] : []), 'route', 'add', `${a}/${v6 ? 128 : 32}`, 'dev', 'pa0']); // prettier-ignore
      }
    }
    await forwarder.command(directionCommand('fwd', initial.forward));
    await forwarder.command(directionCommand('rev', initial.reverse));

    // The targets.
    await Promise.all(
      planned.map(async (h, i) => {
        await addNamespace(h.ns);
        await plug(lanNs, `vh${i}`, h.ns, h.ipv4, h.ipv6);
        if (h.ipv4) await must(['ip', '-n', h.ns, 'route', 'add', SCANNER_NET4, 'via', ROUTER_B_IPV4]); // prettier-ignore
        if (h.ipv6) await must(['ip', '-n', h.ns, '-6', 'route', 'add', SCANNER_NET6, 'via', ROUTER_B_IPV6]); // prettier-ignore
        if (h.nft !== undefined) await must(['ip', 'netns', 'exec', h.ns, 'nft', '-f', '-'], h.nft);
        const nat = natRules.get(h.name);
        if (nat !== undefined) await must(['ip', 'netns', 'exec', h.ns, 'nft', '-f', '-'], nat);
        await listeners.start(h);
      }),
    );
  } catch (e) {
    await destroy().catch(() => {});
    throw e;
  }

  const fwd = forwarder;
  let settings = initial;
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
      return Promise.reject(new Error(`not a namespace of path ${id}: ${nsOrHost}`));
    if (run.destroyed) return Promise.reject(new Error(`path ${id} is destroyed`));
    return runCommand(['ip', 'netns', 'exec', ns, ...args], o);
  };
  const queueDrops = async (): Promise<[number, number]> => {
    const one = async (ns: string, dev: string): Promise<number> => {
      const out = await must(['ip', '-n', ns, '-s', '-j', 'link', 'show', 'dev', dev]);
      const [link] = JSON.parse(out) as { stats64: { tx: { dropped: number } } }[];
      return link?.stats64.tx.dropped ?? 0;
    };
    return Promise.all([one(routerANs, 'pa0'), one(routerBNs, 'pb0')]);
  };
  let dropBase: [number, number] = [0, 0];

  return {
    id,
    replaceTcp: listeners.replaceTcp,
    lanNs,
    scannerNs,
    routerANs,
    routerBNs,
    scanner: { ipv4: PATH_SCANNER_IPV4, ipv6: PATH_SCANNER_IPV6 },
    hosts: hostMap,
    scanners: {},
    unusedIpv4: UNUSED_IPV4,
    unusedIpv6: UNUSED_IPV6,
    namespaces,
    exec: (args, o) => execIn(scannerNs, args, o),
    execIn,
    address: (host, family = 4) => {
      const h = (hostMap as Record<string, FleetHost | undefined>)[host];
      const a = family === 4 ? h?.ipv4 : h?.ipv6;
      if (a === undefined) throw new Error(`path ${id}: host ${host} has no IPv${family} address`);
      return a;
    },
    get settings() {
      return settings;
    },
    set: async (s) => {
      const next = merge(settings, s);
      await fwd.command(directionCommand('fwd', next.forward));
      await fwd.command(directionCommand('rev', next.reverse));
      settings = next;
    },
    counters: async () => {
      const raw = JSON.parse(await fwd.command('stats')) as Record<
        'fwd' | 'rev',
        Omit<DirectionCounters, 'queueDropped'>
      >;
      const [a, b] = await queueDrops();
      return {
        forward: { ...raw.fwd, queueDropped: a - dropBase[0] },
        reverse: { ...raw.rev, queueDropped: b - dropBase[1] },
      };
    },
    resetCounters: async () => {
      await fwd.command('reset');
      dropBase = await queueDrops();
    },
    destroy,
  };
}
