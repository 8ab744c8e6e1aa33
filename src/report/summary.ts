// The cross-experiment summary: one row per algorithm (name + config) and fault type.
// Aggregation over several runs of one fault type (stated in the report):
// - TP/FP/TN/FN are summed and TPR/FPR computed from the sums (a ratio of sums, UBL Eq. 5);
// - every other number (lead time mean/median/max possible, TTD, AC@k, precision, recall,
//   localization time, fix time, violation seconds saved, ms/sample) is the mean over the runs
//   that have it, each run weighted equally. With one run per fault type they are that run's values.

import type { AlgorithmResult } from '../core/results.ts';
import { configHash, shortHash } from './canonical.ts';
import { faultTypeOf, type ExperimentInput } from './inputs.ts';
import { referenceFor, type ReferenceEntry } from './reference.ts';

export type AlgorithmKind = 'predictor' | 'localizer';

export interface AlgorithmIdentity {
  /** name@configHash: one algorithm with one config. */
  key: string;
  name: string;
  kind: AlgorithmKind;
  config: unknown;
  configHash: string;
  /** The name, plus a short hash when the same name ran with different configs. */
  label: string;
}

export interface PredictionSummary {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  tpr: number | null;
  fpr: number | null;
  /** Youden's J of the pooled rates (chance 0). */
  j: number | null;
  outageSeconds: number;
  outageAlarmed: number;
  leadMeanS: number | null;
  leadMedianS: number | null;
  leadMaxPossibleS: number | null;
  leadToFirstMeanS: number | null;
  leadToFirstMaxPossibleS: number | null;
  ttdS: number | null;
  failingEpisodes: number;
  missedEpisodes: number;
  falseAlarms: number;
  /** Pooled: false alarms over all runs / their scored hours. */
  falseAlarmsPerHour: number | null;
}

export interface LocalizationSummary {
  ac1: number | null;
  ac3: number | null;
  avg5: number | null;
  precision: number | null;
  recall: number | null;
  timeS: number | null;
  /** Time to localize: first answer with the culprit first minus the fault start (mean over runs). */
  ttlS: number | null;
  /** Cases summed over the runs; chance AC@1 (1/N) averaged over the runs with cases. */
  cases: number;
  chanceAc1: number | null;
  chanceAc3: number | null;
}

export interface FixSummary {
  fixTimeS: number | null;
  /** measured, modelled or mixed: where the fix times come from. */
  fixTimeSource: string | null;
  violationSecondsSaved: number | null;
  /** Violation seconds of the fault episodes (what could be saved), mean over the runs. */
  episodeViolationSeconds: number | null;
  actions: number;
  measured: number;
  modelled: number;
  falseActions: number;
  falseActionDisruptionS: number;
}

export interface SummaryRow {
  identity: AlgorithmIdentity;
  faultType: string;
  runs: number;
  /** The modes the algorithm ran in (PREPARE: supervised / unlabeled), distinct, with their reasons. */
  modes: { mode: string; reason: string }[];
  prediction: PredictionSummary | null;
  localization: LocalizationSummary | null;
  fix: FixSummary | null;
  msPerSample: number | null;
  reference: ReferenceEntry | null;
}

export interface Summary {
  identities: AlgorithmIdentity[];
  faultTypes: string[];
  /** Rows by fault type, identities in first-seen order. */
  rows: SummaryRow[];
  /** One row per identity over every run (faultType "all"): what the best-model rule reads. */
  pooled: SummaryRow[];
}

/**
 * Predictor or localizer, from the results themselves: the replay job scores prediction only for
 * predictors (so results from an algorithm no longer registered still read right).
 */
export function kindOf(result: AlgorithmResult): AlgorithmKind {
  return result.metrics.prediction ? 'predictor' : 'localizer';
}

function meanOf(values: (number | null | undefined)[]): number | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

function combinedSource(sources: (string | null)[]): string | null {
  const set = new Set(sources.filter((s): s is string => s !== null));
  return set.size === 0 ? null : set.size > 1 || set.has('mixed') ? 'mixed' : [...set][0]!;
}

/** The label with the mode(s) an algorithm ran in, e.g. `prepare [unlabeled]`. */
export function modeLabel(row: SummaryRow): string {
  const names = [...new Set(row.modes.map((m) => m.mode))];
  return names.length === 0 ? row.identity.label : `${row.identity.label} [${names.join(', ')}]`;
}

/** Fault-type order: alphabetical, then "control", then "unknown". */
function faultOrder(a: string, b: string): number {
  const rank = (t: string): number => (t === 'control' ? 1 : t === 'unknown' ? 2 : 0);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

interface Run {
  experiment: ExperimentInput;
  faultType: string;
  result: AlgorithmResult;
}

function aggregate(identity: AlgorithmIdentity, faultType: string, runs: Run[]): SummaryRow {
  const preds = runs.map((r) => r.result.metrics.prediction).filter((p) => p !== null && p !== undefined);
  const locs = runs.map((r) => r.result.metrics.localization).filter((l) => l !== null && l !== undefined);
  const fixes = runs.map((r) => r.result.metrics.fix).filter((f) => f !== null && f !== undefined);
  let prediction: PredictionSummary | null = null;
  if (preds.length > 0) {
    // Results written before scoring rules v2 lack the newer counts: they count as 0 / unknown.
    const sum = (
      k:
        | 'tp'
        | 'fp'
        | 'tn'
        | 'fn'
        | 'outageSeconds'
        | 'outageAlarmed'
        | 'failingEpisodes'
        | 'missedEpisodes'
        | 'falseAlarms'
        | 'scoredHours',
    ): number => preds.reduce((a, p) => a + (typeof p[k] === 'number' ? p[k] : 0), 0);
    const [tp, fp, tn, fn] = [sum('tp'), sum('fp'), sum('tn'), sum('fn')];
    const tpr = ratio(tp, tp + fn);
    const fpr = ratio(fp, fp + tn);
    const hours = sum('scoredHours');
    prediction = {
      tp,
      fp,
      tn,
      fn,
      tpr,
      fpr,
      j: tpr !== null && fpr !== null ? tpr - fpr : null,
      outageSeconds: sum('outageSeconds'),
      outageAlarmed: sum('outageAlarmed'),
      leadMeanS: meanOf(preds.map((p) => p.leadTimeS.mean)),
      leadMedianS: meanOf(preds.map((p) => p.leadTimeS.median)),
      leadMaxPossibleS: meanOf(preds.map((p) => p.leadTimeS.maxPossible)),
      leadToFirstMeanS: meanOf(preds.map((p) => p.leadToFirstS?.mean)),
      leadToFirstMaxPossibleS: meanOf(preds.map((p) => p.leadToFirstS?.maxPossible)),
      ttdS: meanOf(preds.map((p) => p.ttdS)),
      failingEpisodes: sum('failingEpisodes'),
      missedEpisodes: sum('missedEpisodes'),
      falseAlarms: sum('falseAlarms'),
      falseAlarmsPerHour: hours > 0 ? sum('falseAlarms') / hours : null,
    };
  }
  const localization: LocalizationSummary | null =
    locs.length === 0
      ? null
      : {
          ac1: meanOf(locs.map((l) => l.ac1)),
          ac3: meanOf(locs.map((l) => l.ac3)),
          avg5: meanOf(locs.map((l) => l.avg5)),
          precision: meanOf(locs.map((l) => l.precision)),
          recall: meanOf(locs.map((l) => l.recall)),
          timeS: meanOf(locs.map((l) => l.timeS)),
          ttlS: meanOf(locs.map((l) => l.ttlS)),
          cases: locs.reduce((a, l) => a + (typeof l.cases === 'number' ? l.cases : 0), 0),
          chanceAc1: meanOf(locs.map((l) => l.chance?.ac1)),
          chanceAc3: meanOf(locs.map((l) => l.chance?.ac3)),
        };
  const fix: FixSummary | null =
    fixes.length === 0
      ? null
      : {
          fixTimeS: meanOf(fixes.map((f) => f.fixTimeS)),
          fixTimeSource: combinedSource(fixes.map((f) => f.fixTimeSource ?? null)),
          violationSecondsSaved: meanOf(fixes.map((f) => f.violationSecondsSaved)),
          episodeViolationSeconds: meanOf(fixes.map((f) => f.episodeViolationSeconds)),
          actions: fixes.reduce((a, f) => a + (f.actions ?? 0), 0),
          measured: fixes.reduce((a, f) => a + (f.measured ?? 0), 0),
          modelled: fixes.reduce((a, f) => a + (f.modelled ?? 0), 0),
          falseActions: fixes.reduce((a, f) => a + (f.falseActions ?? 0), 0),
          falseActionDisruptionS: fixes.reduce((a, f) => a + (f.falseActionDisruptionS ?? 0), 0),
        };
  const modes: { mode: string; reason: string }[] = [];
  for (const r of runs) {
    const m = r.result.mode;
    if (m && !modes.some((x) => x.mode === m.mode && x.reason === m.reason)) modes.push({ ...m });
  }
  return {
    identity,
    faultType,
    runs: runs.length,
    modes,
    prediction,
    localization,
    fix,
    msPerSample: meanOf(runs.map((r) => r.result.metrics.cost?.msPerSample)),
    reference: faultType === 'all' ? null : referenceFor(identity.name, faultType),
  };
}

export function summarize(experiments: ExperimentInput[]): Summary {
  const identities = new Map<string, AlgorithmIdentity>();
  const runsByKey = new Map<string, Run[]>();
  for (const experiment of experiments) {
    const faultType = faultTypeOf(experiment.dataset);
    for (const [name, result] of Object.entries(experiment.results.algorithms)) {
      const hash = configHash(result.config);
      const key = `${name}@${hash}`;
      if (!identities.has(key)) {
        identities.set(key, {
          key,
          name,
          kind: kindOf(result),
          config: result.config,
          configHash: hash,
          label: name,
        });
        runsByKey.set(key, []);
      }
      runsByKey.get(key)!.push({ experiment, faultType, result });
    }
  }
  const list = [...identities.values()];
  for (const id of list) {
    if (list.some((o) => o.name === id.name && o.key !== id.key))
      id.label = `${id.name} (${shortHash(id.configHash).slice(0, 8)})`;
  }
  const faultTypes = [
    ...new Set([...runsByKey.values()].flatMap((runs) => runs.map((r) => r.faultType))),
  ].sort(faultOrder);
  const rows: SummaryRow[] = [];
  for (const id of list) {
    const runs = runsByKey.get(id.key)!;
    for (const ft of faultTypes) {
      const these = runs.filter((r) => r.faultType === ft);
      if (these.length > 0) rows.push(aggregate(id, ft, these));
    }
  }
  const pooled = list.map((id) => aggregate(id, 'all', runsByKey.get(id.key)!));
  return { identities: list, faultTypes, rows, pooled };
}
