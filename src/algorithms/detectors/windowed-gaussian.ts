// Windowed Gaussian detector (NAB's baseline "windowedGaussian", Lavin & Ahmad 2015 / NAB docs):
// the mean and standard deviation of the last `windowSize` values, refreshed every `stepSize`
// values once the window is full (and after every value while it fills); the raw score of a value
// is 1 - Q(|x - mean| / sd), the two-sided normal tail, computed before the value joins the window.
// With likelihood = false and spatialTolerance = 0 it reproduces NAB's published windowedGaussian
// outputs row for row (39.6 / 20.9 / 47.4); the default adds the anomaly likelihood post-processor.

import type { ConfigOf, ParamSpecs } from '../../core/config.ts';
import { normalTail } from './special.ts';
import { streamDetector, type StreamScorer } from './stream-detector.ts';

const PARAMS = {
  windowSize: {
    type: 'integer',
    default: 6400,
    min: 2,
    doc: 'values in the sliding window the Gaussian is fitted to',
    source: 'NAB windowedGaussian detector (windowSize = 6400)',
  },
  stepSize: {
    type: 'integer',
    default: 100,
    min: 1,
    doc: 'once the window is full, it slides (and is refitted) in steps of this many values',
    source: 'NAB windowedGaussian detector (stepSize = 100)',
  },
} satisfies ParamSpecs;

export type WindowedGaussianConfig = ConfigOf<typeof PARAMS>;
type Config = WindowedGaussianConfig;

/** A zero standard deviation is replaced by this (NAB does the same), so a flat window scores 1 for any change. */
const SD_FLOOR = 1e-6;

interface State {
  window: number[];
  buffer: number[];
  mean: number;
  sd: number;
  /** Welford's sum of squared deviations while the window fills (a full refit per value would be quadratic). */
  m2: number;
}

export class WindowedGaussian implements StreamScorer {
  constructor(
    private readonly config: Config,
    private readonly s: State = { window: [], buffer: [], mean: 0, sd: 1, m2: 0 },
  ) {}

  next(value: number): number {
    const s = this.s;
    const score = s.window.length > 0 ? 1 - normalTail(value, s.mean, s.sd) : 0;
    if (s.window.length < this.config.windowSize) {
      s.window.push(value);
      const n = s.window.length;
      const mean = n === 1 ? value : s.mean + (value - s.mean) / n;
      s.m2 += (value - s.mean) * (value - mean);
      if (n === 1) s.m2 = 0;
      s.mean = mean;
      const sd = Math.sqrt(s.m2 / n);
      s.sd = sd === 0 ? SD_FLOOR : sd;
    } else {
      s.buffer.push(value);
      if (s.buffer.length === this.config.stepSize) {
        s.window.splice(0, this.config.stepSize);
        s.window.push(...s.buffer);
        s.buffer = [];
        this.refit();
      }
    }
    return score;
  }

  private refit(): void {
    const w = this.s.window;
    let sum = 0;
    for (const v of w) sum += v;
    const mean = sum / w.length;
    let ss = 0;
    for (const v of w) ss += (v - mean) ** 2;
    const sd = Math.sqrt(ss / w.length);
    this.s.mean = mean;
    this.s.sd = sd === 0 ? SD_FLOOR : sd;
  }

  static fromJSON(config: Config, state: unknown): WindowedGaussian {
    return new WindowedGaussian(config, structuredClone(state as State));
  }

  toJSON(): State {
    return { ...this.s, window: [...this.s.window], buffer: [...this.s.buffer] };
  }
}

export const windowedGaussianDefinition = streamDetector({
  name: 'windowed-gaussian',
  summary:
    "NAB's windowed Gaussian (normal tail over a sliding window) with the anomaly-likelihood post-processor",
  params: PARAMS,
  create: (config) => [new WindowedGaussian(config)],
  load: (config, states) => [WindowedGaussian.fromJSON(config, states[0])],
});
