// The shape of results.json (the CLI contract of `foreshock replay`). Times are epoch ms.

export interface AlarmRecord {
  time: number;
  /** null for a service-level alarm. */
  host: string | null;
  score: number;
}

export interface LocalizationRecord {
  time: number;
  trigger: { kind: string; time: number; host: string | null };
  ranking: { host: string; metric: string | null; score: number }[];
  pinpointed: string[];
  /** Measured compute time of the localize() call; null unless cost measurement is on. */
  computeMs: number | null;
  note?: string;
}

export interface ActionResult {
  type: string;
  host: string;
  /** When the pipeline asked for it (the localization time). */
  requested: number;
  /** requested + the latency drawn from the fix model (modelled), or the recorded completion (measured). */
  completed: number;
  /** Whether the fix model says this action resolves the fault it was aimed at. */
  effective: boolean;
  faultId: string | null;
  /**
   * measured: executed on a stack, times recorded; modelled: replay drew its latency from the fix model
   * (evaluation.md v2 "Fix"). Absent in results written before rules version 2 (read as modelled).
   */
  source?: 'measured' | 'modelled';
}

/** One fault episode as prediction scoring saw it (times epoch ms, durations s). */
export interface EpisodePrediction {
  fault: string;
  /** o: the onset; null = the fault had no SLO effect. */
  onset: number | null;
  /** v1: the first violation second of the episode. */
  firstViolation: number | null;
  /** a: the start of the alarm run that predicted the onset (the first starting in [f.start, o)). */
  alarmRunStart: number | null;
  /** o - a; null when missed. */
  leadS: number | null;
  /** v1 - a when a < v1. */
  leadToFirstS: number | null;
  /** o - f.start. */
  maxLeadS: number | null;
  /** v1 - f.start. */
  maxLeadToFirstS: number | null;
  /** The first alarm run starting at or after f.start (in the episode), minus f.start. */
  ttdS: number | null;
}

export interface PredictionMetrics {
  /** Confusion counts over the sample times that are not violation seconds. */
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  tpr: number | null;
  fpr: number | null;
  /** Youden's J = TPR - FPR (chance 0); null when either is null. */
  j: number | null;
  /** Sample times that are violation seconds (left out of the counts), and how many of them alarmed. */
  outageSeconds: number;
  outageAlarmed: number;
  /** Over the failing episodes: mean/median of o - a (caught ones), maxPossible = mean of o - f.start. */
  leadTimeS: { mean: number | null; median: number | null; maxPossible: number | null };
  /** mean of v1 - a (where a < v1); maxPossible = mean of v1 - f.start. */
  leadToFirstS: { mean: number | null; maxPossible: number | null };
  ttdS: number | null;
  /** Episodes with an onset; of them, those without a predicting alarm run; faults with no SLO effect. */
  failingEpisodes: number;
  missedEpisodes: number;
  noEffectFaults: number;
  spuriousOnsets: number;
  /** Alarm runs outside every episode not followed by an onset within W (every run on a control run). */
  falseAlarms: number;
  falseAlarmsPerHour: number | null;
  /** Hours of the scored period (the denominator of falseAlarmsPerHour). */
  scoredHours: number;
  episodes: EpisodePrediction[];
}

export interface LocalizationMetrics {
  /** Cases: failing fault episodes (every fault with explicit localization times). */
  cases: number;
  /** N: scored hosts (chance AC@k = k/N). */
  hosts: number;
  ac1: number | null;
  ac3: number | null;
  avg5: number | null;
  /** AC@1, AC@3, Avg@5 of a uniform random ranking of the N hosts; null without a case. */
  chance: { ac1: number | null; ac3: number | null; avg5: number | null };
  precision: number | null;
  recall: number | null;
  timeS: number | null;
  /** Time to localize: the first answer with the culprit first, minus f.start (mean over cases). */
  ttlS: number | null;
}

export interface FixMetrics {
  actions: number;
  measured: number;
  modelled: number;
  /** Action request to SLO recovery, mean over the episodes fixed; with the source of its actions. */
  fixTimeS: number | null;
  fixTimeSource: 'measured' | 'modelled' | 'mixed' | null;
  /** Violation seconds of the whole episodes without actions minus with them (modelled actions). */
  violationSecondsSaved: number | null;
  /** Violation seconds of the episodes (what could be saved). */
  episodeViolationSeconds: number | null;
  /** Episodes whose effective action completed before the onset. */
  preventions: number;
  /** Actions on a control run, on a host that is not the culprit, or while no fault is active. */
  falseActions: number;
  /** Seconds hosts were unavailable because of unnecessary restarts and replacements. */
  falseActionDisruptionS: number;
  byActionType?: Record<string, { count: number; violationSecondsSaved: number }>;
}

export interface CostMetrics {
  msPerSample: number | null;
}

export interface AlgorithmMetrics {
  prediction: PredictionMetrics | null;
  localization: LocalizationMetrics | null;
  fix: FixMetrics | null;
  cost: CostMetrics;
}

/** How a predictor ran, e.g. PREPARE `supervised` or `unlabeled` (with the reason). */
export interface AlgorithmMode {
  mode: string;
  reason: string;
}

export interface AlgorithmResult {
  config: unknown;
  /** Present for algorithms that report a mode (PREPARE). */
  mode?: AlgorithmMode;
  alarms: AlarmRecord[];
  localizations: LocalizationRecord[];
  actions: ActionResult[];
  metrics: AlgorithmMetrics;
}

export interface ReplayResults {
  foreshock: string;
  dataset: string;
  train: string | null;
  scoring: unknown;
  algorithms: Record<string, AlgorithmResult>;
}
