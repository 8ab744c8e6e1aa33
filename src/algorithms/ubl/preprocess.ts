// UBL's pre-processing (§III-A, algorithms.md §1.2), per host:
//   1. missing values (NaN): carry the host's last value of that metric forward; before any value was
//      seen, use the metric's training mean (a reconstruction: the paper's monitor has no gaps);
//   2. drop metrics that are constant (or entirely missing) in the training data;
//   3. k-point moving average: each value averaged with the values before it, k in all (k = 1: UBL-NS,
//      k = 5: UBL-5PtS); the first k - 1 values of a stream average over what exists so far;
//   4. scale to [0, 100] by the training maximum of the smoothed value: x' = 100 x / max. Online values
//      may exceed 100 and are left so (the paper: "this does not cause an unexpected result"). For a
//      metric with negative values the divisor is the largest |x| (for the non-negative metrics the paper
//      monitors this is its maximum).
// Training and online use the same arithmetic (sums in time order), so the same raw stream gives the
// same vectors in both.

/** What pre-processing learns from a host's training data. */
export interface Scaling {
  /** Indices (into the algorithm's metric list) of the metrics kept, ascending. */
  kept: Int32Array;
  /** Divisor per kept metric (training max of the smoothed value). */
  scale: Float64Array;
  /** Training mean per kept metric: the stand-in for a missing value before any was seen. */
  fill: Float64Array;
}

export interface PreparedTraining {
  scaling: Scaling;
  /** n x kept.length scaled vectors, sample-major. */
  data: Float64Array;
  n: number;
}

/** Fills NaN in place: last value carried forward, leading NaNs take the first value. False if all NaN. */
function fillMissing(v: Float64Array): boolean {
  let first = -1;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isNaN(v[i]!)) {
      first = i;
      break;
    }
  }
  if (first < 0) return false;
  for (let i = 0; i < first; i++) v[i] = v[first]!;
  for (let i = first + 1; i < v.length; i++) if (Number.isNaN(v[i]!)) v[i] = v[i - 1]!;
  return true;
}

/** k-point trailing moving average of v (time order), same arithmetic as OnlineSmoother. */
export function movingAverage(v: Float64Array, k: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const from = Math.max(0, i - k + 1);
    let s = 0;
    for (let j = from; j <= i; j++) s += v[j]!;
    out[i] = s / (i - from + 1);
  }
  return out;
}

/**
 * Pre-processes a host's training series (one raw array per metric of the algorithm, time order).
 * Returns null when every metric is constant or missing (nothing to learn: the host scores 0).
 */
export function prepareTraining(series: readonly Float64Array[], k: number): PreparedTraining | null {
  const kept: number[] = [];
  const smoothed: Float64Array[] = [];
  const scale: number[] = [];
  const fill: number[] = [];
  series.forEach((raw, m) => {
    const v = Float64Array.from(raw);
    if (!fillMissing(v)) return;
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    for (const x of v) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
      sum += x;
    }
    if (!(hi > lo)) return;
    const s = movingAverage(v, k);
    let max = 0;
    for (const x of s) max = Math.max(max, Math.abs(x));
    if (!(max > 0)) return;
    kept.push(m);
    smoothed.push(s);
    scale.push(max);
    fill.push(sum / v.length);
  });
  if (kept.length === 0) return null;
  const n = series[0]?.length ?? 0;
  const dim = kept.length;
  const data = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) data[i * dim + j] = scaleValue(smoothed[j]![i]!, scale[j]!);
  }
  return {
    scaling: { kept: Int32Array.from(kept), scale: Float64Array.from(scale), fill: Float64Array.from(fill) },
    data,
    n,
  };
}

export function scaleValue(smoothedValue: number, scale: number): number {
  return (100 * smoothedValue) / scale;
}

/** Serializable state of an OnlineSmoother. */
export interface SmootherState {
  ring: number[];
  last: number[];
  count: number;
  pos: number;
}

/**
 * The online side of steps 1, 3 and 4 for one host: a ring of the last k raw values per kept metric.
 * push() writes the scaled vector into `out` without allocating.
 */
export class OnlineSmoother {
  private readonly ring: Float64Array;
  private readonly last: Float64Array;
  private count = 0;
  private pos = 0;

  constructor(
    private readonly scaling: Scaling,
    private readonly k: number,
  ) {
    this.ring = new Float64Array(k * scaling.kept.length);
    this.last = Float64Array.from(scaling.fill);
  }

  push(values: Float64Array, out: Float64Array): void {
    const { kept, scale } = this.scaling;
    const dim = kept.length;
    const k = this.k;
    for (let j = 0; j < dim; j++) {
      const v = values[kept[j]!]!;
      if (!Number.isNaN(v)) this.last[j] = v;
      this.ring[this.pos * dim + j] = this.last[j]!;
    }
    this.pos = (this.pos + 1) % k;
    if (this.count < k) this.count++;
    const cnt = this.count;
    // Oldest first, as movingAverage sums.
    const start = (this.pos - cnt + k) % k;
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let i = 0, p = start; i < cnt; i++, p = p + 1 === k ? 0 : p + 1) s += this.ring[p * dim + j]!;
      out[j] = scaleValue(s / cnt, scale[j]!);
    }
  }

  toJSON(): SmootherState {
    return { ring: Array.from(this.ring), last: Array.from(this.last), count: this.count, pos: this.pos };
  }

  static fromJSON(scaling: Scaling, k: number, s: SmootherState): OnlineSmoother {
    const out = new OnlineSmoother(scaling, k);
    out.ring.set(s.ring);
    out.last.set(s.last);
    out.count = s.count;
    out.pos = s.pos;
    return out;
  }
}
