// Parameter sweep: one replay job per combination of numeric parameter values of one predictor, one
// row of prediction scores per combination (for ROC curves: UBL's percentile 70..98, PREPARE's
// log-odds threshold; and for sensitivity tables such as UBL's Table 2).
//
// Combinations are the Cartesian product of the given value lists, the first parameter varying
// slowest, in the order given. Each run is exactly `foreshock replay` with that config and --no-fix
// (fixes do not change prediction scores), so every row is reproducible on its own.

import type { Dataset } from '../core/dataset.ts';
import { ConfigError, UserError } from '../core/errors.ts';
import { getAlgorithm, resolveConfig } from '../algorithms/registry.ts';
import type { ScoringParams } from '../eval/index.ts';
import { runReplayJob } from './replay-job.ts';

export interface SweepParam {
  key: string;
  values: number[];
}

export interface SweepOptions {
  algorithm: string;
  params: SweepParam[];
  scoring: ScoringParams;
  /** Fixed parameters applied to every combination (the swept ones override them). */
  base?: Record<string, unknown>;
  seed?: number;
  log?: (line: string) => void;
}

export interface SweepRow {
  /** The swept values of this combination, in parameter order. */
  params: Record<string, number>;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  tpr: number | null;
  fpr: number | null;
  /** Youden's J = TPR - FPR (chance 0), beside the rates (evaluation.md v2 "Chance"). */
  j: number | null;
  falseAlarmsPerHour: number | null;
  alarms: number;
  leadTimeS: { mean: number | null; median: number | null; maxPossible: number | null };
}

/** Parses `key=v1,v2,...` into a SweepParam; a UserError names the problem. */
export function parseSweepParam(text: string): SweepParam {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UserError(`--param ${text}: expected <key>=<v1,v2,...>`);
  const key = text.slice(0, eq).trim();
  const raw = text
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (raw.length === 0) throw new UserError(`--param ${key}: no values given`);
  const values = raw.map((s) => {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new UserError(`--param ${key}: "${s}" is not a number`);
    return v;
  });
  return { key, values };
}

/** All combinations, first parameter slowest. */
export function combinations(params: readonly SweepParam[]): Record<string, number>[] {
  let out: Record<string, number>[] = [{}];
  for (const p of params) {
    out = out.flatMap((combo) => p.values.map((v) => ({ ...combo, [p.key]: v })));
  }
  return out;
}

/** Checks the algorithm and the swept keys before anything runs, so a typo fails at once. */
function validate(opts: SweepOptions): void {
  const def = getAlgorithm(opts.algorithm);
  if (def.kind !== 'predictor') {
    throw new UserError(`sweep scores predictions; ${def.name} is a ${def.kind}, not a predictor`);
  }
  if (opts.params.length === 0) throw new UserError('sweep: give at least one --param <key>=<values>');
  const seen = new Set<string>();
  for (const p of opts.params) {
    const spec = def.params[p.key];
    if (!spec) {
      throw new ConfigError(
        `algorithm ${def.name}: unknown config key "${p.key}" (known: ${Object.keys(def.params).join(', ')})`,
      );
    }
    if (spec.type !== 'number' && spec.type !== 'integer') {
      throw new ConfigError(`algorithm ${def.name}: config key "${p.key}" is ${spec.type}, not numeric`);
    }
    if (seen.has(p.key)) throw new UserError(`--param ${p.key} given twice`);
    seen.add(p.key);
    // Every value must pass the algorithm's own validation (range, integer).
    for (const v of p.values) resolveConfig(def, { ...opts.base, [p.key]: v });
  }
}

export function runSweep(test: Dataset, train: Dataset | null, opts: SweepOptions): SweepRow[] {
  validate(opts);
  const log = opts.log ?? (() => {});
  const combos = combinations(opts.params);
  return combos.map((combo, i) => {
    const label = Object.entries(combo)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    log(`sweep ${i + 1}/${combos.length}: ${label}`);
    const results = runReplayJob(test, train, {
      algorithms: [opts.algorithm],
      configs: { [opts.algorithm]: { ...opts.base, ...combo } },
      fix: false,
      scoring: opts.scoring,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    });
    const r = results.algorithms[opts.algorithm]!;
    const p = r.metrics.prediction!;
    return {
      params: combo,
      tp: p.tp,
      fp: p.fp,
      tn: p.tn,
      fn: p.fn,
      tpr: p.tpr,
      fpr: p.fpr,
      j: p.j,
      falseAlarmsPerHour: p.falseAlarmsPerHour,
      alarms: r.alarms.length,
      leadTimeS: p.leadTimeS,
    };
  });
}

const fmt = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));

/** One line per row: the swept values, then TPR, FPR, J, false alarms/h, the counts and the lead time. */
export function formatSweepRows(rows: readonly SweepRow[]): string[] {
  const table = rows.map((r) => [
    Object.entries(r.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
    fmt(r.tpr, 3),
    fmt(r.fpr, 3),
    fmt(r.j, 3),
    fmt(r.falseAlarmsPerHour, 0),
    String(r.tp),
    String(r.fp),
    String(r.tn),
    String(r.fn),
    fmt(r.leadTimeS.mean, 1),
    fmt(r.leadTimeS.maxPossible, 1),
  ]);
  const header = ['params', 'TPR', 'FPR', 'J', 'FA/h', 'TP', 'FP', 'TN', 'FN', 'lead s', 'max s'];
  const all = [header, ...table];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  return all.map((row) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
  );
}
