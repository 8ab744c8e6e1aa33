// The streaming detectors: special functions, the anomaly likelihood, each raw scorer, the shared
// shell (spatial rule, rest period, explain), and the windowed Gaussian against NAB's own outputs.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlgorithmContext, Predictor, Sample } from '../../src/core/algorithm.ts';
import { createRng } from '../../src/core/rng.ts';
import { createAlgorithm } from '../../src/algorithms/registry.ts';
import { ContextNovelty } from '../../src/algorithms/detectors/context-novelty.ts';
import {
  AnomalyLikelihood,
  LIKELIHOOD_DEFAULTS,
  logScore,
} from '../../src/algorithms/detectors/likelihood.ts';
import { MatrixProfileDiscord } from '../../src/algorithms/detectors/matrix-profile.ts';
import { erfc, normalTail } from '../../src/algorithms/detectors/special.ts';
import { WindowedGaussian } from '../../src/algorithms/detectors/windowed-gaussian.ts';
import { openNabCorpus, runNab } from '../../src/benchmarks/nab/runner.ts';
import { readResultsFile } from '../../src/benchmarks/nab/results-io.ts';
import { scoreNab } from '../../src/benchmarks/nab/score.ts';

describe('special functions', () => {
  it('erfc matches reference values to ~1e-15 relative, deep into the tail', () => {
    // Reference values: erfc from the C library (via Python's math.erfc).
    const cases: [number, number][] = [
      [-1, 1.842700792949715],
      [0, 1],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [2, 0.004677734981047265],
      [3, 2.2090496998585438e-5],
      [5, 1.5374597944280351e-12],
      [10, 2.088487583762545e-45],
      [26, 5.663192408856143e-296],
    ];
    for (const [x, want] of cases) expect(Math.abs(erfc(x) - want) / want).toBeLessThan(2e-13);
    expect(normalTail(3, 1, 1)).toBeCloseTo(0.022750131948179195, 14);
    expect(normalTail(-1, 1, 1)).toBeCloseTo(0.022750131948179195, 14); // two-sided: mirrored
  });
});

describe('anomaly likelihood', () => {
  const small = { ...LIKELIHOOD_DEFAULTS, learningPeriod: 20, estimationSamples: 30, reestimationPeriod: 10 };

  it('is neutral (0.5, log score 0.030) until learning + estimation records have passed', () => {
    const lik = new AnomalyLikelihood(small);
    for (let i = 0; i < 50; i++) expect(lik.probability(i, 0.5)).toBe(0.5);
    expect(logScore(0.5)).toBeCloseTo(0.0301029996659, 8); // NAB's numenta output during probation
    expect(logScore(1 - 1e-5)).toBeCloseTo(0.5, 6);
  });

  it('flags a sustained rise of raw scores once, then demotes the following red values to yellow', () => {
    const rng = createRng(3);
    const lik = new AnomalyLikelihood(small);
    let v = 0;
    for (let i = 0; i < 300; i++) lik.probability(v++, 0.1 + 0.02 * rng.normal());
    const out: number[] = [];
    for (let i = 0; i < 10; i++) out.push(lik.probability(v++, 1));
    const red = out.filter((l) => l >= 1 - 1e-5);
    expect(red.length).toBe(1);
    expect(out.indexOf(red[0]!)).toBeLessThan(8);
    // After the first red value the rest of the excursion reports the yellow level (1 - 1e-3).
    expect(out.slice(out.indexOf(red[0]!) + 1).every((l) => Math.abs(l - (1 - 1e-3)) < 1e-12)).toBe(true);
  });

  it('stays neutral on a flat metric', () => {
    const lik = new AnomalyLikelihood(small);
    for (let i = 0; i < 200; i++) lik.probability(7, i % 3 === 0 ? 0.9 : 0.1);
    expect(lik.probability(7, 1)).toBeGreaterThan(0.49);
    expect(lik.probability(7, 1)).toBeLessThan(0.51);
  });

  it('round-trips through JSON and continues identically', () => {
    const a = new AnomalyLikelihood(small);
    const rng = createRng(9);
    for (let i = 0; i < 120; i++) a.probability(i, rng.next());
    const b = new AnomalyLikelihood(small, JSON.parse(JSON.stringify(a.toJSON())));
    for (let i = 0; i < 100; i++) {
      const r = rng.next();
      expect(b.probability(i, r)).toBe(a.probability(i, r));
    }
  });
});

describe('raw scorers', () => {
  it('windowed Gaussian: score of a value is 1 - two-sided tail under the window before it', () => {
    const wg = new WindowedGaussian({ windowSize: 4, stepSize: 2 });
    expect(wg.next(1)).toBe(0); // empty window
    wg.next(3); // window [1, 3]: mean 2, sd 1
    expect(wg.next(4)).toBeCloseTo(1 - normalTail(4, 2, 1), 12);
    wg.next(2); // window [1, 3, 4, 2] full
    const mean = 2.5;
    const sd = Math.sqrt((1.5 ** 2 + 0.5 ** 2 + 1.5 ** 2 + 0.5 ** 2) / 4);
    expect(wg.next(9)).toBeCloseTo(1 - normalTail(9, mean, sd), 12);
    // The window slides only after stepSize new values.
    expect(wg.next(2.5)).toBeCloseTo(1 - normalTail(2.5, mean, sd), 12);
  });

  /** Left-matrix-profile distance by brute force, for comparison. */
  function bruteForce(
    xs: number[],
    m: number,
    minLag: number,
    history: number,
    floor: (t: number) => number,
  ) {
    const stats = (t: number) => {
      const w = xs.slice(t - m + 1, t + 1);
      const mu = w.reduce((a, b) => a + b, 0) / m;
      const sd = Math.sqrt(w.reduce((a, b) => a + (b - mu) ** 2, 0) / m);
      return { w, mu, sd };
    };
    return xs.map((_, t) => {
      if (t < m - 1 + minLag) return 0;
      const f = floor(t);
      const a = stats(t);
      const sa = Math.sqrt(a.sd ** 2 + f ** 2);
      let best = Infinity;
      for (let lag = minLag; lag <= Math.min(history, t - (m - 1)); lag++) {
        const b = stats(t - lag);
        const sb = Math.sqrt(b.sd ** 2 + f ** 2);
        let d2 = 0;
        for (let k = 0; k < m; k++) {
          const za = sa > 0 ? (a.w[k]! - a.mu) / sa : 0;
          const zb = sb > 0 ? (b.w[k]! - b.mu) / sb : 0;
          d2 += (za - zb) ** 2;
        }
        best = Math.min(best, d2);
      }
      return Math.min(1, Math.sqrt(best) / (2 * Math.sqrt(m)));
    });
  }

  it('matrix profile: the incremental update equals brute force, and a new shape scores high', () => {
    const rng = createRng(5);
    const xs: number[] = [];
    // A flat start (zero-variance subsequences), then a noisy sine.
    for (let t = 0; t < 400; t++)
      xs.push(t < 40 ? 1000 : Math.sin((2 * Math.PI * t) / 25) + 0.05 * rng.normal() + 1000);
    for (let t = 300; t < 310; t++) xs[t] = xs[t]! + (1.5 * (t - 300)) / 10; // a ramp never seen before
    const config = { subsequence: 16, history: 200, exclusion: 1, noiseFloor: 0, refreshEvery: 50 };
    const mp = new MatrixProfileDiscord(config);
    const got = xs.map((x) => mp.next(x));
    const want = bruteForce(xs, 16, 16, 200, () => 0);
    for (let t = 0; t < xs.length; t++) expect(got[t]).toBeCloseTo(want[t]!, 9);
    const normal = Math.max(...got.slice(100, 300));
    expect(Math.max(...got.slice(300, 330))).toBeGreaterThan(2 * normal);
  });

  it('matrix profile: the noise floor makes flat stretches alike instead of magnifying their noise', () => {
    // Period 100: half a sine wave, then a flat stretch carrying 1e-6 noise.
    const rng = createRng(8);
    const xs = Array.from({ length: 400 }, (_, t) =>
      t % 100 < 50 ? 5 + Math.sin((Math.PI * (t % 100)) / 50) : 5 + 1e-6 * rng.normal(),
    );
    const flatEnds = (got: number[]) => got.filter((_, t) => t >= 200 && t % 100 >= 70);
    const run = (noiseFloor: number) => {
      const mp = new MatrixProfileDiscord({
        subsequence: 10,
        history: 300,
        exclusion: 1,
        noiseFloor,
        refreshEvery: 1,
      });
      return xs.map((x) => mp.next(x));
    };
    // Without a floor, z-normalised noise on the flat stretches looks like arbitrary shapes.
    expect(Math.max(...flatEnds(run(0)))).toBeGreaterThan(0.2);
    expect(Math.max(...flatEnds(run(0.05)))).toBeLessThan(0.01);
  });

  it('matrix profile: round-trips through JSON and continues identically', () => {
    const config = { subsequence: 8, history: 50, exclusion: 1, noiseFloor: 0.05, refreshEvery: 7 };
    const rng = createRng(2);
    const a = new MatrixProfileDiscord(config);
    for (let t = 0; t < 120; t++) a.next(rng.normal());
    const b = new MatrixProfileDiscord(config, JSON.parse(JSON.stringify(a.toJSON())));
    for (let t = 0; t < 80; t++) {
      const x = rng.normal();
      expect(b.next(x)).toBe(a.next(x));
    }
  });

  it('context novelty: a learned cycle is unsurprising, an unseen transition is', () => {
    const c = new ContextNovelty({ buckets: 10, order: 2 });
    c.prime([0, 9]);
    const cycle = [0, 3, 6, 9, 6, 3];
    for (let r = 0; r < 20; r++) for (const v of cycle) c.next(v);
    expect(c.next(0)).toBe(0); // ... 6, 3 -> 0 as always
    expect(c.next(3)).toBe(0);
    expect(c.next(9)).toBe(1); // 0, 3 was always followed by 6
    expect(c.next(100)).toBe(1); // a bucket never seen
  });
});

const ctx: AlgorithmContext = { metrics: ['cpu', 'mem'], hosts: ['h'], sampleIntervalMs: 1000, seed: 1 };
const sample = (t: number, cpu: number, mem: number): Sample => ({
  time: t * 1000,
  host: 'h',
  values: Float64Array.of(cpu, mem),
});

describe('streaming detector shell', () => {
  it('spatial rule and explain: a new extreme on one metric scores 1 and names that metric', () => {
    const p = createAlgorithm('windowed-gaussian', { likelihood: false }, ctx) as Predictor;
    const rng = createRng(4);
    for (let t = 0; t < 200; t++) {
      const s = sample(t, 50 + rng.normal(), 20 + rng.normal());
      p.score(s);
      p.learn(s);
    }
    const out = p.score(sample(200, 50, 40));
    expect(out.score).toBe(1);
    expect(out.anomalous).toBe(true);
    expect(p.explain!('h')[0]!.metric).toBe('mem');
  });

  it('score() advances the stream once: learn() of the same sample is a no-op, learn() alone advances', () => {
    const a = createAlgorithm(
      'windowed-gaussian',
      { likelihood: false, spatialTolerance: 0 },
      ctx,
    ) as Predictor;
    const b = createAlgorithm(
      'windowed-gaussian',
      { likelihood: false, spatialTolerance: 0 },
      ctx,
    ) as Predictor;
    const xs = [1, 2, 3, 2, 1, 5];
    for (let t = 0; t < 5; t++) {
      a.score(sample(t, xs[t]!, 0));
      a.learn(sample(t, xs[t]!, 0));
      b.learn(sample(t, xs[t]!, 0));
    }
    expect(a.score(sample(5, 5, 0)).score).toBe(b.score(sample(5, 5, 0)).score);
    expect(a.score(sample(6, 5, 0)).score).toBeGreaterThan(0);
  });

  it('rest period: after an alarm the next scores are capped at half the alarm threshold', () => {
    const p = createAlgorithm(
      'windowed-gaussian',
      { likelihood: false, spatialTolerance: 0, restPeriod: 3, alarmThreshold: 0.9 },
      { ...ctx, metrics: ['x'] },
    ) as Predictor;
    const run = (t: number, x: number) => {
      const s = { time: t, host: 'h', values: Float64Array.of(x) };
      const r = p.score(s);
      p.learn(s);
      return r.score;
    };
    const rng = createRng(6);
    for (let t = 0; t < 100; t++) run(t, rng.normal());
    expect(run(100, 50)).toBeGreaterThan(0.9);
    expect([run(101, 50), run(102, 50), run(103, 50)]).toEqual([0.45, 0.45, 0.45]);
    expect(run(104, 80)).toBeGreaterThan(0.9);
  });
});

const nab = path.resolve(process.cwd(), '../shared/data/NAB');
const haveNab = existsSync(path.join(nab, 'results', 'windowedGaussian'));
if (!haveNab) console.warn(`skipping windowed-Gaussian reproduction: ${nab}/results not found`);

describe.skipIf(!haveNab)("windowed-gaussian reproduces NAB's windowedGaussian", () => {
  it('row for row over the corpus (12 significant digits, as NAB wrote them), and its score 39.65 / 20.87 / 47.41', () => {
    const corpus = openNabCorpus(nab);
    const run = runNab(corpus, 'windowed-gaussian', { config: { likelihood: false, spatialTolerance: 0 } });
    let compared = 0;
    for (const f of run.files) {
      const [category, file] = f.key.split('/') as [string, string];
      const published = readResultsFile(
        path.join(nab, 'results', 'windowedGaussian', category, `windowedGaussian_${file}.gz`),
      );
      const probation = Math.min(Math.floor(0.15 * f.scores.length), 750);
      for (let i = probation; i < f.scores.length; i++) {
        if (Math.abs(Number(f.scores[i]!.toPrecision(12)) - published.scores[i]!) > 1e-11) {
          throw new Error(`${f.key} row ${i}: ${f.scores[i]} vs published ${published.scores[i]}`);
        }
        compared++;
      }
    }
    expect(compared).toBe(332_842);
    const rounded = run.files.map((f) => ({
      ...f,
      scores: Float64Array.from(f.scores, (s) => Number(s.toPrecision(12))),
    }));
    const r = scoreNab('windowed-gaussian', rounded, corpus.windows);
    expect(r.standard).toBeCloseTo(39.65, 2);
    expect(r.reward_low_FP_rate).toBeCloseTo(20.868, 2);
    expect(r.reward_low_FN_rate).toBeCloseTo(47.41, 2);
  });
});
