// Markdown that untrusted text cannot escape from. Banners, DNS names and nmap's messages come from
// the scanned hosts: they are shown only inside code spans, where GitHub makes no mention, issue
// reference, link or HTML of them, with table pipes escaped, control characters removed and HTML
// comment openers broken.
import { CONTROL_CHARS } from './untrusted.js';

const MAX_CELL = 120;

/** Text on one line, printable, and not longer than max characters. */
export function oneLine(text: string, max = MAX_CELL): string {
  const flat = text.replace(CONTROL_CHARS, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}

/** Untrusted text as an inline code span, safe in running text and in table cells. */
export function code(text: string, max = MAX_CELL): string {
  // `<!--` is broken with a zero-width space: the hidden markers that find an issue, a comment
  // and the last state in a body are HTML comments, and a banner must not be able to plant one.
  const flat = oneLine(text, max).replace(/\|/g, '\\|').replace(/<!--/g, '<!-\u200b-');
  if (flat === '') return '';
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A Markdown table; every cell is already safe Markdown. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [tableRow(header), tableRow(header.map(() => '---')), ...rows.map(tableRow)].join('\n');
}

/** One row of a Markdown table; every cell is already safe Markdown. */
export function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

/**
 * Our own sentences (hints, which hold ports, dates and config names such as `net.bindIp`) as
 * Markdown that shows them as written: the characters Markdown would read are escaped.
 */
export function escapeText(text: string): string {
  return oneLine(text, 2000).replace(/[\\`*_[\]<>|#~]/g, '\\$&');
}

/** Text as a fenced code block, the fence longer than any run of backticks in it. */
export function fenced(text: string, lang = ''): string {
  const clean = text
    .split('\n')
    .map((line) => line.replace(CONTROL_CHARS, ' '))
    .join('\n');
  const longest = Math.max(2, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${clean}\n${fence}`;
}
