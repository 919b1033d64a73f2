// What the runner's network says before a scan: every address a name resolves to, and whether this
// runner has a route to an address family at all (GitHub-hosted runners have no IPv6).
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import ipaddr from 'ipaddr.js';
import { getErrorMessage } from './errors.js';

const DNS_TIMEOUT_MS = 30_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Every A and AAAA answer for each name, through the system resolver (so /etc/hosts counts). */
export async function resolveNames(
  names: readonly string[],
): Promise<Map<string, string[] | { error: string }>> {
  const entries = await Promise.all(
    names.map(async (name): Promise<[string, string[] | { error: string }]> => {
      try {
        const answers = await withTimeout(
          lookup(name, { all: true, verbatim: true }),
          DNS_TIMEOUT_MS,
          'DNS lookup',
        );
        return [name, [...new Set(answers.map((a) => a.address))]];
      } catch (error) {
        const code = (error as { code?: string }).code;
        const why =
          code === 'ENOTFOUND' || code === 'ENODATA'
            ? 'does not resolve'
            : `could not be resolved (${code ?? getErrorMessage(error)})`;
        return [name, { error: why }];
      }
    }),
  );
  return new Map(entries);
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
