// FChain (Nguyen, Shen, Tan, Gu, ICDCS'13) as a foreshock Localizer. The steps and their sources
// are in ../shared/spec/algorithms.md §3 and docs/fchain.md; each module here does one of them:
//
//   markov.ts        per host-metric normal-fluctuation model (discretized Markov chain)
//   cusum.ts         change points by CUSUM + bootstrap
//   burst.ts         expected prediction error from the FFT burst signal of [c - Q, c + Q]
//   rollback.ts      tangent-based rollback to the true onset
//   onset.ts         the per-metric pipeline: change points -> abnormal ones -> onset
//   pinpoint.ts      onset order, concurrency gap, dependency filter, external-cause check
//   dependencies.ts  dependency paths over the topology, or inferred from the data when unknown
//   validation.ts    online validation by scaling up (needs the run, so not from inside localize())
//
// Training: fit() learns each host-metric model from the training samples (the engine passes the
// dataset's normal phase). At a trigger, the model is brought up to date with the window's samples
// before the look-back window (warmupS of them: the "online update" of the paper's slaves), and is
// then frozen, so that a fault inside the look-back window cannot teach the model that its own
// symptoms are normal. A host without a trained model gets one from those warm-up samples alone.
// localize() does not change the instance: two calls with the same window give the same ranking.

import type {
  AlgorithmContext,
  AlgorithmState,
  Localizer,
  MetricRank,
  Ranking,
  Topology,
  TrainingData,
  Trigger,
  Window,
} from '../../core/algorithm.ts';
import { BootstrapTable } from './cusum.ts';
import { InferredTopology, KnownTopology, type Relation } from './dependencies.ts';
import {
  cloneModel,
  fitModel,
  modelFromJSON,
  modelToJSON,
  updateModel,
  widenModel,
  type MarkovJSON,
  type MarkovModel,
} from './markov.ts';
import { analyzeMetric, newScratch, type NormalModel, type OnsetOptions } from './onset.ts';
import type { FChainConfig } from './params.ts';
import { pinpoint, type HostOnset } from './pinpoint.ts';
import { indexAtOrAfter, windowSeries } from './series.ts';
import { NOT_VALIDATED } from './validation.ts';
import { samplesIn, windowMs } from '../windows.ts';

export const NOTE_EXTERNAL = 'external cause (workload change)';
export const NOTE_INFERRED = 'topology inferred from data';
export const NOTE_NO_CHANGE = 'no abnormal change';

interface FChainState {
  /** host -> per metric (context order) model, or null where training had too little data. */
  models: Record<string, (MarkovJSON | null)[]>;
  /** host -> the last training samples (times, per metric values): the normal-history prefix. */
  tails?: Record<string, { times: number[]; values: number[][] }>;
}

export class FChainLocalizer implements Localizer {
  readonly kind = 'localizer';
  readonly lookbackMs: number;
  /** The look-back window W (ms), widened to minLookBackSamples at coarse sample intervals. */
  private readonly windowMs: number;
  private readonly models = new Map<string, (MarkovModel | null)[]>();
  private readonly tails = new Map<string, { times: number[]; values: number[][] }>();
  private table: BootstrapTable | null = null;

  constructor(
    private readonly config: FChainConfig,
    private readonly ctx: AlgorithmContext,
    state?: FChainState,
  ) {
    const interval = ctx.sampleIntervalMs;
    this.windowMs = windowMs(config.lookBackS, config.minLookBackSamples, interval);
    this.lookbackMs = this.windowMs + windowMs(config.warmupS, config.minWarmupSamples, interval);
    for (const [host, tail] of Object.entries(state?.tails ?? {})) this.tails.set(host, tail);
    for (const [host, list] of Object.entries(state?.models ?? {})) {
      this.models.set(
        host,
        list.map((m) => (m ? modelFromJSON(m) : null)),
      );
    }
  }

  fit(training: TrainingData): void {
    const metricCount = this.ctx.metrics.length;
    const gapMs = 1.5 * this.ctx.sampleIntervalMs;
    const byHost = new Map<string, { times: number[]; values: number[][] }>();
    for (const s of training.samples) {
      let h = byHost.get(s.host);
      if (!h) byHost.set(s.host, (h = { times: [], values: Array.from({ length: metricCount }, () => []) }));
      h.times.push(s.time);
      for (let m = 0; m < metricCount; m++) h.values[m]!.push(s.values[m] ?? NaN);
    }
    this.models.clear();
    this.tails.clear();
    const keep = this.historySamples();
    for (const host of [...byHost.keys()].sort()) {
      const h = byHost.get(host)!;
      // Training samples sorted by time (fault-free recordings and the case's own pre-fault part).
      const order = h.times.map((_, i) => i).sort((a, b) => h.times[a]! - h.times[b]! || a - b);
      if (keep > 0) {
        // The first and the last samples: the nearest normal history before or after a window.
        const last =
          order.length <= 4 * keep ? order : [...order.slice(0, 2 * keep), ...order.slice(-2 * keep)];
        this.tails.set(host, {
          times: last.map((i) => h.times[i]!),
          values: h.values.map((x) => last.map((i) => x[i]!)),
        });
      }
      const breaks = h.times.map((t, i) => i > 0 && t - h.times[i - 1]! > gapMs);
      this.models.set(
        host,
        h.values.map((x) => fitModel(x, 0, x.length, this.config.bins, breaks)),
      );
    }
  }

  localize(window: Window, trigger: Trigger, topology: Topology): Ranking {
    const cfg = this.config;
    const metrics = this.ctx.metrics;
    const ws = windowSeries(window.samples, metrics.length);
    const n = ws.times.length;
    const from = indexAtOrAfter(ws.times, trigger.time - this.windowMs);
    const to = n;
    const table = this.bootstrapTable();
    const scratch = newScratch(Math.max(1, n + this.historySamples()));
    const opts = this.onsetOptions();

    const abnormal: HostOnset[] = [];
    const quiet: MetricRank[] = [];
    ws.hosts.forEach((host, h) => {
      // Normal-history prefix (deviation, docs/localization.md): where the recording holds fewer
      // than historySamples samples before the look-back window, the host's nearest training
      // samples (before the window, else after it) are put in front, so that CUSUM's permutation test has the history an
      // online FChain slave would have. Change points inside the prefix are not onsets.
      const pre = this.prefix(
        host,
        ws.times[0]!,
        ws.times[n - 1]!,
        Math.max(0, this.historySamples() - from),
      );
      const row = pre.length > 0 ? ws.values[h]!.map((x, m) => concat(pre[m]!, x)) : ws.values[h]!;
      const shift = pre.length > 0 ? pre[0]!.length : 0;
      const trained = this.models.get(host);
      let onsetIdx = -1;
      let onsetMetric = -1;
      let onsetRatio = 0;
      let bestRatio = 0;
      let bestMetric = -1;
      const directions = new Map<string, number>();
      for (let m = 0; m < metrics.length; m++) {
        const x = row[m]!;
        if (!Number.isFinite(x[0]!)) continue; // missing throughout
        const start = shift > 0 ? 0 : from;
        const normal = (): NormalModel => prepareModel(trained?.[m] ?? null, x, start, cfg.bins);
        const found = analyzeMetric(x, start, to + shift, normal, opts, table, scratch, from + shift);
        const f = { ...found, onset: found.onset >= 0 ? found.onset - shift : -1 };
        if (f.ratio > bestRatio) {
          bestRatio = f.ratio;
          bestMetric = m;
        }
        if (f.onset < 0) continue;
        directions.set(metrics[m]!, f.direction);
        if (onsetIdx < 0 || f.onset < onsetIdx || (f.onset === onsetIdx && f.ratio > onsetRatio)) {
          onsetIdx = f.onset;
          onsetMetric = m;
          onsetRatio = f.ratio;
        }
      }
      if (onsetIdx >= 0) {
        abnormal.push({
          host,
          onset: ws.times[onsetIdx]!,
          metric: metrics[onsetMetric]!,
          ratio: bestRatio,
          directions,
        });
      } else {
        quiet.push({
          host,
          metric: bestMetric >= 0 ? metrics[bestMetric]! : null,
          score: bestRatio / (1 + bestRatio),
        });
      }
    });

    const inferred = topology.edges.length === 0;
    const relation: Relation = inferred
      ? new InferredTopology(
          (host) => {
            const h = ws.hosts.indexOf(host);
            return h >= 0 ? ws.values[h] : undefined;
          },
          0,
          from,
          cfg.inferCorrelation,
        )
      : new KnownTopology(topology.edges);
    const result = pinpoint(abnormal, ws.hosts.length, relation, {
      concurrencyMs: cfg.concurrencyS * 1000,
      externalShare: cfg.externalShare,
      externalSpreadMs: cfg.externalSpreadS * 1000,
    });

    // Scores: pinpointed hosts in [2, 3], other abnormal hosts in [1, 2] (earlier onset = higher),
    // hosts without an abnormal change in [0, 1) by how close their largest error came.
    const end = n > 0 ? ws.times[n - 1]! : trigger.time;
    const span = Math.max(1, this.windowMs);
    const earliness = (t: number): number => Math.min(1, Math.max(0, (end - t) / span));
    const pinned = new Set(result.pinpointed);
    // Hosts with the same onset (at 60 s every host that changed in one sample) are ordered by the
    // size of their abnormal change (error / expected error), not by name: a tie-break far below
    // the earliness step between two samples, so onset order stays first.
    const entries: MetricRank[] = result.chain.map((c) => ({
      host: c.host,
      metric: c.metric,
      score:
        (pinned.has(c.host) ? 2 : 1) + earliness(c.onset) * (1 - 1e-6) + 1e-6 * (c.ratio / (1 + c.ratio)),
    }));
    entries.push(...quiet);
    entries.sort((a, b) => b.score - a.score || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));

    const notes: string[] = [];
    if (result.external) {
      const dir = result.external.direction > 0 ? 'up' : 'down';
      notes.push(
        `${NOTE_EXTERNAL}: the hosts changed together (${result.external.metric} ${dir}), no culprit`,
      );
    } else if (result.chain.length === 0) {
      notes.push(NOTE_NO_CHANGE);
    }
    if (inferred) notes.push(`${NOTE_INFERRED} (correlated changes in normal data)`);
    if (result.pinpointed.length > 0) notes.push(NOT_VALIDATED);
    const ranking: Ranking = { entries, pinpointed: result.pinpointed };
    if (notes.length > 0) ranking.note = notes.join('; ');
    return ranking;
  }

  toJSON(): AlgorithmState {
    const models: FChainState['models'] = {};
    for (const [host, list] of this.models) models[host] = list.map((m) => (m ? modelToJSON(m) : null));
    const state: FChainState = { models };
    if (this.tails.size > 0) state.tails = Object.fromEntries(this.tails);
    return { algorithm: 'fchain', config: this.config, state };
  }

  /** Samples of normal history CUSUM sees before the look-back window's start (0: no prefix). */
  private historySamples(): number {
    return this.config.minHistorySamples;
  }

  /**
   * Per metric, `count` training values of the host next to the window [start, end] (ms): the last
   * ones before it, else the first ones after it (a fault-free stretch recorded later the same
   * day); [] without enough of either.
   */
  private prefix(host: string, start: number, end: number, count: number): number[][] {
    const tail = this.tails.get(host);
    if (!tail || count <= 0) return [];
    const t = tail.times;
    let before = 0;
    while (before < t.length && t[before]! < start) before++;
    let after = before;
    while (after < t.length && t[after]! <= end) after++;
    const [begin, stop] =
      before >= count
        ? [before - count, before]
        : t.length - after >= count
          ? [after, after + count]
          : [0, 0];
    if (begin >= stop) return [];
    return tail.values.map((x) => x.slice(begin, stop));
  }

  private onsetOptions(): OnsetOptions {
    const cfg = this.config;
    const interval = this.ctx.sampleIntervalMs;
    return {
      cusum: {
        bootstrap: cfg.bootstrap,
        confidence: cfg.confidence,
        minSegment: samplesIn(cfg.minSegmentS, interval, 1),
        maxChangePoints: cfg.maxChangePoints,
      },
      burstHalfWindow: samplesIn(cfg.burstHalfWindowS, interval, 2),
      burstKeepFraction: cfg.burstKeepFraction,
      burstPercentile: cfg.burstPercentile,
      minErrorOfRange: cfg.minErrorOfRange,
      tangentTolerance: cfg.tangentTolerance,
    };
  }

  /** The permutation draws: a function of the seed and the config only (never of earlier calls). */
  private bootstrapTable(): BootstrapTable {
    if (!this.table) {
      const samples = Math.ceil(this.windowMs / this.ctx.sampleIntervalMs);
      this.table = new BootstrapTable(this.ctx.seed, this.config.bootstrap, Math.max(256, samples + 64));
    }
    return this.table;
  }
}

function concat(head: readonly number[], x: Float64Array): Float64Array {
  const out = new Float64Array(head.length + x.length);
  out.set(head);
  out.set(x, head.length);
  return out;
}

/**
 * The model a metric is judged by: the trained one updated with the warm-up samples x[0..from)
 * (re-discretized first when they leave its range), or one fitted on those samples alone.
 * normalRange = spread of everything the model was learned from.
 */
function prepareModel(trained: MarkovModel | null, x: Float64Array, from: number, bins: number): NormalModel {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < from; i++) {
    const v = x[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (trained) {
    const widen = lo < trained.lo || hi > trained.hi;
    const model = widen ? widenModel(trained, lo, hi) : cloneModel(trained);
    updateModel(model, x, 0, from);
    return { model, normalRange: model.hi - model.lo };
  }
  const model = fitModel(x, 0, from, bins);
  return { model, normalRange: model ? hi - lo : NaN };
}
