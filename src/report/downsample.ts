// Downsampling for charts, so a report stays small whatever the run length: a series is cut into
// fixed buckets (at most MAX_BUCKETS per chart, bucket length a "nice" number of seconds, never
// shorter than the sample interval) and each bucket keeps its minimum, maximum and mean. The charts
// draw the min-max band and the mean line, so a spike inside a bucket still shows. Event streams
// (alarms, SLO-violation seconds) become intervals: times closer than one bucket merge into one.

import type { Dataset } from '../core/dataset.ts';

/** Upper bound on buckets per series (1,800 s at 10 s buckets = 180). */
export const MAX_BUCKETS = 200;

/**
 * Metric panels x buckets an experiment's charts may draw in all (the overview counts as one panel).
 * A bucket costs about 130 bytes (its embedded min/max/mean row plus its share of the band and line
 * paths), so 5,000 keep one run's timelines near 600 KB and its report under 1 MB: a run with many
 * hosts or metrics gets longer buckets (downsampled further), never fewer panels.
 */
export const PANEL_BUCKET_BUDGET = 5000;
/** The fewest buckets per chart the budget may force (1,800 s at 60 s buckets = 30). */
export const MIN_BUCKETS = 30;

/** Buckets per chart for `panels` metric panels under PANEL_BUCKET_BUDGET, within [MIN_BUCKETS, MAX_BUCKETS]. */
export function maxBucketsFor(panels: number, budget = PANEL_BUCKET_BUDGET): number {
  return Math.max(MIN_BUCKETS, Math.min(MAX_BUCKETS, Math.floor(budget / Math.max(1, panels))));
}

const NICE_SECONDS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400,
];

/** The shortest nice bucket (ms) that is >= the sample interval and gives <= maxBuckets buckets. */
export function chooseBucketMs(spanMs: number, sampleIntervalMs: number, maxBuckets = MAX_BUCKETS): number {
  for (const s of NICE_SECONDS) {
    const ms = s * 1000;
    if (ms >= sampleIntervalMs && Math.ceil(spanMs / ms) <= maxBuckets) return ms;
  }
  const day = 86_400_000;
  return Math.max(day, Math.ceil(spanMs / maxBuckets / day) * day);
}

export interface Bucket {
  /** Bucket start, seconds since the chart's origin. */
  t: number;
  lo: number;
  hi: number;
  /** Mean of the bucket's non-missing values. */
  m: number;
}

/** Rounds to `digits` significant digits (keeps the embedded data short; charts cannot show more). */
export function sig(x: number, digits = 4): number {
  return x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(digits));
}

/** Seconds since `originMs`, to the millisecond. */
export function relS(timeMs: number, originMs: number): number {
  return Math.round(timeMs - originMs) / 1000;
}

/**
 * Buckets the values at `rows` (row indices into `times`/`values`, in time order). Missing values
 * (NaN) are skipped; buckets without any value are left out (the line then joins across the gap).
 */
export function bucketize(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  rows: ArrayLike<number>,
  originMs: number,
  bucketMs: number,
): Bucket[] {
  const out: Bucket[] = [];
  let current = Number.NaN;
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  let n = 0;
  const flush = (): void => {
    if (n > 0)
      out.push({
        t: relS(originMs + current * bucketMs, originMs),
        lo: sig(lo),
        hi: sig(hi),
        m: sig(sum / n),
      });
  };
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k]!;
    const v = values[row]!;
    if (Number.isNaN(v)) continue;
    const b = Math.floor((times[row]! - originMs) / bucketMs);
    if (b !== current) {
      flush();
      current = b;
      lo = Infinity;
      hi = -Infinity;
      sum = 0;
      n = 0;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    sum += v;
    n++;
  }
  flush();
  return out;
}

/** Row indices of each host (index = host id in dataset.metrics.hosts), in time order. */
export function rowsByHost(dataset: Dataset): Int32Array[] {
  const { host, hosts } = dataset.metrics;
  const counts = new Int32Array(hosts.length);
  for (let i = 0; i < host.length; i++) counts[host[i]!]!++;
  const out = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(hosts.length);
  for (let i = 0; i < host.length; i++) {
    const h = host[i]!;
    out[h]![fill[h]!++] = i;
  }
  return out;
}

export interface Interval {
  start: number;
  end: number;
}

/**
 * Merges sorted event times (ms) into intervals: a time within `joinMs` of the previous one extends
 * the current interval; each event covers `widthMs` (its sample interval).
 */
export function mergeTimes(sortedTimes: ArrayLike<number>, joinMs: number, widthMs: number): Interval[] {
  const out: Interval[] = [];
  for (let i = 0; i < sortedTimes.length; i++) {
    const t = sortedTimes[i]!;
    const last = out[out.length - 1];
    if (last && t - (last.end - widthMs) <= joinMs) last.end = Math.max(last.end, t + widthMs);
    else out.push({ start: t, end: t + widthMs });
  }
  return out;
}

/** The SLO signal's rows and the seconds it is violated (signal >= threshold), or null without an SLO. */
export function sloSeries(dataset: Dataset): {
  signal: string;
  threshold: number;
  times: Float64Array;
  values: Float64Array;
  violated: number[];
} | null {
  const slo = dataset.manifest.slo;
  if (!slo || !dataset.slo) return null;
  const values = dataset.slo.columns[slo.signal];
  if (!values) return null;
  const violated: number[] = [];
  for (let i = 0; i < values.length; i++)
    if (values[i]! >= slo.threshold) violated.push(dataset.slo.time[i]!);
  return { signal: slo.signal, threshold: slo.threshold, times: dataset.slo.time, values, violated };
}

/** The spacing of SLO rows (ms): the smallest positive step among the first rows; 1 s by default. */
export function sloStepMs(times: ArrayLike<number>): number {
  let step = Infinity;
  for (let i = 1; i < Math.min(times.length, 100); i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > 0 && d < step) step = d;
  }
  return Number.isFinite(step) ? step : 1000;
}
