// What the runner's network says before a scan: every address a name resolves to, and whether this
// runner has a route to an address family at all (GitHub-hosted runners have no IPv6).
import { createSocket } from 'node:dgram';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import ipaddr from 'ipaddr.js';
import { getErrorMessage } from './errors.js';
import { runProcess } from './nmap/run.js';
import { canonicalIp } from './targets.js';

/** How long one name may take: glibc's own default (5 s, two tries, per server) fits in it. */
const DNS_TIMEOUT_MS = 30_000;
/** Names resolved at once, each in its own process. */
const DNS_PARALLEL = 8;
/** The first try's timeout: names that answer at all answer within it, and slow ones free the slot. */
const DNS_FIRST_TRY_MS = 2000;

/**
 * One lookup through the system resolver (getaddrinfo, so /etc/hosts counts), in a process of its
 * own: libuv resolves on 4 shared threads, where names that never get an answer would hold up the
 * others; a process can be given a deadline and killed. The name is an argv item, never code.
 */
const LOOKUP = `require('node:dns').lookup(process.argv[1], { all: true, verbatim: true }, (e, a) =>
  process.stdout.write(JSON.stringify(e ? { code: e.code || 'EUNKNOWN' } : { addresses: a.map((x) => x.address) })));`;

/** A name's addresses, or why there are none; `inconclusive` when the lookup was stopped (budget, cancel). */
export type Resolution = string[] | { error: string; inconclusive?: boolean };

async function lookupOne(
  name: string,
  deadline: number,
  signal: AbortSignal | undefined,
  limit: number,
): Promise<Resolution | undefined> {
  const ms = Math.min(limit, deadline - Date.now());
  // Not tried: no time left, or the run was cancelled.
  if (ms <= 0 || signal?.aborted) return undefined;
  const result = await runProcess([process.execPath, '-e', LOOKUP, '--', name], {
    env: process.env,
    deadline: Date.now() + ms,
    ...(signal ? { signal } : {}),
  });
  if (result.timedOut) {
    const why = signal?.aborted
      ? 'the run was cancelled'
      : `no answer within ${Math.ceil(ms / 1000)} s`;
    return { error: `could not be resolved: ${why}`, inconclusive: true };
  }
  let answer: { code?: string; addresses?: string[] };
  try {
    answer = JSON.parse(result.stdout) as typeof answer;
  } catch {
    return {
      error: `could not be resolved (${result.stderr.trim() || 'no answer'})`,
      inconclusive: true,
    };
  }
  if (answer.addresses) {
    const valid = answer.addresses.filter((a) => ipaddr.isValid(a));
    return [...new Set(valid.map(canonicalIp))];
  }
  // The resolver's own answer, even a failure (EAI_AGAIN: it gave up), stands as before: the name
  // does not resolve, host-down. Only a lookup stopped by the budget is inconclusive.
  return answer.code === 'ENOTFOUND' || answer.code === 'ENODATA'
    ? { error: 'does not resolve' }
    : { error: `could not be resolved (${answer.code ?? 'no answer'})` };
}

/**
 * Every A and AAAA answer for each name (canonical; an IPv4-mapped IPv6 answer, which nmap will
 * not scan, becomes its IPv4 address), a few names at a time, each bounded by its own timeout
 * and all by `deadline`: a name the system answers at once never waits on one that is slow.
 */
export async function resolveNames(
  names: readonly string[],
  options: { deadline?: number; signal?: AbortSignal } = {},
): Promise<Map<string, Resolution>> {
  const deadline = options.deadline ?? Date.now() + DNS_TIMEOUT_MS;
  const out = new Map<string, Resolution>();
  const pass = async (todo: readonly string[], limit: number): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length) {
        const name = todo[next++]!;
        const result = await lookupOne(name, deadline, options.signal, limit);
        // Not tried again (no time left): the first try's answer stands.
        if (result) out.set(name, result);
        else if (!out.has(name)) {
          const why = options.signal?.aborted
            ? 'the run was cancelled'
            : 'the budget for DNS ran out';
          out.set(name, { error: `was not resolved: ${why}`, inconclusive: true });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(DNS_PARALLEL, todo.length) }, worker));
  };
  // Two passes: a short one for every name, so that a few slow names hold the slots for seconds,
  // not the whole budget; then the slow ones again, with the time that is left.
  await pass(names, DNS_FIRST_TRY_MS);
  const slow = names.filter((n) => {
    const r = out.get(n);
    return r !== undefined && !Array.isArray(r) && r.inconclusive === true;
  });
  if (slow.length > 0 && !options.signal?.aborted) await pass(slow, DNS_TIMEOUT_MS);
  return new Map(names.map((n) => [n, out.get(n)!]));
}

/**
 * Does this runner have an address of the family that can talk beyond its own links? Linux lets a
 * UDP socket connect() to an IPv6 address with no route at all, so the kernel alone cannot tell;
 * a runner whose only IPv6 addresses are link-local (as on GitHub-hosted runners) cannot reach
 * any IPv6 address but its own.
 */
export function hasRoutableSource(
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

/**
 * Why this runner cannot reach an address, or undefined when it has a route. Loopback is always
 * reachable; otherwise the runner needs a routable address of the family, and a UDP socket's
 * connect() then asks the kernel for a route without sending a packet.
 */
export function routeProblem(address: string): Promise<string | undefined> {
  const family = address.includes(':') ? 6 : 4;
  const range = ipaddr.isValid(address) ? ipaddr.parse(address).range() : '';
  if (range === 'loopback') return Promise.resolve(undefined);
  if (!hasRoutableSource(family)) {
    return Promise.resolve(
      noRoute(family, address, 'it has no IPv' + family + ' address beyond link-local'),
    );
  }
  return new Promise((resolve) => {
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    const done = (why: string | undefined): void => {
      socket.close();
      resolve(why);
    };
    socket.on('error', (error: NodeJS.ErrnoException) => {
      done(noRoute(family, address, error.code ?? getErrorMessage(error)));
    });
    try {
      socket.connect(9, address, () => done(undefined));
    } catch (error) {
      done(`cannot reach ${address}: ${getErrorMessage(error)}`);
    }
  });
}
