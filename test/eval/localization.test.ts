import { describe, expect, it } from 'vitest';
import {
  buildGroundTruth,
  mapLocalization,
  scoreLocalization,
  type ScoringParams,
} from '../../src/eval/index.ts';
import { assertNoNaN, fault, loc, makeDataset, s, wholePeriod } from './fixture.ts';

const P: ScoringParams = {
  pendingWindowS: 5,
  minDurationS: 3,
  excludeViolated: false,
  positives: 'onset' as const,
};

describe('scoreLocalization', () => {
  // No SLO, so each fault's mapping window is [start, end + W).
  const ds = makeDataset({
    pattern: '.'.repeat(100),
    slo: false,
    faults: [fault('f1', 'db', 10, 20), fault('f2', 'web', 40, 50), fault('f3', 'cache', 70, 80)],
  });
  const truth = buildGroundTruth(ds, wholePeriod(ds), P);
  const locs = [
    loc(15, 14, ['db'], ['db']), // f1, second by time: counts for precision/recall, not for AC@k
    loc(13, 12, ['web', 'db', 'db', 'app'], ['web'], 500), // f1's ranking: culprit 2nd; wrong pinpoint
    loc(42, 41, ['web', 'db'], ['web', 'web']), // f2: right, duplicate pinpoint counted once
    loc(30, 25, ['db'], ['db']), // trigger at f1.end + W: maps to nothing -> wrong pinpoint
  ];

  it('maps a localization by its trigger to [fault.start, max(fault.end, recovery) + W)', () => {
    expect(locs.map((l) => mapLocalization(l, truth, P))).toEqual([0, 0, 1, -1]);
    expect(mapLocalization(loc(30, 24, [], []), truth, P)).toBe(0);
    expect(mapLocalization(loc(30, 9, [], []), truth, P)).toBe(-1);
  });

  it('computes AC@1, AC@3 and Avg@5 with a missed case', () => {
    const m = scoreLocalization(locs, truth, P);
    // f1: culprit at rank 2, f2: rank 1, f3: no localization (miss).
    expect(m.ac1).toBeCloseTo(1 / 3);
    expect(m.ac3).toBeCloseTo(2 / 3);
    expect(m.avg5).toBeCloseTo((1 / 3 + 4 * (2 / 3)) / 5);
  });

  it('computes precision over all pinpointed hosts and recall over cases', () => {
    const m = scoreLocalization(locs, truth, P);
    // pinpointed: web (f1, wrong), db (f1, right), web (f2, right), db (unmapped, wrong)
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBeCloseTo(2 / 3);
  });

  it('measures localization time from the trigger plus compute time, for each case ranking', () => {
    const m = scoreLocalization(locs, truth, P);
    expect(m.timeS).toBeCloseTo((1.5 + 1) / 2);
  });

  it('uses the host order without duplicates for AC@k', () => {
    const many = makeDataset({ pattern: '.'.repeat(20), slo: false, faults: [fault('f1', 'e', 1, 5)] });
    const t = buildGroundTruth(many, wholePeriod(many), P);
    const m = scoreLocalization([loc(2, 1, ['a', 'a', 'b', 'b', 'c', 'e'], [])], t, P);
    expect(m.ac3).toBe(0); // hosts a, b, c, e: e is 4th
    expect(m.avg5).toBeCloseTo(2 / 5); // AC@1..AC@5 = 0, 0, 0, 1, 1
  });

  it('maps an overlapping trigger to the fault with the latest start', () => {
    const two = makeDataset({
      pattern: '.'.repeat(50),
      slo: false,
      faults: [fault('outer', 'a', 0, 40), fault('inner', 'b', 10, 20)],
    });
    const t = buildGroundTruth(two, wholePeriod(two), P);
    const m = scoreLocalization([loc(16, 15, ['b'], ['b'])], t, P);
    expect(m.ac1).toBe(0.5); // inner hit, outer missed
    expect(m.precision).toBe(1);
  });

  it('extends the mapping window to the natural recovery', () => {
    const slo = makeDataset({
      pattern: '....XXXXXXXXXX.......................',
      faults: [fault('f1', 'db', 2, 6)],
    });
    const t = buildGroundTruth(slo, wholePeriod(slo), P);
    expect(t.episodes[0]!.recovery).toBe(s(14));
    expect(mapLocalization(loc(20, 18, ['db'], ['db']), t, P)).toBe(0);
    expect(mapLocalization(loc(20, 19, ['db'], ['db']), t, P)).toBe(-1);
  });

  it('is null without cases, except precision when something was pinpointed', () => {
    const control = makeDataset({ pattern: '.'.repeat(20) });
    const t = buildGroundTruth(control, wholePeriod(control), P);
    const m = scoreLocalization([loc(5, 4, ['db'], ['db'])], t, P);
    expect(m).toEqual({ ac1: null, ac3: null, avg5: null, precision: 0, recall: null, timeS: null });
    expect(scoreLocalization([], t, P).precision).toBeNull();
  });

  it('counts a case without any localization as a miss, and never yields NaN', () => {
    const m = scoreLocalization([], truth, P);
    expect(m).toEqual({ ac1: 0, ac3: 0, avg5: 0, precision: null, recall: 0, timeS: null });
    const odd = [
      { ...loc(12, 11, ['db'], ['db']), computeMs: NaN },
      { ...loc(13, 12, ['db'], ['db']), time: NaN },
    ];
    const n = scoreLocalization(odd, truth, P);
    assertNoNaN(n);
    expect(n.timeS).toBe(1); // NaN computeMs counts as 0; the NaN-time localization maps to nothing
    expect(n.precision).toBe(0.5);
  });
});
