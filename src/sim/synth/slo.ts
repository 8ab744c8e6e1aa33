// Per-second service level at the front end (slo.arrow columns), from the per-host latencies.
//
// A request visits one host per tier, so the mean end-to-end latency of the successful requests is
//   meanOk(t) = sum_h visits_h * ok_h(t) + NET_MS * (sum_h visits_h - 1)        (ms; one network hop per call)
// and the failed share is e(t) = min(1, sum_h visits_h * err_h(t)); a failed request counts at the
// timeout (the front end gives up after TIMEOUT_MS). Per second, with n = count requests:
// - Sampling noise: the mean of n latencies has sd meanOk / sqrt(2 n) (successful latencies are taken to
//   be Gamma(shape 2) around their mean: a sum of a few exponential stages).
// - Hiccups: with probability HICCUP_P per second a GC pause or slow query adds Exp(HICCUP_MEAN_MS) to the
//   mean. These give a control run its rare isolated violations (real systems are never perfectly clean).
// - mean_latency_ms = (1 - e) meanOk + e TIMEOUT_MS.
// - p95_latency_ms: the 95th percentile of the mixture (Gamma(2) successes, failures at the timeout).
//   No request takes longer than the timeout, so every latency statistic is capped at TIMEOUT_MS.
// - max_latency_ms: the timeout when anything failed, else the maximum of n Gamma(2) draws (sampled
//   exactly via its quantile at U^(1/n)), never below p95.
// - errors = round(e n); violations = errors + round((n - errors) * P(Gamma(2) >= threshold)):
//   requests at or over the threshold (failures all are, the timeout being far above any threshold).

import { TIMEOUT_MS } from './host.ts';
import { stream } from './streams.ts';

/** Network + marshalling time per call between tiers, ms. */
export const NET_MS = 0.4;
const HICCUP_P = 0.003;
const HICCUP_MEAN_MS = 40;

export interface SloInputs {
  /** Front-end requests per second. */
  rate: Float64Array;
  /** Visit-weighted sum of the hosts' successful latencies, ms (without network). */
  okSum: Float64Array;
  /** Visit-weighted sum of the hosts' failure shares. */
  errSum: Float64Array;
  /** Average number of hosts a request visits. */
  pathLength: number;
}

export function sloColumns(
  inputs: SloInputs,
  thresholdMs: number,
  seed: number,
): Record<string, Float64Array> {
  const len = inputs.rate.length;
  const count = new Float64Array(len);
  const mean = new Float64Array(len);
  const p95 = new Float64Array(len);
  const max = new Float64Array(len);
  const violations = new Float64Array(len);
  const errors = new Float64Array(len);
  const rng = stream(seed, 'slo');
  const p95Ok = gamma2Quantile(0.05);
  for (let t = 0; t < len; t++) {
    const n = Math.round(inputs.rate[t] ?? 0);
    const e = Math.min(1, Math.max(0, inputs.errSum[t] ?? 0));
    let ok = (inputs.okSum[t] ?? 0) + NET_MS * (inputs.pathLength - 1);
    ok *= 1 + rng.normal(0, 1 / Math.sqrt(2 * Math.max(n, 1)));
    if (rng.next() < HICCUP_P) ok += rng.exponential(HICCUP_MEAN_MS);
    ok = Math.min(TIMEOUT_MS, Math.max(0.1, ok));
    const u = rng.next();
    count[t] = n;
    if (n === 0) {
      mean[t] = p95[t] = max[t] = NaN;
      continue;
    }
    const theta = ok / 2;
    const err = Math.round(e * n);
    errors[t] = err;
    mean[t] = (1 - e) * ok + e * TIMEOUT_MS;
    // Mixture quantile: failures fill the top e of the distribution.
    const q95 = e >= 0.05 ? Infinity : e === 0 ? p95Ok : gamma2Quantile((0.05 - e) / (1 - e));
    p95[t] = Math.min(TIMEOUT_MS, q95 * theta);
    const p95t = p95[t] ?? 0;
    max[t] =
      err > 0 ? TIMEOUT_MS : Math.max(p95t, Math.min(TIMEOUT_MS, gamma2Quantile(1 - u ** (1 / n)) * theta));
    const x = thresholdMs / theta;
    const tail = (1 + x) * Math.exp(-x);
    violations[t] = err + Math.round((n - err) * tail);
  }
  return {
    count,
    mean_latency_ms: mean,
    p95_latency_ms: p95,
    max_latency_ms: max,
    violations,
    errors,
  };
}

/** y with P(Gamma(2, 1) >= y) = q, i.e. (1 + y) e^-y = q (Newton on ln; q in (0, 1)). */
export function gamma2Quantile(q: number): number {
  if (!(q > 0)) return 50; // q underflowed: far in the tail (e^-50)
  if (q >= 1) return 0;
  const target = Math.log(q);
  let y = Math.max(1, -target + Math.log(Math.max(1, -target)));
  for (let i = 0; i < 30; i++) {
    const g = Math.log1p(y) - y - target;
    const dg = -y / (1 + y);
    const step = g / dg;
    y = Math.max(1e-9, y - step);
    if (Math.abs(step) < 1e-10) break;
  }
  return y;
}
