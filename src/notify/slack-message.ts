// The Slack message: one Block Kit message within Slack's limits, with Slack's special sequences
// (<!channel>, <!here>, <@U…>, <url|text>) made impossible in untrusted text; each finding with what
// to do about it. Pure. slack.ts sends
// it; changes.ts decides whether Slack hears of a run at all.
import { findingDetail, portLabel } from '../report/format.js';
import { oneLine } from '../base/markdown.js';
import { remedyFor } from '../findings/hints.js';
import type { Finding } from '../base/types.js';
import {
  describeChanges,
  findingKey,
  type Changes,
  type FindingRef,
  type SlackEvent,
} from '../memory/changes.js';
import type { Result } from './render.js';
import type { RunInfo } from '../github/context.js';

/** Slack's limits: section text, blocks per message, header text. */
export const SLACK_SECTION_LIMIT = 3000;
export const SLACK_MAX_BLOCKS = 50;
const HEADER_LIMIT = 150;
/** Sections of findings; the rest is counted and left to the run's summary. */
const MAX_FINDING_SECTIONS = 10;

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
  const service = 'expected' in f ? findingDetail(f) : '';
  const pinned = 'expected' in f && f.kind === 'service-changed' ? `pinned ${f.expected}` : '';
  return [
    `• *${f.kind}*`,
    slackCode(f.target),
    f.address && f.address !== f.target ? slackCode(f.address) : '',
    portLabel(f),
    pinned ? slackCode(pinned, 60) : '',
    service ? slackCode(service, 'certificate' in f && f.certificate ? 200 : 80) : '',
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

/** What a message tells: the run, its result, what changed since the last one, and the event. */
export interface SlackNews {
  run: RunInfo;
  result: Result;
  changes: Changes;
  event: SlackEvent;
  /**
   * For a run that does not speak for production (production.ts): where it ran, such as `pull
   * request #7`; the header says so, and the message says nothing of earlier runs.
   */
  place?: string;
}

export function buildSlackMessage(news: SlackNews): SlackMessage {
  const { run, result, event } = news;
  const title = titleOf(news);
  const verdict = slackEscape(result.message, 500);
  const blocks: Block[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: [...title].slice(0, HEADER_LIMIT).join(''), emoji: true },
    },
    ...(event === 'resolved'
      ? [section(`No drift in ${runLink(run)}. ${verdict}`)]
      : findingBlocks(news, verdict)),
    { type: 'context', elements: [{ type: 'mrkdwn', text: `port-drift · ${runLink(run)}` }] },
  ];
  return { text: `${title}: ${verdict}`, blocks };
}

function titleOf({ run, event, place }: SlackNews): string {
  const name = slackEscape(run.name, 100);
  if (place !== undefined)
    return `🔎 Port drift in ${slackEscape(place, 60)} (not production): ${name}`;
  return {
    new: `🚨 New port drift: ${name}`,
    changed: `⚠️ Port drift changed: ${name}`,
    resolved: `✅ Port drift resolved: ${name}`,
    ongoing: `⚠️ Port drift: ${name}`,
  }[event];
}

/** The verdict, then the findings (resolved ones first), each remedy under its first finding. */
function findingBlocks(
  { run, result, changes, event, place }: SlackNews,
  verdict: string,
): Block[] {
  const added = new Set(changes.added.map(findingKey));
  const advised = new Set<string>();
  const since = place === undefined ? ` ${slackEscape(describeChanges(changes), 200)}` : '';
  const lines = [
    ...(changes.known && !changes.detailsLost
      ? changes.resolved.map((f) => `${findingLine(f)} _(resolved)_`)
      : []),
    ...result.findings.map((f) => {
      const line =
        event === 'changed' && added.has(findingKey(f))
          ? `${findingLine(f)} _(new)_`
          : findingLine(f);
      // What to do, under the first finding it is for: the same advice is not repeated.
      const remedy = remedyFor(f);
      if (advised.has(remedy)) return line;
      advised.add(remedy);
      return `${line}\n      ↳ ${slackEscape(remedy, 400)}`;
    }),
  ];
  // Header, verdict and context take three blocks; the rest may be findings.
  const max = Math.min(MAX_FINDING_SECTIONS, SLACK_MAX_BLOCKS - 4);
  const packed = sections(lines, max);
  return [
    section(`*${verdict}*${since}`),
    ...packed.blocks,
    ...(packed.left > 0
      ? [section(`…and ${packed.left} more in the job summary of ${runLink(run)}.`)]
      : []),
  ];
}
