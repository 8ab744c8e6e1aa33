// Control runs: every alarm is a false positive even when the SLO breaks (evaluation.md).
import { describe, expect, it } from 'vitest';
import { buildGroundTruth, DEFAULT_SCORING, scorePrediction } from '../../src/eval/index.ts';
import { T0, tinyDataset } from '../helpers/tiny-dataset.ts';

describe('control run', () => {
  const pattern = '.'.repeat(20) + 'XXXXX' + '.'.repeat(15);
  const alarms = [{ time: T0 + 15_000, host: 'db', score: 1 }];
  const period = { start: T0, end: T0 + 40_000 };

  it('counts an alarm before a violation onset as a false positive', () => {
    const d = tinyDataset({ seconds: 40, slo: pattern });
    d.manifest.phases = [{ name: 'control', start: T0, end: T0 + 40_000 }];
    const truth = buildGroundTruth(d, period, DEFAULT_SCORING);
    expect(truth.onsets).toEqual([]);
    expect(truth.violationTimes.length).toBe(5);
    expect(scorePrediction(alarms, truth, DEFAULT_SCORING)).toMatchObject({ tp: 0, fp: 1, fn: 0 });
  });

  it('the same data without the control phase makes that alarm a true positive', () => {
    const d = tinyDataset({ seconds: 40, slo: pattern });
    const truth = buildGroundTruth(d, period, DEFAULT_SCORING);
    expect(truth.onsets).toEqual([T0 + 20_000]);
    expect(scorePrediction(alarms, truth, DEFAULT_SCORING)).toMatchObject({ tp: 1, fp: 0 });
  });
});

describe('excludeViolated', () => {
  // Violation from second 20 to 29; alarms at 15 (before the onset) and at 22, 25 (during the outage).
  const d = tinyDataset({ seconds: 40, slo: '.'.repeat(20) + 'X'.repeat(10) + '.'.repeat(10) });
  const alarms = [15, 22, 25].map((s) => ({ time: T0 + s * 1000, host: 'db', score: 1 }));
  const period = { start: T0, end: T0 + 40_000 };

  it('off (evaluation.md exactly): alarms during the violation are false positives', () => {
    const truth = buildGroundTruth(d, period, DEFAULT_SCORING);
    expect(scorePrediction(alarms, truth, DEFAULT_SCORING)).toMatchObject({ tp: 1, fp: 2, tn: 18, fn: 19 });
  });

  it('on: the ten violated seconds are left out of the counts, lead time unchanged', () => {
    const params = { ...DEFAULT_SCORING, excludeViolated: true, positives: 'onset' as const };
    const truth = buildGroundTruth(d, period, params);
    const p = scorePrediction(alarms, truth, params);
    expect(p).toMatchObject({ tp: 1, fp: 0 });
    expect(p.tp + p.fp + p.tn + p.fn).toBe(30);
  });
});
