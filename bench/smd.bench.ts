// SMD run of each detector over the machines in ../shared/data/SMD (train on train/, test on
// test/): time per machine as a ratio to importing the machine (measured in the same run), F1
// (plain and point-adjusted, best threshold), HitRate@100%/@150%, and the leaderboard.
//
//   npm run bench -- smd
//   npm run bench -- smd --max-rows 5000        (first rows of train and test only)
//
// The matrix-profile channel searches 1024 values back here (not 4096 as on NAB): SMD has 38
// metrics per sample, so the default would cost four times as much for one-minute data where a
// day is 1440 values.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { importSmd, listSmdMachines } from '../src/data/import/smd.ts';
import { smdLeaderboard, textTable } from '../src/benchmarks/leaderboard.ts';
import { runSmd } from '../src/benchmarks/smd/runner.ts';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const dir = option('data') ?? path.resolve('../shared/data/SMD');
if (!existsSync(path.join(dir, 'train'))) {
  console.log(`SMD not found at ${dir}: skipped (give --data <dir>)`);
  process.exit(0);
}
const maxRows = option('max-rows') === undefined ? undefined : Number(option('max-rows'));
const algorithms = (
  option('algorithms') ?? 'threshold,windowed-gaussian,mp-discord,likelihood-ensemble'
).split(',');
const configs = { 'mp-discord': { history: 1024 }, 'likelihood-ensemble': { history: 1024 } };
const machines = listSmdMachines(dir);

const t0 = performance.now();
for (const m of machines) importSmd(dir, m);
const importMs = (performance.now() - t0) / machines.length;

const { summaries } = runSmd(dir, {
  algorithms,
  configs,
  maxRows,
  clock: () => performance.now(),
  log: (line) => process.stderr.write(`${line}\n`),
});
const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
const rows = [
  ['detector', 's/machine', 'ratio to import', 'F1', 'F1 point-adj.', 'HitRate@100%', 'HitRate@150%'],
];
rows.push(['import machine', (importMs / 1000).toFixed(2), '1.0', '', '', '', '']);
for (const s of summaries) {
  const ms = s.machines.reduce((a, m) => a + (m.runMs ?? 0), 0) / s.machines.length;
  rows.push([
    s.algorithm,
    (ms / 1000).toFixed(1),
    (ms / importMs).toFixed(1),
    f(s.mean.f1),
    f(s.mean.f1PointAdjusted),
    f(s.mean.hitRate100),
    f(s.mean.hitRate150),
  ]);
}
console.log(`SMD: ${machines.join(', ')}${maxRows ? ` (first ${maxRows} rows)` : ''}; means over machines`);
console.log(textTable(rows));
const board = smdLeaderboard(summaries, machines);
console.log('');
console.log(
  textTable([
    ['leaderboard (* = foreshock)', 'F1 point-adj.', 'F1', 'HitRate@150%'],
    ...board.entries.map((e) => [
      `${e.origin === 'foreshock' ? '*' : ' '} ${e.name}`,
      e.f1PointAdjusted.toFixed(3),
      e.f1 === undefined ? '' : e.f1.toFixed(3),
      e.hitRate150 === undefined || e.hitRate150 === null ? '' : e.hitRate150.toFixed(3),
    ]),
  ]),
);
console.log(board.caveat);
