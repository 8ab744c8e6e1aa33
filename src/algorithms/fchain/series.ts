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
  const hostNames: string[] = [];
  // Samples come grouped by time, the hosts in the same order at every time: the time lookup is
  // skipped while the time repeats, and the host at position p of a group is first guessed to be
  // the one at position p of the previous group (a string compare, no Map lookup).
  const timeOf = new Int32Array(samples.length);
  const hostOf = new Int32Array(samples.length);
  const hostAtPos: number[] = [];
  let lastTime = NaN;
  let lastIndex = -1;
  let pos = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (s.time !== lastTime) {
      lastTime = s.time;
      pos = 0;
      let k = timeIndex.get(s.time);
      if (k === undefined) {
        k = timeList.length;
        timeIndex.set(s.time, k);
        timeList.push(s.time);
      }
      lastIndex = k;
    }
    timeOf[i] = lastIndex;
    let h = hostAtPos[pos];
    if (h === undefined || hostNames[h] !== s.host) {
      h = hostIndex.get(s.host);
      if (h === undefined) {
        h = hostNames.length;
        hostIndex.set(s.host, h);
        hostNames.push(s.host);
      }
      hostAtPos[pos] = h;
    }
    hostOf[i] = h;
    pos++;
  }
  // Samples come in time order, but be safe: sort the axis and remap.
  const order = timeList.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0]);
  const times = Float64Array.from(order, ([t]) => t);
  const remap = new Int32Array(order.length);
  order.forEach(([, old], p) => (remap[old] = p));
  const hosts = [...hostNames].sort();
  const sortedIndex = new Map(hosts.map((h, i) => [h, i]));
  const n = times.length;
  const values = hosts.map(() => Array.from({ length: metricCount }, () => new Float64Array(n).fill(NaN)));
  // Per first-seen host index, its row.
  const rowOf = hostNames.map((h) => values[sortedIndex.get(h)!]!);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const row = rowOf[hostOf[i]!]!;
    const t = remap[timeOf[i]!]!;
    const v = s.values;
    const m = Math.min(metricCount, v.length);
    for (let k = 0; k < m; k++) row[k]![t] = v[k]!;
  }
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
