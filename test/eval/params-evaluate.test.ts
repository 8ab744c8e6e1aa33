import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { DEFAULT_SCORING, evaluate, validateScoringParams } from '../../src/eval/index.ts';
import { action, assertNoNaN, fault, loc, makeDataset, s, wholePeriod } from './fixture.ts';

describe('validateScoringParams', () => {
  it('fills the documented defaults', () => {
    expect(DEFAULT_SCORING).toEqual({
      pendingWindowS: 50,
      minDurationS: 3,
      excludeViolated: false,
      positives: 'onset',
    });
    expect(validateScoringParams(undefined)).toEqual({
      pendingWindowS: 50,
      minDurationS: 3,
      excludeViolated: false,
      positives: 'onset',
    });
    expect(validateScoringParams({ pendingWindowS: 10 })).toEqual({
      pendingWindowS: 10,
      minDurationS: 3,
      excludeViolated: false,
      positives: 'onset',
    });
  });

  it('rejects bad values naming the key', () => {
    expect(() => validateScoringParams({ pendingWindow: 10 })).toThrow(ConfigError);
    expect(() => validateScoringParams({ pendingWindow: 10 })).toThrow(/pendingWindow/);
    expect(() => validateScoringParams({ pendingWindowS: 0 })).toThrow(/pendingWindowS/);
    expect(() => validateScoringParams({ pendingWindowS: '50' })).toThrow(/pendingWindowS/);
    expect(() => validateScoringParams({ minDurationS: -1 })).toThrow(/minDurationS/);
    expect(() => validateScoringParams({ minDurationS: NaN })).toThrow(/minDurationS/);
    expect(() => validateScoringParams([])).toThrow(ConfigError);
    expect(() => validateScoringParams({ positives: 'onsets' })).toThrow(/positives/);
  });
});

describe('evaluate', () => {
  const ds = makeDataset({ pattern: '..........XXXXX.....', faults: [fault('f1', 'db', 5, 15)] });
  const results = {
    alarms: [{ time: s(7), host: 'db', score: 0.9 }],
    localizations: [loc(11, 10, ['db', 'web'], ['db'], 200)],
    actions: [action('f1', 11, 12)],
  };
  const params = { pendingWindowS: 10, minDurationS: 3, excludeViolated: false, positives: 'onset' as const };

  it('scores the parts in scope and returns null for the others', () => {
    const all = evaluate(ds, wholePeriod(ds), results, params, { predicts: true, localizes: true });
    expect(all.prediction?.tp).toBe(1);
    expect(all.prediction?.leadTimeS.mean).toBe(3);
    expect(all.localization?.ac1).toBe(1);
    expect(all.localization?.timeS).toBeCloseTo(1.2);
    expect(all.fix?.violationSecondsSaved).toBe(3); // 12, 13, 14
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
