import { describe, expect, it } from 'vitest';
import type { AlarmRecord } from '../../src/core/results.ts';
import { buildGroundTruth, scorePrediction, type ScoringParams } from '../../src/eval/index.ts';
import { assertNoNaN, fault, makeDataset, s, wholePeriod } from './fixture.ts';

const alarmsAt = (...secs: number[]): AlarmRecord[] =>
  secs.map((i) => ({ time: s(i), host: 'db', score: 1 }));

describe('scorePrediction: per-sample counts with the pending window (UBL Eq. 5)', () => {
  // 20 samples, one onset at 10 (run 10..12), W = 5 s: positives are t in [5, 9] (t < 10 <= t + 5).
  const P: ScoringParams = {
    pendingWindowS: 5,
    minDurationS: 3,
    excludeViolated: false,
    positives: 'onset' as const,
  };
  const ds = makeDataset({ pattern: '..........XXX.......' });
  const truth = buildGroundTruth(ds, wholePeriod(ds), P);

  it('counts t2 = t + W as positive and t2 = t as not', () => {
    const m = scorePrediction(alarmsAt(4, 5, 10), truth, P);
    // 5: 10 = 5 + W -> TP. 4: 10 > 4 + W -> FP. 10: t2 = t -> FP. FN: 6..9. TN: the other 13.
    expect({ tp: m.tp, fp: m.fp, fn: m.fn, tn: m.tn }).toEqual({ tp: 1, fp: 2, fn: 4, tn: 13 });
    expect(m.tpr).toBeCloseTo(1 / 5);
    expect(m.fpr).toBeCloseTo(2 / 15);
  });

  it('counts each sample once, whatever number of hosts alarmed, and ignores off-sample alarms', () => {
    const alarms: AlarmRecord[] = [
      ...alarmsAt(9),
      { time: s(9), host: 'web', score: 1 },
      { time: s(9), host: null, score: 1 },
      { time: s(7) + 500, host: 'db', score: 1 },
      { time: s(-3), host: 'db', score: 1 },
    ];
    const m = scorePrediction(alarms, truth, P);
    expect({ tp: m.tp, fp: m.fp, fn: m.fn, tn: m.tn }).toEqual({ tp: 1, fp: 0, fn: 4, tn: 15 });
  });

  it('has null ratios on zero denominators and no NaN', () => {
    const noAlarms = scorePrediction([], truth, P);
    expect(noAlarms.tpr).toBe(0);
    expect(noAlarms.fpr).toBe(0);
    const empty = buildGroundTruth(ds, { start: s(100), end: s(200) }, P);
    const m = scorePrediction(alarmsAt(150), empty, P);
    expect(m).toEqual({
      tp: 0,
      fp: 0,
      tn: 0,
      fn: 0,
      tpr: null,
      fpr: null,
      leadTimeS: { mean: null, median: null, maxPossible: null },
      ttdS: null,
    });
    assertNoNaN(m);
  });
});

describe("scorePrediction: positives 'violation' (UBL Eq. 5 read literally)", () => {
  // Onset at 10, violation run 10..14, W = 5 s. 'onset': positives 5..9. 'violation': a violation
  // second t2 with t < t2 <= t + 5 exists for t in 5..13 (t = 14 has no later violation second).
  const ds = makeDataset({ pattern: '..........XXXXX.....', faults: [fault('f1', 'db', 5, 15)] });
  const onset: ScoringParams = {
    pendingWindowS: 5,
    minDurationS: 3,
    excludeViolated: false,
    positives: 'onset',
  };
  const violation: ScoringParams = { ...onset, positives: 'violation' };
  const alarms = alarmsAt(3, 8, 11, 12, 14);

  it('labels outage samples positive up to the last violation second', () => {
    const a = scorePrediction(alarms, buildGroundTruth(ds, wholePeriod(ds), onset), onset);
    expect({ tp: a.tp, fp: a.fp, fn: a.fn, tn: a.tn }).toEqual({ tp: 1, fp: 4, fn: 4, tn: 11 });
    const b = scorePrediction(alarms, buildGroundTruth(ds, wholePeriod(ds), violation), violation);
    // positives 5..13 (9): alarms 8, 11, 12 -> TP 3, FN 6; 3 and 14 -> FP 2; TN 11 - 2 = 9.
    expect({ tp: b.tp, fp: b.fp, fn: b.fn, tn: b.tn }).toEqual({ tp: 3, fp: 2, fn: 6, tn: 9 });
    // Lead time stays onset-based: first alarm in [onset - W, onset) is 8 -> 2 s.
    expect(b.leadTimeS.mean).toBe(2);
  });

  it('combines with excludeViolated (outage samples then leave the counts again)', () => {
    const p = { ...violation, excludeViolated: true };
    const m = scorePrediction(alarms, buildGroundTruth(ds, wholePeriod(ds), p), p);
    expect({ tp: m.tp, fp: m.fp, fn: m.fn, tn: m.tn }).toEqual({ tp: 1, fp: 1, fn: 4, tn: 9 });
  });
});

describe('scorePrediction: lead time and TTD', () => {
  // Four episodes, W = 10 s. Onsets: A 10, B 42, C 65, D 88.
  const P: ScoringParams = {
    pendingWindowS: 10,
    minDurationS: 3,
    excludeViolated: false,
    positives: 'onset',
  };
  const pattern = [...'.'.repeat(110)];
  for (const start of [10, 42, 65, 88]) for (let i = start; i < start + 5; i++) pattern[i] = 'X';
  const ds = makeDataset({
    pattern: pattern.join(''),
    faults: [
      fault('A', 'db', 0, 20),
      fault('B', 'db', 30, 50),
      fault('C', 'db', 60, 75),
      fault('D', 'db', 80, 95),
    ],
  });
  const truth = buildGroundTruth(ds, wholePeriod(ds), P);

  it('measures lead = onset - first alarm in [max(fault.start, onset - W), onset)', () => {
    expect(truth.episodes.map((e) => (e.onset! - s(0)) / 1000)).toEqual([10, 42, 65, 88]);
    // A: alarm 2 -> lead 8. B: 31 is before onset - W = 32, so 40 -> lead 2. C: 57 is before the fault, 64
    // -> lead 1. D: the only alarm (90) is after the onset -> no lead.
    const m = scorePrediction(alarmsAt(2, 31, 40, 57, 64, 90), truth, P);
    expect(m.leadTimeS.mean).toBeCloseTo(11 / 3);
    expect(m.leadTimeS.median).toBe(2);
    expect(m.leadTimeS.maxPossible).toBeCloseTo((10 + 12 + 5 + 8) / 4);
    // TTD: first alarm at/after the fault start: A 2, B 1, C 4 (64), D 10 (90).
    expect(m.ttdS).toBeCloseTo((2 + 1 + 4 + 10) / 4);
  });

  it('reports the median of an even count as the mean of the middle two', () => {
    const m = scorePrediction(alarmsAt(2, 40, 64, 80), truth, P);
    // leads: A 8, B 2, C 1, D 8 -> sorted 1 2 8 8, median 5
    expect(m.leadTimeS.median).toBe(5);
    expect(m.leadTimeS.mean).toBe(4.75);
  });

  it('leaves lead time null without a true alarm but still reports the maximum possible', () => {
    const m = scorePrediction([], truth, P);
    expect(m.leadTimeS).toEqual({ mean: null, median: null, maxPossible: 8.75 });
    expect(m.ttdS).toBeNull();
  });
});

describe('scorePrediction: TTD window and control runs', () => {
  const P: ScoringParams = {
    pendingWindowS: 5,
    minDurationS: 3,
    excludeViolated: false,
    positives: 'onset' as const,
  };

  it('counts TTD only for alarms before max(fault.end, recovery)', () => {
    const ds = makeDataset({ pattern: '.'.repeat(30), slo: false, faults: [fault('f1', 'db', 5, 10)] });
    const truth = buildGroundTruth(ds, wholePeriod(ds), P);
    expect(scorePrediction(alarmsAt(2, 12), truth, P).ttdS).toBeNull();
    expect(scorePrediction(alarmsAt(2, 8, 9), truth, P).ttdS).toBe(3);
    // Without an SLO there are no onsets: every alarm is a false positive.
    const m = scorePrediction(alarmsAt(8), truth, P);
    expect({ tp: m.tp, fp: m.fp, fn: m.fn, tpr: m.tpr }).toEqual({ tp: 0, fp: 1, fn: 0, tpr: null });
    expect(m.leadTimeS.maxPossible).toBeNull();
  });

  it('extends the TTD window to the natural recovery', () => {
    const ds = makeDataset({ pattern: '......XXXXXXXX........', faults: [fault('f1', 'db', 5, 8)] });
    const truth = buildGroundTruth(ds, wholePeriod(ds), P);
    expect(truth.episodes[0]!.recovery).toBe(s(14));
    expect(scorePrediction(alarmsAt(13), truth, P).ttdS).toBe(8);
    expect(scorePrediction(alarmsAt(14), truth, P).ttdS).toBeNull();
  });

  it('counts every alarm of a control run (no fault, no violation) as a false positive', () => {
    const ds = makeDataset({ pattern: '.'.repeat(40) });
    const truth = buildGroundTruth(ds, wholePeriod(ds), P);
    const m = scorePrediction(alarmsAt(3, 17, 39), truth, P);
    expect(m).toEqual({
      tp: 0,
      fp: 3,
      tn: 37,
      fn: 0,
      tpr: null,
      fpr: 3 / 40,
      leadTimeS: { mean: null, median: null, maxPossible: null },
      ttdS: null,
    });
  });

  it('scores thousands of samples and alarms (counts; speed is the replay benchmark)', () => {
    const n = 20_000;
    const pattern = [...'.'.repeat(n)].map((c, i) => (i % 100 >= 50 && i % 100 < 55 ? 'X' : c)).join('');
    const ds = makeDataset({ pattern, hosts: ['h'] });
    const truth = buildGroundTruth(ds, wholePeriod(ds), P);
    const alarms = alarmsAt(...Array.from({ length: n / 2 }, (_, i) => i * 2));
    const m = scorePrediction(alarms, truth, P);
    expect(m.tp + m.fp + m.tn + m.fn).toBe(n);
    // Per 100 s: onset at 50, positives 45..49, alarms on even seconds -> 46, 48 TP.
    expect(m.tp).toBe((n / 100) * 2);
  });
});
