// Detection F1 on SMD, plain and point-adjusted, at the best threshold (../shared/spec/benchmarks.md
// §2 "Scoring"):
//   - plain: every test point is a sample; a point is predicted anomalous when score >= threshold.
//   - point-adjusted (Xu et al. 2018, used by OmniAnomaly and successors): when any point of a true
//     anomaly segment is predicted, every point of the segment counts as detected; predictions
//     outside segments count as they are.
// Threshold rule: for each (machine, detector) and each variant separately, the threshold that
// maximises F1 over every distinct score (an oracle, label-informed choice: it is what the
// published SMD tables report as "best F1"; it says how separable the scores are, not how a
// deployed threshold would do). Both sweeps sort the scores once: O(n log n).

export interface F1Result {
  threshold: number;
  f1: number;
  precision: number;
  recall: number;
  tp: number;
  fp: number;
  fn: number;
}

const NONE: F1Result = { threshold: Infinity, f1: 0, precision: 0, recall: 0, tp: 0, fp: 0, fn: 0 };

function f1Of(tp: number, fp: number, fn: number, threshold: number): F1Result {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { threshold, f1, precision, recall, tp, fp, fn };
}

/** [start, end) runs of 1s. */
export function segments(labels: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= labels.length; i++) {
    const on = i < labels.length && labels[i] === 1;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      out.push([start, i]);
      start = -1;
    }
  }
  return out;
}

/**
 * Best F1 over thresholds from a list of events sorted by score (descending): each event adds tp
 * and fp counts when the threshold drops to its score.
 */
function sweep(
  scores: Float64Array,
  tpGain: Float64Array,
  fpGain: Float64Array,
  positives: number,
): F1Result {
  const order = Uint32Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!);
  let best = NONE;
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    tp += tpGain[i]!;
    fp += fpGain[i]!;
    const next = order[k + 1];
    if (next !== undefined && scores[next] === scores[i]) continue; // same threshold: not done yet
    const r = f1Of(tp, fp, positives - tp, scores[i]!);
    if (r.f1 > best.f1) best = r;
  }
  return best;
}

export function bestF1(scores: ArrayLike<number>, labels: ArrayLike<number>): F1Result {
  const n = scores.length;
  const s = Float64Array.from(scores);
  const tpGain = new Float64Array(n);
  const fpGain = new Float64Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === 1) {
      tpGain[i] = 1;
      positives++;
    } else fpGain[i] = 1;
  }
  return sweep(s, tpGain, fpGain, positives);
}

export function bestF1PointAdjusted(scores: ArrayLike<number>, labels: ArrayLike<number>): F1Result {
  // Events: each normal point (fp +1 at its score) and each segment (tp + length at its max score).
  const segs = segments(labels);
  const normals: number[] = [];
  for (let i = 0; i < scores.length; i++) if (labels[i] !== 1) normals.push(i);
  const n = normals.length + segs.length;
  const s = new Float64Array(n);
  const tpGain = new Float64Array(n);
  const fpGain = new Float64Array(n);
  normals.forEach((i, k) => {
    s[k] = scores[i]!;
    fpGain[k] = 1;
  });
  let positives = 0;
  segs.forEach(([a, b], k) => {
    let max = -Infinity;
    for (let i = a; i < b; i++) max = Math.max(max, scores[i]!);
    s[normals.length + k] = max;
    tpGain[normals.length + k] = b - a;
    positives += b - a;
  });
  return sweep(s, tpGain, fpGain, positives);
}

/** F1 of predictions `score >= threshold`, point-adjusted or not (for reporting at a fixed threshold). */
export function f1At(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
  adjust: boolean,
): F1Result {
  const predicted = Uint8Array.from({ length: scores.length }, (_, i) => (scores[i]! >= threshold ? 1 : 0));
  if (adjust) {
    for (const [a, b] of segments(labels)) {
      let hit = false;
      for (let i = a; i < b && !hit; i++) hit = predicted[i] === 1;
      if (hit) predicted.fill(1, a, b);
    }
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    if (predicted[i] && labels[i] === 1) tp++;
    else if (predicted[i]) fp++;
    else if (labels[i] === 1) fn++;
  }
  return f1Of(tp, fp, fn, threshold);
}
