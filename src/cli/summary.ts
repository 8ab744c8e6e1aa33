// A human-readable table of replay results for the terminal.
import type { ReplayResults } from '../core/results.ts';

const fmt = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined ? '-' : v.toFixed(digits);

export function printSummary(results: ReplayResults): void {
  const header = [
    'algorithm',
    'TP',
    'FP',
    'TN',
    'FN',
    'TPR',
    'FPR',
    'lead s',
    'max s',
    'AC@1',
    'AC@3',
    'loc s',
    'fix s',
    'saved s',
  ];
  const rows = Object.entries(results.algorithms).map(([name, r]) => {
    const p = r.metrics.prediction;
    const l = r.metrics.localization;
    const f = r.metrics.fix;
    return [
      name,
      p ? String(p.tp) : '-',
      p ? String(p.fp) : '-',
      p ? String(p.tn) : '-',
      p ? String(p.fn) : '-',
      fmt(p?.tpr),
      fmt(p?.fpr),
      fmt(p?.leadTimeS.mean, 1),
      fmt(p?.leadTimeS.maxPossible, 1),
      fmt(l?.ac1),
      fmt(l?.ac3),
      fmt(l?.timeS, 1),
      fmt(f?.fixTimeS, 1),
      fmt(f?.violationSecondsSaved, 0),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`dataset ${results.dataset}${results.train ? ` (trained on ${results.train})` : ''}`);
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}
