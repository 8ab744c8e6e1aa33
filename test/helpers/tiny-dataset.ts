// Small hand-built datasets for tests: N seconds x hosts, values from a seeded RNG, an optional SLO
// pattern ('.' holds, 'X' violates, one character per second) and faults.
import { DATASET_FORMAT, type Dataset, type FaultRecord } from '../../src/core/dataset.ts';
import { createRng } from '../../src/core/rng.ts';

export const T0 = 1_767_225_600_000;

export interface TinyOptions {
  seconds: number;
  hosts?: string[];
  metrics?: string[];
  slo?: string;
  faults?: FaultRecord[];
  seed?: number;
  /** Per (host, metric, second) value override. */
  value?: (host: string, metric: string, second: number, noise: number) => number;
}

export function tinyDataset(o: TinyOptions): Dataset {
  const hosts = o.hosts ?? ['web', 'db'];
  const metrics = o.metrics ?? ['availcpu', 'freemem'];
  const rng = createRng(o.seed ?? 7);
  const n = o.seconds * hosts.length;
  const time = new Float64Array(n);
  const host = new Int32Array(n);
  const columns = metrics.map(() => new Float64Array(n));
  let row = 0;
  for (let s = 0; s < o.seconds; s++) {
    for (let h = 0; h < hosts.length; h++, row++) {
      time[row] = T0 + s * 1000;
      host[row] = h;
      metrics.forEach((m, k) => {
        const noise = rng.normal();
        columns[k]![row] = o.value ? o.value(hosts[h]!, m, s, noise) : 50 + 5 * noise;
      });
    }
  }
  let slo: Dataset['slo'] = null;
  if (o.slo !== undefined) {
    const len = o.slo.length;
    const st = new Float64Array(len);
    const mean = new Float64Array(len);
    for (let s = 0; s < len; s++) {
      st[s] = T0 + s * 1000;
      mean[s] = o.slo[s] === 'X' ? 150 : 40;
    }
    slo = { time: st, columns: { mean_latency_ms: mean } };
  }
  return {
    manifest: {
      format: DATASET_FORMAT,
      name: 'tiny',
      source: { kind: 'test' },
      sampleIntervalMs: 1000,
      start: T0,
      end: T0 + o.seconds * 1000,
      hosts: hosts.map((id) => ({ id })),
      dependencies: hosts.length > 1 ? [[hosts[0]!, hosts[1]!]] : [],
      metrics,
      slo: slo ? { signal: 'mean_latency_ms', threshold: 100 } : null,
      phases: [],
      faults: o.faults ?? [],
      actions: [],
      seed: o.seed ?? 7,
    },
    metrics: { time, host, hosts, metrics, columns },
    slo,
  };
}
