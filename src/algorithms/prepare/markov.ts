// Attribute value prediction with a Markov chain per metric (spec §2.2 step 2).
//
// Order 2 (PREPARE): P(s_t = c | s_t-1 = b, s_t-2 = a), an M^2 x M table from transition counts. The
// point of the second order is trend: a first-order chain cannot tell "falling through bin b" from
// "rising through bin b", a second-order one can. Order 1 (ablation): P(s_t = c | s_t-1 = b).
//
// Smoothing (reconstruction; the scheme is not recovered): each row is its counts plus `alpha`
// pseudo-counts spread like a prior row, i.e. a Dirichlet prior centred on a simpler model:
//   P1(c | b)    = (n(b, c)    + alpha * base(c | b)) / (n(b)    + alpha)
//   P2(c | a, b) = (n(a, b, c) + alpha * P1(c | b))   / (n(a, b) + alpha)
// base = "persist" (all prior mass on c = b: a state never seen in training is expected to stay) or
// "uniform" (1/S). A pair never seen in training therefore predicts exactly like the first-order chain.
//
// Look-ahead: the state distribution L steps ahead, Q_L(c | s_t-1, s_t), reduced to one state (the
// mode, or the rounded mean). It depends only on the last one or two states and the chain is fixed
// after training, so the predicted state of every (s_t-1, s_t) is computed once, when the chain is
// built, by the recursion Q_k(c | a, b) = sum_x P(x | a, b) Q_k-1(c | b, x), Q_0(c | a, b) = [c = b]
// (order 1: Q_k(c | b) = sum_x P(x | b) Q_k-1(c | x)). That costs L * M^3 * (non-zero entries per row)
// once per chain; score() is then a table lookup. distribution() propagates one start state forward
// instead (the textbook way, used to check the table).

export type MarkovPrior = 'persist' | 'uniform';
export type PredictedState = 'mode' | 'mean';

export interface MarkovOptions {
  order: 1 | 2;
  states: number;
  alpha: number;
  prior: MarkovPrior;
}

/** Counts as flat tuples (sparse: most of the M^3 cells of a second-order chain stay empty). */
export interface MarkovState {
  /** [b, c, n, b, c, n, ...] */
  first: number[];
  /** [a, b, c, n, ...]; empty for order 1. */
  second: number[];
}

/** Accumulates transition counts from state sequences. */
export class MarkovCounter {
  readonly first: Float64Array;
  readonly second: Float64Array | null;
  constructor(private readonly opts: MarkovOptions) {
    const S = opts.states;
    this.first = new Float64Array(S * S);
    this.second = opts.order === 2 ? new Float64Array(S * S * S) : null;
  }

  /** One transition into state c; a = s_t-2 (or -1 when unknown), b = s_t-1. */
  add(a: number, b: number, c: number): void {
    const S = this.opts.states;
    this.first[b * S + c]!++;
    if (this.second && a >= 0) this.second[(a * S + b) * S + c]!++;
  }

  toState(): MarkovState {
    const S = this.opts.states;
    const first: number[] = [];
    const second: number[] = [];
    for (let i = 0; i < this.first.length; i++) {
      const n = this.first[i]!;
      if (n > 0) first.push(Math.floor(i / S), i % S, n);
    }
    if (this.second) {
      for (let i = 0; i < this.second.length; i++) {
        const n = this.second[i]!;
        if (n > 0) second.push(Math.floor(i / (S * S)), Math.floor(i / S) % S, i % S, n);
      }
    }
    return { first, second };
  }
}

export class MarkovChain {
  private readonly S: number;
  /** P1, dense S x S. */
  private readonly p1: Float64Array;
  /** Offset of the P2 row of pair (a, b) in `p2`, or -1 when the pair was never seen (= the P1 row of b). */
  private readonly rowOf: Int32Array;
  private readonly p2: Float64Array;
  /** Predicted state per (s_t-1, s_t) (order 2) or per s_t (order 1). */
  private readonly ahead: Int16Array;

  constructor(
    private readonly opts: MarkovOptions,
    private readonly counts: MarkovState,
    horizon: number,
    how: PredictedState,
  ) {
    const S = opts.states;
    this.S = S;
    const n1 = new Float64Array(S * S);
    for (let i = 0; i + 2 < counts.first.length; i += 3) {
      n1[counts.first[i]! * S + counts.first[i + 1]!]! += counts.first[i + 2]!;
    }
    this.p1 = new Float64Array(S * S);
    for (let b = 0; b < S; b++) {
      let total = 0;
      for (let c = 0; c < S; c++) total += n1[b * S + c]!;
      const denom = total + opts.alpha;
      for (let c = 0; c < S; c++) {
        const base = opts.prior === 'uniform' ? 1 / S : c === b ? 1 : 0;
        // With no counts and alpha = 0 the row is undefined: fall back to the prior row itself.
        this.p1[b * S + c] = denom > 0 ? (n1[b * S + c]! + opts.alpha * base) / denom : base;
      }
    }
    this.rowOf = new Int32Array(opts.order === 2 ? S * S : 0).fill(-1);
    const pairs: number[] = [];
    for (let i = 0; i + 3 < counts.second.length; i += 4) {
      const pair = counts.second[i]! * S + counts.second[i + 1]!;
      if (this.rowOf[pair] === -1) {
        this.rowOf[pair] = pairs.length;
        pairs.push(pair);
      }
    }
    this.p2 = new Float64Array(pairs.length * S);
    for (let i = 0; i + 3 < counts.second.length; i += 4) {
      const pair = counts.second[i]! * S + counts.second[i + 1]!;
      this.p2[this.rowOf[pair]! * S + counts.second[i + 2]!]! += counts.second[i + 3]!;
    }
    pairs.forEach((pair, k) => {
      const b = pair % S;
      let total = 0;
      for (let c = 0; c < S; c++) total += this.p2[k * S + c]!;
      for (let c = 0; c < S; c++) {
        this.p2[k * S + c] = (this.p2[k * S + c]! + opts.alpha * this.p1[b * S + c]!) / (total + opts.alpha);
      }
      this.rowOf[pair] = k * S;
    });
    this.ahead = this.lookaheadTable(horizon, how);
  }

  get order(): 1 | 2 {
    return this.opts.order;
  }

  /** P(s_t+1 = c | s_t-1 = a, s_t = b) (order 1, or a = -1: P(c | b)). */
  transition(a: number, b: number, c: number): number {
    const { probs, start } = this.row(a, b);
    return probs[start + c]!;
  }

  /** Row offset and array of P(. | a, b) (order 1, or an unseen pair: the first-order row of b). */
  private row(a: number, b: number): { probs: Float64Array; start: number } {
    const off = this.opts.order === 2 && a >= 0 ? this.rowOf[a * this.S + b]! : -1;
    return off >= 0 ? { probs: this.p2, start: off } : { probs: this.p1, start: b * this.S };
  }

  private lookaheadTable(horizon: number, how: PredictedState): Int16Array {
    const S = this.S;
    const starts = this.opts.order === 2 ? S * S : S;
    const table = new Int16Array(starts);
    if (horizon === 0) {
      for (let k = 0; k < starts; k++) table[k] = k % S;
      return table;
    }
    // q[start * S + c] = Q_k(c | start), start = a * S + b (order 2) or b (order 1).
    let q = new Float64Array(starts * S);
    let next = new Float64Array(starts * S);
    for (let k = 0; k < starts; k++) q[k * S + (k % S)] = 1;
    for (let step = 0; step < horizon; step++) {
      next.fill(0);
      for (let k = 0; k < starts; k++) {
        const b = k % S;
        const { probs, start } = this.row(this.opts.order === 2 ? Math.floor(k / S) : -1, b);
        const dst = k * S;
        for (let x = 0; x < S; x++) {
          const w = probs[start + x]!;
          if (w === 0) continue;
          const src = (this.opts.order === 2 ? b * S + x : x) * S;
          for (let c = 0; c < S; c++) next[dst + c]! += w * q[src + c]!;
        }
      }
      [q, next] = [next, q];
    }
    for (let k = 0; k < starts; k++) {
      const dist = q.subarray(k * S, (k + 1) * S);
      table[k] = how === 'mode' ? argmax(dist) : roundedMean(dist);
    }
    return table;
  }

  /**
   * The distribution of the state `steps` samples after the current state `cur`, given the state
   * before it `prev` (-1 = unknown: taken as equal to cur), by forward propagation of the pair-state
   * (order 2) or state (order 1) distribution.
   */
  distribution(prev: number, cur: number, steps: number): Float64Array {
    const S = this.S;
    if (this.opts.order === 1) {
      let from = new Float64Array(S);
      let to = new Float64Array(S);
      from[cur] = 1;
      for (let k = 0; k < steps; k++) {
        to.fill(0);
        for (let b = 0; b < S; b++) {
          const m = from[b]!;
          if (m === 0) continue;
          for (let c = 0; c < S; c++) to[c]! += m * this.p1[b * S + c]!;
        }
        [from, to] = [to, from];
      }
      return from;
    }
    let from = new Float64Array(S * S);
    let to = new Float64Array(S * S);
    from[(prev < 0 ? cur : prev) * S + cur] = 1;
    for (let k = 0; k < steps; k++) {
      to.fill(0);
      for (let pair = 0; pair < S * S; pair++) {
        const m = from[pair]!;
        if (m === 0) continue;
        const b = pair % S;
        const { probs, start } = this.row(Math.floor(pair / S), b);
        for (let c = 0; c < S; c++) to[b * S + c]! += m * probs[start + c]!;
      }
      [from, to] = [to, from];
    }
    const dist = new Float64Array(S);
    for (let pair = 0; pair < S * S; pair++) dist[pair % S]! += from[pair]!;
    return dist;
  }

  /** The predicted state `horizon` samples ahead of `cur` (prev = the state before, -1 = unknown). */
  predict(prev: number, cur: number): number {
    if (this.opts.order === 1) return this.ahead[cur]!;
    return this.ahead[(prev < 0 ? cur : prev) * this.S + cur]!;
  }

  toJSON(): MarkovState {
    return this.counts;
  }
}

function argmax(dist: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < dist.length; c++) if (dist[c]! > dist[best]!) best = c;
  return best;
}

function roundedMean(dist: ArrayLike<number>): number {
  let total = 0;
  let weighted = 0;
  for (let c = 0; c < dist.length; c++) {
    total += dist[c]!;
    weighted += c * dist[c]!;
  }
  return Math.min(dist.length - 1, Math.max(0, Math.round(weighted / total)));
}
