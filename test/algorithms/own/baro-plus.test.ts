// baro-plus (issue 20): its building blocks against known answers, and the localizer on 1 s
// per-service cases shaped like the held-out check (CPU hog or memory leak in one of 13 services).
import { describe, expect, it } from 'vitest';
import { bestSplit, coarseChangePoint } from '../../../src/algorithms/own/baro-plus.ts';
import { lastChangePoint } from '../../../src/algorithms/own/bocpd.ts';
import { robustScale, robustStats } from '../../../src/algorithms/own/robust.ts';
import { samplesIn, windowMs } from '../../../src/algorithms/windows.ts';
import { createRng } from '../../../src/core/rng.ts';
import { runRca } from '../../../src/runner/rca.ts';
import { microserviceCase } from '../../../src/sim/microservices.ts';

describe('sample-interval-aware windows', () => {
  it('keeps seconds at 1 s and floors to samples at 60 s', () => {
    expect(windowMs(100, 10, 1000)).toBe(100_000);
    expect(windowMs(100, 10, 60_000)).toBe(600_000);
    expect(samplesIn(20, 1000, 2)).toBe(20);
    expect(samplesIn(20, 60_000, 2)).toBe(2);
  });
});

describe('BOCPD (lastChangePoint)', () => {
  it('finds a mean shift in noise, and no recent change in plain noise', () => {
    const rng = createRng(3);
    const step = Float64Array.from({ length: 300 }, (_, i) => (i >= 240 ? 5 : 0) + rng.normal());
    const at = lastChangePoint(step, { hazardSamples: 100 });
    expect(Math.abs(at - 240)).toBeLessThanOrEqual(2);
    const noise = Float64Array.from({ length: 300 }, () => rng.normal());
    expect(lastChangePoint(noise, { hazardSamples: 100 })).toBeLessThan(30);
  });

  it('skips missing values', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => (i >= 70 ? 10 : 0) + (i % 7) * 0.1);
    x[20] = NaN;
    x[80] = NaN;
    expect(Math.abs(lastChangePoint(x, { hazardSamples: 50 }) - 70)).toBeLessThanOrEqual(1);
  });
});

describe('coarseChangePoint (speed mode, off by default)', () => {
  it('is lastChangePoint without a limit, and finds the shift to a block with one', () => {
    const rng = createRng(5);
    const x = Float64Array.from({ length: 600 }, (_, i) => (i >= 541 ? 4 : 0) + rng.normal());
    expect(coarseChangePoint(x, 100, 0)).toBe(lastChangePoint(x, { hazardSamples: 100 }));
    const coarse = coarseChangePoint(x, 100, 150); // blocks of 4 samples
    expect(Math.abs(coarse - 541)).toBeLessThanOrEqual(4);
    expect((600 - coarse) % 4).toBe(0); // a block start, blocks aligned to the end
  });
});

describe('bestSplit (the change time when BOCPD finds none in a short window)', () => {
  it('finds an upward shift in 8 samples at 60 s and keeps the minimum before it', () => {
    expect(bestSplit([1, 1.2, 0.9, 6, 7, 6.5, 7, 6], 2)).toBe(3);
    // A shift at index 1 cannot be taken with at least 2 samples before it.
    expect(bestSplit([1, 9, 9, 9, 9], 2)).toBe(2);
    expect(bestSplit([5, 5, 5, 5], 2)).toBe(0);
  });
});

describe('robust scale', () => {
  it('is the IQR where the data vary, floored where they were flat', () => {
    const varied = robustStats(Float64Array.from({ length: 101 }, (_, i) => i))!;
    expect(varied.median).toBe(50);
    expect(robustScale(varied, 0.1, 0.1)).toBeCloseTo(50, 6);
    // Quantised latency: IQR 0, so the floor (a share of |median|) decides, not 1e-9.
    const flat = robustStats(Float64Array.from({ length: 100 }, (_, i) => (i === 50 ? 0.01 : 0.005)))!;
    expect(flat.iqr).toBe(0);
    expect(robustScale(flat, 0, 0.1)).toBeCloseTo(0.0005, 9);
  });
});

describe('baro-plus on 1 s per-service cases (13 services, CPU hog or memory leak)', () => {
  // 8 cases per fault type; the localizer is asked 60 s after the fault start, as in the issue.
  const cases = (['cpu', 'mem'] as const).flatMap((fault) =>
    [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => ({
      name: `${fault}-${seed}`,
      dataset: microserviceCase({ seed, fault }),
    })),
  );
  const report = runRca(cases, {
    algorithms: ['baro-plus', 'random-localizer'],
    trigger: 'fault',
    delayS: 60,
  });
  const row = (alg: string, type: string) =>
    report.summary.find((r) => r.algorithm === alg && r.faultType === type)!;

  it('names the culprit first in most cases and in the top 3 in all, far above chance', () => {
    // Measured: 0.90 / 1.00 on 30 cases, seeds 1-15 (docs/localization.md).
    expect(row('baro-plus', 'all').ac1!).toBeGreaterThanOrEqual(0.85);
    expect(row('baro-plus', 'all').ac3!).toBeGreaterThanOrEqual(0.95);
    expect(row('baro-plus', 'cpu').ac1!).toBeGreaterThanOrEqual(0.95);
    expect(row('baro-plus', 'all').chance1!).toBeCloseTo(1 / 13, 6);
    expect(row('random-localizer', 'all').ac1!).toBeLessThan(0.4);
  });

  it('names a metric for every ranked host, and is deterministic', () => {
    for (const c of report.cases) {
      for (const e of c.localizations['baro-plus']!.ranking) expect(e.metric).not.toBeNull();
    }
    const again = runRca(cases.slice(0, 3), { algorithms: ['baro-plus'], trigger: 'fault', delayS: 60 });
    expect(again.cases.map((c) => c.localizations['baro-plus'])).toEqual(
      report.cases.slice(0, 3).map((c) => c.localizations['baro-plus']),
    );
  });
});
