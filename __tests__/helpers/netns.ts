// The namespace safety net under every test network (fleet.ts's LAN, netpath.ts's path): run
// ids, bookkeeping that gets a run's namespaces removed whatever happens, the probe that says
// whether this machine can build them, and the two building blocks both networks use.
//
// Run ids are `pdt-<6 hex>` (newRunId()); every namespace of a run, and its /etc/netns dir, is
// named `<id>-...`.
//
// Cleanup: a state file /run/port-drift-fleets/<id>.json (creator PID and its start time) is
// written by beginRun() before the first namespace exists and removed after the last is gone. A
// run's destroy() (call it in after()) tears it down; a process 'exit'/SIGINT/SIGTERM/SIGHUP
// handler tears down synchronously whatever is still up; sweepStaleFleets() (also run by
// createFleet and createPath) removes what runs that died without either left behind, never
// touching a run whose creator still lives.
//
// Building blocks: addNamespace() makes a namespace with lo up, DAD, router advertisements and
// forwarding off, and a resolv.conf pointing at its own loopback; plug() links one to the lan
// namespace's bridge with a veth pair created inside the lan namespace, its peer placed straight
// into the other namespace, so nothing is ever created in the initial namespace.
import type { ChildProcess } from 'node:child_process';
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
import { join } from 'node:path';
import { must, runSync } from './exec.js';

// ---------------------------------------------------------------------------------------------
// Constants

export const FLEET_PREFIX = 'pdt-';
const PROBE_PREFIX = 'pdtprobe-';
export const STATE_DIR = '/run/port-drift-fleets';
export const NETNS_ETC = '/etc/netns';
const ID_RE = /^pdt-[0-9a-f]{6}$/;
const NS_RE = /^(pdt-[0-9a-f]{6})-/;

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

/** Installs the process 'exit'/SIGINT/SIGTERM/SIGHUP teardown (once; beginRun() calls it too). */
export function installHandlers(): void {
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
// Runs

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

// ---------------------------------------------------------------------------------------------
// Namespaces and links

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
