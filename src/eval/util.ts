// Small numeric helpers shared by the scoring modules. Every statistic of an empty list is null (never NaN).

/** First index i in the sorted array `a` with a[i] >= x (a.length when none). O(log n). */
export function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** n / d, or null when d is 0 (evaluation rule: a ratio with a zero denominator is undefined, not 0). */
export function ratio(n: number, d: number): number | null {
  return d === 0 ? null : n / d;
}

export function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Median; the mean of the two middle values for an even count. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >>> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
