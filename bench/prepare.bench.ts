// PREPARE's cost: training time (fit on SLO-labelled history) and scoring throughput (score() +
// learn() per host-sample), each as a ratio to the naive-Bayes variant of the same pipeline measured in
// the same run (classifier: "naive-bayes"; everything else equal). Also the 1-dependent Markov and
// fixed-threshold variants, which show where the training time goes (look-ahead tables, calibration).
//
//   npm run bench -- prepare                        # 20 hosts, history 5400 s, test 1800 s
//   npm run bench -- prepare --hosts 50 --reps 3

import type { AlgorithmContext, Predictor, Sample } from '../src/core/algorithm.ts';
import { getAlgorithm, resolveConfig } from '../src/algorithms/registry.ts';
import { samplesBetween, trainingData } from '../src/sim/samples.ts';
import { synthesize } from '../src/sim/synth/index.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const hosts = arg('hosts', 20);
const seconds = arg('seconds', 1800);
const reps = arg('reps', 3);
const seed = 1;

process.stderr.write(`generating ${hosts} hosts: history ${3 * seconds} s, test ${seconds} s ...\n`);
const test = synthesize({ hosts, fault: 'memleak', seed, durationS: seconds });
const culprit = test.manifest.faults[0]!.host;
// Labelled history: one longer run of the same deployment with an incident in its middle third.
const history = synthesize({
  hosts,
  fault: 'memleak',
  seed,
  durationS: 3 * seconds,
  faultHost: culprit,
  faultStartS: seconds,
  faultDurationS: Math.round(0.3 * seconds),
});
const metrics = test.metrics.metrics;
const training = trainingData(history, metrics, { start: history.manifest.start, end: history.manifest.end });
const stream: Sample[] = samplesBetween(
  test.metrics,
  test.metrics.columns,
  test.manifest.start,
  test.manifest.end,
);
const ctx: AlgorithmContext = { metrics, hosts: test.metrics.hosts, sampleIntervalMs: 1000, seed };

function create(config: Record<string, unknown>): Predictor {
  const def = getAlgorithm('prepare');
  return def.create(resolveConfig(def, config), ctx) as Predictor;
}

/** Best of `reps` (the least disturbed by the machine's other work): fit ms, score ms. */
function measure(config: Record<string, unknown>): { fitMs: number; scoreMs: number } {
  let fitMs = Infinity;
  let scoreMs = Infinity;
  let sink = 0;
  for (let r = 0; r < reps; r++) {
    const p = create(config);
    const t0 = performance.now();
    p.fit!(training);
    const t1 = performance.now();
    for (const s of stream) {
      sink += p.score(s).score;
      p.learn(s);
    }
    const t2 = performance.now();
    fitMs = Math.min(fitMs, t1 - t0);
    scoreMs = Math.min(scoreMs, t2 - t1);
  }
  if (Number.isNaN(sink)) console.log('(score checksum NaN)');
  return { fitMs, scoreMs };
}

const variants: [string, Record<string, unknown>][] = [
  ['naive Bayes (baseline)', { classifier: 'naive-bayes' }],
  ['PREPARE default (TAN)', {}],
  ['TAN, 1-dependent Markov', { markovOrder: 1 }],
  ['TAN, fixed threshold (no calibration pass)', { thresholdMode: 'fixed' }],
  ['TAN, no look-ahead (L = 0)', { horizonSteps: 0 }],
];
const results = variants.map(([name, config]) => ({ name, ...measure(config) }));
const base = results[0]!;
const lines = [['variant', 'fit ms', 'fit ratio', 'host-samples/s', 'throughput ratio', 'us/sample']];
for (const r of results) {
  const rate = stream.length / (r.scoreMs / 1000);
  const baseRate = stream.length / (base.scoreMs / 1000);
  lines.push([
    r.name,
    r.fitMs.toFixed(0),
    (r.fitMs / base.fitMs).toFixed(2),
    rate.toFixed(0),
    (rate / baseRate).toFixed(2),
    ((1000 * r.scoreMs) / stream.length).toFixed(2),
  ]);
}
const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
console.log(
  `prepare: ${hosts} hosts, ${metrics.length} metrics; fit on ${training.samples.length} labelled host-samples ` +
    `(${training.sloViolations?.size ?? 0} violating seconds), score ${stream.length} host-samples; best of ${reps}`,
);
for (const l of lines)
  console.log(l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
