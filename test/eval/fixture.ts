// Tiny hand-built datasets for the evaluation tests. Second i is at s(i) (epoch ms).

import type { Dataset, FaultRecord } from '../../src/core/dataset.ts';
import type { ActionResult, LocalizationRecord } from '../../src/core/results.ts';

export const T0 = 1_700_000_000_000;

/** Epoch ms of second i of a fixture dataset. */
export const s = (i: number): number => T0 + i * 1000;

export interface FixtureOptions {
  /**
   * One char per second, SLO signal `mean_latency_ms` (threshold 70): '.' = 10 (holds), 'X' = 100 (violated),
   * '?' = NaN (missing value), '_' = no slo row at all (a gap), '0' = no requests (count 0, latency NaN),
   * 'E' = latency holds but 1 of the second's 10 requests failed. Every other second has 10 requests and
   * no error. Metrics rows exist for every second.
   */
  pattern: string;
  /** Build them with fault(). */
  faults?: FaultRecord[];
  /** false: the dataset has no SLO (manifest.slo and slo table null). */
  slo?: boolean;
  hosts?: string[];
  /** Hosts (of `hosts`) marked `"harness": true` in the manifest. */
  harness?: string[];
  /** manifest slo.maxErrorRate. */
  maxErrorRate?: number;
}

/** A fault on `host` over seconds [start, end). */
export function fault(id: string, host: string, start: number, end: number, type = 'cpuhog'): FaultRecord {
  return { id, type, host, start: s(start), end: s(end) };
}

export function makeDataset(opts: FixtureOptions): Dataset {
  const n = opts.pattern.length;
  const hosts = opts.hosts ?? ['web', 'db'];
  // Two host rows per second, so sample times must be de-duplicated.
  const time = new Float64Array(n * hosts.length);
  const host = new Int32Array(n * hosts.length);
  for (let i = 0; i < n; i++) {
    for (let h = 0; h < hosts.length; h++) {
      time[i * hosts.length + h] = s(i);
      host[i * hosts.length + h] = h;
    }
  }
  const sloTimes: number[] = [];
  const latency: number[] = [];
  const count: number[] = [];
  const errors: number[] = [];
  [...opts.pattern].forEach((c, i) => {
    if (c === '_') return;
    sloTimes.push(s(i));
    latency.push(c === 'X' ? 100 : c === '?' || c === '0' ? NaN : 10);
    count.push(c === '0' ? 0 : 10);
    errors.push(c === 'E' ? 1 : 0);
  });
  const harness = new Set(opts.harness ?? []);
  const withSlo = opts.slo ?? true;
  const faults = opts.faults ?? [];
  return {
    manifest: {
      format: 'foreshock-dataset/1',
      name: 'fixture',
      source: { kind: 'test' },
      sampleIntervalMs: 1000,
      start: s(0),
      end: s(n),
      hosts: hosts.map((id) => (harness.has(id) ? { id, harness: true } : { id })),
      dependencies: [],
      metrics: [],
      slo: withSlo
        ? {
            signal: 'mean_latency_ms',
            threshold: 70,
            ...(opts.maxErrorRate !== undefined ? { maxErrorRate: opts.maxErrorRate } : {}),
          }
        : null,
      phases: [],
      faults,
      actions: [],
    },
    metrics: { time, host, hosts, metrics: [], columns: [] },
    slo: withSlo
      ? {
          time: Float64Array.from(sloTimes),
          columns: {
            mean_latency_ms: Float64Array.from(latency),
            count: Float64Array.from(count),
            errors: Float64Array.from(errors),
          },
        }
      : null,
  };
}

/** The whole fixture as the scored period. */
export function wholePeriod(ds: Dataset): { start: number; end: number } {
  return { start: ds.manifest.start, end: ds.manifest.end };
}

export function loc(
  time: number,
  triggerTime: number,
  ranking: string[],
  pinpointed: string[],
  computeMs: number | null = null,
): LocalizationRecord {
  return {
    time: s(time),
    trigger: { kind: 'slo', time: s(triggerTime), host: null },
    ranking: ranking.map((host, i) => ({ host, metric: null, score: 1 - i / 10 })),
    pinpointed,
    computeMs,
  };
}

export function action(
  faultId: string | null,
  requested: number,
  completed: number,
  effective = true,
  type = 'restart',
  host = 'db',
): ActionResult {
  return {
    type,
    host,
    requested: s(requested),
    completed: s(completed),
    effective,
    faultId,
    source: 'modelled',
  };
}

/** Throws when any number reachable from `x` is NaN (the evaluation promises never to produce one). */
export function assertNoNaN(x: unknown, path = 'result'): void {
  if (typeof x === 'number') {
    if (Number.isNaN(x)) throw new Error(`${path} is NaN`);
  } else if (x !== null && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) assertNoNaN(v, `${path}.${k}`);
  }
}
