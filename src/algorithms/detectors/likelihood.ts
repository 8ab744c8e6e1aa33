// The anomaly likelihood post-processor (Ahmad, Lavin, Purdy, Agha, "Unsupervised real-time anomaly
// detection for streaming data", Neurocomputing 2017, §3.3; numbers as in NuPIC's
// anomaly_likelihood module that NAB's numenta detector uses). It turns a stream of raw anomaly
// scores into "how unusual is the recent level of raw scores":
//
//   - keep the last `historicWindow` raw scores; every `reestimationPeriod` records, fit a normal
//     distribution to their moving averages over `averagingWindow` records (skipping the first
//     `learningPeriod` records while they are still in the history), with the mean floored at 0.03
//     and the variance at 0.0003 (so a detector that is almost always quiet does not turn the
//     slightest blip into an alarm);
//   - likelihood L = 1 - Q(|avg - mean| / sd) for the moving average of the latest raw scores;
//   - a likelihood in the red zone (tail <= 1e-5) right after another red one is demoted to the
//     yellow zone (tail 1e-3): one alarm per excursion, not one per sample;
//   - before `learningPeriod + estimationSamples` records, L = 0.5;
//   - if the metric itself has been flat (variance of the values < 1.5e-5), L stays neutral.
//
// logScore() maps L to [0, 1] on a log scale, log(1 + 1e-10 - L) / log(1e-10), so that L = 1 - 1e-5
// (the paper's alarm level) is 0.5 and the neutral L = 0.5 is 0.030.

import { normalTail } from './special.ts';

export interface LikelihoodParams {
  learningPeriod: number;
  estimationSamples: number;
  historicWindow: number;
  reestimationPeriod: number;
  averagingWindow: number;
}

/** NuPIC defaults (AnomalyLikelihood constructor). */
export const LIKELIHOOD_DEFAULTS: LikelihoodParams = {
  learningPeriod: 288,
  estimationSamples: 100,
  historicWindow: 8640,
  reestimationPeriod: 100,
  averagingWindow: 10,
};

const MEAN_FLOOR = 0.03;
const VARIANCE_FLOOR = 0.0003;
const FLAT_METRIC_VARIANCE = 1.5e-5;
const RED_TAIL = 1e-5;
const YELLOW_TAIL = 1e-3;
const NULL_DISTRIBUTION = { mean: 0.5, sd: 1000 };
const LOG_EPS = 1e-10;

interface Distribution {
  mean: number;
  sd: number;
}

export interface LikelihoodState {
  params: LikelihoodParams;
  iteration: number;
  /** The history, oldest first. */
  scores: number[];
  values: number[];
  distribution: Distribution | null;
  recent: number[];
  recentTotal: number;
  /** Unfiltered tail probabilities of the latest moving averages. */
  tails: number[];
}

export class AnomalyLikelihood {
  private readonly params: LikelihoodParams;
  private iteration = 0;
  // The history is a ring buffer (shifting an 8640-long array per record would dominate the cost).
  private readonly scores: Float64Array;
  private readonly values: Float64Array;
  private head = 0;
  private count = 0;
  private distribution: Distribution | null = null;
  private recent: number[] = [];
  private recentTotal = 0;
  private tails: number[] = [];

  constructor(params: LikelihoodParams, state?: LikelihoodState) {
    this.params = { ...(state?.params ?? params) };
    this.scores = new Float64Array(this.params.historicWindow);
    this.values = new Float64Array(this.params.historicWindow);
    if (state) {
      this.iteration = state.iteration;
      state.scores.forEach((v, i) => (this.scores[i] = v));
      state.values.forEach((v, i) => (this.values[i] = v));
      this.count = state.scores.length;
      this.head = this.count % this.params.historicWindow;
      this.distribution = state.distribution && { ...state.distribution };
      this.recent = [...state.recent];
      this.recentTotal = state.recentTotal;
      this.tails = [...state.tails];
    }
  }

  /** History in order, oldest first. */
  private ordered(buffer: Float64Array): Float64Array {
    const out = new Float64Array(this.count);
    const start = (this.head - this.count + buffer.length) % buffer.length;
    for (let i = 0; i < this.count; i++) out[i] = buffer[(start + i) % buffer.length]!;
    return out;
  }

  /** Likelihood in [0, 1] that the current raw score level is anomalous. */
  probability(value: number, rawScore: number): number {
    const p = this.params;
    let likelihood = 0.5;
    if (this.iteration >= p.learningPeriod + p.estimationSamples) {
      if (this.distribution === null || this.iteration % p.reestimationPeriod === 0) this.reestimate();
      if (this.recent.length === p.averagingWindow) this.recentTotal -= this.recent.shift()!;
      this.recent.push(rawScore);
      this.recentTotal += rawScore;
      const average = this.recentTotal / this.recent.length;
      const tail = tailProbability(average, this.distribution!);
      const previous = this.tails[this.tails.length - 1];
      const filtered =
        tail <= RED_TAIL && previous !== undefined && previous <= RED_TAIL ? YELLOW_TAIL : tail;
      this.tails.push(tail);
      if (this.tails.length > p.averagingWindow) this.tails.shift();
      likelihood = 1 - filtered;
    }
    this.scores[this.head] = rawScore;
    this.values[this.head] = value;
    this.head = (this.head + 1) % p.historicWindow;
    this.count = Math.min(this.count + 1, p.historicWindow);
    this.iteration++;
    return likelihood;
  }

  /** Refits the distribution to the history and restarts the moving average from its end. */
  private reestimate(): void {
    const p = this.params;
    const scores = this.ordered(this.scores);
    const n = scores.length;
    const averages = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      total += scores[i]!;
      if (i >= p.averagingWindow) total -= scores[i - p.averagingWindow]!;
      averages[i] = total / Math.min(i + 1, p.averagingWindow);
    }
    const shiftedOut = Math.max(0, this.iteration - p.historicWindow);
    const skip = Math.min(this.iteration, Math.max(0, p.learningPeriod - shiftedOut));
    let distribution: Distribution = NULL_DISTRIBUTION;
    if (n > skip) {
      const fit = meanVariance(averages, skip, n);
      distribution = {
        mean: Math.max(fit.mean, MEAN_FLOOR),
        sd: Math.sqrt(Math.max(fit.variance, VARIANCE_FLOOR)),
      };
      if (meanVariance(this.ordered(this.values), skip, n).variance < FLAT_METRIC_VARIANCE) {
        distribution = NULL_DISTRIBUTION;
      }
    }
    this.distribution = distribution;
    const from = Math.max(0, n - p.averagingWindow);
    this.recent = Array.from(scores.subarray(from));
    this.recentTotal = this.recent.reduce((a, b) => a + b, 0);
    this.tails = Array.from(averages.subarray(from), (a) => tailProbability(a, distribution));
  }

  toJSON(): LikelihoodState {
    return {
      params: { ...this.params },
      iteration: this.iteration,
      scores: Array.from(this.ordered(this.scores)),
      values: Array.from(this.ordered(this.values)),
      distribution: this.distribution && { ...this.distribution },
      recent: [...this.recent],
      recentTotal: this.recentTotal,
      tails: [...this.tails],
    };
  }
}

function tailProbability(x: number, d: Distribution): number {
  return normalTail(x, d.mean, d.sd);
}

/** Population mean and variance of values[from..to). */
function meanVariance(
  values: ArrayLike<number>,
  from: number,
  to: number,
): { mean: number; variance: number } {
  const n = to - from;
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = from; i < to; i++) ss += (values[i]! - mean) ** 2;
  return { mean, variance: ss / n };
}

/** log(1 + 1e-10 - L) / log(1e-10), clamped to [0, 1]. */
export function logScore(likelihood: number): number {
  const v = Math.log(1 + LOG_EPS - likelihood) / Math.log(LOG_EPS);
  return Math.min(1, Math.max(0, v));
}
