// The start-up and shut-down every stand-in server shares (GitHub, Slack, the Actions cache, a
// server that never answers): an HTTP server on 127.0.0.1 and a port the kernel picks, and a close
// that drops the connections the client under test still holds open. And a plain TCP listener on
// loopback, an open port for nmap to find.
import { createServer, type RequestListener } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';

export interface Loopback {
  /** http://127.0.0.1:<port>, without a trailing slash. */
  url: string;
  close: () => Promise<void>;
}

export async function listenLoopback(handler: RequestListener): Promise<Loopback> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP listener on 127.0.0.1 that closes each connection: an open port for a scan to find. */
export function listenTcp(): Promise<Server> {
  return new Promise((resolve, reject) => {
    // nmap's connect scan (not root) and version detection reset connections: not an error here.
    const server = createTcpServer((socket) => {
      socket.on('error', () => undefined);
      socket.end();
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
