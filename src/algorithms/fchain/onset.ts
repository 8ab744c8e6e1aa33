// One metric of one host: change points in the look-back window, the abnormal ones among them,
// and the abnormal onset (algorithms.md §3.1 steps 3-4).
//
// A change point c (the first sample of a new regime) is abnormal when the normal-fluctuation
// model mispredicts the new regime by more than the expected error from the burst signal of
// [c - Q, c + Q] (FChain's predictability filter) and by more than a share of the metric's normal
// range (a foreshock addition: see minErrorOfRange in params.ts).
// "Mispredicts the new regime": the mean one-step prediction error over the CUSUM segment that
// starts at c (up to the next change point). The paper's wording is the error at the change point;
// a single sample judged a change that takes a few seconds to complete (a disk hog ramping up its
// writers, a CPU hog adding threads) by its first increment only, and let single noisy samples pass.
// Each abnormal change point is rolled back along the tangents; the metric's onset is the earliest
// result.

import { burstThreshold } from './burst.ts';
import { changePoints, type BootstrapTable, type CusumOptions } from './cusum.ts';
import { predictNext, type MarkovModel } from './markov.ts';
import { rollback } from './rollback.ts';

export interface OnsetOptions {
  cusum: CusumOptions;
  burstHalfWindow: number;
  burstKeepFraction: number;
  burstPercentile: number;
  minErrorOfRange: number;
  tangentTolerance: number;
}

export interface MetricFinding {
  /** Index of the abnormal onset, -1 when no change point is abnormal. */
  onset: number;
  /** Sign of the abnormal change the onset came from (+1: above the prediction, -1: below). */
  direction: number;
  /** Largest error / max(expected error, floor) ratio over the change points (0 without any). */
  ratio: number;
  changePoints: number;
}

export interface Scratch {
  cusum: Float64Array;
  burst: Float64Array;
}

export function newScratch(length: number): Scratch {
  return { cusum: new Float64Array(length), burst: new Float64Array(length) };
}

/** The normal-fluctuation model of a metric and the spread of the normal data it was learned from. */
export interface NormalModel {
  model: MarkovModel | null;
  normalRange: number;
}

/**
 * Analyses x[from..to) (x may extend before `from`: that history gives change points near the start
 * their burst context). `normal()` supplies the model trained on data before `from` (model null: the
 * prediction is "no change"); it is called only when the metric has change points. Change points
 * before `minOnset` (inside a normal-history prefix) are not judged.
 */
export function analyzeMetric(
  x: Float64Array,
  from: number,
  to: number,
  normal: () => NormalModel,
  opts: OnsetOptions,
  table: BootstrapTable,
  scratch: Scratch,
  minOnset = from,
): MetricFinding {
  const cps = changePoints(x, from, to, opts.cusum, table, scratch.cusum);
  if (cps.length === 0) return { onset: -1, direction: 0, ratio: 0, changePoints: 0 };
  const { model, normalRange } = normal();
  const floor = opts.minErrorOfRange * (Number.isFinite(normalRange) ? normalRange : 0);
  const q = opts.burstHalfWindow;
  let ratio = 0;
  let onset = -1;
  let direction = 0;
  for (let k = 0; k < cps.length; k++) {
    const c = cps[k]!;
    if (c < minOnset) continue; // a change inside the normal-history prefix (its junction)
    const end = k + 1 < cps.length ? cps[k + 1]! : to;
    let signed = 0;
    let abs = 0;
    for (let t = c; t < end; t++) {
      const prev = x[t - 1]!;
      const e = x[t]! - (model ? predictNext(model, prev) : prev);
      signed += e;
      abs += Math.abs(e);
    }
    const error = abs / (end - c);
    const expected = burstThreshold(
      x,
      Math.max(0, c - q),
      Math.min(x.length, c + q + 1),
      opts.burstKeepFraction,
      opts.burstPercentile,
      scratch.burst,
    );
    const bar = Math.max(expected, floor);
    const r = bar > 0 ? error / bar : error > 0 ? Number.MAX_VALUE : 0;
    if (r > ratio) ratio = r;
    if (!(error > expected && error > floor)) continue;
    const at = Math.max(minOnset, cps[rollback(x, cps, k, from, to, opts.tangentTolerance)]!);
    if (onset < 0 || at < onset) {
      onset = at;
      direction = Math.sign(signed);
    }
  }
  return { onset, direction, ratio: Math.min(ratio, 1e12), changePoints: cps.length };
}
