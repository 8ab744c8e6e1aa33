// The evaluation module: scores an algorithm's results.json streams against a dataset's ground truth, as
// ../shared/spec/evaluation.md defines (the source of truth). Pure: no I/O, no clock. Times are epoch ms;
// fields ending in S are seconds; a ratio with a zero denominator is null, never NaN.
//
// - params.ts        ScoringParams (pending window W, minDurationS) with documented defaults.
// - ground-truth.ts  sample times, SLO-violation seconds, onsets, fault episodes (onset, natural recovery).
// - prediction.ts    per-sample TP/FP/TN/FN with the pending window (UBL Eq. 5), lead time, TTD.
// - localization.ts  AC@1, AC@3, Avg@5 (RCAEval), pinpointed-host precision/recall (FChain), localization time.
// - fix.ts           fix time and SLO-violation seconds saved (PREPARE), per action type.

import type { Dataset } from '../core/dataset.ts';
import type {
  ActionResult,
  AlarmRecord,
  FixMetrics,
  LocalizationMetrics,
  LocalizationRecord,
  PredictionMetrics,
} from '../core/results.ts';
import { scoreFix } from './fix.ts';
import { buildGroundTruth, type Period } from './ground-truth.ts';
import { scoreLocalization } from './localization.ts';
import type { ScoringParams } from './params.ts';
import { scorePrediction } from './prediction.ts';

export {
  DEFAULT_SCORING,
  POSITIVE_RULES,
  SCORING_PARAM_SPECS,
  validateScoringParams,
  type PositiveRule,
  type ScoringParams,
} from './params.ts';
export { buildGroundTruth, type Episode, type GroundTruth, type Period } from './ground-truth.ts';
export { scorePrediction } from './prediction.ts';
export { mapLocalization, scoreLocalization } from './localization.ts';
export { scoreFix } from './fix.ts';

export interface EvaluatedStreams {
  alarms: readonly AlarmRecord[];
  localizations: readonly LocalizationRecord[];
  actions: readonly ActionResult[];
}

/** Which parts of the scoring apply to an algorithm (the caller decides from what the algorithm is). */
export interface EvaluationScope {
  /** The algorithm emits an alarm stream (predictor): score prediction. */
  predicts: boolean;
  /** The algorithm localizes: score localization. */
  localizes: boolean;
  /** Score fixes; defaults to `localizes` (actions are taken on localizations). */
  fixes?: boolean;
}

export interface Evaluation {
  prediction: PredictionMetrics | null;
  localization: LocalizationMetrics | null;
  fix: FixMetrics | null;
}

/** Builds the ground truth of `period` once and scores the parts in `scope`; the others are null. */
export function evaluate(
  dataset: Dataset,
  period: Period,
  results: EvaluatedStreams,
  params: ScoringParams,
  scope: EvaluationScope,
): Evaluation {
  const truth = buildGroundTruth(dataset, period, params);
  return {
    prediction: scope.predicts ? scorePrediction(results.alarms, truth, params) : null,
    localization: scope.localizes ? scoreLocalization(results.localizations, truth, params) : null,
    fix:
      (scope.fixes ?? scope.localizes)
        ? scoreFix(results.actions, results.localizations, truth, params)
        : null,
  };
}
