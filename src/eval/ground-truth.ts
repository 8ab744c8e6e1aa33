// Ground truth of scoring rules version 2 (../shared/spec/evaluation.md "What is scored" and "Ground truth
// from the SLO series"). All times are epoch ms; everything comes from the rows of the scored period
// [start, end) only.
//
// - Scored hosts: the manifest hosts not marked `"harness": true` (params.hosts 'under-test'), or all.
// - Sample times T: the distinct times of metric rows of scored hosts in the period.
// - Violation second: an slo row whose signal is >= slo.threshold; or whose failed requests exceed
//   slo.maxErrorRate (default 0) of its requests (`errors` / `count`; errors with no count violate); or
//   a row with no requests at all (`count` 0; without a count column, a missing signal) while a fault is
//   active (fault.start <= t < fault.end). A missing slo row is unknown: not a violation. NaN = missing.
// - Violation run: maximal run of consecutive violated rows (rows at most 1.5 sample intervals apart);
//   sustained when rows x interval >= minDurationS.
// - Fault episode of f: [f.start, f.end + recoveryGraceS), cut at the start of the next fault (by start
//   time). v1 = its first violation second; onset = the start of the first sustained run that starts in
//   it (the run may go on past the episode). No onset: "no SLO effect", its seconds are negatives.
// - Spurious onsets: the starts of sustained runs that start outside every episode (one per run).
// - Onsets O = the episodes' onsets + the spurious ones: one per episode however the SLO flickers.
// - Natural recovery (for fix time): the first slo row after the onset's run from which the SLO holds for
//   minDurationS; the period end when it never does; null without an onset.
// - Control run (no faults and a phase named "control"): no episodes; every alarm run is a false alarm.

import { hostsUnderTest, type Dataset, type FaultRecord } from '../core/dataset.ts';
import { ConfigError, DatasetError } from '../core/errors.ts';
import type { ScoringParams } from './params.ts';
import { lowerBound } from './util.ts';

export interface Period {
  start: number;
  /** Exclusive. */
  end: number;
}

export interface Episode {
  fault: FaultRecord;
  /** The episode: [start, end) = [f.start, f.end + recoveryGraceS), cut at the next fault's start. */
  start: number;
  end: number;
  /** v1: the first violation second in the episode (within the period); null when none. */
  firstViolation: number | null;
  /** o: the start of the episode's first sustained run; null = the fault had no SLO effect. */
  onset: number | null;
  /** Natural recovery (no action); the period end when the SLO never recovered; null without an onset. */
  recovery: number | null;
  /** Sorted violation seconds in [start, end), within the period. */
  violationTimes: Float64Array;
}

export interface GroundTruth {
  period: Period;
  sampleIntervalMs: number;
  /** False when the dataset has no SLO (manifest.slo or the slo table is null): no violation data at all. */
  hasSlo: boolean;
  /** A run without faults whose phases include "control". */
  control: boolean;
  /** Scored hosts, manifest order. */
  scoredHosts: string[];
  /** The failed-request share over which a second violates (manifest slo.maxErrorRate, default 0). */
  maxErrorRate: number;
  /** Distinct metric-row times of scored hosts in the period, sorted. */
  sampleTimes: Float64Array;
  /** slo row times in the period, sorted, and whether each violates. */
  sloTimes: Float64Array;
  sloViolated: Uint8Array;
  /** Violation seconds in the period, sorted. */
  violationTimes: Float64Array;
  /** O: episode onsets and spurious onsets, sorted, distinct. */
  onsets: number[];
  /** Starts of sustained runs outside every episode, sorted. */
  spuriousOnsets: number[];
  /** One per fault whose episode overlaps the period, by fault.start (manifest order on ties). */
  episodes: Episode[];
}

export function buildGroundTruth(dataset: Dataset, period: Period, params: ScoringParams): GroundTruth {
  const { manifest } = dataset;
  if (!Number.isFinite(period.start) || !Number.isFinite(period.end) || period.end < period.start) {
    throw new ConfigError(`period: expected finite start <= end, got [${period.start}, ${period.end})`);
  }
  const intervalMs = manifest.sampleIntervalMs;
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
    throw new DatasetError('manifest.json', `sampleIntervalMs must be a positive number, got ${intervalMs}`);
  }
  const minDurMs = params.minDurationS * 1000;
  const graceMs = params.recoveryGraceS * 1000;
  const scoredHosts = hostsUnderTest(manifest, params.hosts === 'all');
  const sampleTimes = sampleTimesOf(dataset, scoredHosts, period);
  const maxErrorRate = manifest.slo?.maxErrorRate ?? 0;

  // Episodes: every fault, sorted, each cut at the next fault's start; those overlapping the period.
  const sorted = manifest.faults
    .map((fault, index) => ({ fault, index }))
    .sort((a, b) => a.fault.start - b.fault.start || a.index - b.index)
    .map(({ fault }) => fault);
  const windows = sorted
    .map((fault) => {
      const next = sorted.find((g) => g.start > fault.start);
      const end = Math.min(fault.end + graceMs, next?.start ?? Infinity);
      return { fault, start: fault.start, end: Math.max(fault.start, end) };
    })
    .filter((w) => w.start < period.end && (w.end > period.start || w.start >= period.start));

  // slo rows of the period and their violation flags.
  const hasSlo = manifest.slo !== null && dataset.slo !== null;
  let times: Float64Array = new Float64Array(0);
  let violated: Uint8Array = new Uint8Array(0);
  if (manifest.slo !== null && dataset.slo !== null) {
    const faultActive = (t: number): boolean => manifest.faults.some((f) => f.start <= t && t < f.end);
    ({ times, violated } = sloRowsIn(dataset, period, maxErrorRate, faultActive));
  }
  const n = times.length;
  const gapMs = 1.5 * intervalMs;

  // runEnd[i]: index of the last row of the run containing violated row i.
  // nextViolated[i]: index of the first violated row after i (n when none).
  const runEnd = new Int32Array(n);
  const nextViolated = new Int32Array(n);
  let violationCount = 0;
  for (let i = n - 1; i >= 0; i--) {
    nextViolated[i] = i + 1 < n ? (violated[i + 1] ? i + 1 : (nextViolated[i + 1] as number)) : n;
    if (!violated[i]) continue;
    violationCount++;
    const joins =
      i + 1 < n && violated[i + 1] === 1 && (times[i + 1] as number) - (times[i] as number) <= gapMs;
    runEnd[i] = joins ? (runEnd[i + 1] as number) : i;
  }
  const sustained = (i: number): boolean => ((runEnd[i] as number) - i + 1) * intervalMs >= minDurMs;

  const violationTimes = new Float64Array(violationCount);
  const runStarts: number[] = []; // indices of rows that start a sustained run
  for (let i = 0, k = 0; i < n; i++) {
    if (!violated[i]) continue;
    violationTimes[k++] = times[i] as number;
    const startsRun = i === 0 || !violated[i - 1] || (times[i] as number) - (times[i - 1] as number) > gapMs;
    if (startsRun && sustained(i)) runStarts.push(i);
  }

  const onsetIdx = windows.map(() => -1);
  const spuriousOnsets: number[] = [];
  for (const i of runStarts) {
    const t = times[i] as number;
    const k = windows.findIndex((w) => w.start <= t && t < w.end);
    if (k < 0) spuriousOnsets.push(t);
    else if ((onsetIdx[k] as number) < 0) onsetIdx[k] = i;
  }

  const episodes: Episode[] = windows.map((w, k) => {
    const idx = onsetIdx[k] as number;
    let onset: number | null = null;
    let recovery: number | null = null;
    if (idx >= 0) {
      onset = times[idx] as number;
      recovery = period.end;
      let j = (runEnd[idx] as number) + 1;
      while (j < n) {
        if (violated[j]) {
          j = (runEnd[j] as number) + 1;
          continue;
        }
        const next = nextViolated[j] as number;
        if (next === n || (times[next] as number) >= (times[j] as number) + minDurMs) {
          recovery = times[j] as number;
          break;
        }
        // Every non-violated row before `next` is even closer to it, so none of them qualifies either.
        j = next;
      }
    }
    const from = lowerBound(violationTimes, w.start);
    const until = Math.max(from, lowerBound(violationTimes, w.end));
    const own = violationTimes.subarray(from, until);
    return {
      fault: w.fault,
      start: w.start,
      end: w.end,
      firstViolation: own.length > 0 ? (own[0] as number) : null,
      onset,
      recovery,
      violationTimes: own,
    };
  });

  const onsets = [
    ...new Set([...episodes.flatMap((e) => (e.onset === null ? [] : [e.onset])), ...spuriousOnsets]),
  ].sort((a, b) => a - b);
  return {
    period: { ...period },
    sampleIntervalMs: intervalMs,
    hasSlo,
    control: isControlRun(dataset),
    scoredHosts,
    maxErrorRate,
    sampleTimes,
    sloTimes: times,
    sloViolated: violated,
    violationTimes,
    onsets,
    spuriousOnsets,
    episodes,
  };
}

/** The phase name that marks a control run (the synthesizer and the experiment runner set it). */
export const CONTROL_PHASE = 'control';

export function isControlRun(dataset: Dataset): boolean {
  return (
    dataset.manifest.faults.length === 0 && dataset.manifest.phases.some((p) => p.name === CONTROL_PHASE)
  );
}

/** The index of the episode whose window [start, end) holds `t`, or -1. */
export function episodeAt(truth: GroundTruth, t: number): number {
  return truth.episodes.findIndex((e) => e.start <= t && t < e.end);
}

/** Distinct times of metric rows of the scored hosts within the period, sorted. */
function sampleTimesOf(dataset: Dataset, scoredHosts: string[], period: Period): Float64Array {
  const table = dataset.metrics;
  const wanted = new Set(scoredHosts);
  const keep = Uint8Array.from(table.hosts, (h) => (wanted.has(h) ? 1 : 0));
  const out: number[] = [];
  for (let i = 0; i < table.time.length; i++) {
    const t = table.time[i] as number;
    if (t < period.start || t >= period.end || !keep[table.host[i] as number]) continue;
    out.push(t);
  }
  out.sort((a, b) => a - b);
  const distinct = out.filter((t, i) => i === 0 || out[i - 1] !== t);
  return Float64Array.from(distinct);
}

function sloRowsIn(
  dataset: Dataset,
  period: Period,
  maxErrorRate: number,
  faultActive: (t: number) => boolean,
): { times: Float64Array; violated: Uint8Array } {
  const spec = dataset.manifest.slo!;
  const slo = dataset.slo!;
  const signal = slo.columns[spec.signal];
  if (signal === undefined) {
    throw new DatasetError('slo.arrow', `no column "${spec.signal}" (the manifest's slo.signal)`);
  }
  const count = slo.columns.count;
  const errors = slo.columns.errors;
  const time = slo.time;
  const order = Int32Array.from({ length: time.length }, (_, i) => i);
  if (!isSorted(time)) order.sort((a, b) => (time[a] as number) - (time[b] as number));
  const rows: number[] = [];
  for (const i of order) {
    const t = time[i] as number;
    if (t >= period.start && t < period.end) rows.push(i);
  }
  const times = Float64Array.from(rows, (i) => time[i] as number);
  const violated = Uint8Array.from(rows, (i) => {
    const t = time[i] as number;
    const v = signal[i] as number;
    if (v >= spec.threshold) return 1; // NaN compares false
    const c = count?.[i];
    const e = errors?.[i];
    if (e !== undefined && e > 0) {
      if (!(c !== undefined && c > 0) || e / c > maxErrorRate) return 1;
    }
    const noRequests = count !== undefined ? c === 0 : Number.isNaN(v);
    return noRequests && faultActive(t) ? 1 : 0;
  });
  return { times, violated };
}

function isSorted(a: Float64Array): boolean {
  for (let i = 1; i < a.length; i++) if ((a[i] as number) < (a[i - 1] as number)) return false;
  return true;
}
