// The NAB scorer: hand-computed cases for every rule, then conformance against the published
// outputs of numenta and windowedGaussian (../shared/data/NAB/results).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localSearchOptimum, sweepOptimum } from '../../src/benchmarks/nab/optimizer.ts';
import { NAB_PROFILES, nabProbationaryLength } from '../../src/benchmarks/nab/profiles.ts';
import { readResultsDir, readWindowsFile } from '../../src/benchmarks/nab/results-io.ts';
import { scoreNab, thresholdsFor } from '../../src/benchmarks/nab/score.ts';
import {
  buildCorpus,
  labelFile,
  normalizeScore,
  rawScoreAt,
  scaledSigmoid,
  thresholdCurve,
} from '../../src/benchmarks/nab/scorer.ts';
import { readJsonFile } from '../../src/cli/options.ts';

const [standard, lowFP, lowFN] = NAB_PROFILES as [
  (typeof NAB_PROFILES)[0],
  (typeof NAB_PROFILES)[0],
  (typeof NAB_PROFILES)[0],
];

/** n rows one minute apart from t = 0. */
const minutes = (n: number) => Float64Array.from({ length: n }, (_, i) => i * 60_000);
const at = (row: number) => row * 60_000;

describe('NAB scoring rules', () => {
  it('scaled sigmoid: NAB docstring values and -1 far after a window', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3)).toBeCloseTo(2 / (1 + Math.exp(15)) - 1, 12);
    expect(scaledSigmoid(3.0001)).toBe(-1);
  });

  it('probationary period: min(floor(0.15 N), 750)', () => {
    expect(nabProbationaryLength(1000)).toBe(150);
    expect(nabProbationaryLength(1001)).toBe(150);
    expect(nabProbationaryLength(22695)).toBe(750);
  });

  it('labels rows: position in the window, after it, and before the first window', () => {
    // 100 rows, probation 15; one window over rows 40..49 (width 10).
    const l = labelFile('c/f.csv', minutes(100), [[at(40), at(49)]]);
    expect(l.probation).toBe(15);
    expect(l.window.length).toBe(85);
    const row = (i: number) => ({ w: l.window[i - 15], s: l.sigma[i - 15]! });
    expect(row(20)).toEqual({ w: -1, s: -1 }); // before any window
    expect(row(40).w).toBe(0);
    expect(row(40).s).toBeCloseTo(scaledSigmoid(-1), 12); // left edge: y = -(49-40+1)/10
    expect(row(49).s).toBeCloseTo(scaledSigmoid(-0.1), 12); // right edge: y = -1/10
    expect(row(50)).toEqual({ w: -1, s: scaledSigmoid(1 / 9) }); // |50-49| / (10-1)
    expect(row(99).s).toBe(-1); // 50/9 > 3
  });

  it('matches windows on rows: repeated timestamps keep their rows, the end is the first matching row', () => {
    // Rows 0..199 with the timestamp of row 60 repeated three times (rows 60, 61, 62 share it).
    const t = minutes(200);
    t[61] = t[60]!;
    t[62] = t[60]!;
    const l = labelFile('c/f.csv', t, [[t[55]!, t[60]!]]);
    // Window: rows 55..60, width 6; rows 61 and 62 (same time as the end) are already outside.
    expect(l.window[55 - 30]).toBe(0);
    expect(l.window[60 - 30]).toBe(0);
    expect(l.window[61 - 30]).toBe(-1);
    expect(l.sigma[61 - 30]).toBeCloseTo(scaledSigmoid(1 / 5), 12);
  });

  it('raw score: earliest detection per window, misses, FP weights per profile, normalisation', () => {
    // File A: 100 rows, window rows 40..49. File B: 100 rows, window rows 60..69.
    const windows = new Map<string, [number, number][]>([
      ['c/a.csv', [[at(40), at(49)]]],
      ['c/b.csv', [[at(60), at(69)]]],
    ]);
    const a = new Float64Array(100);
    a[42] = 0.9; // in window, 3rd row
    a[45] = 0.95; // later in the same window: must not count
    a[20] = 0.8; // before the first window: FP worth -fpWeight
    a[51] = 0.6; // just after the window
    const b = new Float64Array(100); // window of B missed at any threshold > 0
    const corpus = buildCorpus(
      [
        { key: 'c/a.csv', times: minutes(100), scores: a },
        { key: 'c/b.csv', times: minutes(100), scores: b },
      ],
      windows,
    );
    expect(corpus.windowCount).toBe(2);
    const tp = scaledSigmoid(-(49 - 42 + 1) / 10) / scaledSigmoid(-1);
    const fpAfter = scaledSigmoid(2 / 9);
    const expected = (p: typeof standard, t: number) => {
      let s = -p.fnWeight; // B missed
      if (t <= 0.95)
        s += p.tpWeight * (t <= 0.9 ? tp : scaledSigmoid(-(49 - 45 + 1) / 10) / scaledSigmoid(-1));
      else s -= p.fnWeight;
      if (t <= 0.8) s += -p.fpWeight;
      if (t <= 0.6) s += p.fpWeight * fpAfter;
      return s;
    };
    for (const p of [standard, lowFP, lowFN]) {
      const curve = thresholdCurve(corpus, p);
      for (const t of [1, 0.95, 0.9, 0.8, 0.6, 0.5])
        expect(rawScoreAt(curve, t)).toBeCloseTo(expected(p, t), 12);
      // Every row scores 0 at threshold 0: every window's left edge is a detection.
      expect(rawScoreAt(curve, 0)).toBeLessThan(expected(p, 0.6));
    }
    // Normalisation: null detector 0, perfect 100.
    expect(normalizeScore(-2, 2, standard)).toBe(0);
    expect(normalizeScore(2, 2, standard)).toBe(100);
    expect(normalizeScore(-4, 2, lowFN)).toBe(0);
    expect(normalizeScore(0, 2, lowFN)).toBeCloseTo((100 * 4) / 6, 12);
  });

  it('optimisers: the sweep finds the global maximum, the local search can stop at a local one', () => {
    // Raw score by threshold (descending): a local optimum near 0.55, the global one at 0.2.
    const curve = {
      thresholds: Float64Array.of(1.1, 0.9, 0.6, 0.55, 0.5, 0.3, 0.2, 0.1),
      raw: Float64Array.of(-10, -8, -5, -3, -6, -7, 4, 1),
    };
    expect(sweepOptimum(curve)).toEqual({ threshold: 0.2, raw: 4 });
    const local = localSearchOptimum(curve);
    expect(local.raw).toBe(-3);
    expect(local.threshold).toBeGreaterThan(0.5);
    expect(local.threshold).toBeLessThanOrEqual(0.55);
  });
});

const dataRoot = path.resolve(process.cwd(), '../shared/data');
const nab = path.join(dataRoot, 'NAB');
const haveNab = existsSync(path.join(nab, 'results', 'numenta'));
if (!haveNab) console.warn(`skipping NAB conformance: ${nab}/results not found`);

describe.skipIf(!haveNab)('NAB conformance: published outputs reproduce published scores', () => {
  const windows = haveNab ? readWindowsFile(path.join(nab, 'labels', 'combined_windows.json')) : new Map();
  const published = {
    numenta: [70.101, 63.117, 74.32],
    windowedGaussian: [39.65, 20.868, 47.41],
  } as const;

  // One scoring per detector (reading and sorting 333k rows is the cost): with the stored
  // thresholds, which also evaluates both optimisers.
  const reports = new Map<string, ReturnType<typeof scoreNab>>();
  const report = (detector: string) => {
    let r = reports.get(detector);
    if (!r) {
      const { files } = readResultsDir(path.join(nab, 'results', detector));
      expect(files).toHaveLength(58);
      const file = path.join(nab, 'config', 'thresholds.json');
      r = scoreNab(detector, files, windows, {
        thresholds: thresholdsFor(readJsonFile(file, 't'), detector, file),
      });
      reports.set(detector, r);
    }
    return r;
  };

  for (const [detector, [s, fp, fn]] of Object.entries(published)) {
    it(`${detector}: ${s} / ${fp} / ${fn} within 0.01`, () => {
      const r = report(detector);
      expect(r.corpus).toEqual({ files: 58, rows: 365_558, scoredRows: 332_842, windows: 116 });
      // NAB's published threshold search (the default optimiser).
      const local = r.byOptimizer.local;
      expect(Math.abs(local.standard.score - s)).toBeLessThan(0.01);
      expect(Math.abs(local.reward_low_FP_rate.score - fp)).toBeLessThan(0.01);
      expect(Math.abs(local.reward_low_FN_rate.score - fn)).toBeLessThan(0.01);
      // NAB's score step at the stored config/thresholds.json gives the same numbers.
      expect(r.thresholdRule).toBe('given');
      expect(Math.abs(r.standard - s)).toBeLessThan(0.01);
      expect(Math.abs(r.reward_low_FP_rate - fp)).toBeLessThan(0.01);
      expect(Math.abs(r.reward_low_FN_rate - fn)).toBeLessThan(0.01);
      // The exhaustive sweep never does worse.
      const sweep = r.byOptimizer.sweep;
      expect(sweep.standard.score).toBeGreaterThanOrEqual(local.standard.score - 1e-9);
      expect(sweep.reward_low_FP_rate.score).toBeGreaterThanOrEqual(local.reward_low_FP_rate.score - 1e-9);
      expect(sweep.reward_low_FN_rate.score).toBeGreaterThanOrEqual(local.reward_low_FN_rate.score - 1e-9);
    });
  }

  it('the sweep finds numenta a better low-FP threshold than the published one (63.209 vs 63.117)', () => {
    const sweep = report('numenta').byOptimizer.sweep;
    expect(sweep.reward_low_FP_rate.score).toBeCloseTo(63.209, 2);
    expect(sweep.standard.score).toBeCloseTo(70.101, 2);
    expect(sweep.standard.detectedWindows).toBe(96);
    expect(sweep.standard.falsePositives).toBe(153);
  });
});
