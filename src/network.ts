// What the runner's network says before a scan: every address a name resolves to, and whether this
// runner has a route to an address family at all (GitHub-hosted runners have no IPv6).
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
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
 * Why this runner cannot reach an address, or undefined when it has a route. A UDP socket's
 * connect() asks the kernel for a route without sending a packet.
 */
export function routeProblem(address: string): Promise<string | undefined> {
  const family = address.includes(':') ? 6 : 4;
  return new Promise((resolve) => {
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    const done = (why: string | undefined): void => {
      socket.close();
      resolve(why);
    };
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? getErrorMessage(error);
      done(
        `this runner has no IPv${family} route to ${address} (${code}). ` +
          (family === 6
            ? 'GitHub-hosted runners have no IPv6: scan IPv6 from a self-hosted runner, or set ip-version: 4.'
            : 'Check the runner network.'),
      );
    });
    try {
      socket.connect(9, address, () => done(undefined));
    } catch (error) {
      done(`cannot reach ${address}: ${getErrorMessage(error)}`);
    }
  });
}
