// Shapes shared by the host metric agent's sources, its pure derivation step and its loop.
// A source reads raw counters and gauges (no arithmetic beyond unit conversion and summing); the
// derivation step (derive.ts) turns two consecutive raw samples into the published metrics.

/** The metric names the agent publishes (../../../shared/spec/dataset-format.md, "Metric names"). */
export const AGENT_METRICS = [
  'availcpu',
  'freemem',
  'pagein',
  'pageout',
  'majfault',
  'freedisk',
  'load1',
  'load5',
  'diskread',
  'diskwrite',
  'netin',
  'netout',
  'cpu_pressure',
  'mem_pressure',
  'io_pressure',
] as const;
export type AgentMetric = (typeof AGENT_METRICS)[number];

/** One host's metrics for one interval. Missing values are null, never 0 (dataset-format.md). */
export type HostMetrics = Record<AgentMetric, number | null>;

/**
 * What the agent publishes on the `stats` topic, keyed by `host`, once per host and interval:
 * `{ host, time, metrics }` with `time` the wall clock of the sample in epoch ms.
 */
export interface HostStatsMessage {
  host: string;
  time: number;
  metrics: HostMetrics;
}

/** The topic map the agent publishes on (a Bus<AgentTopics>, see ../bus.ts). */
export interface AgentTopics {
  stats: HostStatsMessage;
}

/**
 * Raw readings of one host at one instant. Counters are cumulative since an arbitrary origin
 * (their deltas matter); gauges are instantaneous. Anything the source cannot read is null.
 */
export interface RawSample {
  /** Monotonic time of the reading, ms (dt between samples comes from this, not the wall clock). */
  monoMs: number;
  /** Counter: CPU time used by the host, seconds. */
  cpuSeconds: number | null;
  /** Gauge: the host's CPU allotment, cores (1.5 = one and a half cores). */
  cpuCores: number | null;
  /** Gauges: memory in use and the limit it counts against, bytes. */
  memUsedBytes: number | null;
  memLimitBytes: number | null;
  /** Counters behind pagein / pageout / majfault, in pages (or faults, see each source). */
  pageinCount: number | null;
  pageoutCount: number | null;
  majfaultCount: number | null;
  /** Gauge: free space on the host's disk, bytes (available to unprivileged users). */
  freeDiskBytes: number | null;
  /** Gauge: tasks (threads) runnable or in uninterruptible sleep (states R and D) right now. */
  runnableTasks: number | null;
  /** Counters: bytes read from / written to storage, received / sent on the network. */
  diskReadBytes: number | null;
  diskWriteBytes: number | null;
  netInBytes: number | null;
  netOutBytes: number | null;
  /** Gauges: PSI `some avg10`, % of time. */
  cpuPressure: number | null;
  memPressure: number | null;
  ioPressure: number | null;
  /**
   * Ready-made load averages (the machine source's /proc/loadavg, the kernel's own): published as
   * they are instead of derive.ts's estimate from runnableTasks.
   */
  kernelLoad?: { load1: number | null; load5: number | null };
}

/** A host's metric source: the procfs (embedded) one or the cgroup (testbed) one. */
export interface MetricSource {
  /** Reads the host now; `monoMs` is stamped into the sample. Never throws for a vanished file. */
  sample(monoMs: number): RawSample;
}

/** A RawSample with every field null: sources start from it and fill what they can read. */
export function emptySample(monoMs: number): RawSample {
  return {
    monoMs,
    cpuSeconds: null,
    cpuCores: null,
    memUsedBytes: null,
    memLimitBytes: null,
    pageinCount: null,
    pageoutCount: null,
    majfaultCount: null,
    freeDiskBytes: null,
    runnableTasks: null,
    diskReadBytes: null,
    diskWriteBytes: null,
    netInBytes: null,
    netOutBytes: null,
    cpuPressure: null,
    memPressure: null,
    ioPressure: null,
  };
}

/**
 * The flat shape ../bus.ts's StatsMessage and today's recorder/aggregator read
 * (`{ time, host, <metric>: number }`): metrics at the top level, nulls left out (a reader fills an
 * absent metric with null/NaN, so nothing reads as 0).
 */
export function flattenStats(
  msg: HostStatsMessage,
): { time: number; host: string } & Record<string, number | string> {
  const out: { time: number; host: string } & Record<string, number | string> = {
    time: msg.time,
    host: msg.host,
  };
  for (const [k, v] of Object.entries(msg.metrics)) if (v !== null) out[k] = v;
  return out;
}
