// `foreshock bench smd`: per machine of an SMD-layout directory (those with both train/ and test/
// files), fit each predictor on train/, stream test/ through score() + learn(), and score:
//   - detection F1, plain and point-adjusted, each at its best threshold (f1.ts states the rule);
//   - culprit metrics, HitRate@100% and @150% (OmniAnomaly, KDD 2019): at a labelled anomalous
//     point inside an interpretation_label segment with k culprit dimensions, the share of them
//     among the first ceil(P k) metrics of the predictor's explain() ranking, averaged over points.
//     Reported over every such point ("all": the ranking quality given the anomaly is found) and
//     over the points the predictor flags at its plain best-F1 threshold ("detected", OmniAnomaly's
//     convention). A predictor without explain() has no hit rate (null).
// Machines are trained and tested separately, as the SMD README requires; the summary is the mean
// over machines.

import type { AlgorithmContext, Predictor, Sample } from '../../core/algorithm.ts';
import type { Dataset } from '../../core/dataset.ts';
import { UserError } from '../../core/errors.ts';
import { importSmd, listSmdMachines, SMD_INTERVAL_MS } from '../../data/import/smd.ts';
import { getAlgorithm, resolveConfig } from '../../algorithms/registry.ts';
import { samplesBetween } from '../../sim/samples.ts';
import { bestF1, bestF1PointAdjusted, type F1Result } from './f1.ts';

export interface HitRates {
  p100: number | null;
  p150: number | null;
  /** Points averaged over. */
  points: number;
}

export interface SmdMachineResult {
  machine: string;
  algorithm: string;
  trainRows: number;
  testRows: number;
  anomalyRows: number;
  f1: F1Result;
  f1PointAdjusted: F1Result;
  hitRate: { all: HitRates; detected: HitRates };
  /** Wall-clock ms for fit + stream; null without a clock. */
  runMs: number | null;
}

export interface SmdSummary {
  algorithm: string;
  machines: SmdMachineResult[];
  mean: { f1: number; f1PointAdjusted: number; hitRate100: number | null; hitRate150: number | null };
}

export interface SmdRunOptions {
  algorithms: string[];
  /** Default: every machine with train/ and test/ files. */
  machines?: string[];
  configs?: Record<string, unknown>;
  /** Use only the first n rows of train/ and of test/ (quick runs, tests). */
  maxRows?: number;
  seed?: number;
  log?: (line: string) => void;
  clock?: () => number;
}

export function runSmd(dir: string, opts: SmdRunOptions): { machines: string[]; summaries: SmdSummary[] } {
  const available = listSmdMachines(dir);
  const machines = opts.machines ?? available;
  for (const m of machines) {
    if (!available.includes(m))
      throw new UserError(
        `${dir}: no machine ${m} with train/ and test/ files (have: ${available.join(', ')})`,
      );
  }
  if (machines.length === 0) throw new UserError(`${dir}: no machine has both train/ and test/ files`);
  for (const a of opts.algorithms) {
    if (getAlgorithm(a).kind !== 'predictor')
      throw new UserError(`algorithm ${a} is not a predictor; SMD needs predictors`);
  }
  const log = opts.log ?? (() => {});
  const results = new Map<string, SmdMachineResult[]>(opts.algorithms.map((a) => [a, []]));
  for (const machine of machines) {
    const { train, test } = importSmd(dir, machine);
    const data = machineData(train, test, opts.maxRows);
    for (const algorithm of opts.algorithms) {
      const r = runMachine(machine, algorithm, data, opts);
      results.get(algorithm)!.push(r);
      log(
        `  ${machine} ${algorithm}: F1 ${r.f1.f1.toFixed(3)}, point-adjusted ${r.f1PointAdjusted.f1.toFixed(3)}, HitRate@100% ${fmt(r.hitRate.all.p100)}`,
      );
    }
  }
  const summaries = opts.algorithms.map((algorithm) => summarize(algorithm, results.get(algorithm)!));
  return { machines, summaries };
}

interface MachineData {
  metrics: string[];
  train: Sample[];
  test: Sample[];
  labels: Uint8Array;
  /** Culprit metric names per test row (interpretation_label), or null outside segments. */
  culprits: (string[] | null)[];
}

function machineData(train: Dataset, test: Dataset, maxRows: number | undefined): MachineData {
  const metrics = test.metrics.metrics;
  const all = (d: Dataset) => samplesBetween(d.metrics, d.metrics.columns, -Infinity, Infinity);
  const cut = <T>(xs: T[]) => (maxRows === undefined ? xs : xs.slice(0, maxRows));
  const testSamples = cut(all(test));
  const signal = test.slo?.columns[test.manifest.slo?.signal ?? ''];
  if (!signal) throw new UserError(`${test.manifest.name}: no anomaly labels`);
  const labels = Uint8Array.from(testSamples, (_, i) => (signal[i] === 1 ? 1 : 0));
  const start = test.manifest.start;
  const culprits: (string[] | null)[] = testSamples.map(() => null);
  for (const f of test.manifest.faults) {
    if (!f.metrics || f.metrics.length === 0) continue;
    const a = Math.round((f.start - start) / SMD_INTERVAL_MS);
    const b = Math.min(testSamples.length, Math.round((f.end - start) / SMD_INTERVAL_MS));
    for (let i = Math.max(0, a); i < b; i++) culprits[i] ??= f.metrics;
  }
  return { metrics, train: cut(all(train)), test: testSamples, labels, culprits };
}

function runMachine(
  machine: string,
  algorithm: string,
  d: MachineData,
  opts: SmdRunOptions,
): SmdMachineResult {
  const def = getAlgorithm(algorithm);
  const ctx: AlgorithmContext = {
    metrics: d.metrics,
    hosts: [machine],
    sampleIntervalMs: SMD_INTERVAL_MS,
    seed: opts.seed ?? 0,
  };
  const t0 = opts.clock?.() ?? 0;
  const p = def.create(resolveConfig(def, opts.configs?.[algorithm]), ctx) as Predictor;
  p.fit?.({ samples: d.train, sloViolations: null });
  const scores = new Float64Array(d.test.length);
  // Hit fractions per point with culprits: [at 100%, at 150%]; NaN where not computed.
  const hit100 = new Float64Array(d.test.length).fill(NaN);
  const hit150 = new Float64Array(d.test.length).fill(NaN);
  for (let i = 0; i < d.test.length; i++) {
    const s = d.test[i]!;
    scores[i] = p.score(s).score;
    p.learn(s);
    const gt = d.culprits[i];
    if (gt && d.labels[i] === 1 && p.explain) {
      const ranking = p.explain(machine).map((r) => r.metric);
      hit100[i] = hitRate(ranking, gt, 1);
      hit150[i] = hitRate(ranking, gt, 1.5);
    }
  }
  const runMs = opts.clock ? opts.clock() - t0 : null;
  const f1 = bestF1(scores, d.labels);
  const detected = (i: number) => scores[i]! >= f1.threshold;
  return {
    machine,
    algorithm,
    trainRows: d.train.length,
    testRows: d.test.length,
    anomalyRows: d.labels.reduce((a, b) => a + b, 0),
    f1,
    f1PointAdjusted: bestF1PointAdjusted(scores, d.labels),
    hitRate: {
      all: averageHits(hit100, hit150, () => true),
      detected: averageHits(hit100, hit150, detected),
    },
    runMs,
  };
}

/** |top ceil(P k) of ranking ∩ gt| / k. */
export function hitRate(ranking: readonly (string | null)[], gt: readonly string[], p: number): number {
  const k = gt.length;
  const top = new Set(ranking.slice(0, Math.ceil(p * k)));
  let hits = 0;
  for (const m of gt) if (top.has(m)) hits++;
  return hits / k;
}

function averageHits(h100: Float64Array, h150: Float64Array, keep: (i: number) => boolean): HitRates {
  let n = 0;
  let s100 = 0;
  let s150 = 0;
  for (let i = 0; i < h100.length; i++) {
    if (Number.isNaN(h100[i]!) || !keep(i)) continue;
    n++;
    s100 += h100[i]!;
    s150 += h150[i]!;
  }
  return { p100: n > 0 ? s100 / n : null, p150: n > 0 ? s150 / n : null, points: n };
}

function summarize(algorithm: string, machines: SmdMachineResult[]): SmdSummary {
  const mean = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  return {
    algorithm,
    machines,
    mean: {
      f1: mean(machines.map((m) => m.f1.f1)) ?? 0,
      f1PointAdjusted: mean(machines.map((m) => m.f1PointAdjusted.f1)) ?? 0,
      hitRate100: mean(machines.map((m) => m.hitRate.all.p100)),
      hitRate150: mean(machines.map((m) => m.hitRate.all.p150)),
    },
  };
}

function fmt(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(3);
}
