// The interfaces every algorithm implements (river-style two verbs for predictors, one call for
// localizers, one for remedies). Algorithms see only these types: no files, no clock, no bus.

/** One host's metric vector at one time. `values` is aligned with AlgorithmContext.metrics; NaN = missing. */
export interface Sample {
  time: number;
  host: string;
  values: Float64Array;
}

/** What an algorithm knows about the system it watches, fixed at creation. */
export interface AlgorithmContext {
  metrics: string[];
  hosts: string[];
  sampleIntervalMs: number;
  /** Seed for any randomness (derive with createRng(seed)). */
  seed: number;
}

/** Training data: samples in time order and, where the dataset has an SLO, per-time labels. */
export interface TrainingData {
  samples: Sample[];
  /** Times (epoch ms) at which the SLO was violated; null when the dataset has no SLO. */
  sloViolations: Set<number> | null;
}

export interface Prediction {
  /** Anomaly score in [0, 1] (higher = more anomalous). */
  score: number;
  /** The algorithm's filtered output: true = "alarm" at this sample. */
  anomalous: boolean;
}

export interface MetricRank {
  host: string;
  metric: string | null;
  score: number;
}

/** Online anomaly predictor. The replay engine calls score() then learn() on every sample. */
export interface Predictor {
  readonly kind: 'predictor';
  fit?(training: TrainingData): void;
  score(sample: Sample): Prediction;
  learn(sample: Sample): void;
  /** Cause inference: metrics of `host` ranked by how much they explain the latest anomaly. */
  explain?(host: string): MetricRank[];
  /**
   * Own cause inference (optional): hosts and metrics ranked at the latest sample. Without it the
   * replay engine ranks hosts by their latest score, each with the first metric of explain().
   */
  rankCauses?(): Ranking;
  /** Own prevention (optional): without it the pipeline uses the rule remedy. */
  remedy?(): Remedy;
  /**
   * How the predictor runs after fit(), for results and reports (optional), e.g. PREPARE
   * `supervised` or `unlabeled` with the reason.
   */
  mode?(): { mode: string; reason: string };
  /** Serializable state; the registry's load() rebuilds an identical predictor from it. */
  toJSON(): AlgorithmState;
}

export interface Topology {
  hosts: string[];
  /** caller -> callee edges; empty when unknown. */
  edges: [string, string][];
}

export type TriggerKind = 'slo' | 'alarm' | 'explicit';

export interface Trigger {
  kind: TriggerKind;
  /** Time of the triggering event (the SLO-violation onset, the alarm, the explicit time). */
  time: number;
  host: string | null;
}

/** The samples a localizer may look at: all hosts, times in [start, end], in time order. */
export interface Window {
  start: number;
  end: number;
  samples: Sample[];
}

export interface Ranking {
  /** Most likely culprit first. */
  entries: MetricRank[];
  /** Hosts the localizer names as faulty (component-level answer; FChain's pinpointed set). */
  pinpointed: string[];
  /** Optional remark, e.g. "external cause" or "topology inferred". */
  note?: string;
}

export interface Localizer {
  readonly kind: 'localizer';
  /** How much history before the trigger the localizer wants (ms). */
  readonly lookbackMs: number;
  fit?(training: TrainingData): void;
  localize(window: Window, trigger: Trigger, topology: Topology): Ranking;
  /** Own remedy, e.g. with online validation (optional): without it the pipeline uses the rule remedy. */
  remedy?(): Remedy;
  toJSON(): AlgorithmState;
}

export type Algorithm = Predictor | Localizer;

export interface AlgorithmState {
  algorithm: string;
  config: unknown;
  state: unknown;
}

/** A fix the pipeline asks for. Types are free strings; the fix model knows the standard ones. */
export interface ActionRequest {
  type: string;
  host: string;
  reason: string;
}

/** What online validation decided about a judged action: undo it or not, and what to try next. */
export interface RemedyStep {
  undo: boolean;
  /** The next action for the same localization; null = stop. */
  next: ActionRequest | null;
}

/** Picks a fix for a localized cause. */
export interface Remedy {
  choose(ranking: Ranking): ActionRequest | null;
  /**
   * Online validation (optional; PREPARE, spec/algorithms.md §2.5 step 3). Called once the outcome of
   * an action is known, `validationDelayMs` after it completed. `persists`: the SLO trend or the
   * alerts persisted after the action (replay: a fault was active and the fix model says the action
   * did not resolve it; live mode: what the testbed observed). `tried`: the actions taken for this
   * localization so far, the judged one last. Remedies without it take one action per localization.
   */
  validate?(ranking: Ranking, tried: readonly ActionRequest[], persists: boolean): RemedyStep;
  /** How long after an action completes its outcome is judged, ms (default 0). */
  readonly validationDelayMs?: number;
}
