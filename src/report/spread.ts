// Spread across repetitions: the comparison table pools several runs of one fault type (counts
// summed, times averaged), which hides how far the runs disagree (UBL's TPR 0.11, 0.01 and 0.98 on
// three cpuhog runs pooled to "36.1%"). This table shows every run's own numbers, then their
// minimum, median and maximum, for each algorithm and fault type with more than one run.

import { html, type Markup } from './escape.ts';
import { fixed, NA, pct, ratio } from './format.ts';
import { modeLabel, type SummaryRow } from './summary.ts';

export interface RunRows {
  /** How the report names the run (dataset and fault type, numbered). */
  heading: string;
  anchor: string;
  /** summarize([that run]).rows */
  rows: SummaryRow[];
}

interface Measure {
  name: string;
  value: (r: SummaryRow) => number | null;
  format: (v: number | null) => string;
}

const MEASURES: Measure[] = [
  { name: 'TPR', value: (r) => r.prediction?.tpr ?? null, format: (v) => pct(v) },
  { name: 'FPR', value: (r) => r.prediction?.fpr ?? null, format: (v) => pct(v) },
  { name: 'J (chance 0)', value: (r) => r.prediction?.j ?? null, format: ratio },
  { name: 'lead to onset, s', value: (r) => r.prediction?.leadMeanS ?? null, format: (v) => fixed(v) },
  { name: 'AC@1', value: (r) => r.localization?.ac1 ?? null, format: ratio },
  { name: 'time to localize, s', value: (r) => r.localization?.ttlS ?? null, format: (v) => fixed(v) },
  { name: 'fix time, s', value: (r) => r.fix?.fixTimeS ?? null, format: (v) => fixed(v) },
  {
    name: 'violation s saved',
    value: (r) => r.fix?.violationSecondsSaved ?? null,
    format: (v) => fixed(v, 0),
  },
];

/** Minimum, median (mean of the middle two for an even count) and maximum of the non-null values. */
export function minMedianMax(values: (number | null)[]): { min: number; median: number; max: number } | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  const median = xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  return { min: xs[0]!, median, max: xs[xs.length - 1]! };
}

/** The section, or null when no algorithm has more than one run of a fault type. */
export function spreadSection(runs: RunRows[]): Markup | null {
  const groups = new Map<string, { row: SummaryRow; perRun: { run: RunRows; row: SummaryRow }[] }>();
  for (const run of runs) {
    for (const row of run.rows) {
      const key = `${row.identity.key}\u0000${row.faultType}`;
      if (!groups.has(key)) groups.set(key, { row, perRun: [] });
      groups.get(key)!.perRun.push({ run, row });
    }
  }
  const repeated = [...groups.values()].filter((g) => g.perRun.length > 1);
  if (repeated.length === 0) return null;
  const body = repeated.map((g) => {
    const stats = MEASURES.map((m) => minMedianMax(g.perRun.map((p) => m.value(p.row))));
    const runRows = g.perRun.map(
      (p, i) =>
        html`<tr class="${i === 0 ? 'group-start' : ''}">
          <th scope="row">${i === 0 ? modeLabel(g.row) : ''}</th>
          <td>${i === 0 ? g.row.faultType : ''}</td>
          <td><a href="#${p.run.anchor}">${p.run.heading}</a></td>
          ${MEASURES.map((m) => html`<td class="num">${m.format(m.value(p.row))}</td>`)}
        </tr>`,
    );
    const statRow = (name: 'min' | 'median' | 'max'): Markup =>
      html`<tr class="stat">
        <th scope="row"></th>
        <td></td>
        <td><b>${name}</b> of ${g.perRun.length} runs</td>
        ${MEASURES.map((m, k) => html`<td class="num"><b>${stats[k] ? m.format(stats[k][name]) : NA}</b></td>`)}
      </tr>`;
    return html`${runRows}${statRow('min')}${statRow('median')}${statRow('max')}`;
  });
  return html`<section id="spread">
    <h2>Spread across repetitions</h2>
    <p>
      Each run's own numbers, then their minimum, median and maximum, for every algorithm and fault type with
      more than one run (the comparison above pools them: counts summed, times averaged). ${NA} = does not
      apply in that run (no failing episode, no case, no recovery).
    </p>
    <div class="table-wrap">
      <table class="summary spread">
        <thead>
          <tr>
            <th scope="col">algorithm [mode]</th>
            <th scope="col">fault type</th>
            <th scope="col">run</th>
            ${MEASURES.map((m) => html`<th scope="col">${m.name}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${body}
        </tbody>
      </table>
    </div>
  </section>`;
}
