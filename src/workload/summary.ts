// Summarises the `responsetime` stream of a workload run: request count and rate, errors, latency
// percentiles, the interaction mix, and the SLO signal per second as the seed project defined it
// (../shared/spec/seed.md: a request violates at >= the threshold; the dataset signal is each
// second's mean latency, `mean_latency_ms`, compared with the threshold).

import { quantileSorted } from '../core/stats.ts';
import type { Bus, ResponseTimeMessage } from '../telemetry/bus.ts';

/** The seed's SLO: 70 ms per request (UBL used 100 ms). */
export const DEFAULT_SLO_MS = 70;

export interface SecondStats {
  /** Seconds since the start of the measured window. */
  second: number;
  requests: number;
  errors: number;
  meanMs: number | null;
  maxMs: number | null;
}

export interface ResponseSummary {
  requests: number;
  rps: number;
  errors: number;
  latencyMs: { p50: number | null; p95: number | null; max: number | null; mean: number | null };
  mix: Record<string, number>;
  slo: {
    thresholdMs: number;
    signal: 'mean_latency_ms';
    seconds: number;
    /** Seconds whose mean latency was at or over the threshold. */
    violatingSeconds: number;
    /** Requests at or over the threshold. */
    violatingRequests: number;
  };
  perSecond: SecondStats[];
}

const round = (x: number | null, digits = 2): number | null =>
  x === null ? null : Number(x.toFixed(digits));

/** Collects `responsetime` messages whose start falls in [from, to) (epoch ms). */
export class ResponseCollector {
  private readonly messages: ResponseTimeMessage[] = [];
  private readonly unsubscribe: () => void;
  private from = -Infinity;
  private to = Infinity;

  constructor(bus: Bus) {
    this.unsubscribe = bus.subscribe('responsetime', (m) => this.messages.push(m));
  }

  setWindow(from: number, to: number): void {
    this.from = from;
    this.to = to;
  }

  get count(): number {
    return this.messages.length;
  }

  close(): void {
    this.unsubscribe();
  }

  summary(sloMs = DEFAULT_SLO_MS): ResponseSummary {
    const inWindow = this.messages.filter((m) => m.start >= this.from && m.start < this.to);
    const windowMs = Number.isFinite(this.to - this.from) ? this.to - this.from : spanMs(inWindow);
    const seconds = Math.max(1, Math.round(windowMs / 1000));
    const latencies = inWindow.map((m) => m.latencyMs).sort((a, b) => a - b);
    const mix: Record<string, number> = {};
    for (const m of inWindow) mix[m.interaction] = (mix[m.interaction] ?? 0) + 1;
    const origin = Number.isFinite(this.from) ? this.from : (inWindow[0]?.start ?? 0);
    const buckets = Array.from({ length: seconds }, (_, second) => ({
      second,
      requests: 0,
      errors: 0,
      sum: 0,
      max: -Infinity,
    }));
    for (const m of inWindow) {
      const b = buckets[Math.min(seconds - 1, Math.max(0, Math.floor((m.start - origin) / 1000)))]!;
      b.requests++;
      if (!m.ok) b.errors++;
      b.sum += m.latencyMs;
      b.max = Math.max(b.max, m.latencyMs);
    }
    const perSecond: SecondStats[] = buckets.map((b) => ({
      second: b.second,
      requests: b.requests,
      errors: b.errors,
      meanMs: b.requests > 0 ? round(b.sum / b.requests) : null,
      maxMs: b.requests > 0 ? round(b.max) : null,
    }));
    const sum = latencies.reduce((a, b) => a + b, 0);
    return {
      requests: inWindow.length,
      rps: round(inWindow.length / (windowMs / 1000)) ?? 0,
      errors: inWindow.filter((m) => !m.ok).length,
      latencyMs: {
        p50: latencies.length ? round(quantileSorted(latencies, 0.5)) : null,
        p95: latencies.length ? round(quantileSorted(latencies, 0.95)) : null,
        max: latencies.length ? round(latencies[latencies.length - 1]!) : null,
        mean: latencies.length ? round(sum / latencies.length) : null,
      },
      mix: Object.fromEntries(Object.entries(mix).sort(([a], [b]) => a.localeCompare(b))),
      slo: {
        thresholdMs: sloMs,
        signal: 'mean_latency_ms',
        seconds,
        violatingSeconds: perSecond.filter((s) => s.meanMs !== null && s.meanMs >= sloMs).length,
        violatingRequests: latencies.filter((l) => l >= sloMs).length,
      },
      perSecond,
    };
  }
}

function spanMs(messages: ResponseTimeMessage[]): number {
  if (messages.length === 0) return 1000;
  let lo = Infinity;
  let hi = -Infinity;
  for (const m of messages) {
    lo = Math.min(lo, m.start);
    hi = Math.max(hi, m.start);
  }
  return Math.max(1000, hi - lo);
}
