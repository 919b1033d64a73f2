// A loopback server that answers like a Slack incoming webhook: `ok`, or Slack's error texts with
// their statuses (400 invalid_payload, 404 no_service, 410 channel_is_archived, 429 with
// Retry-After, 500). It checks Block Kit's limits as Slack does, and keeps every message it took;
// it can be slow (delayMs), or take a message and never answer (hang).
import { listenLoopback } from './loopback.js';

export interface SlackReply {
  status: number;
  /** Slack's error text, such as `no_service`; `ok` by default for 200. */
  text?: string;
  retryAfter?: number;
}

export interface SlackServer {
  /** The webhook URL: http on the loopback address, with a secret-looking path. */
  url: string;
  /** Messages accepted (answered 200), parsed. */
  messages: { text: string; blocks: { type: string; text?: { text: string } }[] }[];
  /** Every POST, whatever the answer. */
  attempts: number;
  /** Replies to give, in order, before going back to 200 ok. */
  script(...replies: SlackReply[]): void;
  /** When true, every POST is taken and never answered: a Slack that hangs. */
  hang: boolean;
  /** Milliseconds to wait before each answer: a slow Slack. */
  delayMs: number;
  close(): Promise<void>;
}

export const WEBHOOK_PATH = '/services/T0TEST0000/B0TEST0000/s3cr3tW3bh00kT0k3nXYZ';

export async function startSlackServer(): Promise<SlackServer> {
  const queue: SlackReply[] = [];
  const state: Pick<SlackServer, 'messages' | 'attempts' | 'hang' | 'delayMs'> = {
    messages: [],
    attempts: 0,
    hang: false,
    delayMs: 0,
  };
  const loopback = await listenLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.hang && req.method === 'POST') {
        state.attempts++;
        return;
      }
      setTimeout(answer, state.delayMs);
    });
    const answer = (): void => {
      if (req.method !== 'POST' || req.url !== WEBHOOK_PATH) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
        return;
      }
      state.attempts++;
      const reply = queue.shift();
      if (reply && reply.status !== 200) {
        res
          .writeHead(reply.status, {
            'content-type': 'text/plain',
            ...(reply.retryAfter !== undefined ? { 'retry-after': String(reply.retryAfter) } : {}),
          })
          .end(reply.text ?? '');
        return;
      }
      let message: SlackServer['messages'][number];
      try {
        message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof message;
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
        return;
      }
      const blocks = Array.isArray(message.blocks) ? message.blocks : [];
      const tooBig = blocks.some((b) => (b.text?.text?.length ?? 0) > 3000);
      if (blocks.length > 50 || tooBig || typeof message.text !== 'string') {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_blocks');
        return;
      }
      state.messages.push(message);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    };
  });
  return {
    url: `${loopback.url}${WEBHOOK_PATH}`,
    get messages() {
      return state.messages;
    },
    get attempts() {
      return state.attempts;
    },
    script: (...replies) => void queue.push(...replies),
    get hang() {
      return state.hang;
    },
    set hang(value: boolean) {
      state.hang = value;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    close: loopback.close,
  };
}
