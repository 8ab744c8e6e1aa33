// Prediction scoring (UBL, PREPARE, any predictor): evaluation.md "Prediction"; algorithms.md §1.8, §5.
//
// - Alarm at t: any AlarmRecord with time t (any host, or null for a service-level alarm). Only alarms at a
//   sample time of the scored period count; others (training part, off-grid times) are ignored everywhere.
// - Per-sample labels with the pending window W (UBL Eq. 5): sample t is positive iff some onset t2 satisfies
//   t < t2 <= t + W (params.positives 'onset'), or some SLO-violation second t2 does ('violation', params.ts). TP = alarm & positive, FP = alarm & !positive, FN = !alarm & positive,
//   TN = !alarm & !positive. TPR A_T = TP / (TP + FN), FPR A_F = FP / (FP + TN); null on a zero denominator.
//   A control run (no faults, no violations) therefore counts every alarm as a false positive.
//   With params.excludeViolated, sample times that are SLO-violation seconds are left out of the four counts
//   (they still count for lead time and TTD).
// - Lead time (UBL "achieved lead time"; evaluation.md): per fault episode with an onset, the first alarm t1
//   with max(fault.start, onset - W) <= t1 < onset (the first true alarm for that onset); lead =
//   (onset - t1) / 1000. Mean and median over the episodes that have such an alarm. maxPossible = mean over
//   episodes with an onset of (onset - fault.start) / 1000.
// - TTD (AIOpsLab "time from fault occurrence to detection"): per episode, the first alarm t1 with
//   fault.start <= t1 < max(fault.end, recovery ?? fault.end); ttd = (t1 - fault.start) / 1000; mean over
//   the episodes that have one.
// Cost: O(samples + alarms + episodes x log alarms); two pointers over the sorted sample times and onsets.

import type { AlarmRecord, PredictionMetrics } from '../core/results.ts';
import type { GroundTruth } from './ground-truth.ts';
import type { ScoringParams } from './params.ts';
import { lowerBound, mean, median, ratio } from './util.ts';

export function scorePrediction(
  alarms: readonly AlarmRecord[],
  truth: GroundTruth,
  params: ScoringParams,
): PredictionMetrics {
  const windowMs = params.pendingWindowS * 1000;
  const alarmed = new Set<number>();
  for (const a of alarms) alarmed.add(a.time);

  const { sampleTimes, onsets, violationTimes } = truth;
  const alarmTimes: number[] = [];
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let j = 0; // first onset > t
  let v = 0; // first violation time >= t
  const byViolation = params.positives === 'violation';
  for (let i = 0; i < sampleTimes.length; i++) {
    const t = sampleTimes[i] as number;
    while (j < onsets.length && (onsets[j] as number) <= t) j++;
    while (v < violationTimes.length && (violationTimes[v] as number) < t) v++;
    let positive = j < onsets.length && (onsets[j] as number) <= t + windowMs;
    if (byViolation && !positive) {
      const next = violationTimes[v] === t ? violationTimes[v + 1] : violationTimes[v]; // first > t
      positive = next !== undefined && next <= t + windowMs;
    }
    const alarm = alarmed.has(t);
    if (alarm) alarmTimes.push(t);
    if (params.excludeViolated && violationTimes[v] === t) continue;
    if (alarm && positive) tp++;
    else if (alarm) fp++;
    else if (positive) fn++;
    else tn++;
  }

  const leads: number[] = [];
  const possible: number[] = [];
  const ttds: number[] = [];
  for (const ep of truth.episodes) {
    const { fault, onset } = ep;
    if (onset !== null) {
      possible.push((onset - fault.start) / 1000);
      const k = lowerBound(alarmTimes, Math.max(fault.start, onset - windowMs));
      if (k < alarmTimes.length && (alarmTimes[k] as number) < onset) {
        leads.push((onset - (alarmTimes[k] as number)) / 1000);
      }
    }
    const until = Math.max(fault.end, ep.recovery ?? fault.end);
    const k = lowerBound(alarmTimes, fault.start);
    if (k < alarmTimes.length && (alarmTimes[k] as number) < until) {
      ttds.push(((alarmTimes[k] as number) - fault.start) / 1000);
    }
  }

  return {
    tp,
    fp,
    tn,
    fn,
    tpr: ratio(tp, tp + fn),
    fpr: ratio(fp, fp + tn),
    leadTimeS: { mean: mean(leads), median: median(leads), maxPossible: mean(possible) },
    ttdS: mean(ttds),
  };
}
