// The localizer's view of a Window: one time axis (the distinct sample times, ascending) and, per
// host, one Float64Array per metric aligned with it. Missing values (NaN, or a host absent at a
// time) are filled from the previous value (the next one before the first), so the change-point
// and spectral steps see complete series; a metric that is missing throughout stays all-NaN and
// is skipped by the callers.

import type { Sample } from '../../core/algorithm.ts';

export interface WindowSeries {
  times: Float64Array;
  /** The hosts that have samples in the window, sorted by name. */
  hosts: string[];
  /** values[h][m] is host h's metric m over `times`. */
  values: Float64Array[][];
}

export function windowSeries(samples: readonly Sample[], metricCount: number): WindowSeries {
  const timeIndex = new Map<number, number>();
  const timeList: number[] = [];
  const hostIndex = new Map<string, number>();
  // Samples come grouped by time: consecutive ones mostly share a time and the lookups are skipped.
  const timeOf = new Int32Array(samples.length);
  let lastTime = NaN;
  let lastIndex = -1;
  let lastHost = '';
  samples.forEach((s, i) => {
    if (s.time !== lastTime) {
      lastTime = s.time;
      let k = timeIndex.get(s.time);
      if (k === undefined) {
        k = timeList.length;
        timeIndex.set(s.time, k);
        timeList.push(s.time);
      }
      lastIndex = k;
    }
    timeOf[i] = lastIndex;
    if (s.host !== lastHost && !hostIndex.has(s.host)) hostIndex.set(s.host, hostIndex.size);
    lastHost = s.host;
  });
  // Samples come in time order, but be safe: sort the axis and remap.
  const order = timeList.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0]);
  const times = Float64Array.from(order, ([t]) => t);
  const remap = new Int32Array(order.length);
  order.forEach(([, old], pos) => (remap[old] = pos));
  const hosts = [...hostIndex.keys()].sort();
  const sortedIndex = new Map(hosts.map((h, i) => [h, i]));
  const n = times.length;
  const values = hosts.map(() => Array.from({ length: metricCount }, () => new Float64Array(n).fill(NaN)));
  // Per original host index, its row (one Map lookup per host, not per sample).
  const rowOf = [...hostIndex.keys()].map((h) => values[sortedIndex.get(h)!]!);
  samples.forEach((s, i) => {
    const row = rowOf[hostIndex.get(s.host)!]!;
    const t = remap[timeOf[i]!]!;
    const m = Math.min(metricCount, s.values.length);
    for (let k = 0; k < m; k++) row[k]![t] = s.values[k]!;
  });
  for (const row of values) for (const x of row) fillGaps(x);
  return { times, hosts, values };
}

/** Fills NaN from the previous finite value (from the first finite value at the start). In place. */
export function fillGaps(x: Float64Array): void {
  let first = -1;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]!)) {
      first = i;
      break;
    }
  }
  if (first < 0) return;
  for (let i = 0; i < first; i++) x[i] = x[first]!;
  let last = x[first]!;
  for (let i = first + 1; i < x.length; i++) {
    if (Number.isFinite(x[i]!)) last = x[i]!;
    else x[i] = last;
  }
}

/** Index of the first time >= t (times ascending). */
export function indexAtOrAfter(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
