// Context novelty: how unexpected the newest value is given the few values before it.
//
// Values are quantised into buckets of width (range of the training values) / `buckets` (values
// outside the range get buckets of their own). For the context c = the last `order` buckets, the
// model counts which bucket followed c so far; the raw score of a value in bucket b is
// 1 - (n(c, b) + (n(c, b-1) + n(c, b+1)) / 2) / n(c), i.e. one minus the share of earlier
// continuations of the same context that landed on (or next to) b. An unseen context backs off to
// a shorter one (order 0 = the bucket's overall frequency); a value never seen in any context
// scores 1. Counts are never forgotten.
//
// Reconstruction: the idea is HTM's raw anomaly score, the share of the current input that the
// learned sequence context did not predict (Ahmad et al., Neurocomputing 2017, §3.2), reduced to a
// variable-order Markov count model over quantised values, in the spirit of NAB's contextual
// detectors (CAD OSE). Neither the model nor its numbers come from those papers.

import type { ConfigOf, ParamSpecs } from '../../core/config.ts';
import type { StreamScorer } from './stream-detector.ts';

export const CONTEXT_PARAMS = {
  buckets: {
    type: 'integer',
    default: 80,
    min: 2,
    doc: 'quantisation buckets across the range of the training values',
    source: 'reconstruction: foreshock choice, tuned on NAB (50 and 30 score lower, docs/benchmarks.md)',
  },
  order: {
    type: 'integer',
    default: 2,
    min: 0,
    max: 6,
    doc: 'values of context (longest context tried first, backing off to shorter ones)',
    source: 'reconstruction: foreshock choice, tuned on NAB (1 and 3 score lower)',
  },
} satisfies ParamSpecs;

export type ContextConfig = ConfigOf<typeof CONTEXT_PARAMS>;

/** Values streamed before the range is fixed when no training values were primed. */
const SELF_PRIME = 100;

interface Table {
  /** context key -> [total, bucket -> count] */
  [context: string]: [number, Record<string, number>];
}

export interface ContextState {
  lo: number | null;
  width: number | null;
  /** Values seen before the range was fixed (only without priming). */
  pending: number[];
  history: number[];
  tables: Table[];
}

export class ContextNovelty implements StreamScorer {
  private readonly s: ContextState;

  constructor(
    private readonly config: ContextConfig,
    state?: ContextState,
  ) {
    this.s = state
      ? structuredClone(state)
      : {
          lo: null,
          width: null,
          pending: [],
          history: [],
          tables: Array.from({ length: config.order + 1 }, () => ({})),
        };
  }

  prime(values: readonly number[]): void {
    if (this.s.width !== null || values.length === 0) return;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.s.lo = lo;
    // A flat training range still needs a bucket width: then every change is a new bucket.
    this.s.width = hi > lo ? (hi - lo) / this.config.buckets : Math.max(Math.abs(lo), 1) * 1e-6;
  }

  next(value: number): number {
    if (this.s.width === null) {
      this.s.pending.push(value);
      if (this.s.pending.length < SELF_PRIME) return 0;
      this.prime(this.s.pending);
      const pending = this.s.pending;
      this.s.pending = [];
      for (const v of pending) this.learn(this.bucket(v));
      return 0;
    }
    const b = this.bucket(value);
    const score = this.surprise(b);
    this.learn(b);
    return score;
  }

  private bucket(v: number): number {
    return Math.floor((v - this.s.lo!) / this.s.width!);
  }

  private key(k: number): string | null {
    const h = this.s.history;
    return h.length < k ? null : h.slice(h.length - k).join(',');
  }

  private surprise(b: number): number {
    for (let k = this.config.order; k >= 0; k--) {
      const key = this.key(k);
      const entry = key === null ? undefined : this.s.tables[k]![key];
      if (!entry) continue;
      const [total, counts] = entry;
      const hits = (counts[b] ?? 0) + ((counts[b - 1] ?? 0) + (counts[b + 1] ?? 0)) / 2;
      return 1 - Math.min(1, hits / total);
    }
    return 1;
  }

  private learn(b: number): void {
    for (let k = 0; k <= this.config.order; k++) {
      const key = this.key(k);
      if (key === null) continue;
      const table = this.s.tables[k]!;
      const entry = (table[key] ??= [0, {}]);
      entry[0]++;
      entry[1][b] = (entry[1][b] ?? 0) + 1;
    }
    this.s.history.push(b);
    if (this.s.history.length > this.config.order) this.s.history.shift();
  }

  toJSON(): ContextState {
    return structuredClone(this.s);
  }
}
