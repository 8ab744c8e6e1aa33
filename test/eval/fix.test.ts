import { describe, expect, it } from 'vitest';
import { buildGroundTruth, scoreFix, type ScoringParams } from '../../src/eval/index.ts';
import { action, assertNoNaN, fault, makeDataset, s, wholePeriod } from './fixture.ts';

const P: ScoringParams = {
  pendingWindowS: 10,
  minDurationS: 3,
  excludeViolated: false,
  positives: 'onset' as const,
};

describe('scoreFix', () => {
  // f1 on [5, 30): violation seconds 10..19 (10 s), natural recovery at 20.
  const ds = makeDataset({
    pattern: '..........XXXXXXXXXX..........',
    faults: [fault('f1', 'db', 5, 30)],
  });
  const truth = buildGroundTruth(ds, wholePeriod(ds), P);

  it('checks the fixture', () => {
    expect(truth.episodes[0]!.onset).toBe(s(10));
    expect(truth.episodes[0]!.recovery).toBe(s(20));
    expect(truth.episodes[0]!.violationTimes.length).toBe(10);
  });

  it('saves every violation second when the action completes before the onset (prevention)', () => {
    const m = scoreFix([action('f1', 6, 8)], [], truth, P);
    expect(m.violationSecondsSaved).toBe(10);
    expect(m.fixTimeS).toBe(2);
    expect(m.byActionType).toEqual({ restart: { count: 1, violationSecondsSaved: 10 } });
  });

  it('saves the seconds from completion on when the action completes during the violation', () => {
    const m = scoreFix([action('f1', 12, 14)], [], truth, P);
    expect(m.violationSecondsSaved).toBe(6); // 14..19
    expect(m.fixTimeS).toBe(2);
  });

  it('saves nothing after the natural recovery; fix time ends at the recovery', () => {
    const late = scoreFix([action('f1', 15, 25)], [], truth, P);
    expect(late.violationSecondsSaved).toBe(0);
    expect(late.fixTimeS).toBe(5); // min(25, recovery 20) - 15
    const afterRecovery = scoreFix([action('f1', 22, 25)], [], truth, P);
    expect(afterRecovery.violationSecondsSaved).toBe(0);
    expect(afterRecovery.fixTimeS).toBeNull(); // the SLO had recovered before the request
  });

  it('saves nothing with an ineffective action or one aimed at another fault', () => {
    const m = scoreFix([action('f1', 6, 8, false), action('f9', 6, 8), action(null, 6, 8)], [], truth, P);
    expect(m.violationSecondsSaved).toBe(0);
    expect(m.fixTimeS).toBeNull();
    expect(m.byActionType).toEqual({ restart: { count: 3, violationSecondsSaved: 0 } });
  });

  it('uses the earliest effective completion and credits its action type', () => {
    const m = scoreFix(
      [
        action('f1', 11, 16, true, 'restart'),
        action('f1', 12, 13, true, 'migrate'),
        action('f1', 9, 12, false),
      ],
      [],
      truth,
      P,
    );
    expect(m.violationSecondsSaved).toBe(7); // from 13: 13..19
    expect(m.fixTimeS).toBe(1);
    expect(m.byActionType).toEqual({
      restart: { count: 2, violationSecondsSaved: 0 },
      migrate: { count: 1, violationSecondsSaved: 7 },
    });
  });

  it('sums over episodes and averages fix time over episodes with an effective action', () => {
    const two = makeDataset({
      pattern: '..XXXXX.....' + '..XXXX......' + '..XXX.......',
      faults: [fault('a', 'db', 0, 10), fault('b', 'web', 12, 22), fault('c', 'db', 24, 34)],
    });
    const t = buildGroundTruth(two, wholePeriod(two), P);
    const m = scoreFix([action('a', 1, 2, true, 'restart'), action('b', 14, 18, true, 'scale')], [], t, P);
    expect(m.violationSecondsSaved).toBe(5 + 0); // a: all 5; b: completed after recovery at 18
    expect(m.fixTimeS).toBe((1 + 4) / 2);
    expect(m.byActionType).toEqual({
      restart: { count: 1, violationSecondsSaved: 5 },
      scale: { count: 1, violationSecondsSaved: 0 },
    });
  });

  it('is null without SLO ground truth or without episodes, and never NaN', () => {
    const noSlo = makeDataset({ pattern: '.'.repeat(20), slo: false, faults: [fault('f1', 'db', 2, 10)] });
    const t1 = buildGroundTruth(noSlo, wholePeriod(noSlo), P);
    const m1 = scoreFix([action('f1', 3, 5)], [], t1, P);
    expect(m1).toEqual({ fixTimeS: 2, violationSecondsSaved: null });

    const control = makeDataset({ pattern: '.'.repeat(20) });
    const t2 = buildGroundTruth(control, wholePeriod(control), P);
    const m2 = scoreFix([action(null, 3, 5)], [], t2, P);
    expect(m2).toEqual({
      fixTimeS: null,
      violationSecondsSaved: null,
      byActionType: { restart: { count: 1, violationSecondsSaved: 0 } },
    });
    assertNoNaN(scoreFix([{ ...action('f1', 6, 8), requested: NaN }], [], truth, P));
  });
});
