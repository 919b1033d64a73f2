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

/**
 * The problems of each Mermaid `xychart-beta` block in `md` against the grammar port-drift writes
 * and Mermaid parses: a quoted title, quoted x labels, a numeric y range, and a bar and a line of
 * whole numbers, one per label. An empty list: every chart parses.
 */
export function chartProblems(md: string): string[] {
  const charts = [...md.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1] ?? '');
  if (charts.length === 0) return ['no chart'];
  return charts.flatMap((chart) => {
    const lines = chart.split('\n');
    const problems: string[] = [];
    const [kind, title, x, y, bar, line, ...rest] = lines;
    if (kind !== 'xychart-beta') problems.push(`not an xychart: ${kind}`);
    if (!/^ {2}title "[^"\n]*"$/.test(title ?? '')) problems.push(`title: ${title}`);
    const labels = /^ {2}x-axis \[("[^"\n]*"(?:, "[^"\n]*")*)\]$/.exec(x ?? '');
    if (!labels) problems.push(`x-axis: ${x}`);
    if (!/^ {2}y-axis "count" 0 --> \d{1,10}$/.test(y ?? '')) problems.push(`y-axis: ${y}`);
    const count = labels ? (labels[1]!.match(/"[^"]*"/g) ?? []).length : 0;
    for (const [name, text] of [
      ['bar', bar],
      ['line', line],
    ] as const) {
      const values = new RegExp(`^ {2}${name} \\[(\\d{1,10}(?:, \\d{1,10})*)\\]$`).exec(text ?? '');
      if (!values) problems.push(`${name}: ${text}`);
      else if (values[1]!.split(', ').length !== count) problems.push(`${name}: not one per label`);
    }
    if (rest.length) problems.push(`more lines: ${rest.join(' / ')}`);
    return problems;
  });
}
