// The SOM primitives against hand computation and against the plain reference implementation
// (naive-som.ts): the fast winner searches and the bootstrap must give exactly the same answers.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.ts';
import { bootstrap, foldBounds } from '../../../src/algorithms/ubl/bootstrap.ts';
import {
  BmuIndex,
  findBmu,
  gaussian,
  neighbourhoodKernel,
  randomMap,
  updateMap,
  type SomMap,
} from '../../../src/algorithms/ubl/som.ts';
import { naiveBmu, naiveBootstrap, naiveRandomMap } from './naive-som.ts';

describe('neighbourhood', () => {
  it('is the Gaussian density with peak 1/height', () => {
    expect(gaussian(0, 10)).toBeCloseTo(0.1, 15);
    // sigma = h / sqrt(2 pi): N(d) / N(0) = exp(-d^2 / (2 sigma^2)).
    const sigma = 10 / Math.sqrt(2 * Math.PI);
    expect(gaussian(16, 10) / gaussian(0, 10)).toBeCloseTo(Math.exp(-16 / (2 * sigma * sigma)), 12);
  });

  it('covers the lattice disc of the radius', () => {
    expect(neighbourhoodKernel(1, 10, 0.7).factor).toHaveLength(5);
    expect(neighbourhoodKernel(4, 10, 0.7).factor).toHaveLength(49);
    expect(neighbourhoodKernel(0, 10, 0.7).factor).toHaveLength(1);
  });

  it('applies Eq. 1 to the winner and its neighbours only (3x3, radius 1, by hand)', () => {
    const map: SomMap = { rows: 3, cols: 3, dim: 1, weights: new Float64Array(9) };
    const kernel = neighbourhoodKernel(1, 10, 0.7);
    updateMap(map, kernel, Float64Array.from([10]), 0, 0); // winner at the corner (0,0)
    const atWinner = 10 * 0.7 * gaussian(0, 10);
    const atNeighbour = 10 * 0.7 * gaussian(1, 10);
    expect(map.weights[0]).toBeCloseTo(atWinner, 12);
    expect(map.weights[1]).toBeCloseTo(atNeighbour, 12); // right
    expect(map.weights[3]).toBeCloseTo(atNeighbour, 12); // below
    expect(Array.from(map.weights).filter((x) => x === 0)).toHaveLength(6);
  });
});

describe('winner search', () => {
  it('matches the full scan, with any hint, lowest index on ties', () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 20; trial++) {
      const dim = 1 + (trial % 4);
      const map = randomMap(6, 7, dim, rng);
      // Duplicate neurons make exact ties.
      map.weights.copyWithin(10 * dim, 3 * dim, 4 * dim);
      map.weights.copyWithin(30 * dim, 3 * dim, 4 * dim);
      const naive = {
        size: 0,
        w: Array.from({ length: 42 }, (_, v) => Array.from(map.weights.subarray(v * dim, (v + 1) * dim))),
      };
      const index = new BmuIndex(map);
      for (let q = 0; q < 30; q++) {
        const x =
          q % 5 === 0
            ? map.weights.slice(3 * dim, 4 * dim)
            : Float64Array.from({ length: dim }, () => rng.uniform(-20, 120));
        const expected = naiveBmu(naive, Array.from(x));
        const hint = rng.int(43) - 1;
        expect(findBmu(map, x, 0, hint)).toBe(expected);
        expect(index.find(x, 0, hint)).toBe(expected);
      }
      expect(findBmu(map, map.weights.slice(30 * dim, 31 * dim), 0, 30)).toBe(3);
    }
  });
});

describe('bootstrap (K-fold cross-validation over K random maps)', () => {
  it('splits into contiguous folds covering every sample', () => {
    expect(foldBounds(10, 3)).toEqual([0, 3, 6, 10]);
  });

  it('gives exactly the map of the plain reference implementation', () => {
    const rng = createRng(9);
    const n = 120;
    const dim = 3;
    const data = new Float64Array(n * dim);
    for (let i = 0; i < n; i++) {
      data[i * dim] = 50 + 20 * Math.sin(i / 10) + rng.normal(0, 2);
      data[i * dim + 1] = 30 + rng.normal(0, 5);
      data[i * dim + 2] = i % 7 === 0 ? 90 : 10 + rng.normal(0, 1);
    }
    const opts = {
      mapSize: 6,
      radius: 2,
      gaussianHeight: 5,
      learningRate: 0.7,
      epochs: 3,
      folds: 3,
      percentile: 85,
    };
    const fast = bootstrap(data, n, dim, opts, createRng(5));
    const rows = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * dim, (i + 1) * dim)));
    const naive = naiveBootstrap(rows, opts, createRng(5));
    expect(fast.chosen).toBe(naive.chosen);
    expect(fast.accuracies).toEqual(naive.accuracies);
    expect(Array.from(fast.map.weights)).toEqual(naive.map.w.flat());
    expect(Array.from(fast.areas)).toEqual(naive.areas);
    expect(fast.threshold).toBe(naive.threshold);
    // Each fold's map is trained: its weights left the U(0,100) start.
    expect(naiveRandomMap(6, dim, createRng(5)).w.flat()).not.toEqual(Array.from(fast.map.weights));
  });
});
