// Scenarios with known answers for FChain and its baselines, built from the synthetic generator
// (src/sim/synth, not modified) and from hand-made series (test/helpers/tiny-dataset.ts):
//   - localizeAt(): runs a registered localizer on a dataset the way the replay engine does;
//   - mergeSystems(): two synthesized systems side by side (two independent culprits);
//   - withSurge(): a synthesized control run with a workload surge on every host (no culprit);
//   - handBuilt(): web -> app -> db series with scripted changes (propagation, back-pressure,
//     concurrent faults).

import type {
  AlgorithmContext,
  Localizer,
  Ranking,
  Topology,
  TriggerKind,
} from '../../../src/core/algorithm.ts';
import type { Dataset, FaultRecord } from '../../../src/core/dataset.ts';
import { getAlgorithm, resolveConfig } from '../../../src/algorithms/registry.ts';
import { buildGroundTruth, DEFAULT_SCORING } from '../../../src/eval/index.ts';
import { chooseSplit, columnOrder, samplesBetween, trainingData } from '../../../src/sim/samples.ts';
import { T0, tinyDataset } from '../../helpers/tiny-dataset.ts';

export interface LocalizeOptions {
  /** Trigger time (epoch ms); default: the first fault's SLO-violation onset. */
  at?: number;
  /** Known topology (default) or none (the localizer must infer it). */
  edges?: 'known' | 'none';
  config?: Record<string, unknown>;
  /** Training period; default the dataset's normal phase (as replay chooses it). */
  train?: { start: number; end: number };
}

/** The first fault's SLO-violation onset (throws when the SLO never broke: a broken scenario). */
export function sloOnset(ds: Dataset): number {
  const truth = buildGroundTruth(ds, { start: ds.manifest.start, end: ds.manifest.end }, DEFAULT_SCORING);
  const onset = truth.episodes[0]?.onset;
  if (onset === null || onset === undefined) throw new Error(`${ds.manifest.name}: the SLO never broke`);
  return onset;
}

/** Runs `name` as the replay engine would at a trigger: fit on training data, window up to firing. */
export function localizeAt(ds: Dataset, name: string, opts: LocalizeOptions = {}): Ranking {
  const metrics = ds.metrics.metrics;
  const ctx: AlgorithmContext = {
    metrics,
    hosts: ds.metrics.hosts,
    sampleIntervalMs: ds.manifest.sampleIntervalMs,
    seed: ds.manifest.seed ?? 0,
  };
  const def = getAlgorithm(name);
  const localizer = def.create(resolveConfig(def, opts.config), ctx) as Localizer;
  const train = opts.train ?? chooseSplit(ds, null).trainPeriod!;
  localizer.fit?.(trainingData(ds, metrics, train));
  let kind: TriggerKind = 'explicit';
  let time = opts.at;
  let fire = opts.at;
  if (time === undefined) {
    kind = 'slo';
    time = sloOnset(ds);
    fire = time + (DEFAULT_SCORING.minDurationS - 1) * 1000; // confirmed after 3 violating seconds
  }
  const cols = columnOrder(ds.metrics, metrics, 'scenario');
  const window = {
    start: fire! - localizer.lookbackMs,
    end: fire!,
    samples: samplesBetween(ds.metrics, cols, fire! - localizer.lookbackMs, fire! + 1),
  };
  const topology: Topology = {
    hosts: ds.metrics.hosts,
    edges: opts.edges === 'none' ? [] : ds.manifest.dependencies,
  };
  return localizer.localize(window, { kind, time, host: null }, topology);
}

/** Hosts the ranking treats as abnormal (FChain scores them >= 1). */
export function abnormalHosts(r: Ranking): string[] {
  return r.entries.filter((e) => e.score >= 1).map((e) => e.host);
}

/**
 * Two synthesized systems (same duration and start) as one dataset: hosts prefixed `a.` / `b.`,
 * both faults, both call graphs (no edge between the systems), SLO = the worse of the two.
 */
export function mergeSystems(a: Dataset, b: Dataset): Dataset {
  const ta = a.metrics;
  const tb = b.metrics;
  if (ta.metrics.join() !== tb.metrics.join()) throw new Error('mergeSystems: metric lists differ');
  const hosts = [...ta.hosts.map((h) => `a.${h}`), ...tb.hosts.map((h) => `b.${h}`)];
  const times = [...new Set(ta.time)].sort((x, y) => x - y);
  const na = ta.hosts.length;
  const n = hosts.length;
  const rows = times.length * n;
  const time = new Float64Array(rows);
  const host = new Int32Array(rows);
  const columns = ta.metrics.map(() => new Float64Array(rows).fill(NaN));
  const rowOf = new Map(times.map((t, i) => [t, i]));
  const place = (table: Dataset['metrics'], offset: number): void => {
    for (let i = 0; i < table.time.length; i++) {
      const r = rowOf.get(table.time[i]!)! * n + offset + table.host[i]!;
      table.columns.forEach((c, k) => (columns[k]![r] = c[i]!));
    }
  };
  times.forEach((t, i) => {
    for (let h = 0; h < n; h++) {
      time[i * n + h] = t;
      host[i * n + h] = h;
    }
  });
  place(ta, 0);
  place(tb, na);
  const sloA = a.slo!.columns.mean_latency_ms!;
  const sloB = b.slo!.columns.mean_latency_ms!;
  const prefix = (p: string, f: FaultRecord): FaultRecord => ({
    ...f,
    id: `${p}-${f.id}`,
    host: `${p}.${f.host}`,
  });
  return {
    manifest: {
      ...a.manifest,
      name: `${a.manifest.name}+${b.manifest.name}`,
      hosts: hosts.map((id) => ({ id })),
      dependencies: [
        ...a.manifest.dependencies.map(([x, y]) => [`a.${x}`, `a.${y}`] as [string, string]),
        ...b.manifest.dependencies.map(([x, y]) => [`b.${x}`, `b.${y}`] as [string, string]),
      ],
      faults: [
        ...a.manifest.faults.map((f) => prefix('a', f)),
        ...b.manifest.faults.map((f) => prefix('b', f)),
      ],
    },
    metrics: { time, host, hosts, metrics: [...ta.metrics], columns },
    slo: {
      time: a.slo!.time,
      columns: { mean_latency_ms: Float64Array.from(sloA, (v, i) => Math.max(v, sloB[i]!)) },
    },
  };
}

/**
 * A workload surge from `atMs` on: every host serves `1 + extra` times the load (ramping in over
 * `rampS` seconds): more busy CPU, more runnable tasks, more page traffic and disk writes. A copy;
 * `ds` is not changed.
 */
export function withSurge(ds: Dataset, atMs: number, extra: number, rampS = 3): Dataset {
  const t = ds.metrics;
  const col = (name: string): Float64Array => {
    const k = t.metrics.indexOf(name);
    return Float64Array.from(t.columns[k]!);
  };
  const availcpu = col('availcpu');
  const load1 = col('load1');
  const load5 = col('load5');
  const pagein = col('pagein');
  const pageout = col('pageout');
  const diskwrite = col('diskwrite');
  // Load averages follow the extra runnable tasks with their kernel time constants (60 s, 300 s).
  const n = t.hosts.length;
  const extra1 = new Float64Array(n);
  const extra5 = new Float64Array(n);
  for (let i = 0; i < t.time.length; i++) {
    const s = (t.time[i]! - atMs) / 1000;
    if (s < 0) continue;
    const f = extra * Math.min(1, (s + 1) / rampS);
    const busy = 100 - availcpu[i]!;
    availcpu[i] = Math.max(0, 100 - busy * (1 + f));
    const h = t.host[i]!;
    const runnable = load1[i]! * f;
    extra1[h] = extra1[h]! * Math.exp(-1 / 60) + runnable * (1 - Math.exp(-1 / 60));
    extra5[h] = extra5[h]! * Math.exp(-1 / 300) + runnable * (1 - Math.exp(-1 / 300));
    load1[i] = load1[i]! + extra1[h]!;
    load5[i] = load5[i]! + extra5[h]!;
    pagein[i] = pagein[i]! * (1 + f);
    pageout[i] = pageout[i]! * (1 + f);
    diskwrite[i] = diskwrite[i]! * (1 + f);
  }
  const replaced: Record<string, Float64Array> = { availcpu, load1, load5, pagein, pageout, diskwrite };
  return {
    ...ds,
    manifest: { ...ds.manifest, name: `${ds.manifest.name}+surge` },
    metrics: { ...t, columns: t.metrics.map((m, k) => replaced[m] ?? t.columns[k]!) },
  };
}

export interface Change {
  host: string;
  metric: string;
  /** Second at which the change starts. */
  at: number;
  /** Value added per second after `at` (a ramp), capped at `max` in absolute value. */
  slope?: number;
  /** Value added at once from `at` on (a step). */
  step?: number;
  max?: number;
}

/**
 * Hand-made series: hosts web -> app -> db (topology in the manifest), metrics availcpu, freemem,
 * load1, diskwrite with Gaussian noise, plus the scripted changes. 400 s; use train [0, 200 s).
 */
export function handBuilt(changes: readonly Change[], seed = 3): Dataset {
  const base: Record<string, number> = { availcpu: 60, freemem: 4000, load1: 2, diskwrite: 500 };
  const sd: Record<string, number> = { availcpu: 2, freemem: 5, load1: 0.05, diskwrite: 20 };
  const ds = tinyDataset({
    seconds: 400,
    hosts: ['web', 'app', 'db'],
    metrics: ['availcpu', 'freemem', 'load1', 'diskwrite'],
    seed,
    value: (host, metric, s, noise) => {
      let v = base[metric]! + sd[metric]! * noise;
      for (const c of changes) {
        if (c.host !== host || c.metric !== metric || s < c.at) continue;
        let d = (c.step ?? 0) + (c.slope ?? 0) * (s - c.at + 1);
        if (c.max !== undefined) d = Math.sign(d) * Math.min(Math.abs(d), c.max);
        v += d;
      }
      return v;
    },
  });
  ds.manifest.dependencies = [
    ['web', 'app'],
    ['app', 'db'],
  ];
  return ds;
}

export const HAND_TRAIN = { start: T0, end: T0 + 200_000 };
export const at = (second: number): number => T0 + second * 1000;
