// The self-organizing map of UBL (§III-A, Eq. 1): a rows x cols lattice of neurons, each a weight
// vector of `dim` values, stored flat in one Float64Array (neuron v's weights at [v*dim, (v+1)*dim)),
// neuron v at lattice position (row = floor(v / cols), col = v % cols).
//
// - Initialisation: every weight uniform in [0, 100) from the seeded RNG (the paper: random
//   initialisation is necessary; known initial values bias the map).
// - Winner (best-matching unit): minimum Euclidean distance; ties go to the lowest neuron index.
//   findBmu compares squared distances and abandons a neuron as soon as its partial sum exceeds the
//   best so far ("partial distance elimination"); starting from a hint (a likely winner) makes the
//   bound tight early. BmuIndex (for a map that does not change: scoring) also sorts the neurons by one
//   coordinate and skips every neuron whose difference in that coordinate alone exceeds the best
//   distance. Both return exactly the full scan's answer (a partial sum of non-negative terms never
//   exceeds the full sum in floating point either).
// - Update (Eq. 1): W_v += N(d) * L * (x - W_v) for every neuron within lattice distance `radius` of
//   the winner, N the Gaussian of `gaussianHeight` h (see gaussian() and params.ts). The kernel
//   (offsets and N*L factors) is computed once per configuration.
// - Training order: every epoch presents the training vectors in a fresh seeded random order (the
//   paper does not give the order; a fixed time order lets the last stretch of the data overwrite
//   the map, because L stays 0.7).

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

/**
 * The neighbourhood function N(d) for a squared lattice distance d2: the Gaussian density whose peak
 * height is 1/h, N(d) = exp(-pi d^2 / h^2) / h, i.e. sigma = h / sqrt(2 pi) (h = 10: sigma 3.99,
 * N(0) = 0.1). Why this reading of the paper's undefined "Gaussian height" is in params.ts.
 */
export function gaussian(d2: number, height: number): number {
  return Math.exp((-Math.PI * d2) / (height * height)) / height;
}

export function neighbourhoodKernel(radius: number, height: number, learningRate: number): Kernel {
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
      factor.push(gaussian(d2, height) * learningRate);
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
  // The first coordinate is checked before the loop: most neurons are rejected on it alone.
  const x0 = x[xOff]!;
  for (let v = 0, o = 0; v < n; v++, o += dim) {
    const d0 = x0 - w[o]!;
    let acc = d0 * d0;
    if (acc > best) continue;
    let m = 1;
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

/** Fisher-Yates shuffle in place, from the seeded RNG. */
export function shuffle(order: Int32Array, rng: Rng): void {
  for (let j = order.length - 1; j > 0; j--) {
    const k = rng.int(j + 1);
    const t = order[j]!;
    order[j] = order[k]!;
    order[k] = t;
  }
}

/**
 * Trains the map on the vectors data[idx*dim ..] for idx in `indices`: `epochs` passes (the §1.10
 * pseudocode: epoch loop outside), each in a new random order drawn from `rng`.
 */
export function trainMap(
  map: SomMap,
  kernel: Kernel,
  data: Float64Array,
  indices: Int32Array,
  epochs: number,
  rng: Rng,
): void {
  const order = Int32Array.from(indices);
  // Each vector's winner of the previous epoch is the hint: the map moved little since.
  const last = new Int32Array(data.length / map.dim).fill(-1);
  for (let e = 0; e < epochs; e++) {
    shuffle(order, rng);
    for (let i = 0; i < order.length; i++) {
      const idx = order[i]!;
      const off = idx * map.dim;
      const bmu = findBmu(map, data, off, last[idx]!);
      last[idx] = bmu;
      updateMap(map, kernel, data, off, bmu);
    }
  }
}

/**
 * Winner search over a map that stays fixed (scoring): neurons sorted by their weight in the
 * coordinate `axis` with the widest interquartile range, searched outwards from the input's value in that
 * coordinate; a side stops once (x[axis] - w[axis])^2 alone exceeds the best distance. Exact: same
 * answer (including the lowest-index tie rule) as findBmu. Rebuild after the map changes.
 */
export class BmuIndex {
  private readonly order: Int32Array;
  private readonly keys: Float64Array;
  private readonly axis: number;

  constructor(private readonly map: SomMap) {
    const { dim, weights: w } = map;
    const n = map.rows * map.cols;
    // The spread that matters is that of the trained neurons (the majority), not of the few left at
    // their random start: pick the coordinate with the widest interquartile range.
    let axis = 0;
    let widest = -1;
    const col = new Float64Array(n);
    for (let m = 0; m < dim; m++) {
      for (let v = 0; v < n; v++) col[v] = w[v * dim + m]!;
      col.sort();
      const iqr = col[Math.floor(0.75 * (n - 1))]! - col[Math.floor(0.25 * (n - 1))]!;
      if (iqr > widest) {
        widest = iqr;
        axis = m;
      }
    }
    this.axis = axis;
    this.order = Int32Array.from({ length: n }, (_, v) => v).sort(
      (a, b) => w[a * dim + axis]! - w[b * dim + axis]! || a - b,
    );
    this.keys = Float64Array.from(this.order, (v) => w[v * dim + axis]!);
  }

  /** The winner for x[xOff .. xOff+dim); `hint` as in findBmu. */
  find(x: Float64Array, xOff = 0, hint = -1): number {
    const dim = this.map.dim;
    const w = this.map.weights;
    const keys = this.keys;
    const order = this.order;
    const n = order.length;
    const xa = x[xOff + this.axis]!;
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
    // First key >= xa.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < xa) lo = mid + 1;
      else hi = mid;
    }
    // Upwards, then downwards; each side stops once the axis difference alone exceeds the best.
    for (let k = lo; k < n; k++) {
      const ka = keys[k]! - xa;
      if (ka * ka > best) break;
      const v = order[k]!;
      let acc = 0;
      let m = 0;
      for (let o = v * dim; m < dim; m++, o++) {
        const diff = x[xOff + m]! - w[o]!;
        acc += diff * diff;
        if (acc > best) break;
      }
      if (m === dim && (acc < best || (acc === best && v < bestIdx))) {
        best = acc;
        bestIdx = v;
      }
    }
    for (let k = lo - 1; k >= 0; k--) {
      const ka = xa - keys[k]!;
      if (ka * ka > best) break;
      const v = order[k]!;
      let acc = 0;
      let m = 0;
      for (let o = v * dim; m < dim; m++, o++) {
        const diff = x[xOff + m]! - w[o]!;
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
}
