// One host's PREPARE model and its online state: discretizer -> one Markov chain per metric ->
// predicted attribute vector L samples ahead -> Bayesian classifier -> log-odds -> host threshold ->
// k-of-W filter. Everything per sample works on preallocated typed arrays (no allocation in score()).
// The models are fixed after training (the labels that trained them are not available online).

import type { Sample } from '../../core/algorithm.ts';
import { quantileSorted } from '../../core/stats.ts';
import { AlarmFilter, type AlarmFilterState } from './alarm-filter.ts';
import { Discretizer, type DiscretizerState, type OutOfRange } from './discretizer.ts';
import { MarkovChain, MarkovCounter, type MarkovOptions, type MarkovState } from './markov.ts';
import type { PrepareConfig } from './params.ts';
import { BayesClassifier, type ClassifierState } from './tan.ts';

export interface HostModelState {
  discretizer: DiscretizerState;
  chains: MarkovState[];
  classifier: ClassifierState;
  /** Trained without SLO labels (novelty mode: abnormal class per noveltyMix, equal priors). */
  novelty: boolean;
  /** This host's log-odds threshold (config.threshold, plus the calibration offset in normal-quantile mode). */
  threshold: number;
  /** Per metric: the state assumed before the first value is seen (the most frequent training state). */
  fallback: number[];
  online: {
    current: number[];
    predicted: number[];
    logOdds: number;
    /** null before the first sample. */
    lastTime: number | null;
    filter: AlarmFilterState;
  };
}

/** Samples further apart than this many intervals break a Markov sequence (a gap in the recording). */
const GAP_INTERVALS = 1.5;

export class HostModel {
  readonly discretizer: Discretizer;
  readonly chains: MarkovChain[];
  readonly classifier: BayesClassifier;
  /** Last observed state per metric (-1 = none yet). */
  readonly current: Int16Array;
  /** The attribute vector the classifier saw last: each metric's state horizonSteps ahead. */
  readonly predicted: Int16Array;
  logOdds = 0;
  private lastTime = -Infinity;
  private readonly fallback: Int16Array;
  private filter: AlarmFilter;

  private constructor(
    private readonly config: PrepareConfig,
    private readonly intervalMs: number,
    private readonly state: Omit<HostModelState, 'online'>,
  ) {
    const S = state.discretizer.outOfRange === 'clamp' ? config.bins : config.bins + 2;
    this.discretizer = Discretizer.fromJSON(state.discretizer);
    const order = config.markovOrder === 1 ? 1 : 2;
    const markov: MarkovOptions = {
      order,
      states: S,
      alpha: config.markovSmoothing,
      prior: config.markovPrior === 'uniform' ? 'uniform' : 'persist',
    };
    this.chains = state.chains.map(
      (c) =>
        new MarkovChain(markov, c, config.horizonSteps, config.predictedState === 'mean' ? 'mean' : 'mode'),
    );
    this.classifier = new BayesClassifier(classifierOptions(config, S, state.novelty), state.classifier);
    this.fallback = Int16Array.from(state.fallback);
    const d = state.fallback.length;
    this.current = new Int16Array(d).fill(-1);
    this.predicted = Int16Array.from(state.fallback);
    this.filter = newFilter(config);
  }

  get novelty(): boolean {
    return this.state.novelty;
  }

  /** Forgets the online state (after the calibration pass over the training samples). */
  private resetOnline(): void {
    this.current.fill(-1);
    this.predicted.set(this.fallback);
    this.logOdds = 0;
    this.lastTime = -Infinity;
    this.filter = newFilter(this.config);
  }

  /** Log-odds over this host's threshold: > 0 = an abnormal prediction. */
  get margin(): number {
    return this.logOdds - this.state.threshold;
  }

  get alarmRaised(): boolean {
    return this.filter.raised;
  }

  /**
   * Trains on one host's samples (time order). labels[i] = 1 when the SLO was violated at samples[i]'s
   * time; null = novelty mode (no labels).
   */
  static train(
    config: PrepareConfig,
    intervalMs: number,
    samples: readonly Sample[],
    labels: Uint8Array | null,
    d: number,
  ): HostModel {
    const n = samples.length;
    const columns = Array.from({ length: d }, (_, m) => {
      const col = new Float64Array(n);
      for (let i = 0; i < n; i++) col[i] = samples[i]!.values[m]!;
      return col;
    });
    const outOfRange = outOfRangeFor(config, labels === null);
    const discretizer = Discretizer.fit(columns, config.bins, outOfRange, {
      margin: config.rangeMargin,
      minRelative: config.minRelativeRange,
    });
    const S = discretizer.states;

    // States per sample; a missing value holds the previous state, leading gaps take the most
    // frequent state of the metric.
    const states = new Int16Array(n * d);
    const fallback: number[] = [];
    for (let m = 0; m < d; m++) {
      const freq = new Float64Array(S);
      let held = -1;
      for (let i = 0; i < n; i++) {
        const s = discretizer.state(m, columns[m]![i]!);
        if (s >= 0) held = s;
        states[i * d + m] = held;
        if (held >= 0) freq[held]!++;
      }
      let mode = 0;
      for (let s = 1; s < S; s++) if (freq[s]! > freq[mode]!) mode = s;
      fallback.push(mode);
      for (let i = 0; i < n && states[i * d + m]! < 0; i++) states[i * d + m] = mode;
    }

    const order = config.markovOrder === 1 ? 1 : 2;
    const chains: MarkovState[] = [];
    for (let m = 0; m < d; m++) {
      const counter = new MarkovCounter({
        order,
        states: S,
        alpha: config.markovSmoothing,
        prior: config.markovPrior === 'uniform' ? 'uniform' : 'persist',
      });
      let a = -1;
      let b = -1;
      for (let i = 0; i < n; i++) {
        if (i > 0 && samples[i]!.time - samples[i - 1]!.time > GAP_INTERVALS * intervalMs) a = b = -1;
        const c = states[i * d + m]!;
        if (b >= 0) counter.add(a, b, c);
        a = b;
        b = c;
      }
      chains.push(counter.toState());
    }

    const novelty = labels === null;
    const classifier = BayesClassifier.train(
      classifierOptions(config, S, novelty),
      states,
      labels ?? new Uint8Array(n),
      d,
    );
    const model = new HostModel(config, intervalMs, {
      discretizer: discretizer.toJSON(),
      chains,
      classifier: classifier.toJSON(),
      novelty,
      fallback,
      threshold: config.threshold,
    });
    if (config.thresholdMode !== 'normal-quantile') return model;
    // Per-host operating point: replay the training samples through the online pipeline and put
    // the threshold at the normalQuantile of the log-odds of the negatives, the samples that no
    // violation follows within the pending window (UBL Eq. 5: an alarm there is a false alarm; one
    // closer to a violation is the prediction the look-ahead is for).
    const aheadMs = config.calibrationWindowS * 1000;
    const normal: number[] = [];
    let nextViolation = Infinity;
    const negative = new Uint8Array(n);
    for (let i = n - 1; i >= 0; i--) {
      if (labels && labels[i] === 1) nextViolation = samples[i]!.time;
      negative[i] = nextViolation - samples[i]!.time > aheadMs ? 1 : 0;
    }
    samples.forEach((sample, i) => {
      model.observe(sample);
      if (negative[i]) normal.push(model.logOdds);
    });
    const q =
      normal.length > 0
        ? quantileSorted(
            normal.sort((a, b) => a - b),
            config.normalQuantile,
          )
        : 0;
    model.state.threshold = q + config.threshold;
    model.resetOnline();
    return model;
  }

  /** Scores one sample: updates the state, predicts L ahead, classifies, filters. Returns the raised alarm. */
  observe(sample: Sample): boolean {
    const gap = sample.time - this.lastTime > GAP_INTERVALS * this.intervalMs;
    this.lastTime = sample.time;
    const d = this.current.length;
    for (let m = 0; m < d; m++) {
      const observed = this.discretizer.state(m, sample.values[m]!);
      const prev = gap ? -1 : this.current[m]!;
      // Missing value: hold the last state (or the metric's most frequent training state).
      const cur = observed >= 0 ? observed : prev >= 0 ? prev : this.fallback[m]!;
      this.predicted[m] = this.chains[m]!.predict(prev, cur);
      this.current[m] = cur;
    }
    this.logOdds = this.classifier.logOdds(this.predicted);
    const abnormal = this.logOdds > this.state.threshold;
    return this.config.alarmFilter ? this.filter.push(abnormal) : abnormal;
  }

  /** Per-metric evidence L_j for "abnormal" at the latest predicted vector (spec §2.4). */
  attributeLlr(m: number): number {
    return this.classifier.attributeLlr(this.predicted, m);
  }

  toJSON(): HostModelState {
    return {
      ...this.state,
      online: {
        current: [...this.current],
        predicted: [...this.predicted],
        logOdds: this.logOdds,
        lastTime: Number.isFinite(this.lastTime) ? this.lastTime : null,
        filter: this.filter.toJSON(),
      },
    };
  }

  static fromJSON(config: PrepareConfig, intervalMs: number, s: HostModelState): HostModel {
    const { online, ...model } = s;
    const h = new HostModel(config, intervalMs, model);
    h.current.set(online.current);
    h.predicted.set(online.predicted);
    h.logOdds = online.logOdds;
    h.lastTime = online.lastTime ?? -Infinity;
    h.filter = AlarmFilter.fromJSON(config.filterK, online.filter);
    return h;
  }
}

function classifierOptions(config: PrepareConfig, states: number, novelty: boolean) {
  return {
    // Novelty mode uses naive Bayes: with a single class the tree would only spread the evidence of a
    // never-seen value over thin per-parent-value rows.
    structure: novelty || config.classifier === 'naive-bayes' ? ('naive-bayes' as const) : ('tan' as const),
    states,
    laplace: config.laplace,
    // Without labels the abnormal class has no examples: its prior would only encode that fact.
    prior: novelty || config.classPrior === 'balanced' ? ('balanced' as const) : ('empirical' as const),
    noveltyMix: novelty ? config.noveltyMix : null,
    parentShrinkage: config.parentShrinkage,
  };
}

function newFilter(config: PrepareConfig): AlarmFilter {
  return new AlarmFilter(config.filterK, Math.max(config.filterW, config.filterK));
}

function outOfRangeFor(config: PrepareConfig, novelty: boolean): OutOfRange {
  if (config.outOfRange === 'auto') return novelty ? 'extra-bins' : 'clamp';
  return config.outOfRange === 'extra-bins' ? 'extra-bins' : 'clamp';
}
