// Small numeric helpers shared by algorithms and evaluation (pure, deterministic).

/** Linear-interpolated quantile (type 7, as numpy's default) of an ascending-sorted array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Mean and sample standard deviation, skipping NaN. Returns count 0 and NaNs for no data. */
export function meanSd(
  values: ArrayLike<number>,
  from = 0,
  to = values.length,
): { mean: number; sd: number; n: number } {
  let n = 0;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      n++;
      sum += v;
    }
  }
  if (n === 0) return { mean: NaN, sd: NaN, n };
  const mean = sum / n;
  let ss = 0;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) ss += (v - mean) * (v - mean);
  }
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n };
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return quantileSorted(s, 0.5);
}

export function mean(values: number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
