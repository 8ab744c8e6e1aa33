// One host's UBL model: its pre-processing, its trained SOM (area sizes, threshold) and its online state
// (smoothing ring, anomalous-sample streak, last winner). score() allocates nothing but its result.
//
// - Decision (§III-B): a sample is anomalous when its winner's area size is >= the threshold; the alarm
//   (Prediction.anomalous) is raised while at least `consecutive` anomalous samples came in a row.
// - Score: area / (area + threshold) (area.ts): 0.5 at the threshold, monotone in the area size.
// - Incremental learning (§III-A; incrementalBatch > 0): learn() keeps the vectors of samples that
//   score() judged normal (winner area < threshold) and, once it holds `incrementalBatch` of them, trains
//   the map on them (`epochs` passes in random order, the same Eq. 1; the order of batch b comes from
//   createRng(rngSeed).fork(`batch:<b>`), so a reloaded model continues identically) and recomputes
//   area sizes and threshold. Without SLO feedback online, UBL's own judgement is the only label;
//   anomalous samples are never learned. Off by default (params.ts, docs/ubl.md).
// - Cause inference (§III-C): explain() votes from the winner of the host's latest anomalous sample,
//   on the map as it is when explain() is called.

import type { Prediction } from '../../core/algorithm.ts';
import { createRng } from '../../core/rng.ts';
import { areaScore, decisionAreas } from './area.ts';
import { rankDimensions, voteMetrics } from './cause.ts';
import { markHits, type TrainedMap } from './bootstrap.ts';
import { OnlineSmoother, type Scaling, type SmootherState } from './preprocess.ts';
import { BmuIndex, neighbourhoodKernel, trainMap, type Kernel, type SomMap } from './som.ts';
import type { UblConfig } from './params.ts';

export interface HostModelState {
  kept: number[];
  scale: number[];
  fill: number[];
  rows: number;
  cols: number;
  weights: number[];
  /** Eq. 2 accuracies of the bootstrap's maps and the one kept (information only). */
  accuracies: number[];
  chosen: number;
  rngSeed: number;
  smoother: SmootherState;
  streak: number;
  hint: number;
  lastTime: number | null;
  /** The last scored vector (learn() after a reload needs it). */
  x: number[];
  lastNormal: boolean;
  lastAnomalousBmu: number;
  batch: number[];
  batchCount: number;
  batchesLearned: number;
  /** Neurons that won no training sample (untrainedNeurons != 'area'); absent in the paper's mode. */
  unhit?: number[];
}

export interface MetricVote {
  /** Index into the algorithm's metric list. */
  metric: number;
  votes: number;
  totalDiff: number;
}

export class HostModel {
  readonly scaling: Scaling;
  readonly map: SomMap;
  readonly accuracies: number[];
  readonly chosen: number;
  private areas: Float64Array;
  private thresholdValue: number;
  private readonly smoother: OnlineSmoother;
  private readonly x: Float64Array;
  private readonly scratch: Float64Array;
  private kernel: Kernel | null = null;
  private index: BmuIndex;
  private streak = 0;
  private hint = -1;
  private lastTime: number | null = null;
  private lastNormal = false;
  private lastAnomalousBmu = -1;
  private batch: Float64Array;
  private batchCount = 0;
  private batchesLearned = 0;
  private readonly hit: Uint8Array | null;

  constructor(
    scaling: Scaling,
    trained: TrainedMap & { accuracies?: number[]; chosen?: number },
    private readonly config: UblConfig,
    private readonly rngSeed: number,
    smoother?: OnlineSmoother,
  ) {
    this.scaling = scaling;
    this.map = trained.map;
    this.areas = trained.areas;
    this.thresholdValue = trained.threshold;
    this.accuracies = trained.accuracies ?? [];
    this.chosen = trained.chosen ?? 0;
    this.smoother = smoother ?? new OnlineSmoother(scaling, config.smoothing);
    this.x = new Float64Array(trained.map.dim);
    this.scratch = new Float64Array(this.areas.length);
    this.batch = new Float64Array(config.incrementalBatch * trained.map.dim);
    this.hit = trained.hit;
    this.index = new BmuIndex(this.map);
  }

  get threshold(): number {
    return this.thresholdValue;
  }

  score(time: number, values: Float64Array): Prediction {
    this.smoother.push(values, this.x);
    const b = this.index.find(this.x, 0, this.hint);
    this.hint = b;
    const area = this.areas[b]!;
    const anomalousSample = area >= this.thresholdValue;
    this.streak = anomalousSample ? this.streak + 1 : 0;
    if (anomalousSample) this.lastAnomalousBmu = b;
    this.lastNormal = !anomalousSample;
    this.lastTime = time;
    return {
      score: areaScore(area, this.thresholdValue),
      anomalous: this.streak >= this.config.consecutive,
    };
  }

  /** Incremental update with the sample score() just judged (scores it first if it did not). */
  learn(time: number, values: Float64Array): void {
    if (this.config.incrementalBatch === 0) return;
    if (this.lastTime !== time) this.score(time, values);
    if (!this.lastNormal) return;
    this.batch.set(this.x, this.batchCount * this.map.dim);
    this.batchCount++;
    if (this.batchCount < this.config.incrementalBatch) return;
    const c = this.config;
    this.kernel ??= neighbourhoodKernel(c.radius, c.gaussianHeight, c.learningRate);
    const order = Int32Array.from({ length: this.batchCount }, (_, i) => i);
    const rng = createRng(this.rngSeed).fork(`batch:${this.batchesLearned}`);
    trainMap(this.map, this.kernel, this.batch, order, c.epochs, rng);
    // The batch's winners are trained neurons from now on.
    if (this.hit) markHits(this.map, this.batch, order, this.hit);
    const d = decisionAreas(this.map, c.percentile, c.untrainedNeurons, this.hit, this.areas, this.scratch);
    this.thresholdValue = d.threshold;
    this.index = new BmuIndex(this.map);
    this.batchCount = 0;
    this.batchesLearned++;
  }

  /** Votes from the latest anomalous sample's winner, best first; [] before any anomalous sample. */
  explain(): MetricVote[] {
    if (this.lastAnomalousBmu < 0) return [];
    const v = voteMetrics(
      this.map,
      this.areas,
      this.thresholdValue,
      this.lastAnomalousBmu,
      this.config.votes,
    );
    return rankDimensions(v).map((m) => ({
      metric: this.scaling.kept[m]!,
      votes: v.votes[m]!,
      totalDiff: v.totalDiff[m]!,
    }));
  }

  toJSON(): HostModelState {
    return {
      kept: Array.from(this.scaling.kept),
      scale: Array.from(this.scaling.scale),
      fill: Array.from(this.scaling.fill),
      rows: this.map.rows,
      cols: this.map.cols,
      weights: Array.from(this.map.weights),
      accuracies: this.accuracies,
      chosen: this.chosen,
      rngSeed: this.rngSeed,
      smoother: this.smoother.toJSON(),
      streak: this.streak,
      hint: this.hint,
      lastTime: this.lastTime,
      x: Array.from(this.x),
      lastNormal: this.lastNormal,
      lastAnomalousBmu: this.lastAnomalousBmu,
      batch: Array.from(this.batch.subarray(0, this.batchCount * this.map.dim)),
      batchCount: this.batchCount,
      batchesLearned: this.batchesLearned,
      ...(this.hit ? { unhit: unhitList(this.hit) } : {}),
    };
  }

  static fromJSON(s: HostModelState, config: UblConfig): HostModel {
    const scaling: Scaling = {
      kept: Int32Array.from(s.kept),
      scale: Float64Array.from(s.scale),
      fill: Float64Array.from(s.fill),
    };
    const map: SomMap = {
      rows: s.rows,
      cols: s.cols,
      dim: s.kept.length,
      weights: Float64Array.from(s.weights),
    };
    let hit: Uint8Array | null = null;
    if (config.untrainedNeurons !== 'area') {
      hit = new Uint8Array(s.rows * s.cols).fill(1);
      for (const v of s.unhit ?? []) hit[v] = 0;
    }
    const d = decisionAreas(map, config.percentile, config.untrainedNeurons, hit);
    const trained = { map, areas: d.areas, threshold: d.threshold, hit };
    const smoother = OnlineSmoother.fromJSON(scaling, config.smoothing, s.smoother);
    const h = new HostModel(
      scaling,
      { ...trained, accuracies: s.accuracies, chosen: s.chosen },
      config,
      s.rngSeed,
      smoother,
    );
    h.streak = s.streak;
    h.hint = s.hint;
    h.lastTime = s.lastTime;
    h.lastNormal = s.lastNormal;
    h.lastAnomalousBmu = s.lastAnomalousBmu;
    h.batch.set(s.batch);
    h.batchCount = s.batchCount;
    h.batchesLearned = s.batchesLearned;
    h.x.set(s.x);
    return h;
  }
}

function unhitList(hit: Uint8Array): number[] {
  const out: number[] = [];
  for (let v = 0; v < hit.length; v++) if (!hit[v]) out.push(v);
  return out;
}
