// The evaluation module: scores an algorithm's results.json streams against a dataset's ground truth, as
// ../shared/spec/evaluation.md (scoring rules version 2) defines. Pure: no I/O, no clock. Times are epoch
// ms; fields ending in S are seconds; a ratio with a zero denominator is null, never NaN.
//
// - params.ts        ScoringParams (W, minDurationS, recoveryGraceS, gapS, hosts) with documented defaults.
// - ground-truth.ts  scored hosts, sample times, violation seconds, fault episodes, onsets (one per episode).
// - prediction.ts    per-sample TP/FP/TN/FN outside outages, J, lead time, TTD, false alarms per hour.
// - localization.ts  AC@1, AC@3, Avg@5 (RCAEval) with chance, precision/recall (FChain), times.
// - fix.ts           measured/modelled actions, fix time, violation seconds saved, unnecessary actions.

import { hostsUnderTest, type Dataset } from '../core/dataset.ts';
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
import { SCORING_RULES, type ScoringParams } from './params.ts';
import { scorePrediction } from './prediction.ts';

export {
  DEFAULT_SCORING,
  HOST_SELECTIONS,
  SCORING_PARAM_SPECS,
  SCORING_RULES,
  validateScoringParams,
  type HostSelection,
  type ScoringParams,
} from './params.ts';
export {
  buildGroundTruth,
  episodeAt,
  isControlRun,
  type Episode,
  type GroundTruth,
  type Period,
} from './ground-truth.ts';
export { alarmRunStarts, scorePrediction } from './prediction.ts';
export { scoreLocalization, type LocalizationScope } from './localization.ts';
export { scoreFix, sourceOf } from './fix.ts';

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
  /** Every fault is a localization case (explicit localization times), not only the failing ones. */
  allFaultCases?: boolean;
}

export interface Evaluation {
  prediction: PredictionMetrics | null;
  localization: LocalizationMetrics | null;
  fix: FixMetrics | null;
}

/** The `scoring` block's rule fields: the rules version, every scoring parameter, the effective SLO. */
export function scoringBlock(
  params: ScoringParams,
  dataset: Dataset,
): { rules: number } & ScoringParams & { maxErrorRate: number; scoredHosts: string[] } {
  return {
    rules: SCORING_RULES,
    ...params,
    maxErrorRate: dataset.manifest.slo?.maxErrorRate ?? 0,
    scoredHosts: hostsUnderTest(dataset.manifest, params.hosts === 'all'),
  };
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
    localization: scope.localizes
      ? scoreLocalization(results.localizations, truth, { allFaults: scope.allFaultCases === true })
      : null,
    fix: (scope.fixes ?? scope.localizes) ? scoreFix(results.actions, truth, params) : null,
  };
}
