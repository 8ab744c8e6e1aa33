// One plain table shape for the terminal and for export: aligned text, CSV (RFC 4180 quoting) and
// GitHub-flavoured Markdown. `foreshock runs` and `foreshock report --scoreboard` print through it.

export interface PlainTable {
  headers: string[];
  rows: string[][];
}

export type TableFormat = 'text' | 'csv' | 'md';

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function toCsv(t: PlainTable): string {
  return [t.headers, ...t.rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

function mdCell(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function toMarkdown(t: PlainTable): string {
  const line = (cells: string[]): string => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(t.headers), line(t.headers.map(() => '---')), ...t.rows.map(line)].join('\n') + '\n';
}

/** Columns padded to their widest cell; the first column left-aligned, the others right-aligned. */
export function toText(t: PlainTable): string {
  const widths = t.headers.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(t.headers), ...t.rows.map(line)].join('\n') + '\n';
}

export function formatTable(t: PlainTable, format: TableFormat): string {
  return format === 'csv' ? toCsv(t) : format === 'md' ? toMarkdown(t) : toText(t);
}
