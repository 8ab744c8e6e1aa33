// Pre-processing (UBL §III-A): missing values, constant metrics, k-point smoothing, scaling by the
// training maximum; the online smoother reproduces the training vectors.
import { describe, expect, it } from 'vitest';
import { movingAverage, OnlineSmoother, prepareTraining } from '../../../src/algorithms/ubl/preprocess.ts';

const f = (...xs: number[]) => Float64Array.from(xs);

describe('prepareTraining', () => {
  const series = [f(1, 2, 3, 4, 5), f(7, 7, 7, 7, 7), f(NaN, 2, NaN, 4, 0)];
  const p = prepareTraining(series, 2)!;

  it('drops constant metrics and fills missing values (carry forward; leading ones take the first value)', () => {
    expect(Array.from(p.scaling.kept)).toEqual([0, 2]);
    // m2 filled: 2 2 2 4 0; fill value = its mean 2; m0 mean 3.
    expect(Array.from(p.scaling.fill)).toEqual([3, 2]);
  });

  it('smooths over the k values ending at each sample, then scales by the smoothed maximum', () => {
    // m0 smoothed 1 1.5 2.5 3.5 4.5 (max 4.5); m2 smoothed 2 2 2 3 2 (max 3).
    expect(Array.from(p.scaling.scale)).toEqual([4.5, 3]);
    const col = (j: number) => Array.from({ length: 5 }, (_, i) => p.data[i * 2 + j]!);
    expect(col(0).map((x) => x.toFixed(6))).toEqual(
      [1, 1.5, 2.5, 3.5, 4.5].map((x) => ((100 * x) / 4.5).toFixed(6)),
    );
    expect(col(1).map((x) => x.toFixed(6))).toEqual([2, 2, 2, 3, 2].map((x) => ((100 * x) / 3).toFixed(6)));
    expect(Math.max(...col(0))).toBe(100);
  });

  it('returns null when every metric is constant or missing', () => {
    expect(prepareTraining([f(1, 1, 1), f(NaN, NaN, NaN)], 1)).toBeNull();
  });

  it('moving average with k = 1 is the identity', () => {
    expect(Array.from(movingAverage(f(3, 1, 4), 1))).toEqual([3, 1, 4]);
  });
});

describe('OnlineSmoother', () => {
  it('gives the same vectors as training on the same stream, and may exceed 100', () => {
    const raw = [f(5, 1, 0), f(6, 2, 0), f(5, 3, 0), f(9, 4, 0), f(4, 2, 0), f(7, 1, 0)];
    const p = prepareTraining(
      [0, 1, 2].map((m) => Float64Array.from(raw, (r) => r[m]!)),
      3,
    )!;
    const s = new OnlineSmoother(p.scaling, 3);
    const out = new Float64Array(2);
    raw.forEach((r, i) => {
      s.push(r, out);
      expect(Array.from(out)).toEqual(Array.from(p.data.subarray(i * 2, i * 2 + 2)));
    });
    for (let i = 0; i < 3; i++) s.push(f(30, 10, 0), out);
    expect(out[0]).toBeGreaterThan(100);
  });

  it('uses the training mean for a value missing before any was seen, then carries the last one', () => {
    const p = prepareTraining([f(2, 4, 6)], 1)!; // mean 4, scale 6
    const s = new OnlineSmoother(p.scaling, 1);
    const out = new Float64Array(1);
    s.push(f(NaN), out);
    expect(out[0]).toBeCloseTo((100 * 4) / 6, 12);
    s.push(f(3), out);
    s.push(f(NaN), out);
    expect(out[0]).toBeCloseTo(50, 12);
  });

  it('round-trips through JSON', () => {
    const p = prepareTraining([f(2, 4, 6, 8)], 3)!;
    const a = new OnlineSmoother(p.scaling, 3);
    const out = new Float64Array(1);
    a.push(f(1), out);
    a.push(f(5), out);
    const b = OnlineSmoother.fromJSON(p.scaling, 3, JSON.parse(JSON.stringify(a.toJSON())));
    const outB = new Float64Array(1);
    for (const x of [7, NaN, 2, 9]) {
      a.push(f(x), out);
      b.push(f(x), outB);
      expect(outB[0]).toBe(out[0]);
    }
  });
});
