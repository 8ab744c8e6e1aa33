// The PREPARE predictor end to end on small hand-built data: supervised training from SLO labels,
// look-ahead, the alarm filter, cause inference, the unlabelled fallback, serialization.
import { describe, expect, it } from 'vitest';
import type { AlgorithmContext, Predictor, Sample } from '../../../src/core/algorithm.ts';
import { UserError } from '../../../src/core/errors.ts';
import { getAlgorithm, loadAlgorithm, resolveConfig } from '../../../src/algorithms/registry.ts';
import { samplesBetween, trainingData } from '../../../src/sim/samples.ts';
import { T0, tinyDataset } from '../../helpers/tiny-dataset.ts';

const HOSTS = ['web', 'db'];
const METRICS = ['cpu', 'freemem'];
const ctx: AlgorithmContext = { metrics: METRICS, hosts: HOSTS, sampleIntervalMs: 1000, seed: 1 };
const CYCLE = 400;
/** Per cycle: 200 s normal, then db's free memory falls 40 MiB/s for 90 s, then the SLO breaks for 60 s. */
const RAMP_AT = 200;
const BREAK_AT = 290;
const RECOVER_AT = 350;

function freemem(sec: number): number {
  const c = sec % CYCLE;
  if (c < RAMP_AT || c >= RECOVER_AT) return 4000;
  return Math.max(400, 4000 - 40 * (c - RAMP_AT));
}

const cycles = 5;
const slo = Array.from({ length: cycles * CYCLE }, (_, sec) => {
  const c = sec % CYCLE;
  return c >= BREAK_AT && c < RECOVER_AT ? 'X' : '.';
}).join('');
const data = tinyDataset({
  seconds: cycles * CYCLE,
  hosts: HOSTS,
  metrics: METRICS,
  slo,
  seed: 3,
  value: (host, metric, sec, noise) =>
    metric === 'cpu' ? 50 + 5 * noise : (host === 'db' ? freemem(sec) : 4000) + 20 * noise,
});
const cols = data.metrics.columns;
const trainEnd = T0 + 4 * CYCLE * 1000;
const training = trainingData(data, METRICS, { start: T0, end: trainEnd });
const testCycle = samplesBetween(data.metrics, cols, trainEnd, T0 + cycles * CYCLE * 1000);

function make(config: Record<string, unknown> = {}): Predictor {
  const def = getAlgorithm('prepare');
  return def.create(resolveConfig(def, config), ctx) as Predictor;
}

/** Seconds into the test cycle of the first alarm on db. */
function firstAlarm(p: Predictor, samples: Sample[]): number | null {
  for (const x of samples) {
    const out = p.score(x);
    p.learn(x);
    if (out.anomalous && x.host === 'db') return (x.time - trainEnd) / 1000;
  }
  return null;
}

describe('prepare: supervised prediction', () => {
  it('alarms on db before the SLO breaks', () => {
    const p = make();
    p.fit!(training);
    const first = firstAlarm(p, testCycle);
    expect(first).not.toBeNull();
    expect(first!).toBeGreaterThanOrEqual(RAMP_AT);
    expect(first!).toBeLessThan(BREAK_AT);
  });

  it('the Markov look-ahead predicts the violation state before it is reached (MAP decision)', () => {
    // With the plain MAP rule, only a violation-like attribute vector is abnormal: without look-ahead
    // that is the current state at the break, with it the state predicted L = 10 samples ahead.
    const ahead = make({ thresholdMode: 'fixed' });
    ahead.fit!(training);
    const now = make({ thresholdMode: 'fixed', horizonSteps: 0 });
    now.fit!(training);
    const withLookahead = firstAlarm(ahead, testCycle);
    const withoutLookahead = firstAlarm(now, testCycle);
    expect(withoutLookahead!).toBeGreaterThanOrEqual(BREAK_AT - 2);
    expect(withLookahead!).toBeLessThan(BREAK_AT - 5);
  });

  it('does not alarm on the normal part of the test cycle, and scores in [0, 1]', () => {
    const p = make();
    p.fit!(training);
    for (const x of testCycle.filter((y) => y.time < trainEnd + RAMP_AT * 1000)) {
      const out = p.score(x);
      expect(out.score).toBeGreaterThanOrEqual(0);
      expect(out.score).toBeLessThanOrEqual(1);
      expect(out.anomalous).toBe(false);
    }
  });

  it('cause inference: the alarming host first, its memory metric implicated', () => {
    const p = make();
    p.fit!(training);
    firstAlarm(p, testCycle);
    const r = p.rankCauses!();
    expect(r.pinpointed).toEqual(['db']);
    expect(r.entries[0]).toMatchObject({ host: 'db', metric: 'freemem' });
    expect(r.entries[0]!.score).toBeGreaterThan(0);
    expect(p.explain!('db').map((e) => e.metric)).toEqual(['freemem', 'cpu']);
    expect(p.remedy!().choose(r)).toMatchObject({ type: 'scale-memory', host: 'db' });
  });

  it('the k-of-W filter delays the alarm relative to no filter', () => {
    const filtered = make();
    filtered.fit!(training);
    const raw = make({ alarmFilter: false });
    raw.fit!(training);
    expect(firstAlarm(raw, testCycle)!).toBeLessThan(firstAlarm(filtered, testCycle)!);
  });

  it('a JSON copy taken mid-stream continues identically (calibrated thresholds included)', () => {
    const p = make();
    p.fit!(training);
    const half = Math.floor(testCycle.length / 2) + 7;
    for (const x of testCycle.slice(0, half)) p.score(x);
    const copy = loadAlgorithm(JSON.parse(JSON.stringify(p.toJSON())), ctx) as Predictor;
    const rest = testCycle.slice(half);
    expect(rest.map((x) => copy.score(x))).toEqual(rest.map((x) => p.score(x)));
    expect(copy.rankCauses!()).toEqual(p.rankCauses!());
  });
});

describe('prepare: without SLO labels', () => {
  const unlabelled = { samples: training.samples, sloViolations: null };

  it('refuses to train with unlabeled "error", in one line naming the problem', () => {
    expect(() => make({ unlabeled: 'error' }).fit!(unlabelled)).toThrow(UserError);
    expect(() => make({ unlabeled: 'error' }).fit!(unlabelled)).toThrow(
      /prepare: the training data has no SLO/,
    );
    const noViolation = { samples: training.samples, sloViolations: new Set<number>() };
    expect(() => make({ unlabeled: 'error' }).fit!(noViolation)).toThrow(/no SLO violation/);
  });

  it('novelty mode (default): a value far outside the training range alarms', () => {
    const normalOnly = samplesBetween(data.metrics, cols, T0, T0 + RAMP_AT * 1000);
    const p = make();
    p.fit!({ samples: normalOnly, sloViolations: null });
    expect(firstAlarm(p, testCycle)).not.toBeNull();
    expect(p.explain!('db')[0]!.metric).toBe('freemem');
  });

  it('trains a host that fit() did not cover from its first warmupSamples samples', () => {
    const p = make({ warmupSamples: 50 });
    p.fit!({ samples: [], sloViolations: null });
    const stream = samplesBetween(data.metrics, cols, T0, T0 + CYCLE * 1000);
    expect(p.explain!('db')).toEqual([]);
    let alarmed = false;
    for (const x of stream) {
      alarmed ||= p.score(x).anomalous && x.host === 'db';
      p.learn(x);
    }
    expect(p.explain!('db')).toHaveLength(2);
    expect(alarmed).toBe(true);
  });

  it('missing values hold the last state (no NaN out)', () => {
    const p = make();
    p.fit!(training);
    const gap: Sample = { time: trainEnd, host: 'db', values: new Float64Array([NaN, NaN]) };
    const out = p.score(gap);
    expect(Number.isFinite(out.score)).toBe(true);
  });
});
