// A loopback HTTP server that takes every request and never answers: a GitHub or a Slack that
// hangs. It keeps what was asked, and calls `onRequest` as each request arrives, so that a test can
// look at what the run had already written by then.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SilentServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** `METHOD /path` of every request taken, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startSilentServer(
  onRequest: (req: IncomingMessage) => void = () => {},
): Promise<SilentServer> {
  const requests: string[] = [];
  const server = createServer((req) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    onRequest(req);
    // Read the body, and then say nothing at all.
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
