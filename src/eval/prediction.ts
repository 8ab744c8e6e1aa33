// Prediction scoring, rules version 2 (../shared/spec/evaluation.md "Prediction").
//
// - Alarm at sample time t: any alarm of a scored host (or a service-level alarm, host null) with time
//   in (t - sampleInterval, t]. Alarms outside the period or on other hosts are ignored everywhere.
// - Outage seconds: sample times that are violation seconds leave the confusion counts; they are
//   counted as outageSeconds, and outageAlarmed when alarmed.
// - Every other t: positive when an onset o in O has t < o <= t + W. TP/FN/FP/TN as usual;
//   TPR, FPR null on a zero denominator; J = TPR - FPR.
// - Alarm runs: per host, alarms at most gapS apart form one run; a run starts at its first alarm.
// - Lead of a failing episode: a = the earliest start of an alarm run (any scored host) in [f.start, o);
//   lead = o - a (not capped by W); leadToFirst = v1 - a when a < v1. A run already going at f.start
//   does not count. None: missed. maxPossible = o - f.start, and v1 - f.start.
// - TTD: the first alarm run starting in [f.start, episode end), minus f.start.
// - False alarms: alarm runs starting outside every episode with no onset o in (a, a + W]; on a control
//   run every alarm run. Per hour of the scored period.

import type { AlarmRecord, EpisodePrediction, PredictionMetrics } from '../core/results.ts';
import { episodeAt, type GroundTruth } from './ground-truth.ts';
import type { ScoringParams } from './params.ts';
import { lowerBound, mean, median, ratio } from './util.ts';

/** Starts of alarm runs (per host, gap <= gapMs), over all hosts, sorted. */
export function alarmRunStarts(times: ReadonlyMap<string, number[]>, gapMs: number): number[] {
  const starts: number[] = [];
  for (const list of times.values()) {
    let last = -Infinity;
    for (const t of list) {
      if (t - last > gapMs) starts.push(t);
      last = t;
    }
  }
  return starts.sort((a, b) => a - b);
}

export function scorePrediction(
  alarms: readonly AlarmRecord[],
  truth: GroundTruth,
  params: ScoringParams,
): PredictionMetrics {
  const windowMs = params.pendingWindowS * 1000;
  const intervalMs = truth.sampleIntervalMs;
  const { period, sampleTimes, onsets } = truth;
  const scored = new Set(truth.scoredHosts);

  // Alarms that count: scored hosts (or service level), inside the period; per host sorted.
  const byHost = new Map<string, number[]>();
  const alarmedTimes = new Set<number>();
  for (const a of alarms) {
    if (!Number.isFinite(a.time) || a.time < period.start || a.time >= period.end) continue;
    if (a.host !== null && !scored.has(a.host)) continue;
    const key = a.host === null ? '\u0000service' : a.host;
    let list = byHost.get(key);
    if (!list) byHost.set(key, (list = []));
    list.push(a.time);
    // The sample time t with t - interval < a.time <= t.
    const k = lowerBound(sampleTimes, a.time);
    const t = sampleTimes[k];
    if (t !== undefined && t - a.time < intervalMs) alarmedTimes.add(t);
  }
  for (const list of byHost.values()) list.sort((a, b) => a - b);
  const runs = alarmRunStarts(byHost, params.gapS * 1000);

  const violated = new Set<number>(truth.violationTimes);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let outageSeconds = 0;
  let outageAlarmed = 0;
  let j = 0; // first onset > t
  for (let i = 0; i < sampleTimes.length; i++) {
    const t = sampleTimes[i] as number;
    const alarm = alarmedTimes.has(t);
    if (violated.has(t)) {
      outageSeconds++;
      if (alarm) outageAlarmed++;
      continue;
    }
    while (j < onsets.length && (onsets[j] as number) <= t) j++;
    const positive = j < onsets.length && (onsets[j] as number) <= t + windowMs;
    if (alarm && positive) tp++;
    else if (alarm) fp++;
    else if (positive) fn++;
    else tn++;
  }

  const episodes: EpisodePrediction[] = truth.episodes.map((ep) => {
    const { fault, onset } = ep;
    const v1 = ep.firstViolation;
    const k = lowerBound(runs, fault.start);
    const firstRun = runs[k];
    const ttdS = firstRun !== undefined && firstRun < ep.end ? (firstRun - fault.start) / 1000 : null;
    const a = onset !== null && firstRun !== undefined && firstRun < onset ? firstRun : null;
    return {
      fault: fault.id,
      onset,
      firstViolation: v1,
      alarmRunStart: a,
      leadS: a !== null && onset !== null ? (onset - a) / 1000 : null,
      leadToFirstS: a !== null && v1 !== null && a < v1 ? (v1 - a) / 1000 : null,
      maxLeadS: onset !== null ? (onset - fault.start) / 1000 : null,
      maxLeadToFirstS: onset !== null && v1 !== null ? (v1 - fault.start) / 1000 : null,
      ttdS,
    };
  });
  const failing = episodes.filter((e) => e.onset !== null);
  const leads = failing.flatMap((e) => (e.leadS === null ? [] : [e.leadS]));
  const nums = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null);

  let falseAlarms = 0;
  for (const a of runs) {
    if (truth.control) {
      falseAlarms++;
      continue;
    }
    if (episodeAt(truth, a) >= 0) continue;
    const next = onsets[lowerBound(onsets, a + 1)];
    if (next === undefined || next > a + windowMs) falseAlarms++;
  }
  const hours = (period.end - period.start) / 3_600_000;
  const tpr = ratio(tp, tp + fn);
  const fpr = ratio(fp, fp + tn);

  return {
    tp,
    fp,
    tn,
    fn,
    tpr,
    fpr,
    j: tpr !== null && fpr !== null ? tpr - fpr : null,
    outageSeconds,
    outageAlarmed,
    leadTimeS: {
      mean: mean(leads),
      median: median(leads),
      maxPossible: mean(nums(failing.map((e) => e.maxLeadS))),
    },
    leadToFirstS: {
      mean: mean(nums(failing.map((e) => e.leadToFirstS))),
      maxPossible: mean(nums(failing.map((e) => e.maxLeadToFirstS))),
    },
    ttdS: mean(nums(episodes.map((e) => e.ttdS))),
    failingEpisodes: failing.length,
    missedEpisodes: failing.filter((e) => e.leadS === null).length,
    noEffectFaults: episodes.length - failing.length,
    spuriousOnsets: truth.spuriousOnsets.length,
    falseAlarms,
    falseAlarmsPerHour: hours > 0 ? falseAlarms / hours : null,
    scoredHours: hours,
    episodes,
  };
}
