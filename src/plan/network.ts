// What the runner's network says before a scan: every address a name resolves to, and whether this
// runner has a route to an address family at all (GitHub-hosted runners have no IPv6).
import { createSocket } from 'node:dgram';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import ipaddr from 'ipaddr.js';
import { getErrorMessage } from '../base/errors.js';
import { oneLine } from '../base/markdown.js';
import { runProcess } from '../base/process.js';
import { canonicalIp, familyOf } from '../settings/targets.js';
import type { FamilyVantage, Vantage } from '../base/types.js';

/** How long one name may take: glibc's own default (5 s, two tries, per server) fits in it. */
const DNS_TIMEOUT_MS = 30_000;
/** Lookup processes at once, and names per process (each on a libuv thread of its own). */
const DNS_PROCESSES = 4;
const DNS_BATCH = 16;
/** The first try's timeout: names that answer at all answer within it, and slow ones free the slot. */
const DNS_FIRST_TRY_MS = 2000;

/**
 * Lookups through the system resolver (getaddrinfo, so /etc/hosts counts) in a short-lived process
 * with one libuv thread per name: in-process, libuv resolves on 4 shared threads, where names that
 * never get an answer hold up all the others. Each answer is a line as it comes; the process is
 * killed at its deadline, and a name without a line had no answer in time. Names are argv items.
 */
const LOOKUP = `const dns = require('node:dns');
for (const name of process.argv.slice(1)) {
  dns.lookup(name, { all: true, verbatim: true }, (e, a) =>
    process.stdout.write(JSON.stringify([name, e ? { code: e.code || 'EUNKNOWN' } : { addresses: a.map((x) => x.address) }]) + '\\n'));
}`;

/** A name's addresses, or why there are none; `inconclusive` when the lookup was stopped (budget, cancel). */
export type Resolution = string[] | { error: string; inconclusive?: boolean };

function resolution(answer: { code?: string; addresses?: unknown[] }): Resolution {
  if (Array.isArray(answer.addresses)) {
    const valid = answer.addresses.filter(
      (a): a is string => typeof a === 'string' && ipaddr.isValid(a),
    );
    return [...new Set(valid.map(canonicalIp))];
  }
  // The resolver's own answer, even a failure (EAI_AGAIN: it gave up), stands as before: the name
  // does not resolve, host-down. Only a lookup stopped by port-drift (time, cancel) is inconclusive.
  return answer.code === 'ENOTFOUND' || answer.code === 'ENODATA'
    ? { error: 'does not resolve' }
    : { error: `could not be resolved (${String(answer.code ?? 'no answer')})` };
}

/** Resolves a batch of names within `ms`; names without an answer are missing from the result. */
async function lookupBatch(
  names: readonly string[],
  ms: number,
  signal: AbortSignal | undefined,
): Promise<Map<string, Resolution>> {
  const out = new Map<string, Resolution>();
  const wanted = new Set(names);
  await runProcess([process.execPath, '-e', LOOKUP, '--', ...names], {
    // libuv lets DNS use at most half of its threads: twice the names, and one more, gives
    // every name a thread of its own.
    env: { ...process.env, UV_THREADPOOL_SIZE: String(2 * names.length + 1) },
    deadline: Date.now() + ms,
    ...(signal ? { signal } : {}),
    onLine: (line) => {
      try {
        const [name, answer] = JSON.parse(line) as [
          string,
          { code?: string; addresses?: unknown[] },
        ];
        if (wanted.has(name)) out.set(name, resolution(answer));
      } catch {
        // Not a line of ours: ignored, and the name it was about has no answer.
      }
    },
  });
  return out;
}

/**
 * Every A and AAAA answer for each name (canonical; an IPv4-mapped IPv6 answer, which nmap will
 * not scan, becomes its IPv4 address), all within `deadline`: first every name with a short
 * timeout, then the names that did not answer again with the time left. A name the system
 * answers at once never waits on one that is slow.
 */
export async function resolveNames(
  names: readonly string[],
  options: { deadline?: number; signal?: AbortSignal } = {},
): Promise<Map<string, Resolution>> {
  const deadline = options.deadline ?? Date.now() + DNS_TIMEOUT_MS;
  const out = new Map<string, Resolution>();
  const tried = new Map<string, number>();
  const pass = async (todo: readonly string[], limit: number): Promise<void> => {
    const batches: string[][] = [];
    for (let i = 0; i < todo.length; i += DNS_BATCH) batches.push(todo.slice(i, i + DNS_BATCH));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const ms = Math.min(limit, deadline - Date.now());
        if (ms <= 0 || options.signal?.aborted) return;
        const answers = await lookupBatch(batch, ms, options.signal);
        for (const name of batch) {
          const answer = answers.get(name);
          if (answer) out.set(name, answer);
          else tried.set(name, Math.max(tried.get(name) ?? 0, ms));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(DNS_PROCESSES, batches.length) }, worker));
  };
  await pass([...new Set(names)], DNS_FIRST_TRY_MS);
  const slow = [...new Set(names)].filter((n) => !out.has(n));
  if (slow.length > 0) await pass(slow, DNS_TIMEOUT_MS);
  const why = (name: string): string => {
    if (options.signal?.aborted) return 'was not resolved: the run was cancelled';
    const ms = tried.get(name);
    return ms === undefined
      ? 'was not resolved: the budget for DNS ran out'
      : `could not be resolved: no answer within ${Math.ceil(ms / 1000)} s`;
  };
  return new Map(names.map((n) => [n, out.get(n) ?? { error: why(n), inconclusive: true }]));
}

/**
 * Does this runner have an address of the family that can talk beyond its own links? Linux lets a
 * UDP socket connect() to an IPv6 address with no route at all, so the kernel alone cannot tell;
 * a runner whose only IPv6 addresses are link-local (as on GitHub-hosted runners) cannot reach
 * any IPv6 address but its own.
 */
function hasRoutableSource(
  family: 4 | 6,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): boolean {
  return Object.values(interfaces)
    .flat()
    .some((info) => {
      if (!info || info.internal || info.family !== `IPv${family}`) return false;
      const range = ipaddr.parse(info.address).range();
      return range !== 'linkLocal' && range !== 'loopback';
    });
}

function noRoute(family: 4 | 6, address: string, why: string): string {
  return (
    `this runner has no IPv${family} route to ${address} (${why}). ` +
    (family === 6
      ? 'GitHub-hosted runners have no IPv6: scan IPv6 from a self-hosted runner, or set ip-version: 4.'
      : 'Check the runner network.')
  );
}

/** What the kernel says about one address: the source it would send from, or why it cannot. */
interface Route {
  /** The runner's own address the kernel chose as source (no packet is sent). */
  source?: string;
  /** Why there is no route, for the family's line (`ENETUNREACH`, no address beyond link-local). */
  cause?: string;
  /** The whole reason, for the address's inconclusive finding. */
  problem?: string;
}

/**
 * The route to one address. Loopback is always reachable; otherwise the runner needs a routable
 * address of the family, and a UDP socket's connect() then asks the kernel for a route (and the
 * source address it would use) without sending a packet.
 */
function routeOf(address: string): Promise<Route> {
  const family = familyOf(address);
  const loopback = ipaddr.isValid(address) && ipaddr.parse(address).range() === 'loopback';
  if (!loopback && !hasRoutableSource(family)) {
    const cause = `it has no IPv${family} address beyond link-local`;
    return Promise.resolve({ cause, problem: noRoute(family, address, cause) });
  }
  return new Promise((resolve) => {
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    const done = (route: Route): void => {
      socket.close();
      resolve(route);
    };
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const cause = error.code ?? getErrorMessage(error);
      done(loopback ? {} : { cause, problem: noRoute(family, address, cause) });
    });
    try {
      socket.connect(9, address, () => {
        let source: string | undefined;
        try {
          source = canonicalIp(socket.address().address);
        } catch {
          source = undefined;
        }
        done(source ? { source } : {});
      });
    } catch (error) {
      const cause = getErrorMessage(error);
      done(loopback ? {} : { cause, problem: `cannot reach ${address}: ${cause}` });
    }
  });
}

/** A source address the internet could see as it is: global unicast, not private, not NAT's. */
function isPublic(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.parse(address).range() === 'unicast';
}

/** One family's line of the vantage, from the routes to its targets. */
function familyVantage(family: 4 | 6, routes: readonly Route[]): FamilyVantage {
  const sources = [...new Set(routes.flatMap((r) => (r.source ? [r.source] : [])))].sort();
  const routable = hasRoutableSource(family);
  const route = routes.length > 0 ? routes.some((r) => !r.problem) : routable;
  const why =
    routes.find((r) => r.cause)?.cause ??
    (routable ? undefined : `it has no IPv${family} address beyond link-local`);
  return {
    family,
    route,
    // Within what report.json's schema takes, so that a merge reads it back.
    ...(route || !why ? {} : { why: oneLine(why, 200) }),
    targets: routes.length,
    sources: sources.slice(0, 64),
    public: sources.filter(isPublic).slice(0, 64),
  };
}

/**
 * Where this scan looks from, and which of the candidates (addresses and CIDR blocks, canonical)
 * it cannot reach: the one place that decides, per address and per family, whether this runner
 * has a route. Nothing is sent: the kernel is asked, never an outside service.
 */
export async function vantageOf(
  candidates: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ vantage: Vantage; unreachable: Map<string, string> }> {
  const routes = new Map<string, Route>();
  await Promise.all(
    candidates.map(async (spec) => routes.set(spec, await routeOf(spec.split('/')[0] ?? spec))),
  );
  const unreachable = new Map<string, string>();
  for (const [spec, route] of routes) if (route.problem) unreachable.set(spec, route.problem);
  const of = (family: 4 | 6): Route[] =>
    [...routes].filter(([spec]) => familyOf(spec) === family).map(([, r]) => r);
  const name = oneLine(env['RUNNER_NAME'] ?? '', 200);
  const environment = oneLine(env['RUNNER_ENVIRONMENT'] ?? '', 40);
  const runner = { ...(name ? { name } : {}), ...(environment ? { environment } : {}) };
  return {
    vantage: {
      families: [familyVantage(4, of(4)), familyVantage(6, of(6))],
      ...(Object.keys(runner).length > 0 ? { runner } : {}),
    },
    unreachable,
  };
}
