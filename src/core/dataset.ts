// The dataset vocabulary: what a recorded run (or an imported case) holds in memory.
// File layout and validation live in src/data/dataset-io.ts; see ../shared/spec/dataset-format.md.

export const DATASET_FORMAT = 'foreshock-dataset/1';

export interface HostInfo {
  id: string;
  role?: string;
  /**
   * The harness's own machine (recorder/analysis host, Kafka host, load-generating clients), not the
   * system under test: not replayed and not scored by default (evaluation.md v2 "Hosts under test").
   */
  harness?: boolean;
}

export interface SloSpec {
  /** Column of slo.arrow that is compared with the threshold, e.g. `mean_latency_ms`. */
  signal: string;
  /** A second violates the SLO when signal >= threshold (evaluation.md, "Ground truth"). */
  threshold: number;
  /**
   * A second violates when its failed requests exceed this share of its requests (evaluation.md v2;
   * absent = 0: any failed request violates). Needs the slo table's `count` and `errors` columns.
   */
  maxErrorRate?: number;
}

export interface Phase {
  name: string;
  start: number;
  end: number;
}

/** Ground truth: one injected (or labelled) fault. Times are epoch ms; `end` is exclusive. */
export interface FaultRecord {
  id: string;
  /** Free string: cpuhog, memleak, diskhog, ... or whatever an imported dataset calls it. */
  type: string;
  host: string;
  start: number;
  end: number;
  /** Culprit metrics where known (SMD interpretation labels, synthetic faults). */
  metrics?: string[];
  params?: Record<string, unknown>;
}

/** A fix that was really executed while recording; calibrates the replay fix model. */
export interface ActionRecord {
  type: string;
  host: string;
  requested: number;
  completed: number;
}

export interface Manifest {
  format: string;
  name: string;
  source: { kind: string; detail?: string };
  sampleIntervalMs: number;
  start: number;
  end: number;
  hosts: HostInfo[];
  /** caller -> callee edges. */
  dependencies: [string, string][];
  metrics: string[];
  slo: SloSpec | null;
  phases: Phase[];
  faults: FaultRecord[];
  actions: ActionRecord[];
  seed?: number | null;
}

/**
 * Host samples in long format, columnar: row i is (time[i], hosts[host[i]], columns[m][i]).
 * Rows are sorted by time; within one time each host appears at most once.
 * A missing value is NaN here and null in the Arrow file (NaN in a file is rejected).
 */
export interface MetricTable {
  time: Float64Array;
  host: Int32Array;
  hosts: string[];
  metrics: string[];
  columns: Float64Array[];
}

/** Per-second service-level series (slo.arrow). Columns by name; missing = NaN. */
export interface SloTable {
  time: Float64Array;
  columns: Record<string, Float64Array>;
}

export interface Dataset {
  manifest: Manifest;
  metrics: MetricTable;
  slo: SloTable | null;
}

/** Standard slo.arrow columns (a superset of the seed's `aggregate` fields). */
export const SLO_COLUMNS = [
  'count',
  'mean_latency_ms',
  'p95_latency_ms',
  'max_latency_ms',
  'violations',
  'errors',
] as const;

export function rowCount(table: MetricTable): number {
  return table.time.length;
}

/**
 * The hosts under test: every manifest host not marked `"harness": true`, or every host with `all`
 * (evaluation.md v2 "Hosts under test"). Manifest order.
 */
export function hostsUnderTest(manifest: Manifest, all = false): string[] {
  return manifest.hosts.filter((h) => all || h.harness !== true).map((h) => h.id);
}

/**
 * Whether a second violates the SLO as the pipeline can see it (replay and live alike): its signal
 * is at or over the threshold, or its failed requests exceed `maxErrorRate` of its requests
 * (evaluation.md v2). A second without requests is not counted here: whether that is an outage or an
 * idle service depends on a fault the pipeline does not know about (the scorer counts it).
 */
export function observedViolation(signal: number, count: number, errors: number, slo: SloSpec): boolean {
  if (Number.isFinite(signal) && signal >= slo.threshold) return true;
  return count > 0 && Number.isFinite(errors) && errors / count > (slo.maxErrorRate ?? 0);
}
