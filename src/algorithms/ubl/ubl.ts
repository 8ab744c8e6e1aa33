// UBL: Unsupervised Behavior Learning (Dean, Nguyen, Gu, ICAC'12) as a foreshock Predictor.
// One SOM per host, bootstrapped from normal training data (SLO feedback picks it), an alarm after
// `consecutive` samples whose winner neuron has a large neighbourhood area, and a voted metric ranking
// as cause inference. The parts: params.ts (every parameter and its source), preprocess.ts, som.ts,
// area.ts, bootstrap.ts, cause.ts, host-model.ts. docs/ubl.md describes choices and measurements.
//
// Hosts: fit() bootstraps a map for every host in the training data (its samples whose time is not an
// SLO-violation second, when the data carry SLO labels and sloFeedback is on). A host whose training
// metrics are all constant gets no map and scores 0 for good. A host never seen in training scores 0
// with no alarm; learn() collects its first `warmupSamples` samples and then bootstraps a map from them
// (all of them: there is no SLO feedback online). fit() again, or rebootstrap(), replaces the maps of
// the hosts it is given (the paper re-bootstraps when the workload changes completely).
// Randomness: host h's n-th bootstrap draws from createRng(seed).fork(`ubl:<h>:<n>`), so results do
// not depend on the order in which hosts appear.

import type {
  AlgorithmContext,
  AlgorithmState,
  MetricRank,
  Prediction,
  Predictor,
  Sample,
  TrainingData,
} from '../../core/algorithm.ts';
import { InternalError } from '../../core/errors.ts';
import { createRng } from '../../core/rng.ts';
import type { AlgorithmDefinition } from '../registry.ts';
import { bootstrap } from './bootstrap.ts';
import { HostModel, type HostModelState } from './host-model.ts';
import { UBL_PARAMS, type UblConfig } from './params.ts';
import { prepareTraining } from './preprocess.ts';

const NO_ALARM: Readonly<Prediction> = Object.freeze({ score: 0, anomalous: false });

interface HostSlot {
  /** null: every metric was constant in training (scores 0). */
  model: HostModel | null;
  /** How many times this host was bootstrapped (labels its RNG stream). */
  generation: number;
}

interface SavedState {
  hosts: { host: string; generation: number; model: HostModelState | null }[];
  /** Warm-up samples of hosts without a map (NaN is saved as null). */
  warmup: { host: string; times: number[]; values: (number | null)[][] }[];
}

export class UblPredictor implements Predictor {
  readonly kind = 'predictor';
  private readonly slots = new Map<string, HostSlot>();
  private readonly warmup = new Map<string, Sample[]>();

  constructor(
    readonly config: UblConfig,
    private readonly ctx: AlgorithmContext,
  ) {}

  fit(training: TrainingData): void {
    this.rebootstrap(training);
  }

  /**
   * Bootstraps (again) the hosts of `training`, or only those in `hosts`: fresh random maps, new
   * scaling, online state reset. Hosts with too few usable samples keep what they had.
   */
  rebootstrap(training: TrainingData, hosts?: readonly string[]): void {
    const only = hosts ? new Set(hosts) : null;
    const byHost = new Map<string, Sample[]>();
    const skip = this.config.sloFeedback ? training.sloViolations : null;
    for (const s of training.samples) {
      if (only && !only.has(s.host)) continue;
      if (skip?.has(s.time)) continue;
      let list = byHost.get(s.host);
      if (!list) byHost.set(s.host, (list = []));
      list.push(s);
    }
    for (const host of [...byHost.keys()].sort()) this.bootstrapHost(host, byHost.get(host)!);
  }

  /** Smallest number of samples a bootstrap accepts: two per fold. */
  private get minSamples(): number {
    return 2 * this.config.folds;
  }

  private bootstrapHost(host: string, samples: readonly Sample[]): void {
    if (samples.length < this.minSamples) return;
    const c = this.config;
    const d = this.ctx.metrics.length;
    const series = Array.from({ length: d }, () => new Float64Array(samples.length));
    samples.forEach((s, i) => {
      for (let m = 0; m < d; m++) series[m]![i] = s.values[m] ?? NaN;
    });
    const generation = (this.slots.get(host)?.generation ?? 0) + 1;
    this.warmup.delete(host);
    const prepared = prepareTraining(series, c.smoothing);
    if (!prepared) {
      this.slots.set(host, { model: null, generation });
      return;
    }
    const rng = createRng(this.ctx.seed).fork(`ubl:${host}:${generation}`);
    const result = bootstrap(prepared.data, prepared.n, prepared.scaling.kept.length, c, rng);
    const rngSeed = rng.int(2 ** 32);
    this.slots.set(host, { model: new HostModel(prepared.scaling, result, c, rngSeed), generation });
  }

  score(sample: Sample): Prediction {
    const model = this.slots.get(sample.host)?.model;
    return model ? model.score(sample.time, sample.values) : NO_ALARM;
  }

  learn(sample: Sample): void {
    const slot = this.slots.get(sample.host);
    if (slot) {
      slot.model?.learn(sample.time, sample.values);
      return;
    }
    if (this.config.warmupSamples === 0) return;
    let buf = this.warmup.get(sample.host);
    if (!buf) this.warmup.set(sample.host, (buf = []));
    buf.push({ time: sample.time, host: sample.host, values: Float64Array.from(sample.values) });
    if (buf.length >= Math.max(this.config.warmupSamples, this.minSamples)) {
      this.bootstrapHost(sample.host, buf);
    }
  }

  /** The host's metrics by votes from its latest anomalous sample; score = votes / voters. */
  explain(host: string): MetricRank[] {
    const model = this.slots.get(host)?.model;
    if (!model) return [];
    const ranked = model.explain();
    const voters = ranked.reduce((s, r) => s + r.votes, 0);
    return ranked.map((r) => ({
      host,
      metric: this.ctx.metrics[r.metric] ?? null,
      score: voters > 0 ? r.votes / voters : 0,
    }));
  }

  /** The host's model (tests, diagnostics); undefined when it has none. */
  model(host: string): HostModel | null | undefined {
    return this.slots.get(host)?.model;
  }

  toJSON(): AlgorithmState {
    const state: SavedState = {
      hosts: [...this.slots.entries()]
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([host, s]) => ({ host, generation: s.generation, model: s.model?.toJSON() ?? null })),
      warmup: [...this.warmup.entries()].map(([host, list]) => ({
        host,
        times: list.map((s) => s.time),
        values: list.map((s) => Array.from(s.values, (v) => (Number.isNaN(v) ? null : v))),
      })),
    };
    return { algorithm: 'ubl', config: this.config, state };
  }

  static fromJSON(saved: AlgorithmState, ctx: AlgorithmContext): UblPredictor {
    if (saved.algorithm !== 'ubl') throw new InternalError(`ubl: cannot load state of ${saved.algorithm}`);
    const p = new UblPredictor(saved.config as UblConfig, ctx);
    const s = saved.state as SavedState;
    for (const h of s.hosts) {
      p.slots.set(h.host, {
        generation: h.generation,
        model: h.model ? HostModel.fromJSON(h.model, p.config) : null,
      });
    }
    for (const w of s.warmup) {
      p.warmup.set(
        w.host,
        w.times.map((time, i) => ({
          time,
          host: w.host,
          values: Float64Array.from(w.values[i]!, (v) => v ?? NaN),
        })),
      );
    }
    return p;
  }
}

export const ublDefinition: AlgorithmDefinition = {
  name: 'ubl',
  kind: 'predictor',
  summary:
    'UBL (ICAC 2012): per-host 32x32 SOM on normal data, alarm after 3 samples mapped to large-area neurons, voted metric cause',
  params: UBL_PARAMS,
  create: (config, ctx) => new UblPredictor(config as UblConfig, ctx),
  load: (state, ctx) => UblPredictor.fromJSON(state, ctx),
};
