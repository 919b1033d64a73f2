// What GitHub would render as Markdown, for tests that check untrusted text stays in code spans.

/** Markdown outside code spans: where GitHub would make mentions, references, links and HTML. */
export function outsideCodeSpans(md: string): string {
  let out = '';
  let i = 0;
  while (i < md.length) {
    const open = /`+/.exec(md.slice(i));
    if (!open) return out + md.slice(i);
    const start = i + open.index;
    const fence = open[0];
    // A span closes at the next run of exactly as many backticks.
    const close = new RegExp(`(?<!\`)${fence}(?!\`)`, 'g');
    close.lastIndex = start + fence.length;
    const end = close.exec(md);
    if (!end) return out + md.slice(i);
    out += md.slice(i, start);
    i = end.index + fence.length;
  }
  return out;
}
