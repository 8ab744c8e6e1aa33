// Scoring parameters: the two numbers that, with the dataset, fix every score (evaluation.md, first line:
// "Every number in a report must be reproducible from the dataset and the algorithm config alone").
//
// - pendingWindowS (W): UBL's anomaly-pending-time upper bound. An alarm at t1 is a true positive when a
//   violation onset t2 follows with t1 < t2 <= t1 + W (UBL Eq. 5; evaluation.md "Pending window W";
//   algorithms.md §1.8). UBL sets W per dataset from the injection-to-violation delay; the default 50 s is
//   the seed's window for its CPU hog (evaluation.md "Published reference numbers", seed HTM line).
// - minDurationS: a violation onset must begin a run of at least this many violation seconds, and the SLO
//   has recovered once it holds for this long (evaluation.md "Violation onset" and "Fix time"; default 3).
// - excludeViolated: off by default (evaluation.md counts every sample). On, samples taken while the SLO is
//   already violated are not counted: during a long outage a detector that keeps alarming would otherwise
//   collect one false positive per second, which swamps FPR.
// - positives: which "anomaly at t2" makes sample t positive (t < t2 <= t + W). `onset` (default, evaluation.md):
//   t2 is a violation onset. `violation`: t2 is any SLO-violation second, so samples during an outage (up to
//   its last second) are positives too. The second is how UBL's own numbers can arise: its RUBiS MemLeak row
//   (algorithms.md §1.9: TPR 97% with a mean lead of 7 s of 50 s possible) is impossible with onset-only
//   per-sample labels, where TPR <= (alarmed pre-onset samples) / W; with violation labels the outage's
//   samples dominate the positives. Eq. 5's wording ("the anomaly happens at t2") allows both.

import { validateConfig, type ParamSpecs } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';

export interface ScoringParams {
  /** Pending window W in seconds (UBL Eq. 5). */
  pendingWindowS: number;
  /** Minimum violation-run length for an onset, and minimum hold time for a recovery, in seconds. */
  minDurationS: number;
  /** Leave sample times at which the SLO is already violated out of the confusion counts. */
  excludeViolated: boolean;
  /** What "an anomaly at t2" is for the positive label: a violation onset, or any violation second. */
  positives: PositiveRule;
}

export type PositiveRule = 'onset' | 'violation';
export const POSITIVE_RULES: readonly PositiveRule[] = ['onset', 'violation'];

export const SCORING_PARAM_SPECS = {
  pendingWindowS: {
    type: 'number',
    default: 50,
    min: 0,
    doc: 'Pending window W (s): an alarm at t1 is a true positive when an SLO-violation onset t2 satisfies t1 < t2 <= t1 + W.',
    source: 'UBL Eq. 5 (algorithms.md §1.8); 50 s = the seed CPU-hog window (evaluation.md)',
  },
  minDurationS: {
    type: 'number',
    default: 3,
    min: 0,
    doc: 'An onset begins a run of at least this many violation seconds; recovery = the SLO holds this long.',
    source: 'evaluation.md "Ground truth" (violation onset, default 3) and "Fix" (recovery)',
  },
  excludeViolated: {
    type: 'boolean',
    default: false,
    doc: 'Leave samples taken while the SLO is already violated out of TP/FP/TN/FN (an alarm during an outage is not a prediction). Off = evaluation.md exactly.',
    source: 'foreshock option (not in evaluation.md); closer to how UBL reports FPR during long violations',
  },
  positives: {
    type: 'enum',
    values: POSITIVE_RULES,
    default: 'onset' as PositiveRule,
    doc: 'Positive label of sample t: "onset" = a violation onset t2 with t < t2 <= t + W (evaluation.md); "violation" = any SLO-violation second t2 in that window (UBL Eq. 5 read literally: outage samples are positives too).',
    source:
      'evaluation.md "Pending window W" (onset); UBL Eq. 5 / algorithms.md §1.8-1.9 (violation: the reading that fits UBL\'s 97% TPR at 7 s of 50 s lead)',
  },
} as const satisfies ParamSpecs;

export const DEFAULT_SCORING: Readonly<ScoringParams> = Object.freeze({
  pendingWindowS: SCORING_PARAM_SPECS.pendingWindowS.default,
  minDurationS: SCORING_PARAM_SPECS.minDurationS.default,
  excludeViolated: SCORING_PARAM_SPECS.excludeViolated.default,
  positives: SCORING_PARAM_SPECS.positives.default,
});

/**
 * Fills defaults for missing keys and rejects unknown keys, non-numbers, negative values and a zero
 * pending window (W = 0 would make every sample negative). Throws a ConfigError naming the key.
 */
export function validateScoringParams(raw: unknown, owner = 'scoring'): ScoringParams {
  const cfg = validateConfig(owner, SCORING_PARAM_SPECS, raw);
  if (!(cfg.pendingWindowS > 0)) {
    throw new ConfigError(`${owner}: config key "pendingWindowS" must be > 0, got ${cfg.pendingWindowS}`);
  }
  return {
    pendingWindowS: cfg.pendingWindowS,
    minDurationS: cfg.minDurationS,
    excludeViolated: cfg.excludeViolated,
    positives: cfg.positives as PositiveRule,
  };
}
