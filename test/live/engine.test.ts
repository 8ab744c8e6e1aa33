// The live pipeline without I/O: made-up messages and times in, alarms, localizations and remedy
// choices out. The algorithms are small fakes so that every expected value can be worked out here.
import { describe, expect, it } from 'vitest';
import type {
  AlgorithmState,
  Localizer,
  Prediction,
  Predictor,
  Ranking,
  Sample,
  Trigger,
  Window,
} from '../../src/core/algorithm.ts';
import { createRuleRemedy } from '../../src/algorithms/baselines/rule-remedy.ts';
import { LiveEngine, type LiveEngineConfig } from '../../src/live/engine.ts';

/** Alarms while a host's `freemem` is below 100 (no streak rule); explain() names freemem. */
class LowMemory implements Predictor {
  readonly kind = 'predictor';
  scored: Sample[] = [];
  learned = 0;
  score(s: Sample): Prediction {
    this.scored.push(s);
    const low = s.values[0]! < 100;
    return { score: low ? 0.9 : 0.1, anomalous: low };
  }
  learn(): void {
    this.learned++;
  }
  explain(host: string) {
    return [{ host, metric: 'freemem', score: 1 }];
  }
  toJSON(): AlgorithmState {
    return { algorithm: 'low-memory', config: {}, state: null };
  }
}

class RecordingLocalizer implements Localizer {
  readonly kind = 'localizer';
  readonly lookbackMs = 3000;
  calls: { window: Window; trigger: Trigger }[] = [];
  localize(window: Window, trigger: Trigger): Ranking {
    this.calls.push({ window, trigger });
    return { entries: [{ host: 'db', metric: 'availcpu', score: 1 }], pinpointed: ['db'] };
  }
  toJSON(): AlgorithmState {
    return { algorithm: 'recording', config: {}, state: null };
  }
}

const T0 = 1_800_000_000_000;
const config: LiveEngineConfig = {
  metrics: ['freemem', 'availcpu'],
  hosts: ['db', 'web'],
  edges: [['web', 'db']],
  sloMs: 20,
  minDurationS: 3,
  pendingWindowMs: 50_000,
  triggerWaitMs: 1500,
  historyMs: 10_000,
};
const stats = (host: string, s: number, freemem: number, extra = 0) => ({
  host,
  time: T0 + s * 1000 + 20 + extra,
  freemem,
  availcpu: 50,
});

describe('LiveEngine', () => {
  it('scores each host-second once: a redelivered or older sample is dropped and counted', () => {
    const p = new LowMemory();
    const e = new LiveEngine(p, null, null, config);
    expect(e.onStats(stats('db', 0, 500), T0 + 30).accepted).toBe(true);
    expect(e.onStats(stats('db', 0, 500, 300), T0 + 400).accepted).toBe(false); // same second again
    expect(e.onStats(stats('db', 1, 500), T0 + 1030).accepted).toBe(true);
    expect(e.onStats(stats('db', 0, 500), T0 + 1100).accepted).toBe(false); // older
    expect(e.onStats(stats('web', 0, 500), T0 + 1100).accepted).toBe(true); // other host, own clock
    expect(e.counters).toMatchObject({ samples: 3, duplicates: 1, outOfOrder: 1 });
    expect(e.dropped).toEqual([
      { host: 'db', time: T0, reason: 'duplicate' },
      { host: 'db', time: T0, reason: 'out-of-order' },
    ]);
    expect(p.scored.map((s) => [s.host, s.time - T0])).toEqual([
      ['db', 0],
      ['db', 1000],
      ['web', 0],
    ]);
    expect(p.learned).toBe(3);
  });

  it('aligns samples to their second and maps missing or non-numeric metrics to NaN', () => {
    const p = new LowMemory();
    const e = new LiveEngine(p, null, null, config);
    const r = e.onStats({ host: 'db', time: T0 + 5_321, freemem: 700, availcpu: 'x' }, T0 + 5_400);
    expect(r.sample!.time).toBe(T0 + 5000);
    expect(r.sample!.values[0]).toBe(700);
    expect(Number.isNaN(r.sample!.values[1]!)).toBe(true);
  });

  it('raises an alarm with the sample time and the time it was taken on the host', () => {
    const e = new LiveEngine(new LowMemory(), null, null, config);
    const r = e.onStats(stats('db', 7, 50), T0 + 7_045);
    expect(r.alarm).toEqual({
      time: T0 + 7000,
      sampledAt: T0 + 7020,
      host: 'db',
      score: 0.9,
      raisedAt: T0 + 7045,
    });
  });

  it('localizes an alarm once every host has reported that second, with the cause inference and rule remedy', () => {
    const e = new LiveEngine(new LowMemory(), null, createRuleRemedy(), config);
    e.onStats(stats('web', 0, 500), T0 + 20);
    e.onStats(stats('db', 1, 50), T0 + 1030);
    expect(e.tick(T0 + 1040)).toEqual([]); // web's second 1 not in yet
    e.onStats(stats('web', 1, 500), T0 + 1050);
    const [loc] = e.tick(T0 + 1060);
    expect(loc!.record.trigger).toEqual({ kind: 'alarm', time: T0 + 1000, host: 'db' });
    expect(loc!.record.ranking[0]).toEqual({ host: 'db', metric: 'freemem', score: 0.9 });
    expect(loc!.request).toMatchObject({ type: 'restart', host: 'db' });
    expect(e.tick(T0 + 5000)).toEqual([]); // fired once
  });

  it('does not wait for a silent host longer than triggerWaitMs', () => {
    const e = new LiveEngine(new LowMemory(), null, null, config);
    e.onStats(stats('db', 1, 50), T0 + 1030);
    expect(e.tick(T0 + 2000)).toHaveLength(0);
    expect(e.tick(T0 + 1030 + 1500)).toHaveLength(1);
  });

  it('debounces per host: a host alarming again within W triggers nothing, another host still does', () => {
    const e = new LiveEngine(new LowMemory(), null, null, { ...config, triggerWaitMs: 0 });
    e.onStats(stats('db', 1, 50), T0 + 1030);
    e.onStats(stats('db', 2, 50), T0 + 2030);
    e.onStats(stats('web', 2, 50), T0 + 2040);
    expect(e.tick(T0 + 3000).map((l) => l.record.trigger.host)).toEqual(['db', 'web']);
    e.onStats(stats('db', 50, 50), T0 + 50_030); // 49 s after db's trigger: quiet
    expect(e.tick(T0 + 51_000)).toHaveLength(0);
    e.onStats(stats('db', 51, 50), T0 + 51_030); // 50 s after: triggers again
    expect(e.tick(T0 + 52_000)).toHaveLength(1);
  });

  it('gives a localizer the history within its lookback, in time order, and uses its ranking', () => {
    const loc = new RecordingLocalizer();
    const e = new LiveEngine(new LowMemory(), loc, createRuleRemedy(), { ...config, triggerWaitMs: 0 });
    for (let s = 0; s < 8; s++) {
      e.onStats(stats('web', s, 500), T0 + s * 1000 + 30);
      e.onStats(stats('db', s, s === 7 ? 50 : 500), T0 + s * 1000 + 40);
    }
    const [l] = e.tick(T0 + 9000);
    const { window, trigger } = loc.calls[0]!;
    expect(trigger.host).toBe('db');
    expect(window.start).toBe(T0 + 4000);
    expect(window.samples.map((s) => (s.time - T0) / 1000)).toEqual([4, 4, 5, 5, 6, 6, 7, 7]);
    expect(l!.request).toMatchObject({ type: 'scale-cpu', host: 'db' });
  });

  it('finds an SLO-violation onset after minDurationS violating seconds and triggers on it', () => {
    const e = new LiveEngine(new LowMemory(), null, null, { ...config, triggerWaitMs: 0 });
    const row = (s: number, mean: number, count = 10) => ({
      timestamp: T0 + s * 1000,
      count,
      summation: mean * count,
      mean,
      max: mean,
      violations: 0,
      cpu: 0,
      mem: 0,
    });
    expect(e.onAggregate(row(0, 30)).onset).toBeNull();
    expect(e.onAggregate(row(1, 5)).violated).toBe(false); // run broken
    expect(e.onAggregate(row(2, 0, 0)).violated).toBe(false); // no requests: not a violation
    expect(e.onAggregate(row(3, 25)).onset).toBeNull();
    expect(e.onAggregate(row(4, 20)).onset).toBeNull(); // mean == threshold violates
    expect(e.onAggregate(row(5, 21)).onset).toBe(T0 + 3000);
    expect(e.onAggregate(row(6, 21)).onset).toBeNull(); // once per run
    expect(e.sloViolatedNow()).toBe(true);
    e.triggerOnSlo(T0 + 3000, T0 + 6100);
    const [l] = e.tick(T0 + 6200);
    expect(l!.record.trigger).toEqual({ kind: 'slo', time: T0 + 3000, host: null });
  });

  it('holds triggers during a warm-up: alarms are still reported, nothing is localized', () => {
    const e = new LiveEngine(new LowMemory(), null, null, { ...config, triggerWaitMs: 0 });
    e.holdTriggersUntil(T0 + 10_000);
    expect(e.onStats(stats('db', 9, 50), T0 + 9030).alarm).not.toBeNull();
    e.triggerOnSlo(T0 + 9000, T0 + 9100);
    expect(e.tick(T0 + 9500)).toHaveLength(0);
    e.onStats(stats('db', 10, 50), T0 + 10_030);
    expect(e.tick(T0 + 10_500).map((l) => l.record.trigger.time)).toEqual([T0 + 10_000]);
  });
});
