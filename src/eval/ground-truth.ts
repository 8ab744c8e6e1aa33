// Ground truth for scoring: which seconds violate the SLO, where violations begin (onsets), and per fault
// episode its onset, its natural recovery and its violation seconds (evaluation.md "Ground truth").
// All times are epoch ms. Everything is computed from the rows of the scored period [start, end) only.
//
// - Sample times: the distinct times of dataset.metrics rows in the period (the instants a predictor
//   scores; UBL Eq. 5 counts per sample).
// - SLO-violation second: an slo row in the period with columns[slo.signal] >= slo.threshold (evaluation.md;
//   NaN = missing = not violated). No SLO (manifest.slo or slo table null) = no violations at all.
// - Violation run: a maximal sequence of consecutive violated slo rows; two rows are consecutive when their
//   times differ by at most 1.5 x sampleIntervalMs, so a gap (missing rows) breaks a run. A run's length in
//   seconds is rows x sampleIntervalMs / 1000 (slo rows are taken to be one sample interval apart).
// - Onsets: the starts of violation runs at least minDurationS long (evaluation.md "Violation onset"; NAB
//   issue 410 for why lead time is measured against the onset, not the injection).
// - Fault episode: each manifest fault whose [start, end) overlaps the period. Its onset is the first violated
//   second at or after fault.start that begins a run (counted from that second) of at least minDurationS,
//   searched before max(fault.end, fault.start + W): a violation that begins after the fault ended and later
//   than the pending window W allows (W is by definition the injection-to-violation bound, algorithms.md
//   §1.8) is not attributed to the fault. An episode onset is added to the onset set.
// - Natural recovery: the first slo row time t after the onset at which the SLO holds and keeps holding for
//   minDurationS (every slo row in [t, t + minDurationS) holds; rows after the period end are unknown and do
//   not count against it) (evaluation.md "Fix time"); the period end when the SLO never recovers; null
//   without an onset.
// - Episode violation seconds: violated slo times in [fault.start, recovery), or in [fault.start, fault.end)
//   for an episode without an onset.
// - Control run (no faults and a phase named "control"): no onsets, so every alarm is a false positive
//   (evaluation.md "Control runs"); violation seconds are still reported.

import type { Dataset, FaultRecord } from '../core/dataset.ts';
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
  /** First sustained violation second attributed to the fault; null when the SLO never broke for it. */
  onset: number | null;
  /** Natural recovery (no action); the period end when the SLO never recovered; null without an onset. */
  recovery: number | null;
  /** Sorted violated slo times in [fault.start, recovery ?? fault.end), within the period. */
  violationTimes: Float64Array;
}

export interface GroundTruth {
  period: Period;
  sampleIntervalMs: number;
  /** False when the dataset has no SLO (manifest.slo or the slo table is null): no violation data at all. */
  hasSlo: boolean;
  /** Distinct metric-row times in the period, sorted. */
  sampleTimes: Float64Array;
  /** Violated slo row times in the period, sorted. */
  violationTimes: Float64Array;
  /** Violation onsets (run starts and episode onsets), sorted, distinct. */
  onsets: number[];
  /** One per fault overlapping the period, sorted by fault.start (manifest order on ties). */
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
  const windowMs = params.pendingWindowS * 1000;

  const sampleTimes = distinctTimesIn(dataset.metrics.time, period);

  // slo rows of the period: times and violated flags.
  const hasSlo = manifest.slo !== null && dataset.slo !== null;
  let times: Float64Array = new Float64Array(0);
  let violated: Uint8Array = new Uint8Array(0);
  if (manifest.slo !== null && dataset.slo !== null) {
    const { signal, threshold } = manifest.slo;
    const column = dataset.slo.columns[signal];
    if (column === undefined) {
      throw new DatasetError('slo.arrow', `no column "${signal}" (the manifest's slo.signal)`);
    }
    ({ times, violated } = sloRowsIn(dataset.slo.time, column, threshold, period));
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
  const longEnough = (i: number): boolean => ((runEnd[i] as number) - i + 1) * intervalMs >= minDurMs;

  const violationTimes = new Float64Array(violationCount);
  const onsetSet = new Set<number>();
  for (let i = 0, k = 0; i < n; i++) {
    if (!violated[i]) continue;
    violationTimes[k++] = times[i] as number;
    const startsRun = i === 0 || !violated[i - 1] || (times[i] as number) - (times[i - 1] as number) > gapMs;
    if (startsRun && longEnough(i)) onsetSet.add(times[i] as number);
  }

  const faults = manifest.faults
    .map((fault, index) => ({ fault, index }))
    .filter(({ fault }) => overlaps(fault, period))
    .sort((a, b) => a.fault.start - b.fault.start || a.index - b.index)
    .map(({ fault }) => fault);

  const episodes: Episode[] = faults.map((fault) => {
    // Onset: first violated row in [fault.start, searchEnd) whose run suffix is long enough. Within one
    // run the suffix only shrinks, so only the first row of each run at/after fault.start can qualify.
    const searchEnd = Math.max(fault.end, fault.start + windowMs);
    let onsetIdx = -1;
    let i = lowerBound(times, fault.start);
    while (i < n && (times[i] as number) < searchEnd) {
      if (!violated[i]) {
        i = nextViolated[i] as number;
        continue;
      }
      if (longEnough(i)) {
        onsetIdx = i;
        break;
      }
      i = (runEnd[i] as number) + 1;
    }
    let onset: number | null = null;
    let recovery: number | null = null;
    if (onsetIdx >= 0) {
      onset = times[onsetIdx] as number;
      onsetSet.add(onset);
      recovery = period.end;
      let j = (runEnd[onsetIdx] as number) + 1;
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
    const to = recovery ?? fault.end;
    const from = lowerBound(violationTimes, fault.start);
    const until = Math.max(from, lowerBound(violationTimes, to));
    return { fault, onset, recovery, violationTimes: violationTimes.subarray(from, until) };
  });

  // A control run (same workload, no fault) counts every alarm as a false positive (evaluation.md):
  // its violations, if any, are not onsets anyone should have predicted.
  const onsets = isControlRun(dataset) ? [] : [...onsetSet].sort((a, b) => a - b);
  return {
    period: { ...period },
    sampleIntervalMs: intervalMs,
    hasSlo,
    sampleTimes,
    violationTimes,
    onsets,
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

/** Whether a fault's [start, end) overlaps the period; a zero-length fault counts when its start is inside. */
function overlaps(fault: FaultRecord, period: Period): boolean {
  if (fault.start >= period.end) return false;
  return fault.end > period.start || fault.start >= period.start;
}

/** Distinct values of a time-sorted column within [start, end). O(log n + rows in the period). */
function distinctTimesIn(time: Float64Array, period: Period): Float64Array {
  const sorted = isSorted(time);
  const src = sorted ? time : Float64Array.from(time).sort();
  const from = lowerBound(src, period.start);
  const to = lowerBound(src, period.end);
  const out = new Float64Array(to - from);
  let k = 0;
  for (let i = from; i < to; i++) {
    const t = src[i] as number;
    if (k === 0 || out[k - 1] !== t) out[k++] = t;
  }
  return out.slice(0, k);
}

function sloRowsIn(
  time: Float64Array,
  column: Float64Array,
  threshold: number,
  period: Period,
): { times: Float64Array; violated: Uint8Array } {
  let order: Int32Array | null = null;
  if (!isSorted(time)) {
    order = Int32Array.from({ length: time.length }, (_, i) => i).sort(
      (a, b) => (time[a] as number) - (time[b] as number),
    );
  }
  const at = (i: number): number => (order === null ? i : (order[i] as number));
  const sortedTime = order === null ? time : Float64Array.from(order, (i) => time[i] as number);
  const from = lowerBound(sortedTime, period.start);
  const to = lowerBound(sortedTime, period.end);
  const times = sortedTime.slice(from, to);
  const violated = new Uint8Array(to - from);
  for (let i = from; i < to; i++) {
    const v = column[at(i)] as number;
    // NaN (missing) compares false: not violated.
    violated[i - from] = v >= threshold ? 1 : 0;
  }
  return { times, violated };
}

function isSorted(a: Float64Array): boolean {
  for (let i = 1; i < a.length; i++) if ((a[i] as number) < (a[i - 1] as number)) return false;
  return true;
}
