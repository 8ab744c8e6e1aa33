// PREPARE (Tan, Nguyen, Shen, Gu, Venkatramani, Rajan, ICDCS'12): predictive performance anomaly
// prevention. Per host: discretize each metric, predict each metric's state L samples ahead with a
// 2-dependent Markov chain, classify the predicted attribute vector with a TAN classifier trained on
// SLO-labelled history, compare the log-odds with the host's threshold, filter the abnormal predictions
// k-of-W; cause inference ranks hosts by log-odds over threshold and metrics by their log-likelihood
// ratio; prevention scales the implicated resource and validates the effect online (remedy.ts).
// See docs/prepare.md and spec/algorithms.md §2.
//
// score() = sigmoid(log-odds - the host's threshold) in [0, 1]: P(abnormal | predicted attribute
// vector) under the prior odds that put the host's decision boundary at 0.5 (with thresholdMode
// "fixed" and threshold 0, exactly the classifier's posterior). anomalous = the filtered alarm.
// The SLO label is service-level, so every host's classifier is trained against the same label (spec
// §2.2 step 3). Without SLO violations in the training data there are no abnormal examples:
// `unlabeled` chooses between novelty mode (a documented degradation) and a one-line UserError.
// The models are fixed after training: learn() only trains hosts that fit() did not cover.

import type {
  AlgorithmContext,
  AlgorithmState,
  MetricRank,
  Prediction,
  Predictor,
  Ranking,
  Remedy,
  Sample,
  TrainingData,
} from '../../core/algorithm.ts';
import { UserError } from '../../core/errors.ts';
import type { AlgorithmDefinition } from '../registry.ts';
import { HostModel, type HostModelState } from './host-model.ts';
import { PREPARE_PARAMS, type PrepareConfig } from './params.ts';
import { createPrepareRemedy } from './remedy.ts';

interface WarmupState {
  host: string;
  samples: { time: number; values: (number | null)[] }[];
}

interface PrepareState {
  hosts: { host: string; model: HostModelState }[];
  warmup: WarmupState[];
  /** How the models were trained (absent in states saved before it was recorded). */
  mode?: { mode: string; reason: string };
}

export class PreparePredictor implements Predictor {
  readonly kind = 'predictor';
  private readonly models = new Map<string, HostModel>();
  /** Hosts that fit() did not cover: samples collected by learn() until warmupSamples. */
  private readonly warmup = new Map<string, Sample[]>();
  private runMode: { mode: string; reason: string } = {
    mode: 'unlabeled',
    reason: 'no training data: each host is trained on its first samples as a novelty detector',
  };
  constructor(
    private readonly config: PrepareConfig,
    private readonly ctx: AlgorithmContext,
  ) {}

  fit(training: TrainingData): void {
    const byHost = new Map<string, Sample[]>();
    for (const s of training.samples) {
      let list = byHost.get(s.host);
      if (!list) byHost.set(s.host, (list = []));
      list.push(s);
    }
    const violations = training.sloViolations;
    const labelled = violations !== null && training.samples.some((s) => violations.has(s.time));
    if (!labelled && this.config.unlabeled === 'error' && training.samples.length > 0) {
      throw new UserError(
        `prepare: the training data has ${violations === null ? 'no SLO' : 'no SLO violation'} to learn the classifier from (train on a labelled run with --train, or set "unlabeled": "novelty")`,
      );
    }
    if (training.samples.length > 0) {
      const violated = labelled
        ? new Set(training.samples.filter((s) => violations!.has(s.time)).map((s) => s.time)).size
        : 0;
      this.runMode = labelled
        ? {
            mode: 'supervised',
            reason: `TAN classifier on SLO labels: ${violated} violation second(s) in the training data`,
          }
        : {
            mode: 'unlabeled',
            reason: `the training data has ${violations === null ? 'no SLO' : 'no SLO violation'}: novelty detection (normal class only, naive Bayes)`,
          };
    }
    for (const [host, samples] of [...byHost].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const labels =
        labelled && violations ? Uint8Array.from(samples, (s) => (violations.has(s.time) ? 1 : 0)) : null;
      this.models.set(
        host,
        HostModel.train(this.config, this.ctx.sampleIntervalMs, samples, labels, this.ctx.metrics.length),
      );
      this.warmup.delete(host);
    }
  }

  mode(): { mode: string; reason: string } {
    return { ...this.runMode };
  }

  score(sample: Sample): Prediction {
    const model = this.models.get(sample.host);
    if (!model) return { score: 0, anomalous: false };
    const anomalous = model.observe(sample);
    return { score: 1 / (1 + Math.exp(-model.margin)), anomalous };
  }

  learn(sample: Sample): void {
    if (this.models.has(sample.host)) return;
    let buffer = this.warmup.get(sample.host);
    if (!buffer) this.warmup.set(sample.host, (buffer = []));
    buffer.push({ time: sample.time, host: sample.host, values: Float64Array.from(sample.values) });
    if (buffer.length >= this.config.warmupSamples) {
      this.models.set(
        sample.host,
        HostModel.train(this.config, this.ctx.sampleIntervalMs, buffer, null, this.ctx.metrics.length),
      );
      this.warmup.delete(sample.host);
    }
  }

  /** Metrics of `host` ranked by their evidence for "abnormal" at the latest prediction (spec §2.4). */
  explain(host: string): MetricRank[] {
    const model = this.models.get(host);
    if (!model) return [];
    return this.ctx.metrics
      .map((metric, m) => ({ host, metric, score: model.attributeLlr(m) }))
      .sort((a, b) => b.score - a.score || (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
  }

  /**
   * Cause inference (spec §2.4): hosts whose filtered alarm is up first, then by log-odds over their
   * threshold; per host its implicated metrics (L_j > 0; at least its top one) by L_j. Pinpointed: the
   * alarming hosts, or the top host when its log-odds is over its threshold.
   */
  rankCauses(): Ranking {
    const hosts = [...this.models.entries()].sort(
      ([ha, a], [hb, b]) =>
        Number(b.alarmRaised) - Number(a.alarmRaised) || b.margin - a.margin || (ha < hb ? -1 : 1),
    );
    const entries: MetricRank[] = [];
    for (const [host] of hosts) {
      const ranked = this.explain(host);
      ranked.forEach((r, i) => {
        if (i === 0 || r.score > 0) entries.push(r);
      });
    }
    let pinpointed = hosts.filter(([, m]) => m.alarmRaised).map(([h]) => h);
    const top = hosts[0];
    if (pinpointed.length === 0 && top && top[1].margin > 0) pinpointed = [top[0]];
    return { entries, pinpointed };
  }

  remedy(): Remedy {
    return createPrepareRemedy({
      memoryAction: this.config.memoryAction,
      lastResort: this.config.lastResort,
      maxAttempts: this.config.maxAttempts,
      validationMs: this.config.validationS * 1000,
    });
  }

  toJSON(): AlgorithmState {
    const state: PrepareState = {
      hosts: [...this.models.entries()].map(([host, m]) => ({ host, model: m.toJSON() })),
      warmup: [...this.warmup.entries()].map(([host, samples]) => ({
        host,
        // JSON has no NaN: a missing value is stored as null.
        samples: samples.map((s) => ({
          time: s.time,
          values: [...s.values].map((v) => (Number.isNaN(v) ? null : v)),
        })),
      })),
      mode: { ...this.runMode },
    };
    return { algorithm: 'prepare', config: this.config, state };
  }

  static fromJSON(saved: AlgorithmState, ctx: AlgorithmContext): PreparePredictor {
    const config = saved.config as PrepareConfig;
    const p = new PreparePredictor(config, ctx);
    const state = saved.state as PrepareState;
    if (state.mode) p.runMode = { ...state.mode };
    for (const { host, model } of state.hosts) {
      p.models.set(host, HostModel.fromJSON(config, ctx.sampleIntervalMs, model));
    }
    for (const w of state.warmup) {
      p.warmup.set(
        w.host,
        w.samples.map((s) => ({
          time: s.time,
          host: w.host,
          values: Float64Array.from(s.values, (v) => v ?? NaN),
        })),
      );
    }
    return p;
  }
}

export const prepareDefinition: AlgorithmDefinition = {
  name: 'prepare',
  kind: 'predictor',
  summary:
    'PREPARE: 2-dependent Markov look-ahead + TAN classifier on SLO labels, k-of-W alarms, LLR cause inference, validated prevention',
  params: PREPARE_PARAMS,
  create: (config, ctx) => new PreparePredictor(config as PrepareConfig, ctx),
  load: (state, ctx) => PreparePredictor.fromJSON(state, ctx),
};
