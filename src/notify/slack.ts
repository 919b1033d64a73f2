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
  let last = '';
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const answer = await post(url, message, deadline);
    if ('aborted' in answer && answer.aborted) {
      return {
        ok: false,
        warning: `could not reach Slack: no answer within ${timeoutMs / 1000} s`,
      };
    }
    const next = judge(answer, attempt);
    if ('end' in next) return next.end;
    last = next.last;
    if (next.wait === undefined) continue;
    // A wait that would leave no time for another attempt is not waited: the last answer stands.
    if (Date.now() + next.wait >= deadline) break;
    if (next.say) log.info(next.say);
    await sleep(next.wait);
  }
  return { ok: false, warning: last };
}

/** What Slack answered to one attempt, or why it did not. */
type Answer =
  { status: number; text: string; retryAfter: string | null } | { aborted: boolean; error: string };

async function post(url: string, message: SlackMessage, deadline: number): Promise<Answer> {
  const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
      redirect: 'manual',
      signal,
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      text: oneLine(await response.text(), 200),
    };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return { aborted: signal.aborted, error: oneLine(getErrorMessage(cause ?? error), 200) };
  }
}

/**
 * What an answer means: the end (sent, or refused for good), or try again, after `wait` ms when
 * set (saying `say`); `last` is the warning should no attempt succeed.
 */
function judge(
  answer: Answer,
  attempt: number,
): { end: Delivery } | { last: string; wait?: number; say?: string } {
  const backoff = attempt < MAX_ATTEMPTS ? 1000 * 2 ** (attempt - 1) : undefined;
  if ('error' in answer) {
    return { last: `could not reach Slack: ${answer.error}`, ...(backoff && { wait: backoff }) };
  }
  const { status, text } = answer;
  if (status >= 200 && status < 300) return { end: { ok: true } };
  if (status >= 300 && status < 400) {
    const warning = `Slack answered ${status} with a redirect, which port-drift does not follow: nothing was posted. Check slack-webhook-url.`;
    return { end: { ok: false, warning } };
  }
  const last = `Slack answered ${status}${text ? ` ${JSON.stringify(text)}` : ''}`;
  if (status === 429) {
    const asked = Number(answer.retryAfter);
    const seconds = Number.isFinite(asked) && asked >= 0 ? asked : 1;
    if (seconds > MAX_RETRY_AFTER_S) return { last, wait: Infinity };
    return { last, wait: seconds * 1000, say: `Slack rate limit (429): retrying in ${seconds} s.` };
  }
  if (status >= 500) {
    return backoff
      ? { last, wait: backoff, say: `Slack answered ${status}: retrying in ${backoff / 1000} s.` }
      : { last };
  }
  if (status === 404 || status === 410) {
    const warning = `${last}: the webhook is gone (removed, or its channel archived). Create a new incoming webhook and update slack-webhook-url.`;
    return { end: { ok: false, warning } };
  }
  return { end: { ok: false, warning: last } };
}
