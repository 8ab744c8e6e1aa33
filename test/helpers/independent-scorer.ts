// An independent reading of ../shared/spec/evaluation.md (scoring rules version 2), written from the spec
// text and NOT from src/eval: a cross-check that src/eval and a second implementation agree on the
// prediction counts, onsets, lead times, TTD and false alarms (issue 19: counts within 1 %, mean lead
// within 1.5 s). Deliberately plain (per-second loops, no binary search) so it is easy to read against
// the spec. Readings where the spec leaves room are marked READING.

import type { Dataset } from '../../src/core/dataset.ts';

export interface IndependentParams {
  pendingWindowS: number;
  minDurationS: number;
  recoveryGraceS: number;
  gapS: number;
  hosts: 'under-test' | 'all';
}

export interface IndependentAlarm {
  time: number;
  host: string | null;
}

export interface IndependentEpisode {
  fault: string;
  v1: number | null;
  onset: number | null;
  leadS: number | null;
  leadToFirstS: number | null;
  maxLeadS: number | null;
  maxLeadToFirstS: number | null;
  ttdS: number | null;
}

export interface IndependentPrediction {
  scoredHosts: string[];
  sampleTimes: number;
  onsets: number[];
  spuriousOnsets: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  outageSeconds: number;
  outageAlarmed: number;
  meanLeadS: number | null;
  meanLeadToFirstS: number | null;
  meanTtdS: number | null;
  failingEpisodes: number;
  missedEpisodes: number;
  falseAlarms: number;
  falseAlarmsPerHour: number | null;
  episodes: IndependentEpisode[];
}

const avg = (xs: number[]): number | null =>
  xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;

/** Scores one predictor's alarms on `dataset` over the scored period [start, end). */
export function independentPrediction(
  dataset: Dataset,
  period: { start: number; end: number },
  alarms: readonly IndependentAlarm[],
  p: IndependentParams,
): IndependentPrediction {
  const m = dataset.manifest;
  const W = p.pendingWindowS * 1000;
  const inPeriod = (t: number): boolean => t >= period.start && t < period.end;

  // "Hosts under test": harness hosts only with --hosts all.
  const scoredHosts = m.hosts.filter((h) => p.hosts === 'all' || h.harness !== true).map((h) => h.id);

  // "Sample times T": seconds at which at least one scored host has a sample, inside the period.
  const T = new Set<number>();
  for (let i = 0; i < dataset.metrics.time.length; i++) {
    const t = dataset.metrics.time[i]!;
    if (inPeriod(t) && scoredHosts.includes(dataset.metrics.hosts[dataset.metrics.host[i]!]!)) T.add(t);
  }
  const times = [...T].sort((a, b) => a - b);

  // "Violation second". READING: a fault is active during [f.start, f.end) (its episode's grace is
  // not "a fault active"); the seconds are the slo rows inside the scored period.
  const faultActive = (t: number): boolean => m.faults.some((f) => t >= f.start && t < f.end);
  const maxErr = m.slo?.maxErrorRate ?? 0;
  const violation = new Map<number, boolean>();
  if (m.slo && dataset.slo) {
    const sig = dataset.slo.columns[m.slo.signal]!;
    const count = dataset.slo.columns.count;
    const errors = dataset.slo.columns.errors;
    for (let i = 0; i < dataset.slo.time.length; i++) {
      const t = dataset.slo.time[i]!;
      if (!inPeriod(t)) continue;
      const requests = count ? count[i]! : NaN;
      const failed = errors ? errors[i]! : NaN;
      let v = sig[i]! >= m.slo.threshold;
      if (requests > 0 && failed / requests > maxErr) v = true;
      if (requests === 0 && faultActive(t)) v = true;
      violation.set(t, v);
    }
  }
  const sloTimes = [...violation.keys()].sort((a, b) => a - b);

  // "Violation runs" of consecutive seconds (next row exactly one interval later); sustained runs.
  const step = m.sampleIntervalMs;
  const runs: { start: number; length: number }[] = [];
  for (let i = 0; i < sloTimes.length; i++) {
    const t = sloTimes[i]!;
    if (!violation.get(t)) continue;
    const last = runs[runs.length - 1];
    const prev = sloTimes[i - 1];
    if (last && prev !== undefined && violation.get(prev) && t - prev === step) last.length++;
    else runs.push({ start: t, length: 1 });
  }
  const sustained = runs.filter((r) => r.length * step >= p.minDurationS * 1000);

  // "Fault episode": [f.start, f.end + grace), cut at the next fault's start.
  const faults = [...m.faults].sort((a, b) => a.start - b.start);
  const episodes = faults.map((f, k) => {
    const next = faults.slice(k + 1).find((g) => g.start > f.start);
    const end = Math.min(f.end + p.recoveryGraceS * 1000, next ? next.start : Infinity);
    return { f, start: f.start, end };
  });
  const inEpisode = (t: number): boolean => episodes.some((e) => t >= e.start && t < e.end);
  const perEpisode = episodes.map((e) => {
    const v1 = sloTimes.find((t) => t >= e.start && t < e.end && violation.get(t)) ?? null;
    const run = sustained.find((r) => r.start >= e.start && r.start < e.end);
    return { ...e, v1, onset: run ? run.start : null };
  });
  const spurious = sustained.filter((r) => !inEpisode(r.start)).map((r) => r.start);
  const onsets = [
    ...new Set([...perEpisode.flatMap((e) => (e.onset === null ? [] : [e.onset])), ...spurious]),
  ].sort((a, b) => a - b);

  // Alarms on scored hosts. READING: an alarm without a host (service level) counts as on a scored host.
  const scoredAlarms = alarms.filter(
    (a) => inPeriod(a.time) && (a.host === null || scoredHosts.includes(a.host)),
  );

  // Confusion counts over T.
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let outageSeconds = 0;
  let outageAlarmed = 0;
  for (const t of times) {
    const alarmed = scoredAlarms.some((a) => a.time > t - 1000 && a.time <= t);
    if (violation.get(t) === true) {
      outageSeconds++;
      if (alarmed) outageAlarmed++;
      continue;
    }
    const positive = onsets.some((o) => t < o && o <= t + W);
    if (positive && alarmed) tp++;
    else if (positive) fn++;
    else if (alarmed) fp++;
    else tn++;
  }

  // "Alarm runs": per host, alarms at most gapS apart.
  const runStarts: number[] = [];
  const byHost = new Map<string, number[]>();
  for (const a of scoredAlarms) {
    const key = a.host ?? '(service)';
    byHost.set(key, [...(byHost.get(key) ?? []), a.time]);
  }
  for (const ts of byHost.values()) {
    ts.sort((a, b) => a - b);
    ts.forEach((t, i) => {
      if (i === 0 || t - ts[i - 1]! > p.gapS * 1000) runStarts.push(t);
    });
  }
  runStarts.sort((a, b) => a - b);

  const epOut: IndependentEpisode[] = perEpisode.map((e) => {
    const o = e.onset;
    const a = o === null ? undefined : runStarts.find((r) => r >= e.f.start && r < o);
    // READING: TTD takes the first run starting at or after f.start within the fault's episode (a run
    // in the next fault's episode is that fault's detection, not this one's).
    const d = runStarts.find((r) => r >= e.f.start && r < e.end);
    return {
      fault: e.f.id,
      v1: e.v1,
      onset: o,
      leadS: a !== undefined && o !== null ? (o - a) / 1000 : null,
      leadToFirstS: a !== undefined && e.v1 !== null && a < e.v1 ? (e.v1 - a) / 1000 : null,
      maxLeadS: o !== null ? (o - e.f.start) / 1000 : null,
      maxLeadToFirstS: o !== null && e.v1 !== null ? (e.v1 - e.f.start) / 1000 : null,
      ttdS: d !== undefined ? (d - e.f.start) / 1000 : null,
    };
  });
  const failing = epOut.filter((e) => e.onset !== null);

  // "False alarms per hour": runs outside every episode not followed by an onset within W.
  const falseAlarms = runStarts.filter(
    (a) => !inEpisode(a) && !onsets.some((o) => o > a && o <= a + W),
  ).length;
  const hours = (period.end - period.start) / 3_600_000;

  return {
    scoredHosts,
    sampleTimes: times.length,
    onsets,
    spuriousOnsets: spurious.length,
    tp,
    fp,
    tn,
    fn,
    outageSeconds,
    outageAlarmed,
    meanLeadS: avg(failing.flatMap((e) => (e.leadS === null ? [] : [e.leadS]))),
    meanLeadToFirstS: avg(failing.flatMap((e) => (e.leadToFirstS === null ? [] : [e.leadToFirstS]))),
    meanTtdS: avg(epOut.flatMap((e) => (e.ttdS === null ? [] : [e.ttdS]))),
    failingEpisodes: failing.length,
    missedEpisodes: failing.filter((e) => e.leadS === null).length,
    falseAlarms,
    falseAlarmsPerHour: hours > 0 ? falseAlarms / hours : null,
    episodes: epOut,
  };
}
