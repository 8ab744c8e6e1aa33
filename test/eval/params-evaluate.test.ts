import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { DEFAULT_SCORING, evaluate, validateScoringParams } from '../../src/eval/index.ts';
import { action, assertNoNaN, fault, loc, makeDataset, s, wholePeriod } from './fixture.ts';

describe('validateScoringParams', () => {
  it('fills the documented defaults of rules version 2', () => {
    const v2 = { pendingWindowS: 50, minDurationS: 3, recoveryGraceS: 60, gapS: 3, hosts: 'under-test' };
    expect(DEFAULT_SCORING).toEqual(v2);
    expect(validateScoringParams(undefined)).toEqual(v2);
    expect(validateScoringParams({ pendingWindowS: 10, hosts: 'all' })).toEqual({
      ...v2,
      pendingWindowS: 10,
      hosts: 'all',
    });
  });

  it('rejects bad values naming the key', () => {
    expect(() => validateScoringParams({ pendingWindow: 10 })).toThrow(ConfigError);
    expect(() => validateScoringParams({ pendingWindow: 10 })).toThrow(/pendingWindow/);
    expect(() => validateScoringParams({ pendingWindowS: 0 })).toThrow(/pendingWindowS/);
    expect(() => validateScoringParams({ pendingWindowS: '50' })).toThrow(/pendingWindowS/);
    expect(() => validateScoringParams({ minDurationS: -1 })).toThrow(/minDurationS/);
    expect(() => validateScoringParams({ recoveryGraceS: NaN })).toThrow(/recoveryGraceS/);
    expect(() => validateScoringParams([])).toThrow(ConfigError);
    expect(() => validateScoringParams({ hosts: 'some' })).toThrow(/hosts/);
    // v1's options are gone (outage seconds are always left out; positives are always onsets).
    expect(() => validateScoringParams({ excludeViolated: true })).toThrow(/excludeViolated/);
  });
});

describe('evaluate', () => {
  const ds = makeDataset({ pattern: '..........XXXXX.....', faults: [fault('f1', 'db', 5, 15)] });
  const results = {
    alarms: [{ time: s(7), host: 'db', score: 0.9 }],
    localizations: [loc(11, 10, ['db', 'web'], ['db'], 200)],
    actions: [action('f1', 11, 12)],
  };
  const params = { ...DEFAULT_SCORING, pendingWindowS: 10 };

  it('scores the parts in scope and returns null for the others', () => {
    const all = evaluate(ds, wholePeriod(ds), results, params, { predicts: true, localizes: true });
    expect(all.prediction?.tp).toBe(1);
    expect(all.prediction?.leadTimeS.mean).toBe(3);
    expect(all.localization?.ac1).toBe(1);
    expect(all.localization?.timeS).toBeCloseTo(1.2);
    expect(all.fix?.violationSecondsSaved).toBe(3); // 12, 13, 14
    expect(all.fix?.fixTimeS).toBe(1); // requested 11, restored at 12
    assertNoNaN(all);

    const predictorOnly = evaluate(ds, wholePeriod(ds), results, params, {
      predicts: true,
      localizes: false,
    });
    expect(predictorOnly.localization).toBeNull();
    expect(predictorOnly.fix).toBeNull();
    const localizerOnly = evaluate(ds, wholePeriod(ds), results, params, {
      predicts: false,
      localizes: true,
      fixes: false,
    });
    expect(localizerOnly.prediction).toBeNull();
    expect(localizerOnly.fix).toBeNull();
    expect(localizerOnly.localization).not.toBeNull();
  });
});
