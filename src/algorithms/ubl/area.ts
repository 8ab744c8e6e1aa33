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
 * How neurons that win no training sample ("unhit") enter the decision (`untrainedNeurons`):
 * - 'area' (the paper): only the area size counts, the threshold is the percentile of all neurons'
 *   area sizes;
 * - 'anomalous': the same threshold, but an unhit neuron is anomalous whatever its area size (UBL's
 *   premise: normal samples map to dense, frequently trained regions; a neuron no normal sample maps
 *   to is by that premise not a normal region);
 * - 'excluded': unhit neurons are anomalous and the percentile is taken over the hit neurons only (the
 *   threshold then describes the trained part of the map, not the random leftovers).
 */
export type UntrainedMode = 'area' | 'anomalous' | 'excluded';

/**
 * The decision areas and threshold of a map. `areas` is overwritten with Eq. 4; with a mode other than
 * 'area' and a hit mask (1 = won at least one training sample), every unhit neuron's area is raised
 * to at least the threshold, so that "area >= threshold" (the decision, the score and the normal-neuron
 * test of cause inference) treats it as anomalous.
 */
export function decisionAreas(
  map: SomMap,
  percentile: number,
  mode: UntrainedMode | (string & {}),
  hit: Uint8Array | null,
  areas: Float64Array = new Float64Array(map.rows * map.cols),
  scratch: Float64Array = new Float64Array(areas.length),
): { areas: Float64Array; threshold: number } {
  areaSizes(map, areas);
  if (mode === 'area' || hit === null) return { areas, threshold: areaThreshold(areas, percentile, scratch) };
  let threshold: number;
  if (mode === 'excluded') {
    let n = 0;
    for (let v = 0; v < areas.length; v++) if (hit[v]) scratch[n++] = areas[v]!;
    // A map no training sample reached (cannot happen after a bootstrap) falls back to all neurons.
    threshold =
      n > 0
        ? quantileSorted(scratch.subarray(0, n).sort(), percentile / 100)
        : areaThreshold(areas, percentile, scratch);
  } else {
    threshold = areaThreshold(areas, percentile, scratch);
  }
  for (let v = 0; v < areas.length; v++) if (!hit[v] && areas[v]! < threshold) areas[v] = threshold;
  return { areas, threshold };
}

/**
 * The anomaly score in [0, 1] of an area size: S / (S + threshold). Monotone in S, 0 at S = 0, 0.5 at
 * the threshold, approaching 1 for S >> threshold. 0 when both are 0 (a degenerate, flat map).
 */
export function areaScore(area: number, threshold: number): number {
  const den = area + threshold;
  return den > 0 ? area / den : 0;
}
