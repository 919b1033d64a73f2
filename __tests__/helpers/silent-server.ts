// A loopback HTTP server that takes every request and never answers: a GitHub or a Slack that
// hangs. It keeps what was asked, and calls `onRequest` as each request arrives, so that a test can
// look at what the run had already written by then.
import type { IncomingMessage } from 'node:http';
import { listenLoopback } from './loopback.js';

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
  const loopback = await listenLoopback((req) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    onRequest(req);
    // Read the body, and then say nothing at all.
    req.resume();
  });
  return { url: loopback.url, requests, close: loopback.close };
}
