// `foreshock report --scoreboard <dirs..>`: a NAB-style scoreboard across runs: one row per
// algorithm and fault type, each measure as mean ± sd over the runs (sd over runs, n - 1; "-" for one
// run), beside the published number for that algorithm and fault type where the repo has one
// (src/report/reference.ts). Per-run rates, so a run counts once whatever its length.

import type { AlgorithmResult } from '../core/results.ts';
import { FLOOR_LOCALIZER, FLOOR_PREDICTOR } from './headline.ts';
import { referenceFor, type ReferenceValues } from './reference.ts';
import type { RunFile } from './run-files.ts';
import type { PlainTable } from './table-export.ts';

interface Measure {
  name: string;
  value: (r: AlgorithmResult) => number | null | undefined;
  digits: number;
  paper?: (v: ReferenceValues) => number | undefined;
}

const MEASURES: Measure[] = [
  { name: 'TPR', value: (r) => r.metrics.prediction?.tpr, digits: 2, paper: (v) => v.tpr },
  { name: 'FPR', value: (r) => r.metrics.prediction?.fpr, digits: 3, paper: (v) => v.fpr },
  { name: 'J', value: (r) => r.metrics.prediction?.j, digits: 2 },
  {
    name: 'lead s',
    value: (r) => r.metrics.prediction?.leadTimeS.mean,
    digits: 1,
    paper: (v) => v.leadMeanS,
  },
  { name: 'AC@1', value: (r) => r.metrics.localization?.ac1, digits: 2 },
  { name: 'culprit first s', value: (r) => r.metrics.localization?.ttlS, digits: 1 },
  { name: 'fix s', value: (r) => r.metrics.fix?.fixTimeS, digits: 1 },
  { name: 'saved s', value: (r) => r.metrics.fix?.violationSecondsSaved, digits: 0 },
];

/** Mean and sample standard deviation (n - 1) of the finite values; sd null for fewer than two. */
export function meanSd(
  values: (number | null | undefined)[],
): { mean: number; sd: number | null; n: number } | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length < 2 ? null : Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return { mean, sd, n: xs.length };
}

function cell(stats: ReturnType<typeof meanSd>, digits: number): string {
  if (!stats) return 'n/a';
  return `${stats.mean.toFixed(digits)} ± ${stats.sd === null ? '-' : stats.sd.toFixed(digits)}`;
}

export function scoreboardTable(runs: RunFile[]): PlainTable {
  const groups = new Map<string, { algorithm: string; faultType: string; results: AlgorithmResult[] }>();
  for (const run of runs) {
    for (const [algorithm, result] of Object.entries(run.results.algorithms)) {
      const key = `${algorithm}\u0000${run.faultType}`;
      if (!groups.has(key)) groups.set(key, { algorithm, faultType: run.faultType, results: [] });
      groups.get(key)!.results.push(result);
    }
  }
  const floorLast = (a: string): number => (a === FLOOR_PREDICTOR || a === FLOOR_LOCALIZER ? 1 : 0);
  const sorted = [...groups.values()].sort(
    (a, b) =>
      floorLast(a.algorithm) - floorLast(b.algorithm) ||
      (a.algorithm < b.algorithm ? -1 : a.algorithm > b.algorithm ? 1 : 0) ||
      (a.faultType < b.faultType ? -1 : a.faultType > b.faultType ? 1 : 0),
  );
  return {
    headers: ['algorithm', 'fault', 'runs', ...MEASURES.map((m) => `${m.name} (mean ± sd)`), 'paper'],
    rows: sorted.map((g) => {
      const ref = referenceFor(g.algorithm, g.faultType);
      const paper = ref
        ? MEASURES.flatMap((m) => {
            const v = m.paper?.(ref.values);
            return v === undefined ? [] : [`${m.name} ${v}`];
          })
        : [];
      return [
        g.algorithm,
        g.faultType,
        String(g.results.length),
        ...MEASURES.map((m) => cell(meanSd(g.results.map((r) => m.value(r))), m.digits)),
        ref ? `${paper.length > 0 ? paper.join(', ') : 'a claim, no comparable number'} (${ref.title})` : '',
      ];
    }),
  };
}
