// The UBL predictor as a whole: hosts without a map, warm-up bootstrap, SLO feedback, re-bootstrap,
// incremental learning, serialization. Small maps keep it fast; the behaviour does not depend on size.
import { describe, expect, it } from 'vitest';
import type { AlgorithmContext, Sample, TrainingData } from '../../../src/core/algorithm.ts';
import { createRng } from '../../../src/core/rng.ts';
import { getAlgorithm, loadAlgorithm, resolveConfig } from '../../../src/algorithms/registry.ts';
import type { UblConfig } from '../../../src/algorithms/ubl/params.ts';
import { UblPredictor } from '../../../src/algorithms/ubl/ubl.ts';

const METRICS = ['cpu', 'mem', 'flat'];
const ctx: AlgorithmContext = { metrics: METRICS, hosts: ['a', 'b'], sampleIntervalMs: 1000, seed: 4 };
const SMALL = { mapSize: 16, epochs: 5 };

function config(over: Record<string, unknown> = {}): UblConfig {
  return resolveConfig(getAlgorithm('ubl'), { ...SMALL, ...over }) as UblConfig;
}

/** Normal behaviour: cpu around 50, mem around 2000 with a slow wave, a constant metric. */
function normal(host: string, from: number, n: number, seed: number): Sample[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => ({
    time: (from + i) * 1000,
    host,
    values: Float64Array.from([
      50 + 5 * rng.normal(),
      2000 + 100 * Math.sin((from + i) / 30) + 20 * rng.normal(),
      7,
    ]),
  }));
}

function run(p: UblPredictor, samples: Sample[]) {
  return samples.map((s) => {
    const out = p.score(s);
    p.learn(s);
    return out;
  });
}

describe('UblPredictor', () => {
  it('bootstraps per host from training data and alarms on a clear departure, explaining it', () => {
    const p = new UblPredictor(config(), ctx);
    p.fit({ samples: normal('a', 0, 300, 1), sloViolations: null });
    expect(p.model('a')).toBeTruthy();
    expect(Array.from(p.model('a')!.scaling.kept)).toEqual([0, 1]); // the constant metric is dropped
    const leak = normal('a', 300, 60, 2).map((s, i) => ({
      ...s,
      values: Float64Array.from([s.values[0]!, s.values[1]! - 40 * i, 7]),
    }));
    const out = run(p, leak);
    expect(out.slice(0, 5).every((o) => !o.anomalous)).toBe(true);
    expect(out.slice(-10).every((o) => o.anomalous)).toBe(true);
    expect(p.explain('a')[0]!.metric).toBe('mem');
  });

  it('scores 0 with no alarm for a host never seen, until warm-up gives it a map', () => {
    const p = new UblPredictor(config({ warmupSamples: 50 }), ctx);
    p.fit({ samples: normal('a', 0, 200, 1), sloViolations: null });
    const fresh = normal('b', 0, 60, 3);
    const out = run(p, fresh.slice(0, 50));
    expect(out.every((o) => o.score === 0 && !o.anomalous)).toBe(true);
    expect(p.model('b')).toBeTruthy(); // bootstrapped from its first 50 samples
    const after = run(p, fresh.slice(50));
    expect(after.some((o) => o.score > 0)).toBe(true);
  });

  it('never alarms for a host whose training metrics are all constant, nor without warm-up', () => {
    const flat = Array.from({ length: 100 }, (_, i) => ({
      time: i * 1000,
      host: 'a',
      values: Float64Array.from([1, 2, 3]),
    }));
    const p = new UblPredictor(config({ warmupSamples: 0 }), ctx);
    p.fit({ samples: flat, sloViolations: null });
    expect(p.model('a')).toBeNull();
    const wild = Array.from({ length: 20 }, (_, i) => ({
      time: (200 + i) * 1000,
      host: 'a',
      values: Float64Array.from([i * 100, -i, 3]),
    }));
    expect(run(p, wild).every((o) => o.score === 0 && !o.anomalous)).toBe(true);
    expect(run(p, normal('b', 0, 400, 2)).every((o) => o.score === 0)).toBe(true);
    expect(p.explain('a')).toEqual([]);
  });

  it('trains only on samples whose time is not an SLO violation (SLO feedback)', () => {
    const samples = normal('a', 0, 200, 1);
    // Ten violating seconds with a huge cpu value: they would set the cpu scale if used.
    const violations = new Set<number>();
    for (let i = 100; i < 110; i++) {
      samples[i]!.values[0] = 5000;
      violations.add(samples[i]!.time);
    }
    const training: TrainingData = { samples, sloViolations: violations };
    const withFeedback = new UblPredictor(config({ smoothing: 1 }), ctx);
    withFeedback.fit(training);
    expect(withFeedback.model('a')!.scaling.scale[0]).toBeLessThan(100);
    const without = new UblPredictor(config({ smoothing: 1, sloFeedback: false }), ctx);
    without.fit(training);
    expect(without.model('a')!.scaling.scale[0]).toBe(5000);
  });

  it('re-bootstraps on request with a fresh random map', () => {
    const p = new UblPredictor(config(), ctx);
    const training = { samples: normal('a', 0, 200, 1), sloViolations: null };
    p.fit(training);
    const first = Array.from(p.model('a')!.map.weights);
    p.rebootstrap(training, ['a']);
    expect(Array.from(p.model('a')!.map.weights)).not.toEqual(first);
    // The same request on a fresh predictor gives the same maps (seeded, per host and generation).
    const q = new UblPredictor(config(), ctx);
    q.fit(training);
    q.rebootstrap(training, ['a']);
    expect(Array.from(q.model('a')!.map.weights)).toEqual(Array.from(p.model('a')!.map.weights));
  });

  it('learns incrementally from samples judged normal, and a reloaded copy continues identically', () => {
    const cfg = config({ incrementalBatch: 10 });
    const p = new UblPredictor(cfg, ctx);
    p.fit({ samples: normal('a', 0, 200, 1), sloViolations: null });
    const before = Array.from(p.model('a')!.map.weights);
    const stream = normal('a', 200, 95, 5);
    run(p, stream.slice(0, 45)); // mid-batch at the save point
    expect(Array.from(p.model('a')!.map.weights)).not.toEqual(before);
    const copy = loadAlgorithm(JSON.parse(JSON.stringify(p.toJSON())), ctx) as UblPredictor;
    expect(run(copy, stream.slice(45))).toEqual(run(p, stream.slice(45)));
    expect(Array.from(copy.model('a')!.map.weights)).toEqual(Array.from(p.model('a')!.map.weights));
  });

  it("untrainedNeurons 'anomalous': same map and threshold, a superset of anomalous samples; reloads identically", () => {
    const training = { samples: normal('a', 0, 200, 1), sloViolations: null };
    const paper = new UblPredictor(config(), ctx);
    const p = new UblPredictor(config({ untrainedNeurons: 'anomalous', incrementalBatch: 10 }), ctx);
    paper.fit(training);
    p.fit(training);
    // Marking the training winners draws no random numbers: the maps and thresholds are the paper's.
    expect(Array.from(p.model('a')!.map.weights)).toEqual(Array.from(paper.model('a')!.map.weights));
    expect(p.model('a')!.threshold).toBe(paper.model('a')!.threshold);
    const probe = normal('a', 200, 40, 9).map((s, i) => ({
      ...s,
      values: s.values.map((x) => x * (1 + i / 10)),
    }));
    const area = probe.map((s) => paper.model('a')!.score(s.time, s.values).score);
    const anom = probe.map((s) => p.model('a')!.score(s.time, s.values).score);
    anom.forEach((x, i) => expect(x).toBeGreaterThanOrEqual(area[i]!));
    expect(anom.some((x, i) => x > area[i]!)).toBe(true);
    const stream = normal('a', 240, 35, 5);
    run(p, stream.slice(0, 15));
    const copy = loadAlgorithm(JSON.parse(JSON.stringify(p.toJSON())), ctx) as UblPredictor;
    expect(run(copy, stream.slice(15))).toEqual(run(p, stream.slice(15)));
  });

  it('round-trips warm-up buffers with missing values through JSON', () => {
    const p = new UblPredictor(config({ warmupSamples: 30 }), ctx);
    const stream = normal('b', 0, 60, 8);
    stream[3]!.values[1] = NaN;
    run(p, stream.slice(0, 20));
    const copy = loadAlgorithm(JSON.parse(JSON.stringify(p.toJSON())), ctx) as UblPredictor;
    expect(run(copy, stream.slice(20))).toEqual(run(p, stream.slice(20)));
  });
});
