// Slack: one Block Kit message through an incoming webhook, within Slack's limits, with Slack's
// special sequences (<!channel>, <!here>, <@U…>, <url|text>) made impossible in untrusted text.
import { getErrorMessage } from '../errors.js';
import { describeService, portLabel } from '../report/format.js';
import { oneLine } from '../report/markdown.js';
import type { Finding } from '../types.js';
import { describeChanges, findingKey, type Changes, type FindingRef } from './changes.js';
import type { Log } from './github.js';
import type { Result, RunInfo } from './render.js';

/** Slack's limits: section text, blocks per message, header text. */
export const SLACK_SECTION_LIMIT = 3000;
export const SLACK_MAX_BLOCKS = 50;
const HEADER_LIMIT = 150;
/** Sections of findings; the rest is counted and left to the run's summary. */
const MAX_FINDING_SECTIONS = 10;
const MAX_ATTEMPTS = 4;
const MAX_RETRY_AFTER_S = 60;

export type SlackEvent = 'new' | 'changed' | 'resolved' | 'ongoing';

interface Block {
  type: string;
  [key: string]: unknown;
}

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/**
 * Untrusted text for Slack mrkdwn: on one line, `&`, `<` and `>` escaped (Slack's only control
 * characters: no `<!channel>`, `<@U…>` or `<url|text>` survives), backticks removed so the text
 * cannot leave the code span it is shown in.
 */
export function slackEscape(text: string, max = 120): string {
  return oneLine(text, max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`/g, "'");
}

/** Untrusted text as a Slack code span; empty text is no span. */
export function slackCode(text: string, max = 120): string {
  const t = slackEscape(text, max);
  return t ? `\`${t}\`` : '';
}

function findingLine(f: Finding | FindingRef): string {
  const service =
    'service' in f && f.service
      ? describeService(f.service)
      : 'detail' in f
        ? (f.detail ?? '')
        : '';
  return [
    `• *${f.kind}*`,
    slackCode(f.target),
    f.address && f.address !== f.target ? slackCode(f.address) : '',
    portLabel(f),
    service ? slackCode(service, 80) : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** Lines packed into sections of at most Slack's section limit; at most `max` sections. */
function sections(lines: readonly string[], max: number): { blocks: Block[]; left: number } {
  const blocks: Block[] = [];
  let chunk = '';
  let used = 0;
  for (const line of lines) {
    if (chunk && chunk.length + 1 + line.length > SLACK_SECTION_LIMIT) {
      if (blocks.length + 1 >= max) break;
      blocks.push(section(chunk));
      chunk = '';
    }
    chunk = chunk ? `${chunk}\n${line}` : line;
    used++;
  }
  if (chunk) blocks.push(section(chunk));
  return { blocks, left: lines.length - used };
}

function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: text.slice(0, SLACK_SECTION_LIMIT) } };
}

function runLink(run: RunInfo): string {
  return /^https?:\/\/[^\s<>|]+$/.test(run.runUrl)
    ? `<${run.runUrl}|run ${slackEscape(run.runId, 30)}>`
    : `run ${slackEscape(run.runId, 30)}`;
}

export function buildSlackMessage(
  run: RunInfo,
  result: Result,
  changes: Changes,
  event: SlackEvent,
): SlackMessage {
  const name = slackEscape(run.name, 100);
  const title = {
    new: `🚨 New port drift: ${name}`,
    changed: `⚠️ Port drift changed: ${name}`,
    resolved: `✅ Port drift resolved: ${name}`,
    ongoing: `⚠️ Port drift: ${name}`,
  }[event];
  const blocks: Block[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: [...title].slice(0, HEADER_LIMIT).join(''), emoji: true },
    },
  ];
  const verdict = slackEscape(result.message, 500);
  if (event === 'resolved') {
    blocks.push(section(`No drift in ${runLink(run)}. ${verdict}`));
  } else {
    const added = new Set(changes.added.map(findingKey));
    blocks.push(section(`*${verdict}* ${slackEscape(describeChanges(changes), 200)}`));
    const lines = [
      ...(changes.known && !changes.detailsLost
        ? changes.resolved.map((f) => `${findingLine(f)} _(resolved)_`)
        : []),
      ...result.findings.map((f) =>
        event === 'changed' && added.has(findingKey(f))
          ? `${findingLine(f)} _(new)_`
          : findingLine(f),
      ),
    ];
    // Header, verdict and context take three blocks; the rest may be findings.
    const max = Math.min(MAX_FINDING_SECTIONS, SLACK_MAX_BLOCKS - 4);
    const packed = sections(lines, max);
    blocks.push(...packed.blocks);
    if (packed.left > 0) {
      blocks.push(section(`…and ${packed.left} more in the job summary of ${runLink(run)}.`));
    }
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `port-drift · ${runLink(run)}` }],
  });
  return { text: `${title}: ${verdict}`, blocks };
}

export type Delivery = { ok: true } | { ok: false; warning: string };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Posts the message, within one deadline (`timeoutMs`) for all attempts and waits. 429 waits for
 * Retry-After, 5xx and network errors back off (1, 2, 4 s), each only while the deadline leaves
 * room; anything else Slack refused is reported with Slack's own error text, escaped. A redirect is
 * a failure. The URL is never in a message.
 */
export async function postToSlack(
  url: string,
  message: SlackMessage,
  log: Log,
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

/**
 * Whether Slack hears of this run. `change`: new drift, changed drift and resolved drift; the same
 * drift again is silent. `always`: every run with drift, and resolved drift.
 */
export function slackEventFor(
  status: Result['status'],
  previous: { count: number } | undefined,
  changes: Changes,
  notify: 'change' | 'always',
): SlackEvent | undefined {
  if (status === 'undecided') return undefined;
  if (status === 'clean') return previous && previous.count > 0 ? 'resolved' : undefined;
  if (!previous || previous.count === 0) return 'new';
  if (changes.changed) return 'changed';
  return notify === 'always' ? 'ongoing' : undefined;
}
