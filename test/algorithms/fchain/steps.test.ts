// FChain's building blocks, each against a case with a known answer: the Markov normal-fluctuation
// model, CUSUM + bootstrap change points, the FFT burst threshold, the tangent rollback, the
// window-to-series conversion.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.ts';
import { burstSignal, burstThreshold, droppedFrequencies } from '../../../src/algorithms/fchain/burst.ts';
import {
  BootstrapTable,
  changePoints,
  kuiperTail,
  testSegment,
  type CusumOptions,
} from '../../../src/algorithms/fchain/cusum.ts';
import {
  fitModel,
  modelFromJSON,
  modelToJSON,
  predictNext,
  widenModel,
} from '../../../src/algorithms/fchain/markov.ts';
import { analyzeMetric, newScratch, type OnsetOptions } from '../../../src/algorithms/fchain/onset.ts';
import { rollback, tangentAngle } from '../../../src/algorithms/fchain/rollback.ts';
import { fillGaps, windowSeries } from '../../../src/algorithms/fchain/series.ts';

const CUSUM: CusumOptions = { bootstrap: 100, confidence: 0.99, minSegment: 5, maxChangePoints: 12 };

function noise(n: number, seed: number, sd = 1): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng.normal(0, sd));
}

describe('Markov normal-fluctuation model', () => {
  it('predicts the next value of a repeating pattern from the current bin', () => {
    // 0, 10, 20, 0, 10, 20, ...: from the bin of 10 the chain always went to 20.
    const x = Array.from({ length: 300 }, (_, i) => [0, 10, 20][i % 3]!);
    const m = fitModel(x, 0, x.length, 10)!;
    expect(predictNext(m, 10)).toBeCloseTo(20);
    expect(predictNext(m, 20)).toBeCloseTo(0);
    expect(predictNext(m, 0)).toBeCloseTo(10);
  });

  it('predicts an out-of-range value back into the normal range (the error grows with the distance)', () => {
    const x = Array.from({ length: 200 }, (_, i) => 50 + (i % 5));
    const m = fitModel(x, 0, x.length, 5)!;
    const far = Math.abs(500 - predictNext(m, 400));
    const near = Math.abs(53 - predictNext(m, 52));
    expect(far).toBeGreaterThan(400);
    expect(near).toBeLessThan(1);
  });

  it('predicts "no change" from a state it never saw leave', () => {
    const m = fitModel([1, 1, 1, 9], 0, 4, 4)!; // bin of 9 was never left
    expect(predictNext(m, 9)).toBe(9);
  });

  it('returns null without two finite values', () => {
    expect(fitModel([NaN, 3, NaN], 0, 3, 4)).toBeNull();
  });

  it('widens its range without losing transitions, and survives JSON', () => {
    const x = Array.from({ length: 100 }, (_, i) => i % 10);
    const m = fitModel(x, 0, x.length, 10)!;
    const w = widenModel(m, -10, 20);
    expect(w.lo).toBe(-10);
    expect(w.hi).toBe(20);
    expect(w.count.reduce((a, b) => a + b, 0)).toBe(m.count.reduce((a, b) => a + b, 0));
    // Coarser bins (width 3 instead of 0.9): predictions move by less than one new bin.
    for (const v of [1, 3, 6]) expect(Math.abs(predictNext(w, v) - predictNext(m, v))).toBeLessThan(3);
    const copy = modelFromJSON(JSON.parse(JSON.stringify(modelToJSON(m))));
    expect(Array.from(copy.next)).toEqual(Array.from(m.next));
  });
});

describe('CUSUM + bootstrap change points', () => {
  const table = new BootstrapTable(1, 100, 256);
  const scratch = new Float64Array(512);

  it('finds a mean shift where it happens', () => {
    const x = noise(100, 2);
    for (let i = 60; i < 100; i++) x[i]! += 5;
    expect(changePoints(x, 0, 100, CUSUM, table, scratch)).toContain(60);
  });

  it('finds nothing in a flat series and (almost) nothing in white noise', () => {
    expect(changePoints(new Float64Array(100).fill(3), 0, 100, CUSUM, table, scratch)).toEqual([]);
    let found = 0;
    for (let s = 0; s < 50; s++)
      found += changePoints(noise(100, 100 + s), 0, 100, CUSUM, table, scratch).length;
    expect(found).toBeLessThanOrEqual(3); // 1 % level per test
  });

  it('keeps minSegment samples on each side and stops at maxChangePoints', () => {
    const ramp = Float64Array.from({ length: 100 }, (_, i) => i);
    const cps = changePoints(ramp, 0, 100, { ...CUSUM, maxChangePoints: 4 }, table, scratch);
    expect(cps.length).toBe(4);
    for (const c of cps) {
      expect(c).toBeGreaterThanOrEqual(5);
      expect(c).toBeLessThanOrEqual(95);
    }
    expect([...cps].sort((a, b) => a - b)).toEqual(cps);
  });

  it('the Kuiper shortcut decides like the full bootstrap', () => {
    let agree = 0;
    let total = 0;
    for (let s = 0; s < 300; s++) {
      const n = 20 + (s % 80);
      const x = noise(n, 500 + s);
      const shift = (s % 7) * 0.25;
      for (let i = Math.floor(n / 2); i < n; i++) x[i]! += shift;
      const fast = testSegment(x, 0, n, CUSUM, table, scratch);
      const full = testSegment(x, 0, n, { ...CUSUM, exact: true }, table, scratch);
      total++;
      if (fast === full) agree++;
    }
    expect(agree / total).toBeGreaterThanOrEqual(0.98);
  });

  it("Kuiper's tail is a probability that falls with z", () => {
    expect(kuiperTail(0.2)).toBe(1);
    expect(kuiperTail(1.0)).toBeGreaterThan(kuiperTail(1.5));
    expect(kuiperTail(2.0)).toBeGreaterThan(0.005);
    expect(kuiperTail(2.0)).toBeLessThan(0.02);
    expect(kuiperTail(3.0)).toBeLessThan(1e-5);
  });

  it('draws the same permutations for a seed however the table grew', () => {
    const a = new BootstrapTable(9, 10, 50);
    a.ensureWidth(300);
    const b = new BootstrapTable(9, 10, 300);
    expect(Array.from(a.j)).toEqual(Array.from(b.j));
    for (let r = 0; r < 10; r++)
      for (let i = 0; i < 300; i++) expect(b.j[r * 300 + i]!).toBeLessThanOrEqual(i);
  });
});

describe('burst signal (FFT, top 90 % of frequencies)', () => {
  /** Reference: full DFT, zero the lowest `drop` bins (and their mirrors), inverse DFT. */
  function naiveBurst(x: number[], drop: number): number[] {
    const n = x.length;
    const re: number[] = [];
    const im: number[] = [];
    for (let k = 0; k < n; k++) {
      let r = 0;
      let i = 0;
      for (let j = 0; j < n; j++) {
        r += x[j]! * Math.cos((2 * Math.PI * k * j) / n);
        i -= x[j]! * Math.sin((2 * Math.PI * k * j) / n);
      }
      const f = Math.min(k, n - k); // frequency index of bin k
      re.push(f < drop ? 0 : r);
      im.push(f < drop ? 0 : i);
    }
    return x.map((_, j) => {
      let v = 0;
      for (let k = 0; k < n; k++) {
        v += re[k]! * Math.cos((2 * Math.PI * k * j) / n) - im[k]! * Math.sin((2 * Math.PI * k * j) / n);
      }
      return v / n;
    });
  }

  it.each([41, 40, 17])('equals zeroing the low frequencies of a full DFT (n = %i)', (n) => {
    const x = Array.from(noise(n, n), (v, i) => v + 0.1 * i + Math.sin(i / 3));
    const drop = droppedFrequencies(n, 0.9);
    const out = new Float64Array(n);
    burstSignal(x, 0, n, drop, out);
    const ref = naiveBurst(x, drop);
    for (let j = 0; j < n; j++) expect(out[j]!).toBeCloseTo(ref[j]!, 9);
  });

  it('drops DC plus the lowest 10 % of the 21 frequencies of a 41-sample window', () => {
    expect(droppedFrequencies(41, 0.9)).toBe(3);
    expect(droppedFrequencies(4, 0.9)).toBe(1);
  });

  it('gives bursty series a higher expected error than smooth ones, and drops slow waves', () => {
    const scratch = new Float64Array(64);
    const bursty = noise(41, 3, 10);
    const calm = noise(41, 3, 1);
    // One or two periods across the window: frequencies 1 and 2, both among the dropped ones.
    const wave = Float64Array.from(
      { length: 41 },
      (_, i) => 1000 + 50 * Math.sin((2 * Math.PI * i) / 41) + 20 * Math.cos((4 * Math.PI * i) / 41),
    );
    const tb = burstThreshold(bursty, 0, 41, 0.9, 0.9, scratch);
    const tc = burstThreshold(calm, 0, 41, 0.9, 0.9, scratch);
    expect(tb / tc).toBeCloseTo(10, 5); // linear in the amplitude
    expect(burstThreshold(wave, 0, 41, 0.9, 0.9, scratch)).toBeLessThan(1e-9);
    expect(burstThreshold(calm, 0, 3, 0.9, 0.9, scratch)).toBe(Infinity);
  });
});

describe('tangent rollback', () => {
  it('rolls a change point in the middle of a ramp back to the ramp start', () => {
    // flat until 40, then a steady ramp; change points at 20 (noise), 40 (ramp start), 60, 80
    const x = Float64Array.from({ length: 100 }, (_, i) => (i < 40 ? 0 : 5 * (i - 40)));
    const cps = [20, 40, 60, 80];
    expect(cps[rollback(x, cps, 3, 0, 100, 0.1)]).toBe(40);
    expect(cps[rollback(x, cps, 1, 0, 100, 0.1)]).toBe(40);
  });

  it('stops where the slope changes', () => {
    // slow ramp, then a steep one from 50
    const x = Float64Array.from({ length: 100 }, (_, i) => (i < 50 ? i : 50 + 20 * (i - 50)));
    const cps = [25, 50, 75];
    expect(cps[rollback(x, cps, 2, 0, 100, 0.1)]).toBe(50);
  });

  it('measures tangents as angles of the normalised series', () => {
    const up = Float64Array.from({ length: 10 }, (_, i) => i);
    expect(tangentAngle(up, 0, 10, 9, 9)).toBeCloseTo(Math.PI / 4);
    expect(tangentAngle(up, 0, 10, 0, 9)).toBe(0);
  });
});

describe('per-metric analysis', () => {
  const opts: OnsetOptions = {
    cusum: CUSUM,
    burstHalfWindow: 20,
    burstKeepFraction: 0.9,
    burstPercentile: 0.9,
    minErrorOfRange: 0.5,
    tangentTolerance: 0.1,
  };
  const table = new BootstrapTable(1, 100, 256);

  it('flags a level the normal data never reached, with its direction and onset', () => {
    const x = noise(200, 4);
    for (let i = 150; i < 200; i++) x[i]! += Math.min(40, 2 * (i - 149));
    const normal = () => ({ model: fitModel(x, 0, 100, 40), normalRange: 6 });
    const f = analyzeMetric(x, 100, 200, normal, opts, table, newScratch(200));
    expect(f.onset).toBeGreaterThanOrEqual(148);
    expect(f.onset).toBeLessThanOrEqual(156);
    expect(f.direction).toBe(1);
    expect(f.ratio).toBeGreaterThan(1);
  });

  it('does not take a change inside a normal-history prefix (before minOnset) for an onset', () => {
    // A level step at 100 (the junction of a prefix and the real window), the real fault at 150.
    const x = noise(200, 4);
    for (let i = 100; i < 200; i++) x[i]! += 30;
    for (let i = 150; i < 200; i++) x[i]! += 40;
    const normal = () => ({ model: fitModel(x, 0, 100, 40), normalRange: 6 });
    const all = analyzeMetric(x, 50, 200, normal, opts, table, newScratch(200));
    const real = analyzeMetric(x, 50, 200, normal, opts, table, newScratch(200), 120);
    expect(all.onset).toBeLessThan(120);
    // The rollback may walk back to the window's first sample, never into the prefix.
    expect(real.onset).toBeGreaterThanOrEqual(120);
    expect(real.onset).toBeLessThanOrEqual(156);
  });

  it('does not flag a shift that stays within normal fluctuation', () => {
    const x = Float64Array.from(noise(200, 5), (v, i) => v + 10 * Math.sin(i / 8));
    const normal = () => ({ model: fitModel(x, 0, 100, 40), normalRange: 22 });
    const f = analyzeMetric(x, 100, 200, normal, opts, table, newScratch(200));
    expect(f.onset).toBe(-1);
  });
});

describe('window series', () => {
  it('aligns hosts on one time axis, sorts hosts and fills gaps from the previous value', () => {
    const s = (time: number, host: string, v: number) => ({ time, host, values: Float64Array.of(v) });
    const ws = windowSeries([s(1, 'b', 1), s(1, 'a', 10), s(2, 'a', NaN), s(3, 'a', 30), s(3, 'b', 3)], 1);
    expect(Array.from(ws.times)).toEqual([1, 2, 3]);
    expect(ws.hosts).toEqual(['a', 'b']);
    expect(Array.from(ws.values[0]![0]!)).toEqual([10, 10, 30]);
    expect(Array.from(ws.values[1]![0]!)).toEqual([1, 1, 3]);
    const lead = Float64Array.of(NaN, NaN, 4, NaN);
    fillGaps(lead);
    expect(Array.from(lead)).toEqual([4, 4, 4, 4]);
  });
});
