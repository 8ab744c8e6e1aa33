// A straightforward reference implementation of UBL's SOM parts (array-of-arrays weights, full BMU
// scan, a loop over every neuron for the neighbourhood, area sizes neuron by neuron). It draws the same
// random numbers in the same order as src/algorithms/ubl, so both give bit-identical maps: the tests
// check the optimized code against it, and bench/ubl.bench.ts measures the speed-up over it.
import type { Rng } from '../../../src/core/rng.ts';
import { quantileSorted } from '../../../src/core/stats.ts';
import { gaussian } from '../../../src/algorithms/ubl/som.ts';

export interface NaiveMap {
  size: number;
  /** weights[v][m], v = row * size + col. */
  w: number[][];
}

export interface NaiveOptions {
  mapSize: number;
  radius: number;
  gaussianHeight: number;
  learningRate: number;
  epochs: number;
  folds: number;
  percentile: number;
}

export function naiveRandomMap(size: number, dim: number, rng: Rng): NaiveMap {
  const w: number[][] = [];
  for (let v = 0; v < size * size; v++) {
    const row: number[] = [];
    for (let m = 0; m < dim; m++) row.push(rng.uniform(0, 100));
    w.push(row);
  }
  return { size, w };
}

export function naiveBmu(map: NaiveMap, x: readonly number[]): number {
  let best = Infinity;
  let bestIdx = -1;
  map.w.forEach((wv, v) => {
    let d = 0;
    for (let m = 0; m < x.length; m++) d += (x[m]! - wv[m]!) * (x[m]! - wv[m]!);
    if (d < best) {
      best = d;
      bestIdx = v;
    }
  });
  return bestIdx;
}

function naiveUpdate(map: NaiveMap, x: readonly number[], bmu: number, o: NaiveOptions): void {
  const r0 = Math.floor(bmu / map.size);
  const c0 = bmu % map.size;
  map.w.forEach((wv, v) => {
    const dr = Math.floor(v / map.size) - r0;
    const dc = (v % map.size) - c0;
    const d2 = dr * dr + dc * dc;
    if (d2 > o.radius * o.radius) return;
    const f = gaussian(d2, o.gaussianHeight) * o.learningRate;
    for (let m = 0; m < x.length; m++) wv[m] = wv[m]! + f * (x[m]! - wv[m]!);
  });
}

function naiveShuffle(order: number[], rng: Rng): void {
  for (let j = order.length - 1; j > 0; j--) {
    const k = rng.int(j + 1);
    [order[j], order[k]] = [order[k]!, order[j]!];
  }
}

export function naiveTrain(
  map: NaiveMap,
  data: number[][],
  indices: number[],
  o: NaiveOptions,
  rng: Rng,
): void {
  const order = [...indices];
  for (let e = 0; e < o.epochs; e++) {
    naiveShuffle(order, rng);
    for (const i of order) naiveUpdate(map, data[i]!, naiveBmu(map, data[i]!), o);
  }
}

export function naiveAreas(map: NaiveMap): number[] {
  const n = map.size;
  const manhattan = (a: number, b: number): number => {
    let s = 0;
    for (let m = 0; m < map.w[a]!.length; m++) s += Math.abs(map.w[a]![m]! - map.w[b]![m]!);
    return s;
  };
  return map.w.map((_, v) => {
    const r = Math.floor(v / n);
    const c = v % n;
    let s = 0;
    if (r > 0) s += manhattan(v, v - n);
    if (c > 0) s += manhattan(v, v - 1);
    if (c < n - 1) s += manhattan(v, v + 1);
    if (r < n - 1) s += manhattan(v, v + n);
    return s;
  });
}

export function naiveThreshold(areas: readonly number[], percentile: number): number {
  return quantileSorted(
    [...areas].sort((a, b) => a - b),
    percentile / 100,
  );
}

export interface NaiveBootstrap {
  map: NaiveMap;
  areas: number[];
  threshold: number;
  accuracies: number[];
  chosen: number;
}

/** The same K-fold bootstrap as src/algorithms/ubl/bootstrap.ts, written plainly. */
export function naiveBootstrap(data: number[][], o: NaiveOptions, rng: Rng): NaiveBootstrap {
  const n = data.length;
  let best: NaiveBootstrap | null = null;
  const accuracies: number[] = [];
  for (let i = 0; i < o.folds; i++) {
    const lo = Math.floor((i * n) / o.folds);
    const hi = Math.floor(((i + 1) * n) / o.folds);
    const train = data.map((_, j) => j).filter((j) => j < lo || j >= hi);
    const map = naiveRandomMap(o.mapSize, data[0]!.length, rng);
    naiveTrain(map, data, train, o, rng);
    const areas = naiveAreas(map);
    const threshold = naiveThreshold(areas, o.percentile);
    let normal = 0;
    for (let j = lo; j < hi; j++) if (areas[naiveBmu(map, data[j]!)]! < threshold) normal++;
    const acc = normal / (hi - lo);
    accuracies.push(acc);
    if (best === null || acc > best.accuracies[best.chosen]!) {
      best = { map, areas, threshold, accuracies, chosen: i };
    }
  }
  return best!;
}
