// The per-metric normal-fluctuation model: a PRESS-style discretized Markov chain (FChain §II-B as
// described in algorithms.md §3.1 step 4a). The metric's normal range [lo, hi] is cut into M
// equal-width bins; the state is the bin of the current value. For each state the model keeps how
// often it was left and the sum of the values that followed, so its prediction of the next value
// is the chain's expected next value given the current bin: E[x(t+1) | bin(x(t))]. (PRESS predicts
// the next bin; taking the mean of the observed successors instead of bin centres keeps the
// discretisation step out of the prediction error.)
//
// Values outside [lo, hi] fall into the edge bins, so a metric that leaves its normal range is
// predicted back inside it and the error grows with the distance: the point of a normal-fluctuation
// model. A state never seen in normal data predicts "no change" (the current value).
// O(M) memory per metric; learn and predict are O(1).

export interface MarkovModel {
  lo: number;
  hi: number;
  /** Transitions out of each bin. */
  count: Float64Array;
  /** Sum of the next values after each bin. */
  next: Float64Array;
}

export interface MarkovJSON {
  lo: number;
  hi: number;
  count: number[];
  next: number[];
}

export function emptyModel(bins: number, lo: number, hi: number): MarkovModel {
  return { lo, hi, count: new Float64Array(bins), next: new Float64Array(bins) };
}

export function binOf(model: MarkovModel, x: number): number {
  const bins = model.count.length;
  const span = model.hi - model.lo;
  if (!(span > 0)) return 0;
  const b = Math.floor(((x - model.lo) / span) * bins);
  return b < 0 ? 0 : b >= bins ? bins - 1 : b;
}

/** Records the transition prev -> next (both finite). */
export function learnTransition(model: MarkovModel, prev: number, next: number): void {
  const b = binOf(model, prev);
  model.count[b]! += 1;
  model.next[b]! += next;
}

/** The expected next value after `prev`; `prev` itself for a state never left in normal data. */
export function predictNext(model: MarkovModel, prev: number): number {
  const b = binOf(model, prev);
  const c = model.count[b]!;
  return c > 0 ? model.next[b]! / c : prev;
}

/**
 * Fits a model on normal values x[from..to) (time order; `breaks[i]` true = no transition from
 * i - 1 to i, e.g. a gap in the data). Returns null when fewer than two finite values remain.
 */
export function fitModel(
  x: ArrayLike<number>,
  from: number,
  to: number,
  bins: number,
  breaks?: ArrayLike<boolean | number>,
): MarkovModel | null {
  let lo = Infinity;
  let hi = -Infinity;
  let n = 0;
  for (let i = from; i < to; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (n < 2) return null;
  const model = emptyModel(bins, lo, hi);
  updateModel(model, x, from, to, breaks);
  return model;
}

/** Learns every transition between consecutive finite values of x[from..to). In place. */
export function updateModel(
  model: MarkovModel,
  x: ArrayLike<number>,
  from: number,
  to: number,
  breaks?: ArrayLike<boolean | number>,
): void {
  for (let i = from + 1; i < to; i++) {
    const prev = x[i - 1]!;
    const next = x[i]!;
    if (breaks?.[i]) continue;
    if (Number.isFinite(prev) && Number.isFinite(next)) learnTransition(model, prev, next);
  }
}

/**
 * The model re-discretized over the wider range [lo, hi] (which contains the old one): each old
 * bin's transitions move to the new bin holding its centre. Used when newer normal data extends the
 * range, so those values get bins of their own instead of piling into an edge bin.
 */
export function widenModel(model: MarkovModel, lo: number, hi: number): MarkovModel {
  const bins = model.count.length;
  const out = emptyModel(bins, Math.min(lo, model.lo), Math.max(hi, model.hi));
  const width = (model.hi - model.lo) / bins;
  for (let b = 0; b < bins; b++) {
    const c = model.count[b]!;
    if (c === 0) continue;
    const nb = binOf(out, model.lo + (b + 0.5) * width);
    out.count[nb]! += c;
    out.next[nb]! += model.next[b]!;
  }
  return out;
}

export function cloneModel(model: MarkovModel): MarkovModel {
  return { lo: model.lo, hi: model.hi, count: model.count.slice(), next: model.next.slice() };
}

export function modelToJSON(model: MarkovModel): MarkovJSON {
  return { lo: model.lo, hi: model.hi, count: Array.from(model.count), next: Array.from(model.next) };
}

export function modelFromJSON(json: MarkovJSON): MarkovModel {
  return {
    lo: json.lo,
    hi: json.hi,
    count: Float64Array.from(json.count),
    next: Float64Array.from(json.next),
  };
}
