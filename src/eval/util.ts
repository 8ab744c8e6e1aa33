// Small numeric helpers for the scoring modules. Every statistic of an empty list is null (never NaN);
// the generic ones live in src/core/stats.ts and are re-exported here.

export { lowerBound, mean, median } from '../core/stats.ts';

/** n / d, or null when d is 0 (evaluation rule: a ratio with a zero denominator is undefined, not 0). */
export function ratio(n: number, d: number): number | null {
  return d === 0 ? null : n / d;
}
