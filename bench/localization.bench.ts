// baro-plus compute time for the issue-20 goal: one case of 50 services x 10 metrics x 10 min of
// 1 s data localized in at most 10 ms (PRISM reports 8 ms per diagnosis, BARO 0.51 s per case).
// Measured as the best of --reps localize() calls after a warm-up call, next to a plain scan of the
// same window's values (the floor: reading every value once) and zscore, in the same run.
//
//   npm run bench -- localization
//   npm run bench -- localization --services 50 --reps 5

import type { AlgorithmContext, Localizer, Sample, Trigger, Window } from '../src/core/algorithm.ts';
import { getAlgorithm, resolveConfig } from '../src/algorithms/registry.ts';
import { createRng } from '../src/core/rng.ts';

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const services = arg('services') ?? 50;
const reps = arg('reps') ?? 5;
const METRICS = 10;
const SECONDS = 600;
const T0 = 1_767_225_600_000;
const hosts = Array.from({ length: services }, (_, i) => `svc-${i}`);
const metrics = Array.from({ length: METRICS }, (_, i) => `m${i}`);
const rng = createRng(1);
const level = hosts.map(() => metrics.map(() => 1 + 100 * rng.next()));
const sample = (t: number, h: number, faulty: boolean): Sample => ({
  time: T0 + t * 1000,
  host: hosts[h]!,
  values: Float64Array.from(
    level[h]!,
    (v, m) => v * (1 + 0.05 * rng.normal()) + (faulty && m === 0 ? 5 * v : 0),
  ),
});
// 10 min of training, then the 10 min window with a step on svc-7's m0 in its last minute.
const training: Sample[] = [];
for (let t = 0; t < SECONDS; t++) for (let h = 0; h < services; h++) training.push(sample(t, h, false));
const samples: Sample[] = [];
for (let t = SECONDS; t < 2 * SECONDS; t++) {
  for (let h = 0; h < services; h++) samples.push(sample(t, h, h === 7 && t >= 2 * SECONDS - 60));
}
const at = T0 + (2 * SECONDS - 1) * 1000;
const window: Window = { start: T0 + SECONDS * 1000, end: at, samples };
const trigger: Trigger = { kind: 'explicit', time: at, host: null };
const topology = { hosts, edges: [] as [string, string][] };
const ctx: AlgorithmContext = { metrics, hosts, sampleIntervalMs: 1000, seed: 1 };

function best(fn: () => void): number {
  fn();
  let wall = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    wall = Math.min(wall, performance.now() - t0);
  }
  return wall;
}

let sink = 0;
const scan = best(() => {
  for (const s of samples) for (let m = 0; m < s.values.length; m++) sink += s.values[m]!;
});
const rows: string[][] = [['step', 'wall ms', 'ratio to scan']];
rows.push([`scan of the window (${samples.length} samples x ${METRICS} metrics)`, scan.toFixed(2), '1']);
let baro = NaN;
// The speed mode (maxBocpdSamples, off by default: it costs accuracy, docs/localization.md) beside.
const runs: [string, string, Record<string, number> | undefined][] = [
  ['baro-plus', 'baro-plus', undefined],
  ['baro-plus maxBocpdSamples=150', 'baro-plus', { maxBocpdSamples: 150 }],
  ['zscore', 'zscore', undefined],
];
for (const [label, name, config] of runs) {
  const def = getAlgorithm(name);
  const l = def.create(resolveConfig(def, config), ctx) as Localizer;
  l.fit?.({ samples: training, sloViolations: null });
  let top = '';
  const ms = best(() => {
    top = l.localize(window, trigger, topology).entries[0]?.host ?? '-';
  });
  if (label === 'baro-plus') baro = ms;
  rows.push([`localize ${label} (top: ${top})`, ms.toFixed(2), (ms / scan).toFixed(0)]);
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(
  `${services} services x ${METRICS} metrics x ${SECONDS} s at 1 s, best of ${reps} after a warm-up call`,
);
for (const r of rows)
  console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
console.log(`baro-plus: ${baro.toFixed(1)} ms (goal <= 10 ms): ${baro <= 10 ? 'met' : 'NOT met'}`);
if (Number.isNaN(sink)) console.log('(scan checksum NaN)');
