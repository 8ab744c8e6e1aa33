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
  /** requested + the latency drawn from the fix model. */
  completed: number;
  /** Whether the fix model says this action resolves the fault it was aimed at. */
  effective: boolean;
  faultId: string | null;
}

export interface PredictionMetrics {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  tpr: number | null;
  fpr: number | null;
  leadTimeS: { mean: number | null; median: number | null; maxPossible: number | null };
  ttdS: number | null;
}

export interface LocalizationMetrics {
  ac1: number | null;
  ac3: number | null;
  avg5: number | null;
  precision: number | null;
  recall: number | null;
  timeS: number | null;
}

export interface FixMetrics {
  fixTimeS: number | null;
  violationSecondsSaved: number | null;
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

export interface AlgorithmResult {
  config: unknown;
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
