// The expected prediction error at a change point, from the metric's burst signal (FChain's
// predictability filter; algorithms.md §3.1 step 4b): take x over [c - Q, c + Q], transform it
// with an FFT, keep the top share of the frequencies (dropping the lowest ones, DC included),
// transform back, and take a high quantile of the magnitude. Bursty metrics get high thresholds,
// stable ones low thresholds.
//
// Computing it: zeroing the lowest K coefficients of a real signal and inverting is the same as
// subtracting the signal's projection on those K frequencies, x - lowpass(x). With K = 3 of the 21
// frequencies of a 41-sample window that projection costs O(K N) instead of a full FFT, with an
// identical result (test/algorithms/fchain/burst.test.ts checks it against a plain DFT).

import { quantileSorted } from '../../core/stats.ts';

/** How many of the lowest frequencies (DC first) are dropped for an N-sample window. */
export function droppedFrequencies(n: number, keepFraction: number): number {
  const k = Math.floor(n / 2) + 1; // distinct frequencies of a real signal (rfft length)
  return Math.min(k, Math.max(1, Math.ceil((1 - keepFraction) * k - 1e-9)));
}

/**
 * The burst signal of x[from..to) into out[0..to-from): x minus its components at the lowest
 * `dropped` frequencies of an N-point DFT.
 */
export function burstSignal(
  x: ArrayLike<number>,
  from: number,
  to: number,
  dropped: number,
  out: Float64Array,
): void {
  const n = to - from;
  const { cos, sin } = twiddles(n);
  for (let j = 0; j < n; j++) out[j] = x[from + j]!;
  for (let k = 0; k < dropped; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0, p = 0; j < n; j++, p = (p + k) % n) {
      const v = x[from + j]!;
      re += v * cos[p]!;
      im -= v * sin[p]!;
    }
    // Inverse of bin k together with its mirror n - k (one real cosine), except DC and Nyquist.
    const mirrored = k !== 0 && !(n % 2 === 0 && k === n / 2);
    const scale = (mirrored ? 2 : 1) / n;
    for (let j = 0, p = 0; j < n; j++, p = (p + k) % n) out[j]! -= scale * (re * cos[p]! - im * sin[p]!);
  }
}

/** cos and sin of 2 pi p / n for p in [0, n), cached per n (windows are almost always 2Q + 1 long). */
const TWIDDLES = new Map<number, { cos: Float64Array; sin: Float64Array }>();

function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  let t = TWIDDLES.get(n);
  if (!t) {
    const cos = new Float64Array(n);
    const sin = new Float64Array(n);
    for (let p = 0; p < n; p++) {
      cos[p] = Math.cos((2 * Math.PI * p) / n);
      sin[p] = Math.sin((2 * Math.PI * p) / n);
    }
    t = { cos, sin };
    if (TWIDDLES.size < 64) TWIDDLES.set(n, t);
  }
  return t;
}

/**
 * Expected prediction error: the `percentile` quantile of |burst signal| over x[from..to).
 * `scratch` must hold to - from values. Infinity for fewer than 4 samples: no spectrum to judge by,
 * so no change point there counts as abnormal.
 */
export function burstThreshold(
  x: ArrayLike<number>,
  from: number,
  to: number,
  keepFraction: number,
  percentile: number,
  scratch: Float64Array,
): number {
  const n = to - from;
  if (n < 4) return Infinity;
  burstSignal(x, from, to, droppedFrequencies(n, keepFraction), scratch);
  const mags = scratch.subarray(0, n);
  for (let j = 0; j < n; j++) mags[j] = Math.abs(mags[j]!);
  mags.sort();
  return quantileSorted(mags, percentile);
}
