// Full-corpus NAB run of each streaming detector (58 files, 365,558 rows): detection time per
// detector as a ratio to reading and parsing the corpus once (measured in the same run), the NAB
// scores under both threshold searches, and the leaderboard beside the published detectors.
//
//   npm run bench -- nab
//   npm run bench -- nab --algorithms likelihood-ensemble --data ../shared/data/NAB

import { existsSync } from 'node:fs';
import path from 'node:path';
import { readNabRows } from '../src/data/import/nab.ts';
import { nabLeaderboard, textTable } from '../src/benchmarks/leaderboard.ts';
import { openNabCorpus, runNab } from '../src/benchmarks/nab/runner.ts';
import { scoreNab, type NabScoreReport } from '../src/benchmarks/nab/score.ts';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

const root = option('data', path.resolve('../shared/data/NAB'));
if (!existsSync(path.join(root, 'data'))) {
  console.log(`NAB not found at ${root}: skipped (give --data <NAB root>)`);
  process.exit(0);
}
// NAB's own windowed Gaussian first (the published baseline, reproduced row for row), then ours.
// NAB wrote its outputs with Python 2's 12 significant digits; the baseline's best threshold is
// 1.0, so its scores are rounded the same way before scoring (docs/benchmarks.md).
const runs: { label: string; algorithm: string; config?: unknown; digits?: number }[] = [
  {
    digits: 12,
    label: 'windowed-gaussian (NAB baseline)',
    algorithm: 'windowed-gaussian',
    config: { likelihood: false, spatialTolerance: 0 },
  },
  { label: 'windowed-gaussian', algorithm: 'windowed-gaussian' },
  { label: 'mp-discord', algorithm: 'mp-discord' },
  { label: 'likelihood-ensemble', algorithm: 'likelihood-ensemble' },
];
const only = option('algorithms', '');
const selected = only ? runs.filter((r) => only.split(',').includes(r.algorithm)) : runs;

const corpus = openNabCorpus(root);
const t0 = performance.now();
let rows = 0;
for (const key of corpus.keys) rows += readNabRows(path.join(root, 'data', key)).length;
const readMs = performance.now() - t0;

const table = [
  ['detector', 'run s', 'rows/s', 'ratio to read', 'standard', 'low FP', 'low FN', 'sweep standard'],
];
table.push([
  'read + parse corpus',
  (readMs / 1000).toFixed(2),
  (rows / (readMs / 1000)).toFixed(0),
  '1.0',
  '',
  '',
  '',
  '',
]);
const reports: NabScoreReport[] = [];
for (const r of selected) {
  process.stderr.write(`running ${r.label} ...\n`);
  const result = runNab(corpus, r.algorithm, { config: r.config, clock: () => performance.now() });
  const ms = result.runMs!;
  const files = r.digits
    ? result.files.map((f) => ({
        ...f,
        scores: Float64Array.from(f.scores, (x) => Number(x.toPrecision(r.digits))),
      }))
    : null;
  const report = {
    ...(files ? scoreNab(r.algorithm, files, corpus.windows) : result.report),
    detector: r.label,
  };
  reports.push(report);
  const p = report.byOptimizer.local;
  table.push([
    r.label,
    (ms / 1000).toFixed(1),
    (rows / (ms / 1000)).toFixed(0),
    (ms / readMs).toFixed(1),
    p.standard.score.toFixed(2),
    p.reward_low_FP_rate.score.toFixed(2),
    p.reward_low_FN_rate.score.toFixed(2),
    report.byOptimizer.sweep.standard.score.toFixed(2),
  ]);
}
console.log(
  `NAB v1.1: ${corpus.keys.length} files, ${rows} rows; scores with NAB's published threshold search`,
);
console.log(textTable(table));
console.log('');
const board = nabLeaderboard(reports, 'local');
console.log(
  textTable([
    ['leaderboard (* = foreshock)', 'standard', 'low FP', 'low FN'],
    ...board.entries.map((e) => [
      `${e.origin === 'foreshock' ? '*' : ' '} ${e.name}`,
      e.standard.toFixed(1),
      e.reward_low_FP_rate.toFixed(1),
      e.reward_low_FN_rate.toFixed(1),
    ]),
  ]),
);
