// The contract every registered algorithm must pass (river-style: one suite over all detectors).
// Adding an algorithm to the registry adds it here automatically.
import { describe, expect, it } from 'vitest';
import type {
  Algorithm,
  AlgorithmContext,
  Localizer,
  Predictor,
  Sample,
  Topology,
  Trigger,
} from '../../src/core/algorithm.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { getAlgorithm, listAlgorithms, loadAlgorithm, resolveConfig } from '../../src/algorithms/registry.ts';
import { trainingData, samplesBetween } from '../../src/sim/samples.ts';
import { T0, tinyDataset } from '../helpers/tiny-dataset.ts';

const HOSTS = ['web', 'app', 'db'];
const METRICS = ['availcpu', 'freemem', 'load1'];
const SECONDS = 400;
const FAULT_AT = 300;

/** Normal noise, then from FAULT_AT a ramp on db's freemem and a constant metric (load1 on web). */
const data = tinyDataset({
  seconds: SECONDS,
  hosts: HOSTS,
  metrics: METRICS,
  seed: 11,
  value: (host, metric, s, noise) => {
    if (host === 'web' && metric === 'load1') return 1;
    const base = metric === 'freemem' ? 4000 : 50;
    const drift = host === 'db' && metric === 'freemem' && s >= FAULT_AT ? -40 * (s - FAULT_AT) : 0;
    return base + drift + 3 * noise;
  },
});
// A few missing values: algorithms must cope with NaN (= missing) inputs.
data.metrics.columns[0]![17] = NaN;
data.metrics.columns[1]![400] = NaN;

const ctx: AlgorithmContext = { metrics: METRICS, hosts: HOSTS, sampleIntervalMs: 1000, seed: 5 };
const cols = data.metrics.columns;
const training = trainingData(data, METRICS, { start: T0, end: T0 + 200_000 });
const stream: Sample[] = samplesBetween(data.metrics, cols, T0 + 200_000, T0 + SECONDS * 1000);
const topology: Topology = {
  hosts: HOSTS,
  edges: [
    ['web', 'app'],
    ['app', 'db'],
  ],
};

function fresh(name: string): Algorithm {
  const def = getAlgorithm(name);
  const a = def.create(resolveConfig(def, undefined), ctx);
  a.fit?.(training);
  return a;
}

function runPredictor(p: Predictor, samples: Sample[]): { score: number; anomalous: boolean }[] {
  return samples.map((s) => {
    const out = p.score(s);
    p.learn(s);
    return out;
  });
}

function window(end: number, lookbackMs: number) {
  return {
    start: end - lookbackMs,
    end,
    samples: samplesBetween(data.metrics, cols, end - lookbackMs, end + 1),
  };
}

const trigger: Trigger = { kind: 'explicit', time: T0 + 390_000, host: null };

describe.each(listAlgorithms().map((d) => [d.name, d] as const))('contract: %s', (name, def) => {
  it('validates its config: defaults pass, unknown keys and bad values fail with the key named', () => {
    expect(() => resolveConfig(def, undefined)).not.toThrow();
    expect(() => resolveConfig(def, { noSuchKey: 1 })).toThrow(ConfigError);
    expect(() => resolveConfig(def, { noSuchKey: 1 })).toThrow(/noSuchKey/);
    const [key, spec] = Object.entries(def.params)[0]!;
    const bad = spec.type === 'boolean' ? 'yes' : spec.type === 'enum' ? 'no-such-value' : 'NaN';
    expect(() => resolveConfig(def, { [key]: bad })).toThrow(new RegExp(key));
    for (const spec of Object.values(def.params)) expect(spec.source.length).toBeGreaterThan(0);
  });

  if (def.kind === 'predictor') {
    it('scores every sample in [0, 1] with no NaN, and flags the injected fault', () => {
      const out = runPredictor(fresh(name) as Predictor, stream);
      for (const o of out) {
        expect(Number.isFinite(o.score)).toBe(true);
        expect(o.score).toBeGreaterThanOrEqual(0);
        expect(o.score).toBeLessThanOrEqual(1);
        expect(typeof o.anomalous).toBe('boolean');
      }
      const faultAlarms = out.filter((o, i) => o.anomalous && stream[i]!.time >= T0 + (FAULT_AT + 20) * 1000);
      expect(faultAlarms.length).toBeGreaterThan(0);
    });

    it('is deterministic under a seed', () => {
      expect(runPredictor(fresh(name) as Predictor, stream)).toEqual(
        runPredictor(fresh(name) as Predictor, stream),
      );
    });

    it('round-trips through JSON: a loaded copy continues exactly like the original', () => {
      const original = fresh(name) as Predictor;
      const half = stream.length / 2;
      runPredictor(original, stream.slice(0, half));
      const state = JSON.parse(JSON.stringify(original.toJSON()));
      expect(state.algorithm).toBe(name);
      const copy = loadAlgorithm(state, ctx) as Predictor;
      expect(copy.kind).toBe('predictor');
      expect(runPredictor(copy, stream.slice(half))).toEqual(runPredictor(original, stream.slice(half)));
    });

    it('explains with finite scores over known metrics', () => {
      const p = fresh(name) as Predictor;
      runPredictor(p, stream);
      for (const host of HOSTS) {
        for (const r of p.explain?.(host) ?? []) {
          expect(Number.isFinite(r.score)).toBe(true);
          expect(r.metric === null || METRICS.includes(r.metric)).toBe(true);
        }
      }
    });
  } else {
    it('ranks known hosts with finite, non-negative scores, and names the culprit of a clear fault', () => {
      const l = fresh(name) as Localizer;
      const r = l.localize(window(trigger.time, l.lookbackMs), trigger, topology);
      expect(r.entries.length).toBeGreaterThan(0);
      for (const e of r.entries) {
        expect(HOSTS).toContain(e.host);
        expect(Number.isFinite(e.score)).toBe(true);
        expect(e.score).toBeGreaterThanOrEqual(0);
        expect(e.metric === null || METRICS.includes(e.metric)).toBe(true);
      }
      for (const h of r.pinpointed) expect(HOSTS).toContain(h);
      // The chance floor ranks at random: it is not expected to name the culprit.
      if (name !== 'random-localizer') expect(r.entries[0]!.host).toBe('db');
    });

    it('is deterministic', () => {
      const a = fresh(name) as Localizer;
      const b = fresh(name) as Localizer;
      expect(a.localize(window(trigger.time, a.lookbackMs), trigger, topology)).toEqual(
        b.localize(window(trigger.time, b.lookbackMs), trigger, topology),
      );
    });

    it('round-trips through JSON', () => {
      const a = fresh(name) as Localizer;
      const copy = loadAlgorithm(JSON.parse(JSON.stringify(a.toJSON())), ctx) as Localizer;
      expect(copy.lookbackMs).toBe(a.lookbackMs);
      expect(copy.localize(window(trigger.time, copy.lookbackMs), trigger, topology)).toEqual(
        a.localize(window(trigger.time, a.lookbackMs), trigger, topology),
      );
    });
  }
});

describe('registry', () => {
  it('refuses an unknown algorithm with the list of known ones', () => {
    expect(() => getAlgorithm('ubl2')).toThrow(/unknown algorithm "ubl2" \(known: .*threshold/);
  });

  it('has unique names', () => {
    const names = listAlgorithms().map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
