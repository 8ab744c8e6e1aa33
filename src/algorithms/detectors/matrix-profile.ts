// Streaming matrix-profile discord detector (left matrix profile: Yeh et al., "Matrix Profile I",
// ICDM 2016, §II and the incremental STAMPI update, §III.C; Zhu et al., "Matrix Profile II", 2016,
// for the diagonal (lag) form of the dot-product update).
//
// The raw score of the newest value is the z-normalised Euclidean distance from the subsequence
// that ends at it (length m) to its nearest neighbour among the subsequences of the last `history`
// values that do not overlap it, divided by the largest possible distance 2 sqrt(m): a pattern never
// seen before scores high, a repetition of known behaviour scores near 0.
//
// Per new value the cost is O(history): the dot product of the newest subsequence with the one
// `lag` steps back changes by x[t] x[t-lag] - x[t-m] x[t-m-lag], so one running sum per lag suffices
// (refreshed exactly every `refreshEvery` values against round-off).
//
// Flat and near-flat subsequences: plain z-normalisation blows tiny noise on a flat stretch up to
// full scale. Each subsequence's standard deviation is therefore taken as sqrt(sd^2 + floor^2),
// floor = `noiseFloor` x the standard deviation of all values seen so far (updated with the exact
// recomputation every `refreshEvery` values, so the per-subsequence terms can be cached); a flat
// stretch becomes a zero vector (two flat stretches are identical, a flat stretch against a shape
// is far).
// Reconstruction: the floor is foreshock's choice, not from the papers.

import type { ConfigOf, ParamSpecs } from '../../core/config.ts';
import { streamDetector, type StreamScorer } from './stream-detector.ts';

const PARAMS = {
  subsequence: {
    type: 'integer',
    default: 64,
    min: 4,
    max: 1024,
    doc: 'subsequence length m (values)',
    source: 'Yeh et al. ICDM 2016 §II (m is the user-chosen query length); value: foreshock choice',
  },
  history: {
    type: 'integer',
    default: 4096,
    min: 8,
    doc: 'how far back (values) nearest neighbours are searched; bounds the cost per value',
    source:
      'reconstruction: bounded left matrix profile (a sliding horizon keeps the stream O(history) per value)',
  },
  exclusion: {
    type: 'number',
    default: 1,
    min: 0.25,
    max: 4,
    doc: 'exclusion zone as a multiple of m: neighbours closer than this many values are trivial matches',
    source: 'Yeh et al. ICDM 2016 §II (trivial-match exclusion zone); multiple: foreshock choice',
  },
  noiseFloor: {
    type: 'number',
    default: 0.05,
    min: 0,
    doc: 'floor on a subsequence standard deviation, as a fraction of the standard deviation of all values so far',
    source: 'reconstruction: keeps z-normalisation from magnifying noise on flat stretches',
  },
  refreshEvery: {
    type: 'integer',
    default: 1024,
    min: 1,
    doc: 'values between exact recomputations of the running dot products',
    source: 'reconstruction: numerical hygiene for the incremental update',
  },
} satisfies ParamSpecs;

export type MatrixProfileConfig = ConfigOf<typeof PARAMS>;
type Config = MatrixProfileConfig;

interface State {
  /** Values seen so far, newest last (at most history + 2m kept). */
  values: number[];
  /** Values seen in total. */
  count: number;
  /** Offset subtracted from every value (the first value) so the dot products stay well conditioned. */
  offset: number | null;
  /** Welford accumulators of all values seen: n, mean, M2. */
  n: number;
  mean: number;
  m2: number;
  /** The noise floor in use (refreshed with the dot products). */
  floor: number;
  /** Running dot products by lag (index lag), valid for lags seen so far. */
  dots: number[];
  sinceRefresh: number;
}

export class MatrixProfileDiscord implements StreamScorer {
  private readonly m: number;
  private readonly minLag: number;
  private readonly keep: number;
  // Values and per-subsequence statistics live in rings indexed by time modulo `keep`, each stored
  // twice (at j and j + keep) so that the scan over lags reads contiguous memory without wrapping.
  private readonly ring: Float64Array;
  private readonly dots: Float64Array;
  /** Per kept subsequence end: mean, variance, 1 / floored sd, and m * variance / floored variance. */
  private readonly mu: Float64Array;
  private readonly variance: Float64Array;
  private readonly invS: Float64Array;
  private readonly selfTerm: Float64Array;
  private count = 0;
  private offset: number | null = null;
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private floor = 0;
  private sinceRefresh = 0;

  constructor(
    private readonly config: Config,
    state?: State,
  ) {
    this.m = config.subsequence;
    this.minLag = Math.max(1, Math.ceil(config.exclusion * this.m));
    this.keep = config.history + 2 * this.m + 1;
    this.ring = new Float64Array(2 * this.keep);
    this.mu = new Float64Array(2 * this.keep);
    this.variance = new Float64Array(this.keep);
    this.invS = new Float64Array(2 * this.keep);
    this.selfTerm = new Float64Array(2 * this.keep);
    this.dots = new Float64Array(config.history + 1);
    if (state) {
      this.offset = state.offset;
      this.n = state.n;
      this.mean = state.mean;
      this.m2 = state.m2;
      this.floor = state.floor;
      const first = state.count - state.values.length;
      state.values.forEach((v, i) => this.put(first + i, v));
      this.count = state.count;
      for (let t = Math.max(first + this.m - 1, 0); t < state.count; t++) this.stats(t);
      state.dots.forEach((d, lag) => (this.dots[lag] = d));
      this.sinceRefresh = state.sinceRefresh;
    }
  }

  private at(t: number): number {
    return this.ring[t % this.keep]!;
  }

  private put(t: number, v: number): void {
    const j = t % this.keep;
    this.ring[j] = v;
    this.ring[j + this.keep] = v;
  }

  /** Statistics of the subsequence ending at t (two-pass, exact), under the current floor. */
  private stats(t: number): void {
    const m = this.m;
    let sum = 0;
    for (let k = t - m + 1; k <= t; k++) sum += this.at(k);
    const mean = sum / m;
    let ss = 0;
    for (let k = t - m + 1; k <= t; k++) ss += (this.at(k) - mean) ** 2;
    const j = t % this.keep;
    this.mu[j] = mean;
    this.mu[j + this.keep] = mean;
    this.variance[j] = ss / m;
    this.floored(j);
  }

  private floored(j: number): void {
    const v = this.variance[j]!;
    const v2 = v + this.floor * this.floor;
    const inv = v2 > 0 ? 1 / Math.sqrt(v2) : 0;
    const self = v2 > 0 ? (this.m * v) / v2 : 0;
    this.invS[j] = inv;
    this.invS[j + this.keep] = inv;
    this.selfTerm[j] = self;
    this.selfTerm[j + this.keep] = self;
  }

  private dotAt(t: number, lag: number): number {
    let s = 0;
    for (let k = 0; k < this.m; k++) s += this.at(t - k) * this.at(t - lag - k);
    return s;
  }

  next(raw: number): number {
    if (this.offset === null) this.offset = raw;
    const x = raw - this.offset;
    // Scale of the series so far (Welford), for the noise floor.
    this.n++;
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);

    const t = this.count++;
    const keep = this.keep;
    this.put(t, x);
    const m = this.m;
    if (t < m - 1) return 0;
    // Every `refreshEvery` values: recompute the dot products exactly and move the noise floor.
    const refresh = t === m - 1 || ++this.sinceRefresh >= this.config.refreshEvery;
    if (refresh) {
      this.sinceRefresh = 0;
      this.floor = this.config.noiseFloor * Math.sqrt(this.m2 / this.n);
      for (let u = Math.max(m - 1, t - keep + 1); u < t; u++) this.floored(u % keep);
    }
    this.stats(t);
    // Lags with a complete earlier subsequence: lag <= t - (m - 1).
    const maxLag = Math.min(this.config.history, t - (m - 1));
    if (maxLag < this.minLag) return 0;

    const tj = t % keep;
    const muT = this.mu[tj]!;
    const invT = this.invS[tj]!;
    const selfT = this.selfTerm[tj]!;
    const ring = this.ring;
    const dots = this.dots;
    const mu = this.mu;
    const invS = this.invS;
    const selfTerm = this.selfTerm;
    const newest = t - (m - 1);
    if (refresh) for (let lag = this.minLag; lag <= maxLag; lag++) dots[lag] = this.dotAt(t, lag);
    else {
      // The dot product of the newest subsequence with the one `lag` back changes by
      // x[t] x[t - lag] - x[t - m] x[t - m - lag]; a lag seen for the first time is computed in full.
      const xOld = t - m >= 0 ? this.at(t - m) : 0;
      const base = tj + keep; // ring position of t - lag is base - lag, no wrap-around
      for (let lag = this.minLag; lag <= maxLag; lag++) {
        const p = base - lag;
        dots[lag] = lag === newest ? this.dotAt(t, lag) : dots[lag]! + x * ring[p]! - xOld * ring[p - m]!;
      }
    }
    // d^2 = m a_t + m a_j - 2 (QT - m mu_t mu_j) / (s_t s_j), a = sd^2 / floored sd^2; a flat
    // subsequence with no floor is the zero vector (1 / s taken as 0).
    const base = tj + keep;
    const scale = 2 * invT;
    const mMuT = m * muT;
    let best = Infinity;
    for (let lag = this.minLag; lag <= maxLag; lag++) {
      const p = base - lag;
      const d2 = selfT + selfTerm[p]! - scale * (dots[lag]! - mMuT * mu[p]!) * invS[p]!;
      if (d2 < best) best = d2;
    }
    const d = Math.sqrt(Math.max(0, best));
    return Math.min(1, d / (2 * Math.sqrt(m)));
  }

  toJSON(): State {
    const kept = Math.min(this.count, this.keep);
    const values: number[] = [];
    for (let t = this.count - kept; t < this.count; t++) values.push(this.at(t));
    return {
      values,
      count: this.count,
      offset: this.offset,
      n: this.n,
      mean: this.mean,
      m2: this.m2,
      floor: this.floor,
      dots: Array.from(this.dots),
      sinceRefresh: this.sinceRefresh,
    };
  }
}

export const matrixProfileDefinition = streamDetector({
  name: 'mp-discord',
  summary:
    'streaming left-matrix-profile discord distance (Yeh et al. 2016) with the anomaly-likelihood post-processor',
  params: PARAMS,
  create: (config) => [new MatrixProfileDiscord(config)],
  load: (config, states) => [new MatrixProfileDiscord(config, states[0] as State)],
});
