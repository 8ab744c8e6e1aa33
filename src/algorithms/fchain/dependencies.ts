// Dependency relations for FChain's filter (algorithms.md §3.1 step 5d): is there a dependency
// path from one host to another, in either direction? Forward (caller -> callee edges, a fault
// slowing its callers) and backward (back-pressure: a faulty host starving its callees) both make
// the later host a propagation victim.
//
// Known topology: directed reachability over the caller -> callee edges (BFS per source, cached).
// Unknown topology: inferred from the data, black-box (the paper discovers dependencies from
// network traffic; we have host metrics only): hosts that serve the same requests rise and fall
// together from one second to the next. Two hosts are related when the second-to-second changes
// (first differences) of at least MIN_METRICS of their metrics correlate (|Pearson r| >= threshold)
// over normal data, the samples before the look-back window. Differences, because levels of
// trending or slowly wandering metrics (free disk filling, load averages) correlate between any two
// hosts; two metrics, because one coincidental pair (two hosts flushing their page cache in step)
// should not link unrelated hosts. Inferred relations are undirected and checked pairwise (one hop),
// only for the pairs the filter asks about.

export interface Relation {
  /** True when a dependency path links a and b in either direction. */
  related(a: string, b: string): boolean;
}

export class KnownTopology implements Relation {
  private readonly out = new Map<string, string[]>();
  private readonly reach = new Map<string, Set<string>>();

  constructor(edges: readonly (readonly [string, string])[]) {
    for (const [a, b] of edges) {
      let list = this.out.get(a);
      if (!list) this.out.set(a, (list = []));
      list.push(b);
    }
  }

  /** Whether a directed path leads from `a` to `b`. */
  reaches(a: string, b: string): boolean {
    let seen = this.reach.get(a);
    if (!seen) {
      seen = new Set<string>();
      const stack = [a];
      while (stack.length > 0) {
        for (const next of this.out.get(stack.pop()!) ?? []) {
          if (!seen.has(next)) {
            seen.add(next);
            stack.push(next);
          }
        }
      }
      this.reach.set(a, seen);
    }
    return seen.has(b);
  }

  related(a: string, b: string): boolean {
    return this.reaches(a, b) || this.reaches(b, a);
  }
}

/** Series of one host: metric k over the normal samples [0, n). */
export type HostSeries = readonly Float64Array[];

export class InferredTopology implements Relation {
  private readonly cache = new Map<string, boolean>();
  private readonly z = new Map<string, (Float64Array | null)[]>();

  /**
   * `series(host)` gives the host's metrics; correlation uses samples [from, to) of each.
   * `threshold` is the |r| that makes two hosts related.
   */
  constructor(
    private readonly series: (host: string) => HostSeries | undefined,
    private readonly from: number,
    private readonly to: number,
    private readonly threshold: number,
  ) {}

  related(a: string, b: string): boolean {
    if (a === b) return true;
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    let r = this.cache.get(key);
    if (r === undefined) {
      r = this.correlation(a, b) >= this.threshold;
      this.cache.set(key, r);
    }
    return r;
  }

  /** The MIN_METRICS-th largest |r| over the metrics both hosts have (0 with too little normal data). */
  correlation(a: string, b: string): number {
    const za = this.standardized(a);
    const zb = this.standardized(b);
    const n = this.to - this.from - 1;
    const rs: number[] = [];
    for (let m = 0; m < Math.min(za.length, zb.length); m++) {
      const x = za[m];
      const y = zb[m];
      if (!x || !y) continue;
      let dot = 0;
      for (let i = 0; i < n; i++) dot += x[i]! * y[i]!;
      rs.push(Math.abs(dot / n));
    }
    rs.sort((p, q) => q - p);
    return rs[MIN_METRICS - 1] ?? 0;
  }

  /** Per metric: first differences over the normal samples, standardized; null when flat or missing. */
  private standardized(host: string): (Float64Array | null)[] {
    let out = this.z.get(host);
    if (out) return out;
    const n = this.to - this.from - 1;
    out = (this.series(host) ?? []).map((x) => {
      if (n < MIN_SAMPLES) return null;
      const d = new Float64Array(n);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += d[i] = x[this.from + i + 1]! - x[this.from + i]!;
      const mean = sum / n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (d[i]! - mean) ** 2;
      const sd = Math.sqrt(ss / n);
      if (!(sd > 0) || !Number.isFinite(sd)) return null;
      for (let i = 0; i < n; i++) d[i] = (d[i]! - mean) / sd;
      return d;
    });
    this.z.set(host, out);
    return out;
  }
}

/** Metrics whose changes must correlate for two hosts to count as related. */
export const MIN_METRICS = 2;

/** Fewer normal samples than this give no inferred relation (a correlation of noise). */
export const MIN_SAMPLES = 20;
