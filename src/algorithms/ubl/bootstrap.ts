// UBL's bootstrap learning (§III-A, Eq. 2; algorithms.md §1.3 and the §1.10 pseudocode): K-fold
// cross-validation over K randomly initialised maps. In round i, map i (fresh U(0,100) weights) is
// trained on every fold but fold i, its area sizes and threshold are computed, and its accuracy is the
// share of fold i's samples whose winner is a normal neuron (Eq. 2 with only normal data:
// A = N_tn / (N_tn + N_fp)). The map with the best accuracy is kept (the first on ties).
// Folds are contiguous blocks in time order (reconstruction: the paper does not say how it splits;
// held-out blocks test the map on a later or earlier stretch of the workload, not on interleaved twins).

import type { Rng } from '../../core/rng.ts';
import { decisionAreas, type UntrainedMode } from './area.ts';
import { BmuIndex, neighbourhoodKernel, randomMap, trainMap, type SomMap } from './som.ts';

export interface BootstrapOptions {
  mapSize: number;
  radius: number;
  gaussianHeight: number;
  learningRate: number;
  epochs: number;
  folds: number;
  percentile: number;
  /** UntrainedMode (the config's enum value); 'area' when absent. */
  untrainedNeurons?: UntrainedMode | (string & {});
}

export interface TrainedMap {
  map: SomMap;
  areas: Float64Array;
  threshold: number;
  /** 1 for neurons that won a training sample; null when the decision does not use it ('area'). */
  hit: Uint8Array | null;
}

export interface BootstrapResult extends TrainedMap {
  /** Eq. 2 accuracy of each fold's map on its held-out fold. */
  accuracies: number[];
  /** Index of the kept map. */
  chosen: number;
}

/** Area sizes and threshold of a map (`hit` as in TrainedMap; see decisionAreas for the modes). */
export function analyseMap(
  map: SomMap,
  percentile: number,
  mode: UntrainedMode | (string & {}) = 'area',
  hit: Uint8Array | null = null,
): TrainedMap {
  const { areas, threshold } = decisionAreas(map, percentile, mode, hit);
  return { map, areas, threshold, hit: mode === 'area' ? null : hit };
}

/** Marks in `hit` (allocated when not given) the winners of the vectors data[idx*dim..], idx in `indices`. */
export function markHits(map: SomMap, data: Float64Array, indices: Int32Array, hit?: Uint8Array): Uint8Array {
  const out = hit ?? new Uint8Array(map.rows * map.cols);
  const index = new BmuIndex(map);
  let b = -1;
  for (let i = 0; i < indices.length; i++) {
    b = index.find(data, indices[i]! * map.dim, b);
    out[b] = 1;
  }
  return out;
}

/** Share of the vectors data[idx*dim..] (idx in [from, to)) whose winner has area < threshold. */
export function heldOutAccuracy(t: TrainedMap, data: Float64Array, from: number, to: number): number {
  if (to <= from) return 0;
  let normal = 0;
  let hint = -1;
  const index = new BmuIndex(t.map);
  for (let i = from; i < to; i++) {
    hint = index.find(data, i * t.map.dim, hint);
    if (t.areas[hint]! < t.threshold) normal++;
  }
  return normal / (to - from);
}

/** Fold boundaries: fold i is [bounds[i], bounds[i+1]). */
export function foldBounds(n: number, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i <= k; i++) out.push(Math.floor((i * n) / k));
  return out;
}

/**
 * Cross-validated bootstrap on n scaled vectors of `dim` values. `rng` draws, fold by fold, the
 * initial map and then the training order. Needs n >= folds (each fold non-empty).
 */
export function bootstrap(
  data: Float64Array,
  n: number,
  dim: number,
  opts: BootstrapOptions,
  rng: Rng,
): BootstrapResult {
  const kernel = neighbourhoodKernel(opts.radius, opts.gaussianHeight, opts.learningRate);
  const bounds = foldBounds(n, opts.folds);
  let best: TrainedMap | null = null;
  let chosen = -1;
  const accuracies: number[] = [];
  for (let i = 0; i < opts.folds; i++) {
    const lo = bounds[i]!;
    const hi = bounds[i + 1]!;
    const order = new Int32Array(n - (hi - lo));
    for (let j = 0, p = 0; j < n; j++) if (j < lo || j >= hi) order[p++] = j;
    const map = randomMap(opts.mapSize, opts.mapSize, dim, rng);
    trainMap(map, kernel, data, order, opts.epochs, rng);
    const mode = opts.untrainedNeurons ?? 'area';
    const hit = mode === 'area' ? null : markHits(map, data, order);
    const trained = analyseMap(map, opts.percentile, mode, hit);
    const acc = heldOutAccuracy(trained, data, lo, hi);
    accuracies.push(acc);
    if (best === null || acc > accuracies[chosen]!) {
      best = trained;
      chosen = i;
    }
  }
  return { ...best!, accuracies, chosen };
}
