// Bayesian online change-point detection (Adams & MacKay 2007), the change-point step of BARO
// (Pham, Ha, Zhang, FSE'24): a run-length posterior over a univariate series with a constant hazard
// and a Normal-Gamma model (unknown mean and variance, Student-t predictive). Used once per
// localization on the system's aggregate anomaly series, so O(n^2) in the window length is cheap
// (n = 600 samples: ~0.2 M updates). Pure and deterministic.

export interface BocpdOptions {
  /** Expected run length between changes (samples): hazard = 1 / hazardSamples. */
  hazardSamples: number;
}

/**
 * The most recent change point of x: the start index of the current run under the maximum a
 * posteriori run length after the last sample (0 when the MAP says "no change"). Non-finite values
 * are skipped (the run grows through them).
 */
export function lastChangePoint(x: ArrayLike<number>, opts: BocpdOptions): number {
  const n = x.length;
  if (n < 3) return 0;
  // Prior from the series' own scale (so the model is unit-free): mean 0 after centring on the
  // first value, precision kappa0 = 1, alpha0 = 1, beta0 = the series' variance (>= a tiny floor).
  let s = 0;
  let ss = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) continue;
    m++;
    s += v;
    ss += v * v;
  }
  if (m < 3) return 0;
  const mean0 = s / m;
  const var0 = Math.max(ss / m - mean0 * mean0, 1e-12 * (1 + mean0 * mean0));
  const h = 1 / Math.max(1, opts.hazardSamples);
  // Sufficient statistics per run length r (index r = run of r samples before the current one),
  // in buffers of n + 1 updated in place (each step shifts run r to r + 1: walk down from the top).
  let p = new Float64Array(n + 1);
  let np = new Float64Array(n + 1);
  const mu = new Float64Array(n + 1);
  const kappa = new Float64Array(n + 1);
  const alpha = new Float64Array(n + 1);
  const beta = new Float64Array(n + 1);
  // lgamma((nu + 1) / 2) - lgamma(nu / 2) for nu = 2 alpha: alpha is 1 + r / 2 for run r, so the
  // Student-t constant is a function of r alone (computed once per r, the same numbers as before).
  const gammaTerm = new Float64Array(n + 1).fill(NaN);
  p[0] = 1;
  mu[0] = mean0;
  kappa[0] = 1;
  alpha[0] = 1;
  beta[0] = var0;
  let r = 1;
  for (let t = 0; t < n; t++) {
    const v = x[t]!;
    if (!Number.isFinite(v)) continue;
    let cp = 0;
    for (let i = 0; i < r; i++) {
      const a = alpha[i]!;
      const k = kappa[i]!;
      const nu = 2 * a;
      let g = gammaTerm[i]!;
      if (g !== g) g = gammaTerm[i] = lgamma((nu + 1) / 2) - lgamma(nu / 2); // NaN: not yet computed
      // The Student-t predictive density of v (location mu, squared scale s2, nu degrees of
      // freedom), inlined: this loop is the O(n^2) part (~0.2 M evaluations at n = 600).
      const s2 = (beta[i]! * (k + 1)) / (a * k);
      const d = v - mu[i]!;
      const zt = (d * d) / (s2 * nu);
      const logc = g - 0.5 * Math.log(nu * Math.PI * s2);
      const w = p[i]! * Math.exp(logc - ((nu + 1) / 2) * Math.log1p(zt));
      np[i + 1] = w * (1 - h);
      cp += w * h;
    }
    np[0] = cp;
    let total = 0;
    for (let i = 0; i <= r; i++) total += np[i]!;
    if (!(total > 0)) {
      np.fill(0, 0, r + 1);
      np[0] = 1;
      total = 1;
    }
    for (let i = 0; i <= r; i++) np[i]! /= total;
    for (let i = r - 1; i >= 0; i--) {
      const k = kappa[i]!;
      const m0 = mu[i]!;
      mu[i + 1] = (k * m0 + v) / (k + 1);
      kappa[i + 1] = k + 1;
      alpha[i + 1] = alpha[i]! + 0.5;
      beta[i + 1] = beta[i]! + (k * (v - m0) ** 2) / (2 * (k + 1));
    }
    mu[0] = mean0;
    kappa[0] = 1;
    alpha[0] = 1;
    beta[0] = var0;
    [p, np] = [np, p];
    r++;
  }
  p = p.subarray(0, r);
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  // Run length `best` counts the finite samples of the current run: walk back over them.
  let idx = n;
  let left = best;
  while (idx > 0 && left > 0) {
    idx--;
    if (Number.isFinite(x[idx]!)) left--;
  }
  return best === 0 ? n - 1 : idx;
}

/** log Gamma (Lanczos, g = 7), accurate to ~1e-13 for x > 0. */
function lgamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  const xx = x - 1;
  let a = c[0]!;
  const t = xx + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}
