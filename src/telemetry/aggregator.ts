// The per-second join of `stats` (one message per host and second) and `responsetime` (one message
// per request) into `aggregate` rows, a superset of the seed's aggregate fields. See
// docs/telemetry.md ("Aggregator").
//
// Rules that matter for a dataset:
// - A request belongs to the second of its completion (`end`), as requests.arrow's `time` does.
// - Second s ([s, s + 1000) epoch ms) is emitted once now() >= s + 1000 + lateDelayMs, so a message
//   up to lateDelayMs late still lands in its own second.
// - Every second from the first one on is emitted, in order: no requests gives count 0, a host with
//   no stats that second gives its metrics as null. Nothing is dropped silently: a message for a
//   second that was already emitted is counted as late (total, per topic, and on the next row).
// - The clock is a dependency (`now`), so tests drive time by hand; tick() does the work and a
//   timer (startTimer) only calls tick().

import { quantileSorted } from '../core/stats.ts';
import type {
  AggregateMessage,
  Bus,
  ResponseTimeMessage,
  StatsMessage,
  TopicMessages,
  Unsubscribe,
} from './bus.ts';

export const SECOND_MS = 1000;

/** Host metric values of one second; null = the host sent no stats (or not this metric). */
export type HostMetrics = Record<string, number | null>;

/**
 * One aggregate row. The seed's fields (timestamp, count, summation, mean, max, violations, cpu,
 * mem) plus p95, errors, late and each host's metrics. Latency statistics of a second without
 * requests are NaN (null once serialised as JSON, e.g. over Kafka).
 */
export interface AggregateRow extends AggregateMessage {
  /** Start of the second, epoch ms. */
  timestamp: number;
  count: number;
  /** Sum of latencies (ms). */
  summation: number;
  mean: number;
  max: number;
  /** 95th percentile of latency (ms), linear interpolation (numpy's default). */
  p95: number;
  /** Requests with latencyMs >= the SLO threshold. */
  violations: number;
  /** Requests with ok = false. */
  errors: number;
  /** Messages (both topics) that arrived after their second had been emitted, since the last row. */
  late: number;
  /** Seed field: mean over hosts of CPU used (100 - availcpu, or the host's `cpu`), NaN if none. */
  cpu: number;
  /** Seed field: mean over hosts of the host's `mem` (the seed's memory %), NaN if no host sends it. */
  mem: number;
  hosts: Record<string, HostMetrics>;
}

export interface LateReport {
  topic: 'stats' | 'responsetime';
  /** The second the message belongs to. */
  second: number;
  /** The first second not yet emitted when it arrived. */
  emittedUpTo: number;
}

export interface AggregatorOptions {
  /** Clock (epoch ms). Injected so tests are deterministic; production passes Date.now. */
  now: () => number;
  /** A request violates the SLO when latencyMs >= this (evaluation.md, "Ground truth"). */
  sloThresholdMs: number;
  /** How long after a second ends it is held open for late messages (default 2000 ms). */
  lateDelayMs?: number;
  /** First second to emit (epoch ms, floored to the second). Default: the second of now() at start(). */
  startMs?: number;
  /** Hosts expected from the start (others join when first seen). */
  hosts?: string[];
  /** Called for every row, in time order (e.g. a recorder in the same process). */
  onRow?: (row: AggregateRow) => void;
  /** Called for every late message. */
  onLate?: (late: LateReport) => void;
  /** Publish rows on the bus's `aggregate` topic (default true). */
  publish?: boolean;
}

interface OpenSecond {
  latencies: number[];
  errors: number;
  stats: Map<string, Map<string, number | null>>;
}

export function floorSecond(ms: number): number {
  return Math.floor(ms / SECOND_MS) * SECOND_MS;
}

const NON_METRIC_FIELDS = new Set(['time', 'host', 'metrics']);

/**
 * The metric values of a stats message. Two shapes are accepted: flat fields (bus.ts's StatsMessage:
 * `{time, host, availcpu, ...}`) and a nested `metrics` object (`{time, host, metrics: {...}}`, the
 * shape the host agent in progress publishes). A value that is not a finite number (null: the agent
 * could not read it) is returned as null.
 */
export function statsValues(msg: StatsMessage): [string, number | null][] {
  const out: [string, number | null][] = [];
  const fin = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  for (const [key, v] of Object.entries(msg)) if (!NON_METRIC_FIELDS.has(key)) out.push([key, fin(v)]);
  const nested = (msg as { metrics?: unknown }).metrics;
  if (nested && typeof nested === 'object') {
    for (const [key, v] of Object.entries(nested as Record<string, unknown>)) out.push([key, fin(v)]);
  }
  return out;
}

export class Aggregator {
  private readonly open = new Map<number, OpenSecond>();
  private readonly hosts: string[] = [];
  private readonly metrics: string[] = [];
  /** The first second not yet emitted. */
  private next: number | null = null;
  private lateSinceRow = 0;
  private unsubscribes: Unsubscribe[] = [];
  private timer: NodeJS.Timeout | null = null;
  readonly counters = { rows: 0, lateStats: 0, lateResponses: 0 };
  private readonly delay: number;

  constructor(
    private readonly bus: Bus<TopicMessages>,
    private readonly options: AggregatorOptions,
  ) {
    this.delay = options.lateDelayMs ?? 2000;
    if (!(this.delay >= 0)) throw new RangeError(`aggregator: lateDelayMs must be >= 0 (got ${this.delay})`);
    for (const h of options.hosts ?? []) this.addHost(h);
  }

  /** Subscribes to `stats` and `responsetime`; emission starts at options.startMs or now(). */
  start(): void {
    this.next = floorSecond(this.options.startMs ?? this.options.now());
    this.unsubscribes.push(
      this.bus.subscribe('stats', (m) => this.onStats(m)),
      this.bus.subscribe('responsetime', (m) => this.onResponse(m)),
    );
  }

  /** Calls tick() every intervalMs (default 200 ms) until stop(). */
  startTimer(intervalMs = 200): void {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref?.();
  }

  get lateTotal(): number {
    return this.counters.lateStats + this.counters.lateResponses;
  }

  /** The first second not yet emitted (null before start). */
  get emittedUpTo(): number | null {
    return this.next;
  }

  onStats(msg: StatsMessage): void {
    const second = floorSecond(Number(msg.time));
    const slot = this.slotFor(second, 'stats');
    if (!slot) return;
    this.addHost(msg.host);
    const values = new Map(statsValues(msg));
    for (const key of values.keys()) if (!this.metrics.includes(key)) this.metrics.push(key);
    slot.stats.set(msg.host, values);
  }

  onResponse(msg: ResponseTimeMessage): void {
    const slot = this.slotFor(floorSecond(msg.end), 'responsetime');
    if (!slot) return;
    slot.latencies.push(msg.latencyMs);
    if (!msg.ok) slot.errors++;
  }

  /** Emits every second whose late window has passed. Returns the rows emitted. */
  tick(): AggregateRow[] {
    if (this.next === null) return [];
    return this.emitBefore(this.options.now() - this.delay - SECOND_MS + 1);
  }

  /**
   * Emits every second that has ended by now(), without waiting for late messages (shutdown). The
   * second now() is in has not ended and stays open. Returns the rows emitted.
   */
  flush(): AggregateRow[] {
    if (this.next === null) return [];
    return this.emitBefore(floorSecond(this.options.now()));
  }

  /** Unsubscribes and stops the timer; does not emit (call flush() first to keep open seconds). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const u of this.unsubscribes) u();
    this.unsubscribes = [];
  }

  /** Emits seconds s with s < limit (limit exclusive). */
  private emitBefore(limit: number): AggregateRow[] {
    const rows: AggregateRow[] = [];
    while (this.next !== null && this.next < limit) {
      const second = this.next;
      const row = this.buildRow(second, this.open.get(second));
      this.open.delete(second);
      this.next = second + SECOND_MS;
      this.counters.rows++;
      rows.push(row);
      this.options.onRow?.(row);
      if (this.options.publish ?? true) this.bus.publish('aggregate', row);
    }
    return rows;
  }

  private slotFor(second: number, topic: LateReport['topic']): OpenSecond | null {
    if (this.next === null || !Number.isFinite(second)) return null;
    if (second < this.next) {
      if (topic === 'stats') this.counters.lateStats++;
      else this.counters.lateResponses++;
      this.lateSinceRow++;
      this.options.onLate?.({ topic, second, emittedUpTo: this.next });
      return null;
    }
    let slot = this.open.get(second);
    if (!slot) {
      slot = { latencies: [], errors: 0, stats: new Map() };
      this.open.set(second, slot);
    }
    return slot;
  }

  private addHost(host: string): void {
    if (!this.hosts.includes(host)) this.hosts.push(host);
  }

  private buildRow(second: number, slot: OpenSecond | undefined): AggregateRow {
    const latencies = (slot?.latencies ?? []).slice().sort((a, b) => a - b);
    const count = latencies.length;
    let summation = 0;
    let violations = 0;
    for (const l of latencies) {
      summation += l;
      if (l >= this.options.sloThresholdMs) violations++;
    }
    const hosts: Record<string, HostMetrics> = {};
    let cpuSum = 0;
    let cpuN = 0;
    let memSum = 0;
    let memN = 0;
    for (const host of this.hosts) {
      const msg = slot?.stats.get(host);
      const values: HostMetrics = {};
      for (const m of this.metrics) values[m] = msg?.get(m) ?? null;
      hosts[host] = values;
      const used = values['availcpu'] != null ? 100 - values['availcpu'] : (values['cpu'] ?? null);
      if (used !== null) {
        cpuSum += used;
        cpuN++;
      }
      if (values['mem'] != null) {
        memSum += values['mem'];
        memN++;
      }
    }
    const late = this.lateSinceRow;
    this.lateSinceRow = 0;
    return {
      timestamp: second,
      count,
      summation,
      mean: count > 0 ? summation / count : NaN,
      max: count > 0 ? latencies[count - 1]! : NaN,
      p95: count > 0 ? quantileSorted(latencies, 0.95) : NaN,
      violations,
      errors: slot?.errors ?? 0,
      late,
      cpu: cpuN > 0 ? cpuSum / cpuN : NaN,
      mem: memN > 0 ? memSum / memN : NaN,
      hosts,
    };
  }
}
