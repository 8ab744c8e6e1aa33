// Tangent-based rollback to the true onset (algorithms.md §3.0, Tsubouchi's notes on FChain
// [C-2nd]): the abnormal change point that was selected often lies in the middle of the fault's
// manifestation (a ramp is cut into several CUSUM segments). Starting from it, compare the tangent
// at the current change point with the tangent at the previous one; while they are close (< 0.1),
// move back to the previous change point.
//
// Reconstructed details: the tangent at a change point is the least-squares slope of the segment
// that starts there (up to the next change point, or the end of the analysed window); the series is
// normalised first (values by their range over the window, time by the window length) so that one
// tolerance fits metrics of any unit, and tangents are compared as angles (atan of the normalised
// slope, radians), so "close" means the same direction whatever the steepness.

/** Tangent angle (rad) of x over [from, to), normalised by `valueRange` and `timeSpan` (samples). */
export function tangentAngle(
  x: ArrayLike<number>,
  from: number,
  to: number,
  valueRange: number,
  timeSpan: number,
): number {
  const n = to - from;
  if (n < 2 || !(valueRange > 0)) return 0;
  let st = 0;
  let sv = 0;
  for (let i = 0; i < n; i++) {
    st += i;
    sv += x[from + i]!;
  }
  const mt = st / n;
  const mv = sv / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dt = i - mt;
    num += dt * (x[from + i]! - mv);
    den += dt * dt;
  }
  const slope = num / den; // value units per sample
  return Math.atan((slope * timeSpan) / valueRange);
}

/**
 * Rolls the abnormal change point cps[k] back. `cps` ascending, within [from, to) (the analysed
 * window). Returns the index into cps of the onset.
 */
export function rollback(
  x: ArrayLike<number>,
  cps: readonly number[],
  k: number,
  from: number,
  to: number,
  tolerance: number,
): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const v = x[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  const span = to - from;
  // The segment that starts at cps[i]; at least two samples so a slope exists.
  const angle = (i: number): number => {
    const start = cps[i]!;
    const end = Math.min(to, Math.max(i + 1 < cps.length ? cps[i + 1]! : to, start + 2));
    return tangentAngle(x, start, end, range, span);
  };
  let cur = k;
  let curAngle = angle(cur);
  while (cur > 0) {
    const prevAngle = angle(cur - 1);
    if (Math.abs(curAngle - prevAngle) >= tolerance) break;
    cur--;
    curAngle = prevAngle;
  }
  return cur;
}
