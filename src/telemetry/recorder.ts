// Records the live bus into a foreshock dataset directory (docs/telemetry.md, "Recorder").
//
// While recording, `stats` and `aggregate` messages go to Arrow stream segments under
// <out>/.recording/ (segments.ts), one batch per flush; a flush happens on every aggregate row (one
// per second) and on an optional timer. stop() finalises the segments into the dataset's file
// format with writeDataset (metrics.arrow, slo.arrow, manifest.json) and removes the segments.
// If the recorder is killed, recoverRecording(out) does the same finalisation from what is on disk:
// at most the last unflushed second is lost.
//
// Stats are kept in a long-long layout (time, host, metric, value) inside the segments so that the
// segment schema never changes when a new host or metric appears.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeVector, Utf8, vectorFromArray, type RecordBatch } from 'apache-arrow';
import type { Dataset, Manifest, MetricTable, SloTable } from '../core/dataset.ts';
import { DATASET_FORMAT } from '../core/dataset.ts';
import { UserError } from '../core/errors.ts';
import { writeDataset } from '../data/dataset-io.ts';
import { floorSecond, SECOND_MS, statsValues } from './aggregator.ts';
import type { AggregateMessage, Bus, StatsMessage, TopicMessages, Unsubscribe } from './bus.ts';
import { readSegments, SegmentWriter } from './segments.ts';

export const RECORDING_DIR = '.recording';
const META_FILE = 'recording.json';

/** Metric columns in the dataset-format order; others follow in order of appearance. */
const STANDARD_METRICS = ['availcpu', 'freemem', 'pagein', 'pageout', 'freedisk', 'load1', 'load5'];

/** aggregate field -> slo.arrow column. */
const SLO_FIELDS: [keyof AggregateRowLike, string][] = [
  ['count', 'count'],
  ['mean', 'mean_latency_ms'],
  ['p95', 'p95_latency_ms'],
  ['max', 'max_latency_ms'],
  ['violations', 'violations'],
  ['errors', 'errors'],
  ['summation', 'summation'],
  ['late', 'late'],
];

interface AggregateRowLike {
  timestamp: number;
  count: number;
  mean: number;
  p95: number;
  max: number;
  violations: number;
  errors: number;
  summation: number;
  late: number;
}

export interface RecordingMeta {
  name: string;
  sloThresholdMs: number;
  dependencies: [string, string][];
  /** Hosts of the harness itself (manifest `harness: true`); absent in older recordings. */
  harnessHosts?: string[];
  sourceDetail: string;
  startedAt: number;
}

export interface RecorderOptions {
  /** Dataset directory to write. */
  out: string;
  /** SLO threshold on mean latency (ms), stored in the manifest. */
  sloThresholdMs: number;
  /** Dataset name (default: the directory's base name). */
  name?: string;
  dependencies?: [string, string][];
  /**
   * Hosts that belong to the harness (recorder/analysis, Kafka, load clients): marked
   * `"harness": true` in the manifest, so scoring leaves them out by default (evaluation.md v2).
   */
  harnessHosts?: string[];
  /** Free text for manifest.source.detail (e.g. the bus and brokers). */
  sourceDetail?: string;
  /** Clock, epoch ms (default Date.now); only used for the start stamp. */
  now?: () => number;
  /** Also flush on a timer (ms); 0 = only on aggregate rows and stop(). Default 1000. */
  flushIntervalMs?: number;
  /** Called after each flush that wrote something, with the latest aggregate second on disk. */
  onFlush?: (lastSecond: number | null) => void;
}

export interface RecordingSummary {
  dir: string;
  seconds: number;
  hosts: string[];
  metrics: string[];
  sloRows: number;
  /** Segment files with a torn tail (only after a crash). */
  tornSegments: number;
}

function toNumber(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : NaN;
}

/**
 * Refuses an output directory that already holds a dataset or an unfinished recording. A stack
 * session calls it before it starts anything: the Recorder itself carries on after existing
 * segments (so a restarted `foreshock record` resumes), which for a new session would merge an old
 * run's data into the new dataset.
 */
export function assertFreshRecordingDir(out: string): void {
  if (existsSync(join(out, 'manifest.json')))
    throw new UserError(`record: ${out} already holds a dataset (manifest.json); pick another --out`);
  if (existsSync(join(out, RECORDING_DIR)))
    throw new UserError(
      `record: ${out} holds an unfinished recording (${RECORDING_DIR}): \`foreshock record --recover --out ${out}\` finalises it, or pick another --out`,
    );
}

export class Recorder {
  private readonly segDir: string;
  private readonly stats: SegmentWriter;
  private readonly aggregates: SegmentWriter;
  private statsBuf: { time: number; host: string; metric: string; value: number }[] = [];
  private aggBuf: AggregateRowLike[] = [];
  private lastSecond: number | null = null;
  private unsubscribes: Unsubscribe[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Messages received (diagnostics; tests over a real broker wait on them). */
  readonly counters = { stats: 0, aggregate: 0 };

  constructor(
    private readonly bus: Bus<TopicMessages>,
    private readonly options: RecorderOptions,
  ) {
    this.segDir = join(options.out, RECORDING_DIR);
    if (existsSync(join(options.out, 'manifest.json'))) {
      throw new UserError(
        `record: ${options.out} already holds a dataset (manifest.json); pick another --out`,
      );
    }
    mkdirSync(this.segDir, { recursive: true });
    this.stats = new SegmentWriter(this.segDir, 'stats');
    this.aggregates = new SegmentWriter(this.segDir, 'aggregate');
  }

  start(): void {
    const meta: RecordingMeta = {
      name: this.options.name ?? this.options.out.split(/[\\/]/).filter(Boolean).pop() ?? 'recording',
      sloThresholdMs: this.options.sloThresholdMs,
      dependencies: this.options.dependencies ?? [],
      harnessHosts: this.options.harnessHosts ?? [],
      sourceDetail: this.options.sourceDetail ?? '',
      startedAt: (this.options.now ?? Date.now)(),
    };
    writeFileSync(join(this.segDir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    this.unsubscribes.push(
      this.bus.subscribe('stats', (m) => this.onStats(m)),
      this.bus.subscribe('aggregate', (m) => this.onAggregate(m)),
    );
    const every = this.options.flushIntervalMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => this.flush(), every);
      this.timer.unref?.();
    }
  }

  onStats(msg: StatsMessage): void {
    const time = floorSecond(toNumber(msg.time));
    if (!Number.isFinite(time) || typeof msg.host !== 'string') return;
    this.counters.stats++;
    for (const [metric, value] of statsValues(msg)) {
      this.statsBuf.push({ time, host: msg.host, metric, value: value ?? NaN });
    }
  }

  onAggregate(msg: AggregateMessage): void {
    const m = msg as unknown as Record<string, unknown>;
    const row: AggregateRowLike = {
      timestamp: toNumber(m['timestamp']),
      count: toNumber(m['count']),
      mean: toNumber(m['mean']),
      p95: toNumber(m['p95']),
      max: toNumber(m['max']),
      violations: toNumber(m['violations']),
      errors: toNumber(m['errors']),
      summation: toNumber(m['summation']),
      late: toNumber(m['late']),
    };
    if (!Number.isFinite(row.timestamp)) return;
    this.counters.aggregate++;
    this.aggBuf.push(row);
    // One aggregate row per second: flushing here is "flushed every second" in data time.
    this.flush();
  }

  /** Writes buffered messages to the segments (one batch per topic). */
  flush(): void {
    if (this.statsBuf.length === 0 && this.aggBuf.length === 0) return;
    if (this.statsBuf.length > 0) {
      const rows = this.statsBuf;
      this.statsBuf = [];
      this.stats.append({
        time: makeVector(Float64Array.from(rows, (r) => r.time)),
        host: vectorFromArray(
          rows.map((r) => r.host),
          new Utf8(),
        ),
        metric: vectorFromArray(
          rows.map((r) => r.metric),
          new Utf8(),
        ),
        value: makeVector(Float64Array.from(rows, (r) => r.value)),
      });
    }
    if (this.aggBuf.length > 0) {
      const rows = this.aggBuf;
      this.aggBuf = [];
      const cols: Record<string, ReturnType<typeof makeVector>> = {
        timestamp: makeVector(Float64Array.from(rows, (r) => r.timestamp)),
      };
      for (const [field] of SLO_FIELDS) cols[field] = makeVector(Float64Array.from(rows, (r) => r[field]));
      this.aggregates.append(cols);
      this.lastSecond = rows[rows.length - 1]!.timestamp;
    }
    this.options.onFlush?.(this.lastSecond);
  }

  /** Flushes, stops listening and finalises the dataset directory. */
  async stop(): Promise<RecordingSummary> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const u of this.unsubscribes) u();
    this.unsubscribes = [];
    this.flush();
    this.stats.close();
    this.aggregates.close();
    return recoverRecording(this.options.out);
  }
}

/**
 * Finalises the segments under <dir>/.recording (from a stopped or a killed recorder) into a dataset
 * directory and removes them. Throws a UserError if there is nothing to finalise.
 */
export function recoverRecording(dir: string): RecordingSummary {
  const segDir = join(dir, RECORDING_DIR);
  const metaFile = join(segDir, META_FILE);
  if (!existsSync(metaFile))
    throw new UserError(`record: no recording in ${dir} (no ${RECORDING_DIR}/${META_FILE})`);
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as RecordingMeta;
  const stats = readSegments(segDir, 'stats');
  const aggs = readSegments(segDir, 'aggregate');
  const dataset = buildDataset(meta, stats.batches, aggs.batches);
  if (!dataset) throw new UserError(`record: the recording in ${dir} holds no complete second`);
  if (dataset.metrics.hosts.length === 0) {
    throw new UserError(`record: no host sent stats during the recording in ${dir} (segments kept)`);
  }
  writeDataset(dir, dataset);
  rmSync(segDir, { recursive: true, force: true });
  return {
    dir,
    seconds: Math.round((dataset.manifest.end - dataset.manifest.start) / SECOND_MS),
    hosts: dataset.metrics.hosts,
    metrics: dataset.metrics.metrics,
    sloRows: dataset.slo?.time.length ?? 0,
    tornSegments: stats.torn.length + aggs.torn.length,
  };
}

function column(batch: RecordBatch, name: string): ArrayLike<unknown> {
  const v = batch.getChild(name);
  if (!v) throw new Error(`recording segment lacks column "${name}"`);
  return v.toArray() as ArrayLike<unknown>;
}

/** Builds the dataset from segment batches; null when there is not a single second. */
export function buildDataset(
  meta: RecordingMeta,
  statsBatches: RecordBatch[],
  aggBatches: RecordBatch[],
): Dataset | null {
  // (second -> host -> metric -> value); later messages for the same cell win.
  const cells = new Map<number, Map<string, Map<string, number>>>();
  const hosts: string[] = [];
  const seenMetrics: string[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const b of statsBatches) {
    const time = column(b, 'time') as Float64Array;
    const host = column(b, 'host') as string[];
    const metric = column(b, 'metric') as string[];
    const value = column(b, 'value') as Float64Array;
    for (let i = 0; i < b.numRows; i++) {
      const t = time[i]!;
      const h = String(host[i]);
      const m = String(metric[i]);
      if (!hosts.includes(h)) hosts.push(h);
      if (!seenMetrics.includes(m)) seenMetrics.push(m);
      let byHost = cells.get(t);
      if (!byHost) cells.set(t, (byHost = new Map()));
      let byMetric = byHost.get(h);
      if (!byMetric) byHost.set(h, (byMetric = new Map()));
      byMetric.set(m, value[i]!);
      first = Math.min(first, t);
      last = Math.max(last, t);
    }
  }
  const slo = new Map<number, Record<string, number>>();
  for (const b of aggBatches) {
    const ts = column(b, 'timestamp') as Float64Array;
    const cols = SLO_FIELDS.map(([field, name]) => [name, column(b, field) as Float64Array] as const);
    for (let i = 0; i < b.numRows; i++) {
      const t = ts[i]!;
      slo.set(t, Object.fromEntries(cols.map(([name, c]) => [name, c[i]!])));
      first = Math.min(first, t);
      last = Math.max(last, t);
    }
  }
  if (!Number.isFinite(first)) return null;
  const metrics = [
    ...STANDARD_METRICS.filter((m) => seenMetrics.includes(m)),
    ...seenMetrics.filter((m) => !STANDARD_METRICS.includes(m)),
  ];
  // Every second of the run, every host: a silent host's row is all null (NaN in memory).
  const seconds = Math.round((last - first) / SECOND_MS) + 1;
  const n = seconds * hosts.length;
  const table: MetricTable = {
    time: new Float64Array(n),
    host: new Int32Array(n),
    hosts,
    metrics,
    columns: metrics.map(() => new Float64Array(n).fill(NaN)),
  };
  let row = 0;
  for (let s = 0; s < seconds; s++) {
    const t = first + s * SECOND_MS;
    const byHost = cells.get(t);
    for (let h = 0; h < hosts.length; h++, row++) {
      table.time[row] = t;
      table.host[row] = h;
      const values = byHost?.get(hosts[h]!);
      if (!values) continue;
      metrics.forEach((m, k) => (table.columns[k]![row] = values.get(m) ?? NaN));
    }
  }
  let sloTable: SloTable | null = null;
  if (slo.size > 0) {
    const times = [...slo.keys()].sort((a, b) => a - b);
    const columns: Record<string, Float64Array> = {};
    for (const [, name] of SLO_FIELDS) columns[name] = Float64Array.from(times, (t) => slo.get(t)![name]!);
    sloTable = { time: Float64Array.from(times), columns };
  }
  const manifest: Manifest = {
    format: DATASET_FORMAT,
    name: meta.name,
    source: { kind: 'recording', ...(meta.sourceDetail ? { detail: meta.sourceDetail } : {}) },
    sampleIntervalMs: SECOND_MS,
    start: first,
    end: last + SECOND_MS,
    hosts: hosts.map((id) => (meta.harnessHosts?.includes(id) ? { id, harness: true } : { id })),
    dependencies: meta.dependencies,
    metrics,
    slo: sloTable ? { signal: 'mean_latency_ms', threshold: meta.sloThresholdMs } : null,
    phases: [],
    faults: [],
    actions: [],
  };
  return { manifest, metrics: table, slo: sloTable };
}
