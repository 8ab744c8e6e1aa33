// The schema of results.json (src/core/results.ts) as readers (`report`, `rescore`) check it before
// use: every record the report walks, with its types; metric numbers may be null (n/a). Keys not
// listed are kept (results carry more than a report reads); `config` and `scoring` are free-form.
import type { ReplayResults } from './results.ts';
import {
  any,
  array,
  boolean,
  nullable,
  number,
  object,
  optional,
  record,
  string,
  type Schema,
} from './schema.ts';

const num = number();
const maybe = nullable(num);
const count = number({ min: 0 });

const alarm = object({ time: num, host: nullable(string()), score: num });

const localization = object({
  time: num,
  trigger: object({ kind: string(), time: num, host: nullable(string()) }),
  ranking: array(object({ host: string(), metric: nullable(string()), score: num })),
  pinpointed: array(string()),
  computeMs: optional(maybe),
  note: optional(string()),
});

const action = object({
  type: string(),
  host: string(),
  requested: num,
  completed: num,
  effective: boolean,
  faultId: nullable(string()),
  source: optional(string({ oneOf: ['measured', 'modelled'] })),
});

const episode = object({
  fault: string(),
  onset: maybe,
  firstViolation: maybe,
  alarmRunStart: maybe,
  leadS: maybe,
  leadToFirstS: maybe,
  maxLeadS: maybe,
  maxLeadToFirstS: maybe,
  ttdS: maybe,
});

const prediction = object({
  tp: count,
  fp: count,
  tn: count,
  fn: count,
  tpr: maybe,
  fpr: maybe,
  j: maybe,
  outageSeconds: count,
  outageAlarmed: count,
  leadTimeS: object({ mean: maybe, median: maybe, maxPossible: maybe }),
  leadToFirstS: object({ mean: maybe, maxPossible: maybe }),
  ttdS: maybe,
  failingEpisodes: count,
  missedEpisodes: count,
  noEffectFaults: count,
  spuriousOnsets: count,
  falseAlarms: count,
  falseAlarmsPerHour: maybe,
  scoredHours: count,
  episodes: array(episode),
});

const localizationMetrics = object({
  cases: count,
  hosts: count,
  ac1: maybe,
  ac3: maybe,
  avg5: maybe,
  chance: object({ ac1: maybe, ac3: maybe, avg5: maybe }),
  precision: maybe,
  recall: maybe,
  timeS: maybe,
  ttlS: maybe,
});

const fix = object({
  actions: count,
  measured: optional(count),
  modelled: optional(count),
  fixTimeS: maybe,
  fixTimeSource: optional(nullable(string({ oneOf: ['measured', 'modelled', 'mixed'] }))),
  violationSecondsSaved: maybe,
  episodeViolationSeconds: maybe,
  preventions: count,
  falseActions: count,
  falseActionDisruptionS: count,
  byActionType: optional(record(object({ count: count, violationSecondsSaved: num }))),
});

const records = {
  config: any,
  mode: optional(object({ mode: string(), reason: string() })),
  alarms: array(alarm),
  localizations: array(localization),
  actions: array(action),
};

const algorithm = object({
  ...records,
  metrics: object({
    prediction: nullable(prediction),
    localization: nullable(localizationMetrics),
    fix: nullable(fix),
    cost: object({ msPerSample: maybe }),
  }),
});

/** results.json, with the `datasetPath` hint the CLI adds. */
export const resultsSchema = object({
  foreshock: string(),
  dataset: string(),
  datasetPath: optional(string()),
  train: optional(nullable(string())),
  scoring: any,
  algorithms: record(algorithm),
}) as unknown as Schema<ReplayResults & { datasetPath?: string }>;

/**
 * What `rescore` reads: the stored alarms, localizations and actions, checked as strictly; the metrics
 * it recomputes may be of any earlier shape (rescoring results written under older rules is its point).
 */
export const recordsOnlySchema = object({
  foreshock: string(),
  dataset: string(),
  datasetPath: optional(string()),
  train: optional(nullable(string())),
  scoring: any,
  algorithms: record(object({ ...records, metrics: any })),
}) as unknown as Schema<ReplayResults & { datasetPath?: string }>;
