// Helpers the latency benchmarks share (not a benchmark itself: bench/run.ts runs *.bench.ts only).

import { quantileSorted } from '../src/core/stats.ts';

/** A positive number from `--<name> <value>` on the command line, else `fallback`. */
export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

/** Epoch ms with sub-ms resolution: one clock for sample times, arrivals and timers. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/**
 * Calls fn at every t with t mod periodMs = phaseMs, never before t: each timeout is recomputed
 * (no drift), and one that fires early (libuv's clock has whole-ms resolution) waits the rest.
 */
export function alignedEvery(periodMs: number, phaseMs: number, fn: () => void): () => void {
  let handle: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    const now = nowMs();
    const next = Math.floor((now - phaseMs) / periodMs) * periodMs + periodMs + phaseMs;
    const fire = (): void => {
      if (stopped) return;
      const early = next - nowMs();
      if (early > 0) {
        handle = setTimeout(fire, early);
        return;
      }
      fn();
      schedule();
    };
    handle = setTimeout(fire, next - now);
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(handle);
  };
}

export interface Quantiles {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function quantiles(xs: readonly number[]): Quantiles {
  const s = xs.slice().sort((a, b) => a - b);
  if (s.length === 0) return { n: 0, p50: NaN, p99: NaN, max: NaN };
  return { n: s.length, p50: quantileSorted(s, 0.5), p99: quantileSorted(s, 0.99), max: s[s.length - 1]! };
}

/** Milliseconds with as many decimals as small values need; '-' for none. */
export function ms(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (v < 0.1) return v.toFixed(3);
  if (v < 10) return v.toFixed(2);
  return v.toFixed(1);
}

export function ratio(k: number, m: number): string {
  if (!Number.isFinite(k) || !Number.isFinite(m) || m <= 0) return '-';
  const r = k / m;
  return r >= 100 ? `${r.toFixed(0)}x` : `${r.toFixed(2)}x`;
}
