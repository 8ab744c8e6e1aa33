// A human-readable table of replay (or rescore) results for the terminal: rules version 2 columns,
// with the chance floor beside every rate (J = TPR - FPR, chance AC@k = k/N) and each predictor's mode.
import type { AlgorithmResult, ReplayResults } from '../core/results.ts';

const fmt = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined ? '-' : v.toFixed(digits);

/** The algorithm's name with its mode when it reports one, e.g. `prepare [unlabeled]`. */
export function labelWithMode(name: string, r: AlgorithmResult): string {
  return r.mode ? `${name} [${r.mode.mode}]` : name;
}

export function summaryLines(results: ReplayResults): string[] {
  const header = [
    'algorithm',
    'TP',
    'FP',
    'TN',
    'FN',
    'TPR',
    'FPR',
    'J',
    'FA/h',
    'out',
    'lead s',
    'max s',
    'to v1',
    'max v1',
    'missed',
    'AC@1',
    'chance',
    'AC@3',
    'chance',
    'loc s',
    'actions',
    'fix s',
    'saved s',
    'false',
  ];
  const rows = Object.entries(results.algorithms).map(([name, r]) => {
    const p = r.metrics.prediction;
    const l = r.metrics.localization;
    const f = r.metrics.fix;
    const src = f?.fixTimeSource
      ? ` ${f.fixTimeSource === 'modelled' ? 'mod' : f.fixTimeSource === 'measured' ? 'meas' : 'mix'}`
      : '';
    const acts = f ? (f.measured > 0 ? `${f.modelled} mod/${f.measured} meas` : `${f.modelled} mod`) : '-';
    return [
      labelWithMode(name, r),
      p ? String(p.tp) : '-',
      p ? String(p.fp) : '-',
      p ? String(p.tn) : '-',
      p ? String(p.fn) : '-',
      fmt(p?.tpr),
      fmt(p?.fpr),
      fmt(p?.j),
      fmt(p?.falseAlarmsPerHour, 0),
      p ? `${p.outageAlarmed}/${p.outageSeconds}` : '-',
      fmt(p?.leadTimeS.mean, 1),
      fmt(p?.leadTimeS.maxPossible, 1),
      fmt(p?.leadToFirstS.mean, 1),
      fmt(p?.leadToFirstS.maxPossible, 1),
      p ? `${p.missedEpisodes}/${p.failingEpisodes}` : '-',
      fmt(l?.ac1),
      fmt(l?.chance.ac1),
      fmt(l?.ac3),
      fmt(l?.chance.ac3),
      fmt(l?.timeS, 1),
      acts,
      f?.fixTimeS !== null && f?.fixTimeS !== undefined ? `${fmt(f.fixTimeS, 1)}${src}` : '-',
      fmt(f?.violationSecondsSaved, 0),
      f ? String(f.falseActions) : '-',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    `dataset ${results.dataset}${results.train ? ` (trained on ${results.train})` : ''}`,
    line(header),
    ...rows.map(line),
    'J = TPR - FPR (chance 0); FA/h = false alarms per hour; out = alarmed/outage seconds (not in TP..FN);',
    'lead = onset - first alarm run in [fault start, onset), to v1 = first violation - that run; missed = episodes',
    'without one / failing episodes; chance = AC@k of a random ranking (k/N); actions mod = modelled, meas = measured;',
    'false = unnecessary actions. "-" = n/a (no case, no episode).',
  ];
}

export function printSummary(results: ReplayResults): void {
  for (const l of summaryLines(results)) console.log(l);
}

/** What `--json` prints: the table's facts, machine-readable (results.json holds the rest). */
export function summaryJson(results: ReplayResults, resultsFile: string): string {
  return JSON.stringify(
    {
      results: resultsFile,
      dataset: results.dataset,
      train: results.train,
      algorithms: Object.fromEntries(
        Object.entries(results.algorithms).map(([name, r]) => [
          name,
          { ...(r.mode ? { mode: r.mode } : {}), metrics: r.metrics },
        ]),
      ),
    },
    null,
    2,
  );
}

/** The end of a replay or rescore on stdout: the table (unless --quiet) or JSON, and where it went. */
export function printOutcome(
  results: ReplayResults,
  file: string,
  o: { json: boolean; quiet: boolean },
): void {
  if (o.json) {
    console.log(summaryJson(results, file));
    return;
  }
  if (!o.quiet) printSummary(results);
  console.log(`results: ${file}`);
}
