// Neighbourhood area size (UBL Eq. 3-4), the percentile threshold and the score mapping, on maps small
// enough to compute by hand.
import { describe, expect, it } from 'vitest';
import { areaScore, areaSizes, areaThreshold, decisionAreas } from '../../../src/algorithms/ubl/area.ts';
import type { SomMap } from '../../../src/algorithms/ubl/som.ts';

function map(rows: number, cols: number, weights: number[][]): SomMap {
  return { rows, cols, dim: weights[0]!.length, weights: Float64Array.from(weights.flat()) };
}

// 3x3, one metric:      0 1 2
//                       1 9 3
//                       2 3 4
const m3 = map(3, 3, [[0], [1], [2], [1], [9], [3], [2], [3], [4]]);

describe('area size (Eq. 4)', () => {
  it('sums Manhattan distances to the top, left, right and bottom neighbours (2x2, two metrics)', () => {
    // v0 [0,0] v1 [1,2] / v2 [3,0] v3 [1,1]: edges v0-v1 3, v0-v2 3, v1-v3 1, v2-v3 3.
    const m = map(2, 2, [
      [0, 0],
      [1, 2],
      [3, 0],
      [1, 1],
    ]);
    expect(Array.from(areaSizes(m))).toEqual([6, 4, 6, 4]);
  });

  it('gives edge and corner neurons fewer terms (3x3 by hand)', () => {
    // corners: 2 terms; edges: 3; centre: 4 (|9-1| + |9-1| + |9-3| + |9-3| = 28).
    expect(Array.from(areaSizes(m3))).toEqual([2, 10, 2, 10, 28, 8, 2, 8, 2]);
  });

  it('writes into a given buffer', () => {
    const out = new Float64Array(9).fill(99);
    expect(areaSizes(m3, out)).toBe(out);
    expect(out[4]).toBe(28);
  });
});

describe('threshold: a percentile of all neurons', () => {
  // Sorted areas: 2 2 2 2 8 8 10 10 28 (type-7 interpolation: position = 8 p).
  it.each([
    [50, 8],
    [70, 9.2], // position 5.6: 8 + 0.6 * (10 - 8)
    [85, 10], // position 6.8: between 10 and 10
    [90, 13.6], // position 7.2: 10 + 0.2 * (28 - 10)
  ])('percentile %d -> %d', (p, expected) => {
    expect(areaThreshold(areaSizes(m3), p)).toBeCloseTo(expected, 12);
  });
});

describe('score', () => {
  it('maps the threshold to 0.5 and is monotone, within [0, 1]', () => {
    expect(areaScore(10, 10)).toBe(0.5);
    expect(areaScore(0, 10)).toBe(0);
    expect(areaScore(30, 10)).toBe(0.75);
    expect(areaScore(1e12, 10)).toBeLessThanOrEqual(1);
    expect(areaScore(5, 10)).toBeLessThan(areaScore(6, 10));
    expect(areaScore(0, 0)).toBe(0);
  });
});

describe('untrained neurons in the decision (untrainedNeurons)', () => {
  // m3's areas [2,10,2,10,28,8,2,8,2]; sorted 2,2,2,2,8,8,10,10,28: the median of all is 8.
  const allHit = new Uint8Array(9).fill(1);

  it("'area' (the paper) ignores the hit mask", () => {
    const unhit0 = Uint8Array.from(allHit, (_, v) => (v === 0 ? 0 : 1));
    const d = decisionAreas(m3, 50, 'area', unhit0);
    expect(d.threshold).toBe(8);
    expect(Array.from(d.areas)).toEqual([2, 10, 2, 10, 28, 8, 2, 8, 2]);
  });

  it("'anomalous' keeps the threshold and raises an unhit neuron's area to it", () => {
    const unhit0 = Uint8Array.from(allHit, (_, v) => (v === 0 ? 0 : 1));
    const d = decisionAreas(m3, 50, 'anomalous', unhit0);
    expect(d.threshold).toBe(8);
    expect(Array.from(d.areas)).toEqual([8, 10, 2, 10, 28, 8, 2, 8, 2]);
  });

  it("'excluded' takes the percentile over the hit neurons only", () => {
    // Without the centre (28): 2,2,2,2,8,8,10,10 -> median 5; the centre stays anomalous (28 >= 5).
    const unhit4 = Uint8Array.from(allHit, (_, v) => (v === 4 ? 0 : 1));
    const d = decisionAreas(m3, 50, 'excluded', unhit4);
    expect(d.threshold).toBe(5);
    expect(d.areas[4]).toBe(28);
  });
});
