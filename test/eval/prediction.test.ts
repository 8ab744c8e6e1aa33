// Prediction scoring, rules version 2, on hand-built timelines with the expected counts written out.
import { describe, expect, it } from 'vitest';
import type { AlarmRecord } from '../../src/core/results.ts';
import {
  buildGroundTruth,
  DEFAULT_SCORING,
  scorePrediction,
  type ScoringParams,
} from '../../src/eval/index.ts';
import { assertNoNaN, fault, makeDataset, s, wholePeriod } from './fixture.ts';

const P: ScoringParams = { ...DEFAULT_SCORING, pendingWindowS: 5, recoveryGraceS: 5 };
const on = (host: string, ...secs: number[]): AlarmRecord[] =>
  secs.map((i) => ({ time: s(i), host, score: 1 }));
const counts = (m: { tp: number; fp: number; tn: number; fn: number }): object => ({
  tp: m.tp,
  fp: m.fp,
  tn: m.tn,
  fn: m.fn,
});

// 40 s. Fault f1 [10, 20) -> episode [10, 25). v1 = 16 (blip), onset o = 18 (run 18-21), a flicker 23-25
// inside the episode, a spurious onset at 32 (run 32-34). Violation seconds (outage): 16, 18-21, 23-25,
// 32-34 = 11. O = {18, 32}; W = 5: positives t in [13, 17] minus 16 (4) and [27, 31] (5) = 9;
// negatives = 40 - 11 - 9 = 20.
//                         0         1         2         3
//                         0123456789012345678901234567890123456789
const PATTERN = '................X.XXXX.XXX......XXX.....';
const ds = makeDataset({ pattern: PATTERN, faults: [fault('f1', 'db', 10, 20)] });
const truth = buildGroundTruth(ds, wholePeriod(ds), P);

describe('scorePrediction v2: counts', () => {
  // Alarms on db: 12-14 (one run, starts in [f.start, o)), 19 (during the outage), 28 (before the
  // spurious onset), 36 (nothing follows).
  const alarms = on('db', 12, 13, 14, 19, 28, 36);
  const m = scorePrediction(alarms, truth, P);

  it('leaves outage seconds out of the counts and counts them apart', () => {
    // TP: 13, 14, 28. FP: 12 (o = 18 > 12 + 5), 36. FN: 9 - 3. TN: 20 - 2.
    expect(counts(m)).toEqual({ tp: 3, fp: 2, tn: 18, fn: 6 });
    expect(m.outageSeconds).toBe(11);
    expect(m.outageAlarmed).toBe(1);
    expect(m.tpr).toBeCloseTo(3 / 9);
    expect(m.fpr).toBeCloseTo(2 / 20);
    expect(m.j).toBeCloseTo(3 / 9 - 2 / 20);
    expect(m.spuriousOnsets).toBe(1);
  });

  it('gives lead o - a, not capped by W, and leadToFirst v1 - a, with both maxima', () => {
    expect(m.leadTimeS).toEqual({ mean: 6, median: 6, maxPossible: 8 }); // 18 - 12 > W = 5
    expect(m.leadToFirstS).toEqual({ mean: 4, maxPossible: 6 }); // 16 - 12; 16 - 10
    expect(m.ttdS).toBe(2);
    expect(m.failingEpisodes).toBe(1);
    expect(m.missedEpisodes).toBe(0);
    expect(m.episodes[0]).toMatchObject({ fault: 'f1', alarmRunStart: s(12), leadS: 6, maxLeadS: 8 });
  });

  it('counts false alarms: runs outside every episode not followed by an onset within W, per hour', () => {
    // Runs start at 12, 19 (in the episode), 28 (onset 32 follows within 5 s), 36 (a false alarm).
    expect(m.falseAlarms).toBe(1);
    expect(m.falseAlarmsPerHour).toBeCloseTo(3600 / 40);
  });

  it('maps an alarm to the sample second t with t - 1 s < time <= t', () => {
    const early = scorePrediction([{ time: s(13) - 500, host: 'db', score: 1 }], truth, P);
    expect(counts(early)).toEqual({ tp: 1, fp: 0, tn: 20, fn: 8 }); // counted at 13
    const late = scorePrediction([{ time: s(12) + 1, host: 'db', score: 1 }], truth, P);
    expect(counts(late)).toEqual({ tp: 1, fp: 0, tn: 20, fn: 8 }); // counted at 13 as well
  });

  it('has no NaN and null ratios on empty periods', () => {
    const empty = buildGroundTruth(ds, { start: s(100), end: s(200) }, P);
    const e = scorePrediction(on('db', 150), empty, P);
    expect(e).toMatchObject({ tp: 0, fp: 0, tn: 0, fn: 0, tpr: null, fpr: null, j: null });
    assertNoNaN(e);
    assertNoNaN(m);
  });
});

describe('scorePrediction v2: lead time rules', () => {
  it('gives an always-on alarm no lead: a run already going at f.start does not count', () => {
    const always = on('db', ...Array.from({ length: 40 }, (_, i) => i));
    const m = scorePrediction(always, truth, P);
    expect(m.leadTimeS.mean).toBeNull();
    expect(m.missedEpisodes).toBe(1);
    expect(m.leadTimeS.maxPossible).toBe(8);
    // Every non-outage second alarmed: TP 9, FP 20; TPR 1, FPR 1, J 0 (chance).
    expect(counts(m)).toEqual({ tp: 9, fp: 20, tn: 0, fn: 0 });
    expect(m.j).toBe(0);
    // TTD: no run starts at or after f.start.
    expect(m.ttdS).toBeNull();
  });

  it('takes a run of any scored host that starts in [f.start, o)', () => {
    const m = scorePrediction([...on('db', 5, 6, 7, 8, 9, 10, 11), ...on('web', 15)], truth, P);
    expect(m.leadTimeS.mean).toBe(3); // 18 - 15
    expect(m.leadToFirstS.mean).toBe(1); // 16 - 15
  });

  it('has no leadToFirst when the alarm comes after v1', () => {
    const m = scorePrediction(on('db', 17), truth, P);
    expect(m.leadTimeS.mean).toBe(1);
    expect(m.leadToFirstS.mean).toBeNull();
  });

  it("takes TTD from a run in the fault's own episode only", () => {
    // Faults a [2, 6) and b [12, 16), grace 5 s: episodes [2, 11) and [12, 21). The only alarm run
    // starts at 13, in b's episode: TTD of b = 1 s; a has none (a run in b's episode detects b).
    //                                0         1         2
    //                                0123456789012345678901234
    const two = makeDataset({
      pattern: '.........................',
      faults: [fault('a', 'db', 2, 6), fault('b', 'web', 12, 16)],
    });
    const m = scorePrediction(on('db', 13, 14), buildGroundTruth(two, wholePeriod(two), P), P);
    expect(m.episodes.map((e) => e.ttdS)).toEqual([null, 1]);
    expect(m.ttdS).toBe(1);
  });

  it('splits alarm runs at gaps over gapS', () => {
    // 8, 11: 3 s apart = one run starting at 8 (before f.start): no lead. 8, 12: 4 s apart: run at 12.
    expect(scorePrediction(on('db', 8, 11), truth, P).leadTimeS.mean).toBeNull();
    expect(scorePrediction(on('db', 8, 12), truth, P).leadTimeS.mean).toBe(6);
  });
});

describe('scorePrediction v2: harness hosts and control runs', () => {
  const h = makeDataset({
    pattern: PATTERN,
    faults: [fault('f1', 'db', 10, 20)],
    hosts: ['web', 'db', 'kafka'],
    harness: ['kafka'],
  });

  it('ignores alarms on harness hosts by default and scores them with hosts = all', () => {
    const alarms = on('kafka', 13);
    const def = scorePrediction(alarms, buildGroundTruth(h, wholePeriod(h), P), P);
    expect(counts(def)).toEqual({ tp: 0, fp: 0, tn: 20, fn: 9 });
    expect(def.leadTimeS.mean).toBeNull();
    const all = { ...P, hosts: 'all' as const };
    const m = scorePrediction(alarms, buildGroundTruth(h, wholePeriod(h), all), all);
    expect(counts(m)).toEqual({ tp: 1, fp: 0, tn: 20, fn: 8 });
    expect(m.leadTimeS.mean).toBe(5);
  });

  it('makes every alarm run on a control run a false alarm; its sustained runs are spurious onsets', () => {
    //                                    0123456789012345678901234567890
    const c = makeDataset({ pattern: '....................XXXXX......' });
    c.manifest.phases = [{ name: 'control', start: s(0), end: s(31) }];
    const t = buildGroundTruth(c, wholePeriod(c), P);
    expect(t.control).toBe(true);
    const m = scorePrediction(on('db', 17, 26), t, P);
    // Onset 20 (spurious): 17 is positive (TP). 26 is negative (FP). 5 outage seconds.
    expect(counts(m)).toEqual({ tp: 1, fp: 1, tn: 20, fn: 4 });
    expect(m.falseAlarms).toBe(2);
    expect(m.failingEpisodes).toBe(0);
    expect(m.leadTimeS).toEqual({ mean: null, median: null, maxPossible: null });
  });
});
