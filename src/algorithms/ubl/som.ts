// The self-organizing map of UBL (§III-A, Eq. 1): a rows x cols lattice of neurons, each a weight
// vector of `dim` values, stored flat in one Float64Array (neuron v's weights at [v*dim, (v+1)*dim)),
// neuron v at lattice position (row = floor(v / cols), col = v % cols).
//
// - Initialisation: every weight uniform in [0, 100) from the seeded RNG (the paper: random
//   initialisation is necessary; known initial values bias the map).
// - Winner (best-matching unit): minimum Euclidean distance; ties go to the lowest neuron index.
//   The search compares squared distances and abandons a neuron as soon as its partial sum exceeds the
//   best so far ("partial distance elimination"); starting from a hint (the previous winner: consecutive
//   samples are close) makes the bound tight early. The result is exactly the full search's.
// - Update (Eq. 1): W_v += N(d) * L * (x - W_v) for every neuron within lattice distance `radius` of
//   the winner, N(d) = exp(-d^2 / (2 sigma^2)) (a Gaussian, width and truncation documented in
//   params.ts). The kernel (offsets and N*L factors) is computed once per configuration.

import type { Rng } from '../../core/rng.ts';

export interface SomMap {
  rows: number;
  cols: number;
  dim: number;
  /** rows * cols * dim weights, neuron-major. */
  weights: Float64Array;
}

/** Neighbourhood offsets within the radius and their update factors N(d) * L. */
export interface Kernel {
  dRow: Int32Array;
  dCol: Int32Array;
  factor: Float64Array;
}

/** Weight range of the random initialisation (the pre-processed data lie in [0, 100]). */
export const INIT_LOW = 0;
export const INIT_HIGH = 100;

export function randomMap(rows: number, cols: number, dim: number, rng: Rng): SomMap {
  const weights = new Float64Array(rows * cols * dim);
  for (let i = 0; i < weights.length; i++) weights[i] = rng.uniform(INIT_LOW, INIT_HIGH);
  return { rows, cols, dim, weights };
}

/** The Gaussian value N(d) for a squared lattice distance d2 (amplitude 1). */
export function gaussian(d2: number, sigma: number): number {
  return Math.exp(-d2 / (2 * sigma * sigma));
}

export function neighbourhoodKernel(radius: number, sigma: number, learningRate: number): Kernel {
  const reach = Math.floor(radius);
  const dRow: number[] = [];
  const dCol: number[] = [];
  const factor: number[] = [];
  for (let dr = -reach; dr <= reach; dr++) {
    for (let dc = -reach; dc <= reach; dc++) {
      const d2 = dr * dr + dc * dc;
      if (d2 > radius * radius) continue;
      dRow.push(dr);
      dCol.push(dc);
      factor.push(gaussian(d2, sigma) * learningRate);
    }
  }
  return { dRow: Int32Array.from(dRow), dCol: Int32Array.from(dCol), factor: Float64Array.from(factor) };
}

/**
 * Index of the neuron closest to x[xOff .. xOff+dim) (squared Euclidean), lowest index on ties.
 * `hint` (a neuron index, or -1) only speeds the search up; it never changes the answer.
 */
export function findBmu(map: SomMap, x: Float64Array, xOff = 0, hint = -1): number {
  const w = map.weights;
  const dim = map.dim;
  const n = map.rows * map.cols;
  let best = Infinity;
  let bestIdx = -1;
  if (hint >= 0 && hint < n) {
    best = 0;
    for (let m = 0, o = hint * dim; m < dim; m++, o++) {
      const diff = x[xOff + m]! - w[o]!;
      best += diff * diff;
    }
    bestIdx = hint;
  }
  for (let v = 0, o = 0; v < n; v++, o += dim) {
    let acc = 0;
    let m = 0;
    for (; m < dim; m++) {
      const diff = x[xOff + m]! - w[o + m]!;
      acc += diff * diff;
      if (acc > best) break;
    }
    if (m === dim && (acc < best || (acc === best && v < bestIdx))) {
      best = acc;
      bestIdx = v;
    }
  }
  return bestIdx;
}

/** Eq. 1 for one input x[xOff .. xOff+dim) whose winner is `bmu`. */
export function updateMap(map: SomMap, kernel: Kernel, x: Float64Array, xOff: number, bmu: number): void {
  const { rows, cols, dim, weights: w } = map;
  const r0 = Math.floor(bmu / cols);
  const c0 = bmu - r0 * cols;
  const { dRow, dCol, factor } = kernel;
  for (let k = 0; k < factor.length; k++) {
    const r = r0 + dRow[k]!;
    const c = c0 + dCol[k]!;
    if (r < 0 || r >= rows || c < 0 || c >= cols) continue;
    const f = factor[k]!;
    for (let m = 0, o = (r * cols + c) * dim; m < dim; m++, o++) {
      w[o] = w[o]! + f * (x[xOff + m]! - w[o]!);
    }
  }
}

/**
 * Trains the map on the vectors data[idx*dim ..] for idx in `order`, `epochs` passes in that order
 * (the §1.10 pseudocode: epoch loop outside, the data in time order inside).
 */
export function trainMap(
  map: SomMap,
  kernel: Kernel,
  data: Float64Array,
  order: Int32Array,
  epochs: number,
): void {
  let hint = -1;
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < order.length; i++) {
      const off = order[i]! * map.dim;
      hint = findBmu(map, data, off, hint);
      updateMap(map, kernel, data, off, hint);
    }
  }
}
