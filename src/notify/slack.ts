// Slack's incoming webhook, the transport: posts a message within one deadline, waits as Slack
// asks (429 Retry-After), backs off on 5xx and network errors, and reports what Slack refused with
// its own error text. The message is slack-message.ts's; the URL (a secret) is never in a message.
import { setTimeout as sleep } from 'node:timers/promises';
import { getErrorMessage } from '../base/errors.js';
import { oneLine } from '../base/markdown.js';
import type { Logger } from '../base/log.js';
import type { SlackMessage } from './slack-message.js';

const MAX_ATTEMPTS = 4;
const MAX_RETRY_AFTER_S = 60;

export type Delivery = { ok: true } | { ok: false; warning: string };

/**
 * Posts the message, within one deadline (`timeoutMs`) for all attempts and waits. 429 waits for
 * Retry-After, 5xx and network errors back off (1, 2, 4 s), each only while the deadline leaves
 * room; anything else Slack refused is reported with Slack's own error text, escaped. A redirect is
 * a failure. The URL is never in a message.
 */
export async function postToSlack(
  url: string,
  message: SlackMessage,
  log: Logger,
  timeoutMs: number,
): Promise<Delivery> {
  const deadline = Date.now() + timeoutMs;
  const noAnswer = `could not reach Slack: no answer within ${timeoutMs / 1000} s`;
  let last = '';
  /** Waits, when the wait leaves time for another attempt; says whether it waited. */
  const waitIfTime = async (ms: number): Promise<boolean> => {
    if (Date.now() + ms >= deadline) return false;
    await sleep(ms);
    return true;
  };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let status: number;
    let text: string;
    let retryAfter: string | null;
    const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(message),
        redirect: 'manual',
        signal,
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = oneLine(await response.text(), 200);
    } catch (error) {
      if (signal.aborted) return { ok: false, warning: noAnswer };
      const cause = (error as { cause?: unknown }).cause;
      last = `could not reach Slack: ${oneLine(getErrorMessage(cause ?? error), 200)}`;
      if (attempt < MAX_ATTEMPTS && !(await waitIfTime(1000 * 2 ** (attempt - 1)))) break;
      continue;
    }
    if (status >= 200 && status < 300) return { ok: true };
    if (status >= 300 && status < 400) {
      return {
        ok: false,
        warning: `Slack answered ${status} with a redirect, which port-drift does not follow: nothing was posted. Check slack-webhook-url.`,
      };
    }
    last = `Slack answered ${status}${text ? ` ${JSON.stringify(text)}` : ''}`;
    if (status === 429) {
      const wait = Number(retryAfter);
      const seconds = Number.isFinite(wait) && wait >= 0 ? wait : 1;
      if (seconds > MAX_RETRY_AFTER_S || Date.now() + seconds * 1000 >= deadline) break;
      log.info(`Slack rate limit (429): retrying in ${seconds} s.`);
      await sleep(seconds * 1000);
      continue;
    }
    if (status >= 500) {
      if (attempt < MAX_ATTEMPTS) {
        const wait = 1000 * 2 ** (attempt - 1);
        if (Date.now() + wait >= deadline) break;
        log.info(`Slack answered ${status}: retrying in ${wait / 1000} s.`);
        await sleep(wait);
      }
      continue;
    }
    if (status === 404 || status === 410) {
      return {
        ok: false,
        warning: `${last}: the webhook is gone (removed, or its channel archived). Create a new incoming webhook and update slack-webhook-url.`,
      };
    }
    return { ok: false, warning: last };
  }
  return { ok: false, warning: last };
}
