// Shared helpers for the synthetic-generator tests: series extraction and simple change detection.

import type { Dataset } from '../../src/core/dataset.ts';

/** One host's values of one metric, in time order (the generator emits every host every second). */
export function series(ds: Dataset, host: string, metric: string): Float64Array {
  const { metrics: mt } = ds;
  const h = mt.hosts.indexOf(host);
  const m = mt.metrics.indexOf(metric);
  if (h < 0 || m < 0) throw new Error(`no ${host}/${metric}`);
  const col = mt.columns[m] as Float64Array;
  const out: number[] = [];
  for (let r = 0; r < mt.time.length; r++) if (mt.host[r] === h) out.push(col[r] as number);
  return Float64Array.from(out);
}

/** Seconds since the run start. */
export function secondOf(ds: Dataset, ms: number): number {
  return Math.round((ms - ds.manifest.start) / 1000);
}

export function meanSd(x: Float64Array, from: number, to: number): { mean: number; sd: number } {
  let s = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    s += x[i] as number;
    s2 += (x[i] as number) ** 2;
  }
  const n = to - from;
  const mean = s / n;
  return { mean, sd: Math.sqrt(Math.max(0, s2 / n - mean * mean)) };
}

export function mean(x: Float64Array, from: number, to: number): number {
  return meanSd(x, from, to).mean;
}

/**
 * First second in [from, to) that starts `run` consecutive seconds deviating from the baseline
 * [baseFrom, from) by more than k standard deviations (sd floored at `minSd`); -1 if none.
 */
export function firstDeviation(
  x: Float64Array,
  baseFrom: number,
  from: number,
  to: number,
  k = 6,
  run = 5,
  minSd = 1e-3,
): number {
  const { mean: m, sd } = meanSd(x, baseFrom, from);
  const limit = k * Math.max(sd, minSd);
  let count = 0;
  for (let t = from; t < to; t++) {
    if (Math.abs((x[t] as number) - m) > limit) {
      count++;
      if (count === run) return t - run + 1;
    } else count = 0;
  }
  return -1;
}

/** First second at or after `from` that begins >= minRun consecutive SLO-violating seconds; -1 if none. */
export function violationOnset(ds: Dataset, from: number, minRun = 3): number {
  const slo = ds.manifest.slo;
  const sig = slo ? ds.slo?.columns[slo.signal] : undefined;
  if (!slo || !sig) return -1;
  let count = 0;
  for (let t = from; t < sig.length; t++) {
    if ((sig[t] as number) >= slo.threshold) {
      count++;
      if (count === minRun) return t - minRun + 1;
    } else count = 0;
  }
  return -1;
}

export function violated(ds: Dataset, t: number): boolean {
  const slo = ds.manifest.slo;
  const sig = slo ? ds.slo?.columns[slo.signal] : undefined;
  return !!slo && !!sig && (sig[t] as number) >= slo.threshold;
}
