// Replay engine: triggers, causality, the predictor -> localizer -> remedy pipeline, fix model,
// determinism of the whole job.
import { describe, expect, it } from 'vitest';
import type { Localizer, Predictor, Ranking, Sample, Trigger, Window } from '../../src/core/algorithm.ts';
import { InternalError } from '../../src/core/errors.ts';
import { createRng } from '../../src/core/rng.ts';
import { createRuleRemedy } from '../../src/algorithms/baselines/rule-remedy.ts';
import {
  calibrateFixModel,
  DEFAULT_FIX_MODEL,
  drawLatencyMs,
  parseFixModel,
  resolvesFault,
} from '../../src/sim/fix-model.ts';
import { debounceAlarms, replay, type ReplayConfig } from '../../src/sim/replay.ts';
import { chooseSplit } from '../../src/sim/samples.ts';
import { formatResults, runReplayJob } from '../../src/runner/replay-job.ts';
import { listAlgorithms } from '../../src/algorithms/registry.ts';
import { T0, tinyDataset } from '../helpers/tiny-dataset.ts';

const s = (sec: number): number => T0 + sec * 1000;

/** A localizer that records what it was shown and always blames `db`. */
function spyLocalizer(lookbackMs = 10_000) {
  const calls: { window: Window; trigger: Trigger }[] = [];
  const l: Localizer = {
    kind: 'localizer',
    lookbackMs,
    localize(window, trigger): Ranking {
      calls.push({ window, trigger });
      return {
        entries: [
          { host: 'db', metric: 'freemem', score: 2 },
          { host: 'web', metric: null, score: 1 },
        ],
        pinpointed: ['db'],
      };
    },
    toJSON: () => ({ algorithm: 'spy', config: null, state: null }),
  };
  return { l, calls };
}

/** A predictor that alarms on host `db` at the given seconds. */
function scriptedPredictor(alarmSeconds: number[], score = 0.9): Predictor {
  const at = new Set(alarmSeconds.map(s));
  return {
    kind: 'predictor',
    score: (x: Sample) =>
      x.host === 'db' && at.has(x.time) ? { score, anomalous: true } : { score: 0, anomalous: false },
    learn: () => {},
    explain: (host) => [{ host, metric: 'freemem', score: 1 }],
    toJSON: () => ({ algorithm: 'scripted', config: null, state: null }),
  };
}

const base: ReplayConfig = {
  trigger: { kind: 'slo' },
  sloConfirmS: 3,
  localizeDebounceMs: 50_000,
  faultGraceMs: 60_000,
  remedy: null,
  fixModel: DEFAULT_FIX_MODEL,
  seed: 1,
};

//                     0         1         2         3
//                     0123456789012345678901234567890123456789
const SLO_PATTERN = '..........XX.....XXXXXXX...............';

describe('triggers', () => {
  const data = tinyDataset({ seconds: 40, slo: SLO_PATTERN });
  const period = { start: s(0), end: s(40) };

  it('fires an SLO trigger when an onset is confirmed (minDuration seconds), not on a 2-second blip', () => {
    const { l, calls } = spyLocalizer();
    const t = replay(data, l, period, 'spy', base);
    expect(calls.map((c) => c.trigger.time)).toEqual([s(17)]);
    // Known only after 3 violating seconds: 17, 18, 19.
    expect(t.localizations.map((x) => x.time)).toEqual([s(19)]);
    expect(t.localizations[0]!.trigger).toEqual({ kind: 'slo', time: s(17), host: null });
  });

  it('shows a localizer only the past: window ends at the firing time and spans lookbackMs', () => {
    const { l, calls } = spyLocalizer(5000);
    replay(data, l, period, 'spy', base);
    const w = calls[0]!.window;
    expect(Math.max(...w.samples.map((x) => x.time))).toBe(s(19));
    expect(Math.min(...w.samples.map((x) => x.time))).toBe(s(14));
    // Every host's sample at the firing time is included.
    expect(
      w.samples
        .filter((x) => x.time === s(19))
        .map((x) => x.host)
        .sort(),
    ).toEqual(['db', 'web']);
  });

  it('fires explicit triggers at the first sample at or after each time', () => {
    const { l, calls } = spyLocalizer();
    const t = replay(data, l, period, 'spy', {
      ...base,
      trigger: { kind: 'explicit', times: [s(30.5), s(5)] },
    });
    expect(calls.map((c) => c.trigger.time)).toEqual([s(5), s(30.5)]);
    expect(t.localizations.map((x) => x.time)).toEqual([s(5), s(31)]);
  });

  it("uses a predictor's own alarms, debounced by the localization debounce", () => {
    const t = replay(data, scriptedPredictor([3, 4, 5, 30]), period, 'p', {
      ...base,
      trigger: { kind: 'alarm' },
      localizeDebounceMs: 20_000,
    });
    expect(t.alarms.map((a) => a.time)).toEqual([s(3), s(4), s(5), s(30)]);
    expect(t.localizations.map((x) => x.trigger.time)).toEqual([s(3), s(30)]);
    // Cause inference: the alarming host first, with its explained metric.
    expect(t.localizations[0]!.ranking[0]).toEqual({ host: 'db', metric: 'freemem', score: 0.9 });
    expect(t.localizations[0]!.pinpointed).toEqual(['db']);
  });

  it('debounceAlarms keeps the first alarm of each quiet-separated burst', () => {
    expect(debounceAlarms([{ time: 0 }, { time: 5 }, { time: 10 }, { time: 30 }], 10)).toEqual([0, 10, 30]);
  });

  it('replays only the scored period', () => {
    const t = replay(data, scriptedPredictor([3, 25]), { start: s(20), end: s(40) }, 'p', base);
    expect(t.samplesScored).toBe(40);
    expect(t.alarms.map((a) => a.time)).toEqual([s(25)]);
  });

  it('refuses a predictor score outside [0, 1]', () => {
    expect(() => replay(data, scriptedPredictor([3], 1.5), period, 'bad', base)).toThrow(InternalError);
  });
});

describe('remedy and fix model', () => {
  const data = tinyDataset({
    seconds: 40,
    slo: SLO_PATTERN,
    faults: [{ id: 'f1', type: 'memleak', host: 'db', start: s(12), end: s(30) }],
  });
  const period = { start: s(0), end: s(40) };

  it('takes the rule remedy for the culprit metric and marks it effective for the right fault', () => {
    const { l } = spyLocalizer();
    const t = replay(data, l, period, 'spy', { ...base, remedy: createRuleRemedy() });
    expect(t.actions).toHaveLength(1);
    const a = t.actions[0]!;
    expect(a).toMatchObject({
      type: 'restart',
      host: 'db',
      requested: s(19),
      effective: true,
      faultId: 'f1',
    });
    expect(a.completed - a.requested).toBeGreaterThanOrEqual(2000);
    expect(a.completed - a.requested).toBeLessThanOrEqual(8000);
  });

  it('an action on the wrong host or of an unsuitable type is not effective', () => {
    expect(resolvesFault(DEFAULT_FIX_MODEL, 'cpuhog', 'restart')).toBe(false);
    expect(resolvesFault(DEFAULT_FIX_MODEL, 'memleak', 'restart')).toBe(true);
    expect(resolvesFault(DEFAULT_FIX_MODEL, 'labelled-anomaly', 'restart')).toBe(true);
    const wrong: Localizer = {
      ...spyLocalizer().l,
      localize: () => ({ entries: [{ host: 'web', metric: 'availcpu', score: 1 }], pinpointed: ['web'] }),
    };
    const t = replay(data, wrong, period, 'w', { ...base, remedy: createRuleRemedy() });
    expect(t.actions[0]).toMatchObject({ type: 'scale-cpu', host: 'web', effective: false, faultId: 'f1' });
  });

  it('draws latencies deterministically and calibrates from measured actions', () => {
    const a = drawLatencyMs(DEFAULT_FIX_MODEL, 'migrate', createRng(3));
    expect(a).toBe(drawLatencyMs(DEFAULT_FIX_MODEL, 'migrate', createRng(3)));
    expect(a).toBeGreaterThanOrEqual(10_000);
    expect(a).toBeLessThanOrEqual(30_000);
    const cal = calibrateFixModel(
      DEFAULT_FIX_MODEL,
      [{ type: 'restart', host: 'db', requested: 0, completed: 4321 }],
      'm',
    );
    expect(drawLatencyMs(cal, 'restart', createRng(1))).toBe(4321);
    expect(cal.latency.restart!.source).toMatch(/measured: 1 action/);
  });

  it('rejects a malformed fix model with the key named', () => {
    expect(() =>
      parseFixModel({ latency: { restart: { kind: 'uniform', minMs: 5, maxMs: 1 } } }, 'fm.json'),
    ).toThrow(/fm.json: latency.restart needs 0 <= minMs <= maxMs/);
    expect(() => drawLatencyMs(DEFAULT_FIX_MODEL, 'reboot-universe', createRng(1))).toThrow(
      /no latency for action type "reboot-universe"/,
    );
  });
});

describe('replay job', () => {
  const data = tinyDataset({
    seconds: 300,
    hosts: ['web', 'db'],
    metrics: ['availcpu', 'freemem'],
    slo: '.'.repeat(240) + 'X'.repeat(60),
    faults: [{ id: 'f1', type: 'memleak', host: 'db', start: s(200), end: s(300) }],
    value: (host, metric, sec, noise) =>
      (metric === 'freemem' ? 4000 : 50) +
      2 * noise -
      (host === 'db' && metric === 'freemem' && sec >= 200 ? 30 * (sec - 200) : 0),
  });
  data.manifest.phases = [{ name: 'normal', start: s(0), end: s(150) }];

  it('trains on the normal phase and scores the rest', () => {
    expect(chooseSplit(data, null)).toMatchObject({
      trainPeriod: { start: s(0), end: s(150) },
      scoredPeriod: { start: s(150), end: s(300) },
    });
  });

  it('produces byte-identical results twice with every registered algorithm', () => {
    const a = formatResults(runReplayJob(data, null));
    expect(formatResults(runReplayJob(data, null))).toBe(a);
    expect(Object.keys(JSON.parse(a).algorithms)).toEqual(listAlgorithms().map((d) => d.name));
    expect(a).not.toMatch(/NaN/);
  });

  it('fills every metric group for the baselines', () => {
    const a = formatResults(runReplayJob(data, null, { algorithms: ['threshold', 'zscore'] }));
    const b = formatResults(runReplayJob(data, null, { algorithms: ['threshold', 'zscore'] }));
    expect(a).toBe(b);
    const r = JSON.parse(a);
    expect(Object.keys(r.algorithms)).toEqual(['threshold', 'zscore']);
    const th = r.algorithms.threshold;
    expect(th.metrics.prediction.tp).toBeGreaterThan(0);
    expect(th.metrics.prediction.leadTimeS.maxPossible).toBe(40);
    expect(r.algorithms.zscore.metrics.prediction).toBeNull();
    expect(r.algorithms.zscore.localizations[0].ranking[0].host).toBe('db');
    expect(r.algorithms.zscore.metrics.localization.ac1).toBe(1);
    expect(r.algorithms.zscore.actions[0].effective).toBe(true);
    expect(r.algorithms.zscore.metrics.fix.violationSecondsSaved).toBeGreaterThan(0);
    expect(r.algorithms.zscore.metrics.cost.msPerSample).toBeNull();
    expect(a).not.toMatch(/NaN/);
  });

  it('fills cost only when a clock is injected', () => {
    let now = 0;
    const r = runReplayJob(data, null, { algorithms: ['threshold'], clock: () => (now += 0.5) });
    expect(r.algorithms.threshold!.metrics.cost.msPerSample).toBeCloseTo(0.5, 6);
  });

  it('triggers localizers from a predictor when asked', () => {
    const r = runReplayJob(data, null, { algorithms: ['zscore', 'threshold'], trigger: { kind: 'alarm' } });
    expect(Object.keys(r.algorithms)).toEqual(['zscore', 'threshold']);
    const firstAlarm = r.algorithms.threshold!.alarms[0]!.time;
    expect(r.algorithms.zscore!.localizations[0]!.trigger).toEqual({
      kind: 'alarm',
      time: firstAlarm,
      host: null,
    });
  });

  it('explains that alarm triggers need a predictor', () => {
    expect(() => runReplayJob(data, null, { algorithms: ['zscore'], trigger: { kind: 'alarm' } })).toThrow(
      /need a predictor's alarms/,
    );
  });
});

describe('validation against recorded fixes', () => {
  // The SLO is bad from the start (localized at 2 s) and recovers after a scale-cpu on db at 20-21 s.
  const pattern = 'X'.repeat(25) + '.'.repeat(35);
  const unvalidated = (host: string): Localizer => ({
    kind: 'localizer',
    lookbackMs: 5000,
    localize: () => ({
      entries: [{ host, metric: 'availcpu', score: 1 }],
      pinpointed: [host],
      note: 'not validated',
    }),
    toJSON: () => ({ algorithm: 'u', config: null, state: null }),
  });
  const period = { start: s(0), end: s(60) };

  it('validates a pinpointed host whose recorded scale-up improved the SLO', () => {
    const data = tinyDataset({ seconds: 60, slo: pattern });
    data.manifest.actions = [{ type: 'scale-cpu', host: 'db', requested: s(20), completed: s(21) }];
    const t = replay(data, unvalidated('db'), period, 'u', base);
    expect(t.localizations[0]!.note).toBe('validated: db');
    expect(t.localizations[0]!.pinpointed).toEqual(['db']);
  });

  it('drops a host whose recorded scale-up did not help, and leaves others unvalidated', () => {
    const data = tinyDataset({ seconds: 60, slo: '.'.repeat(10) + 'X'.repeat(50) });
    data.manifest.actions = [{ type: 'scale-cpu', host: 'web', requested: s(13), completed: s(14) }];
    expect(replay(data, unvalidated('web'), period, 'u', base).localizations[0]).toMatchObject({
      pinpointed: [],
      note: 'dropped by validation: web',
    });
    expect(replay(data, unvalidated('db'), period, 'u', base).localizations[0]!.note).toBe('not validated');
  });
});
