// Robust per-metric reference statistics (BARO's RobustScaler, made safe for real metrics): centre
// = median of normal data, scale = its IQR, floored so that a metric that never moved in normal data
// (quantised latency percentiles, idle counters: IQR 0) does not turn every blip into an infinite
// score, and so that metrics of any unit (%, bytes, seconds) land on one unit-free scale.

import { quantileSorted } from '../../core/stats.ts';

export interface RobustStats {
  median: number;
  /** Interquartile range of the normal data. */
  iqr: number;
  /** 1st and 99th percentiles (the normal range without its most extreme 2 %). */
  lo: number;
  hi: number;
  n: number;
}

/** Statistics of the finite values of x[from..to); null with fewer than 2 of them. */
export function robustStats(x: ArrayLike<number>, from = 0, to = x.length): RobustStats | null {
  const v: number[] = [];
  for (let i = from; i < to; i++) if (Number.isFinite(x[i]!)) v.push(x[i]!);
  if (v.length < 2) return null;
  const s = Float64Array.from(v).sort();
  return {
    median: quantileSorted(s, 0.5),
    iqr: quantileSorted(s, 0.75) - quantileSorted(s, 0.25),
    lo: quantileSorted(s, 0.01),
    hi: quantileSorted(s, 0.99),
    n: s.length,
  };
}

/**
 * The scale a deviation is measured in: the IQR, at least `rangeShare` of the normal range
 * (hi - lo) and at least `relShare` of |median| (so a relative change counts where the normal data
 * was flat: CPU at 1 % going to 97 %), and never below a tiny absolute floor.
 */
export function robustScale(st: RobustStats, rangeShare: number, relShare: number): number {
  const floor = 1e-9 * (1 + Math.abs(st.median));
  return Math.max(st.iqr, rangeShare * (st.hi - st.lo), relShare * Math.abs(st.median), floor);
}

/**
 * quantileSorted(x sorted, q) without sorting: the two order statistics it interpolates, found by
 * selection in O(n) (x is reordered). The same number as sorting first; x must hold no NaN.
 */
export function quantileSelect(x: Float64Array, q: number): number {
  const n = x.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  select(x, lo);
  if (pos === lo || lo + 1 >= n) return x[lo]!;
  let next = Infinity;
  for (let i = lo + 1; i < n; i++) if (x[i]! < next) next = x[i]!;
  return x[lo]! + (next - x[lo]!) * (pos - lo);
}

/** Reorders x so that x[k] is its k-th smallest, smaller ones before it, larger ones after (Hoare). */
function select(x: Float64Array, k: number): void {
  let left = 0;
  let right = x.length - 1;
  while (right > left) {
    const pivot = x[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (x[i]! < pivot) i++;
      while (x[j]! > pivot) j--;
      if (i <= j) {
        const t = x[i]!;
        x[i] = x[j]!;
        x[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}
