// Per-metric discretization (spec §2.2 step 1): M equal-width bins over the range a metric took in
// the training data. Values outside that range are clamped into the edge bins, or (outOfRange
// "extra-bins") get a state of their own below (0) and above (M + 1) the range once they are further
// out than a slack (margin x range, at least minRelative x |median|, as the threshold baseline's
// band), so that a metric drifting slowly past its training range does not leave it at once.

import { quantileSorted } from '../../core/stats.ts';

export type OutOfRange = 'clamp' | 'extra-bins';

export interface DiscretizerState {
  bins: number;
  outOfRange: OutOfRange;
  lo: number[];
  width: number[];
  /** Per metric: how far outside [lo, lo + bins * width] a value may be and still count as in range. */
  slack: number[];
}

export interface SlackOptions {
  margin: number;
  minRelative: number;
}

export class Discretizer {
  /** Number of states per metric: M, or M + 2 with extra bins. */
  readonly states: number;
  private readonly lo: Float64Array;
  private readonly width: Float64Array;
  /** Slack in bin widths. */
  private readonly slack: Float64Array;

  constructor(private readonly s: DiscretizerState) {
    this.states = s.outOfRange === 'clamp' ? s.bins : s.bins + 2;
    this.lo = Float64Array.from(s.lo);
    this.width = Float64Array.from(s.width);
    this.slack = Float64Array.from(s.slack, (x, m) => x / s.width[m]!);
  }

  private get bins(): number {
    return this.s.bins;
  }

  private get outOfRange(): OutOfRange {
    return this.s.outOfRange;
  }

  /** Range of each metric over `columns[m]` (NaN skipped); a constant or empty metric gets width 1. */
  static fit(
    columns: readonly Float64Array[],
    bins: number,
    outOfRange: OutOfRange,
    slackOptions: SlackOptions,
  ): Discretizer {
    const lo: number[] = [];
    const width: number[] = [];
    const slack: number[] = [];
    for (const col of columns) {
      const values = col.filter((v) => !Number.isNaN(v)).sort();
      const min = values.length > 0 ? values[0]! : 0;
      const max = values.length > 0 ? values[values.length - 1]! : 0;
      const range = max - min;
      const median = values.length > 0 ? quantileSorted(values, 0.5) : 0;
      slack.push(slackOptions.margin * Math.max(range, slackOptions.minRelative * Math.abs(median)));
      lo.push(min);
      // Constant (or no data): every seen value falls into the first in-range bin.
      width.push(range > 0 ? range / bins : 1);
    }
    return new Discretizer({ bins, outOfRange, lo, width, slack });
  }

  /** State of value v of metric m; -1 for a missing value (NaN). */
  state(m: number, v: number): number {
    if (Number.isNaN(v)) return -1;
    const x = (v - this.lo[m]!) / this.width[m]!;
    if (this.outOfRange === 'clamp') {
      if (x < 0) return 0;
      return x >= this.bins ? this.bins - 1 : Math.floor(x);
    }
    const slack = this.slack[m]!;
    if (x < -slack) return 0;
    // The training maximum itself belongs to the last in-range bin, not to the "above" bin.
    if (x > this.bins + slack) return this.bins + 1;
    return 1 + Math.min(this.bins - 1, Math.max(0, Math.floor(x)));
  }

  toJSON(): DiscretizerState {
    return this.s;
  }

  static fromJSON(s: DiscretizerState): Discretizer {
    return new Discretizer(s);
  }
}
