// FChain localization compute time for 10, 100 and 1,000 hosts x 8 metrics x a 100 s look-back
// window (plus FChain's 100 s warm-up), on one core. Goal: under 1 s for 1,000 hosts (the paper:
// "within a few seconds"). Measured as the best of --reps calls of localize() after one warm-up
// call, next to two baselines measured in the same run on the same window: a plain scan of the
// window's values (the floor: reading every value once) and the `zscore` localizer. The PAL,
// histogram and topology baselines are timed too.
//
//   npm run bench -- fchain                       # 10, 100, 1000 hosts
//   npm run bench -- fchain --hosts 1000 --reps 5

import type { AlgorithmContext, Localizer, Trigger, Window } from '../src/core/algorithm.ts';
import { getAlgorithm, resolveConfig } from '../src/algorithms/registry.ts';
import { chooseSplit, columnOrder, samplesBetween, trainingData } from '../src/sim/samples.ts';
import { synthesize } from '../src/sim/synth/index.ts';

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const sizes = arg('hosts') !== undefined ? [arg('hosts')!] : [10, 100, 1000];
const reps = arg('reps') ?? 3;
const ALGORITHMS = ['fchain', 'pal', 'histogram', 'topology', 'zscore'];

/** Best wall-clock and best CPU time (ms) of `reps` calls after a warm-up call (JIT, caches). */
function best(fn: () => void): { wall: number; cpu: number } {
  fn();
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall = Math.min(wall, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  return { wall, cpu };
}

const rows: string[][] = [['hosts', 'step', 'wall ms', 'cpu ms', 'ratio to scan', 'ratio to zscore']];
let fchain1000: { wall: number; cpu: number } | null = null;
for (const hosts of sizes) {
  process.stderr.write(`generating ${hosts} hosts ...\n`);
  const ds = synthesize({ hosts, fault: 'memleak', seed: 1, durationS: 600 });
  const metrics = ds.metrics.metrics;
  const cols = columnOrder(ds.metrics, metrics, 'bench');
  const split = chooseSplit(ds, null);
  const training = trainingData(ds, metrics, split.trainPeriod!);
  const fault = ds.manifest.faults[0]!;
  const at = fault.start + 80_000;
  const trigger: Trigger = { kind: 'explicit', time: at, host: null };
  const topology = { hosts: ds.metrics.hosts, edges: ds.manifest.dependencies };
  const ctx: AlgorithmContext = { metrics, hosts: ds.metrics.hosts, sampleIntervalMs: 1000, seed: 1 };
  const windowFor = (l: Localizer): Window => ({
    start: at - l.lookbackMs,
    end: at,
    samples: samplesBetween(ds.metrics, cols, at - l.lookbackMs, at + 1),
  });

  const times: Record<string, { wall: number; cpu: number }> = {};
  let scanWindow: Window | null = null;
  for (const name of ALGORITHMS) {
    const def = getAlgorithm(name);
    const l = def.create(resolveConfig(def, undefined), ctx) as Localizer;
    l.fit?.(training);
    const w = windowFor(l);
    if (name === 'fchain') scanWindow = w;
    times[name] = best(() => void l.localize(w, trigger, topology));
  }
  let sink = 0;
  const w = scanWindow!;
  const scan = best(() => {
    for (const s of w.samples) for (let m = 0; m < s.values.length; m++) sink += s.values[m]!;
  });
  const seconds = (w.end - w.start) / 1000;
  rows.push([
    String(hosts),
    `scan of the window (${w.samples.length} samples, ${seconds} s)`,
    scan.wall.toFixed(2),
    scan.cpu.toFixed(2),
    '1',
    '-',
  ]);
  for (const name of ALGORITHMS) {
    const t = times[name]!;
    rows.push([
      String(hosts),
      `localize ${name}`,
      t.wall.toFixed(1),
      t.cpu.toFixed(1),
      (t.wall / scan.wall).toFixed(0),
      (t.wall / times.zscore!.wall).toFixed(2),
    ]);
  }
  if (hosts === 1000) fchain1000 = times.fchain!;
  if (Number.isNaN(sink)) console.log('(scan checksum NaN)');
}

const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(`localization compute time, best of ${reps} after a warm-up call (1 core)`);
for (const r of rows)
  console.log(r.map((cell, c) => (c <= 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
if (fchain1000) {
  const met =
    fchain1000.wall < 1000
      ? 'met'
      : fchain1000.cpu < 1000
        ? 'met in CPU time, not in wall time (busy machine?)'
        : 'NOT met';
  console.log(
    `fchain at 1000 hosts: ${fchain1000.wall.toFixed(0)} ms wall, ${fchain1000.cpu.toFixed(0)} ms CPU (goal < 1000 ms): ${met}`,
  );
}
