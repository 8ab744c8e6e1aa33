// UBL's normal/anomalous decision (§III-B, Eq. 3-4): a neuron's neighbourhood area size is the sum of
// the Manhattan distances (Eq. 3) between its weights and those of its top, left, right and bottom
// lattice neighbours (Eq. 4; edge neurons have fewer terms). Small = a tight, often-trained region
// (normal); large = a rarely seen state (anomalous). The threshold is a percentile of the area sizes of
// all neurons (not of training-sample scores: the paper sorts "all calculated neighborhood area size
// values"), and a sample is anomalous when its winner's area size is >= the threshold.

import { quantileSorted } from '../../core/stats.ts';
import type { SomMap } from './som.ts';

/** Eq. 3: Manhattan distance between neurons a and b. */
function manhattan(w: Float64Array, dim: number, a: number, b: number): number {
  let s = 0;
  for (let m = 0, oa = a * dim, ob = b * dim; m < dim; m++) s += Math.abs(w[oa + m]! - w[ob + m]!);
  return s;
}

/** Eq. 4 for every neuron, into `out` (allocated when not given). Each lattice edge is computed once. */
export function areaSizes(
  map: SomMap,
  out: Float64Array = new Float64Array(map.rows * map.cols),
): Float64Array {
  const { rows, cols, dim, weights: w } = map;
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = r * cols + c;
      if (c + 1 < cols) {
        const d = manhattan(w, dim, v, v + 1);
        out[v] = out[v]! + d;
        out[v + 1] = out[v + 1]! + d;
      }
      if (r + 1 < rows) {
        const d = manhattan(w, dim, v, v + cols);
        out[v] = out[v]! + d;
        out[v + cols] = out[v + cols]! + d;
      }
    }
  }
  return out;
}

/**
 * The `percentile` (0..100) of the area sizes, linear interpolation between order statistics (type 7,
 * numpy's default). `scratch` (same length) avoids an allocation when given.
 */
export function areaThreshold(
  areas: Float64Array,
  percentile: number,
  scratch: Float64Array = new Float64Array(areas.length),
): number {
  scratch.set(areas);
  scratch.sort();
  return quantileSorted(scratch, percentile / 100);
}

/**
 * The anomaly score in [0, 1] of an area size: S / (S + threshold). Monotone in S, 0 at S = 0, 0.5 at
 * the threshold, approaching 1 for S >> threshold. 0 when both are 0 (a degenerate, flat map).
 */
export function areaScore(area: number, threshold: number): number {
  const den = area + threshold;
  return den > 0 ? area / den : 0;
}
