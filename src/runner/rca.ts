// Root-cause-analysis evaluation on RCAEval-style cases: every case is one recorded fault, each
// localizer is asked once per case, and the answers are scored per fault type with the RCAEval
// ranking metrics (AC@1, AC@3, Avg@5) and FChain's pinpointing metrics (precision, recall).
//
// Cases (one layout): a directory of pairs `<case>.csv` + `<case>.truth.json`, read with importCsv
// (src/data/import/csv.ts: `time` + `<host>_<metric>` columns; the truth JSON holds the faults, an
// optional SLO column + threshold and optional caller -> callee edges). exportRcaCase() writes a
// dataset in that format (the tests use it to build cases from the synthetic generator).
//
// When a case is localized (trigger):
// - auto (default): at the case's SLO-violation onset when it has an SLO and the SLO broke for the
//   fault (the first sustained violation at/after the fault start, as src/eval defines it), else at
//   the fault start + delayS (RCAEval gives methods the anomaly-detection time; FChain looks back
//   from it, so the look-back window must reach into the fault);
// - slo: only at the SLO onset; a case without one is a miss for every algorithm;
// - fault: always at the fault start + delayS.
// As in the replay engine, an SLO trigger fires once the onset is confirmed (minDurationS violating
// seconds later) and the localizer sees the samples up to that moment.
// Training: each algorithm's fit() gets the case's samples before the (first) fault's start and,
// with `train` (`foreshock rca --train`), the fault-free recordings that share at least half of the
// case's hosts (another stretch of the same system), mapped onto the case's metrics (a metric the
// recording lacks is missing), all in time order.
// Online validation: a case whose recording holds executed actions (manifest.actions; CSV imports
// have none) validates the answers marked "not validated" (FChain's) with validateWithRecording.
//
// Scoring (evaluation.md "Localization", per fault; every fault of a case is a culprit of it):
// AC@k = share of faults whose host is in the top k distinct hosts of the case's ranking; Avg@5 =
// mean of AC@1..AC@5; recall = share of faults whose host was pinpointed; precision = correct
// pinpointed hosts / all pinpointed hosts, summed over the cases of that fault type. For
// single-fault cases this is exactly what src/eval's scoreLocalization computes.

import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AlgorithmContext, Localizer, Sample } from '../core/algorithm.ts';
import type { Dataset } from '../core/dataset.ts';
import { UserError } from '../core/errors.ts';
import type { LocalizationRecord } from '../core/results.ts';
import { validateIfRecorded } from '../sim/recorded-validation.ts';
import { checkConfigKeys, getAlgorithm, listAlgorithms, resolveConfig } from '../algorithms/registry.ts';
import { atomicWrite } from '../data/dataset-io.ts';
import { importCsv } from '../data/import/csv.ts';
import { isDirectory, isFile } from '../data/import/common.ts';
import { buildGroundTruth, DEFAULT_SCORING } from '../eval/index.ts';
import { columnOrder, samplesBetween, trainingData } from '../sim/samples.ts';

export type RcaTriggerMode = 'auto' | 'slo' | 'fault';

export interface RcaOptions {
  /** Localizers to evaluate; default every registered localizer. */
  algorithms?: string[];
  configs?: Record<string, unknown>;
  trigger?: RcaTriggerMode;
  /** Seconds after the fault start at which a case without an SLO onset is localized (default 30). */
  delayS?: number;
  /** Violating seconds that make an SLO onset (default 3, as replay). */
  minDurationS?: number;
  /** Fault-free recordings to train on as well (each case uses those that share its hosts). */
  train?: readonly RcaTrainSet[];
  /** Seed for algorithm randomness; default the case's seed, else 0. */
  seed?: number;
  /** Wall clock (ms) to measure compute time; omit for reproducible output. */
  clock?: () => number;
  log?: (line: string) => void;
}

export interface RcaCase {
  name: string;
  dataset: Dataset;
}

export interface RcaTrainSet {
  name: string;
  dataset: Dataset;
}

export interface RcaCaseResult {
  case: string;
  faults: { id: string; type: string; host: string; metrics?: string[] }[];
  /** Hosts scored in the case (N of the chance floor k/N). */
  hosts: number;
  /** When the case was localized; null when it could not be (trigger slo without an onset). */
  trigger: { kind: 'slo' | 'explicit'; time: number; firedAt: number } | null;
  /** Per algorithm, the localization (null when there was no trigger). */
  localizations: Record<string, LocalizationRecord | null>;
}

export interface RcaRow {
  algorithm: string;
  /** A fault type, or "all". */
  faultType: string;
  n: number;
  ac1: number | null;
  ac3: number | null;
  avg5: number | null;
  precision: number | null;
  recall: number | null;
  /**
   * HitRate@100 % and @150 % over the faults whose culprit metrics are known (truth `metrics`):
   * share of the culprit's (host, metric) pairs among the first floor(P x |G|) (host, metric)
   * entries of the ranking (SMD / OmniAnomaly interpretation score); null when none is known.
   */
  hit100: number | null;
  hit150: number | null;
  /** Chance floor (evaluation.md): mean of k/N over the faults, for k = 1 and 3. */
  chance1: number | null;
  chance3: number | null;
  /** Faults with known culprit metrics (the HitRate denominator). */
  nMetric: number;
  /** Mean localize() time in ms; null unless a clock was given. */
  computeMs: number | null;
}

export interface RcaReport {
  cases: RcaCaseResult[];
  summary: RcaRow[];
}

export const DEFAULT_DELAY_S = 30;

/** The `<case>.csv` + `<case>.truth.json` pairs of a directory, sorted by case name. */
export function listRcaCases(dir: string): { name: string; csv: string; truth: string }[] {
  if (!isDirectory(dir)) throw new UserError(`--cases ${dir}: not a directory`);
  const files = readdirSync(dir).sort();
  const cases = files
    .filter((f) => f.endsWith('.csv'))
    .map((f) => {
      const name = f.slice(0, -'.csv'.length);
      return { name, csv: join(dir, f), truth: join(dir, `${name}.truth.json`) };
    })
    .filter((c) => isFile(c.csv));
  const missing = cases.find((c) => !isFile(c.truth));
  if (missing) throw new UserError(`${missing.csv}: no truth file ${missing.name}.truth.json next to it`);
  if (cases.length === 0) {
    throw new UserError(`--cases ${dir}: no <case>.csv + <case>.truth.json pairs found`);
  }
  return cases;
}

/**
 * Fault-free recordings for `--train`: each path is a CSV (time + <host>_<metric> columns, no truth
 * needed) or a directory whose *.csv files are all read.
 */
export function loadTrainSets(paths: readonly string[]): RcaTrainSet[] {
  const files = paths.flatMap((p) => {
    if (isDirectory(p)) {
      const csvs = readdirSync(p)
        .filter((f) => f.endsWith('.csv'))
        .sort()
        .map((f) => join(p, f));
      if (csvs.length === 0) throw new UserError(`--train ${p}: no .csv file in the directory`);
      return csvs;
    }
    if (!isFile(p)) throw new UserError(`--train ${p}: no such file or directory`);
    return [p];
  });
  return files.map((f) => ({ name: f, dataset: importCsv(f) }));
}

export function loadRcaCases(dir: string): RcaCase[] {
  return listRcaCases(dir).map((c) => {
    const dataset = importCsv(c.csv, c.truth);
    if (dataset.manifest.faults.length === 0) throw new UserError(`${c.truth}: the case has no fault`);
    return { name: c.name, dataset };
  });
}

export function runRca(cases: readonly RcaCase[], opts: RcaOptions = {}): RcaReport {
  const names =
    opts.algorithms ??
    listAlgorithms()
      .filter((d) => d.kind === 'localizer')
      .map((d) => d.name);
  if (names.length === 0) throw new UserError('no algorithms to run');
  checkConfigKeys(opts.configs, 'config');
  for (const name of names) {
    if (getAlgorithm(name).kind !== 'localizer') {
      throw new UserError(`algorithm "${name}" is a predictor, not a localizer; rca evaluates localizers`);
    }
  }
  const log = opts.log ?? (() => {});
  const results = cases.map((c) => {
    const r = runCase(c, names, opts);
    log(
      `${c.name}: ${r.trigger ? `localized at ${new Date(r.trigger.firedAt).toISOString()}` : 'no trigger'}`,
    );
    return r;
  });
  return { cases: results, summary: summarize(results, names) };
}

function runCase(c: RcaCase, names: readonly string[], opts: RcaOptions): RcaCaseResult {
  const ds = c.dataset;
  const m = ds.manifest;
  const faults = [...m.faults].sort((a, b) => a.start - b.start);
  const first = faults[0]!;
  const trigger = chooseTrigger(ds, first.start, opts);
  const metrics = ds.metrics.metrics;
  const cols = columnOrder(ds.metrics, metrics, `case ${c.name}`);
  const ctx: AlgorithmContext = {
    metrics,
    hosts: ds.metrics.hosts,
    sampleIntervalMs: m.sampleIntervalMs,
    seed: opts.seed ?? m.seed ?? 0,
  };
  const training = trainingData(ds, metrics, { start: m.start, end: first.start });
  const extra = (opts.train ?? []).flatMap((t) => cachedTrainSamples(t, ds, metrics));
  if (extra.length > 0) {
    training.samples = [...extra, ...training.samples].sort((a, b) => a.time - b.time);
    training.sloViolations = null; // the SLO of other recordings is not the case's
  }
  const topology = { hosts: ds.metrics.hosts, edges: m.dependencies };
  const localizations: Record<string, LocalizationRecord | null> = {};
  for (const name of names) {
    if (!trigger) {
      localizations[name] = null;
      continue;
    }
    const def = getAlgorithm(name);
    const algorithm = def.create(resolveConfig(def, opts.configs?.[name]), ctx) as Localizer;
    algorithm.fit?.(training);
    const start = trigger.firedAt - algorithm.lookbackMs;
    const window = {
      start,
      end: trigger.firedAt,
      samples: samplesBetween(ds.metrics, cols, start, trigger.firedAt + 1),
    };
    const t0 = opts.clock?.();
    let ranking = algorithm.localize(
      window,
      { kind: trigger.kind, time: trigger.time, host: null },
      topology,
    );
    const computeMs = opts.clock ? opts.clock() - t0! : null;
    ranking = validateIfRecorded(ranking, trigger.firedAt, ds);
    const record: LocalizationRecord = {
      time: trigger.firedAt,
      trigger: { kind: trigger.kind, time: trigger.time, host: null },
      ranking: ranking.entries.map((e) => ({ host: e.host, metric: e.metric, score: e.score })),
      pinpointed: [...ranking.pinpointed],
      computeMs,
    };
    if (ranking.note !== undefined) record.note = ranking.note;
    localizations[name] = record;
  }
  return {
    case: c.name,
    hosts: ds.metrics.hosts.length,
    faults: faults.map((f) => ({
      id: f.id,
      type: f.type,
      host: f.host,
      ...(f.metrics && f.metrics.length > 0 ? { metrics: [...f.metrics] } : {}),
    })),
    trigger,
    localizations,
  };
}

/** trainSamples per recording, memoized on the case's hosts and metrics (cases of one system share them). */
const TRAIN_CACHE = new WeakMap<Dataset, Map<string, Sample[]>>();

function cachedTrainSamples(t: RcaTrainSet, ds: Dataset, metrics: readonly string[]): Sample[] {
  let byKey = TRAIN_CACHE.get(t.dataset);
  if (!byKey) TRAIN_CACHE.set(t.dataset, (byKey = new Map()));
  const key = `${ds.manifest.sampleIntervalMs}\u0000${ds.metrics.hosts.join(',')}\u0000${metrics.join(',')}`;
  let out = byKey.get(key);
  if (!out) byKey.set(key, (out = trainSamples(t, ds, metrics)));
  return out;
}

/**
 * The samples of a fault-free recording for a case: its rows of the case's hosts, in the case's
 * metric order (NaN where the recording lacks a metric); none when it shares under half of the
 * case's hosts (another system) or was sampled at another interval.
 */
function trainSamples(t: RcaTrainSet, ds: Dataset, metrics: readonly string[]): Sample[] {
  const table = t.dataset.metrics;
  const caseHosts = new Set(ds.metrics.hosts);
  const shared = table.hosts.filter((h) => caseHosts.has(h));
  if (shared.length * 2 < caseHosts.size) return [];
  if (t.dataset.manifest.sampleIntervalMs !== ds.manifest.sampleIntervalMs) {
    throw new UserError(
      `--train ${t.name}: sampled every ${t.dataset.manifest.sampleIntervalMs} ms, the cases every ${ds.manifest.sampleIntervalMs} ms`,
    );
  }
  const cols = metrics.map((name) => {
    const k = table.metrics.indexOf(name);
    return k >= 0 ? table.columns[k]! : null;
  });
  const out: Sample[] = [];
  for (let i = 0; i < table.time.length; i++) {
    const host = table.hosts[table.host[i]!]!;
    if (!caseHosts.has(host)) continue;
    out.push({ time: table.time[i]!, host, values: Float64Array.from(cols, (c) => (c ? c[i]! : NaN)) });
  }
  return out;
}

function chooseTrigger(ds: Dataset, faultStart: number, opts: RcaOptions): RcaCaseResult['trigger'] {
  const mode = opts.trigger ?? 'auto';
  const interval = ds.manifest.sampleIntervalMs;
  const minDurationS = opts.minDurationS ?? DEFAULT_SCORING.minDurationS;
  const delayMs = (opts.delayS ?? DEFAULT_DELAY_S) * 1000;
  if (mode !== 'fault') {
    const truth = buildGroundTruth(
      ds,
      { start: ds.manifest.start, end: ds.manifest.end },
      { ...DEFAULT_SCORING, minDurationS },
    );
    const onset = truth.episodes.find((e) => e.fault.start === faultStart)?.onset ?? null;
    if (onset !== null) {
      const need = Math.max(1, Math.ceil((minDurationS * 1000) / interval));
      return { kind: 'slo', time: onset, firedAt: onset + (need - 1) * interval };
    }
    if (mode === 'slo') return null;
  }
  const at = faultStart + delayMs;
  return { kind: 'explicit', time: at, firedAt: at };
}

interface Tally {
  n: number;
  hits: number[];
  recalled: number;
  pinpointed: number;
  correct: number;
  computeMs: number[];
  nMetric: number;
  hit100: number;
  hit150: number;
  chance1: number;
  chance3: number;
}

function summarize(results: readonly RcaCaseResult[], names: readonly string[]): RcaRow[] {
  const types = [...new Set(results.flatMap((r) => r.faults.map((f) => f.type)))].sort();
  const rows: RcaRow[] = [];
  for (const name of names) {
    for (const type of [...types, 'all']) {
      const t: Tally = {
        n: 0,
        hits: [0, 0, 0, 0, 0],
        recalled: 0,
        pinpointed: 0,
        correct: 0,
        computeMs: [],
        nMetric: 0,
        hit100: 0,
        hit150: 0,
        chance1: 0,
        chance3: 0,
      };
      for (const r of results) {
        const faults = type === 'all' ? r.faults : r.faults.filter((f) => f.type === type);
        if (faults.length === 0) continue;
        const loc = r.localizations[name] ?? null;
        const hosts = loc ? [...new Set(loc.ranking.map((e) => e.host))] : [];
        const pinned = loc ? [...new Set(loc.pinpointed)] : [];
        for (const f of faults) {
          t.n++;
          t.chance1 += Math.min(1, 1 / Math.max(1, r.hosts));
          t.chance3 += Math.min(1, 3 / Math.max(1, r.hosts));
          const rank = hosts.indexOf(f.host);
          if (rank >= 0) for (let k = rank; k < 5; k++) t.hits[k]!++;
          if (pinned.includes(f.host)) t.recalled++;
          if (f.metrics && f.metrics.length > 0) {
            t.nMetric++;
            t.hit100 += hitRate(loc, f.host, f.metrics, 1);
            t.hit150 += hitRate(loc, f.host, f.metrics, 1.5);
          }
        }
        const culprits = new Set(r.faults.map((f) => f.host));
        t.pinpointed += pinned.length;
        t.correct += pinned.filter((h) => culprits.has(h)).length;
        if (loc?.computeMs !== null && loc?.computeMs !== undefined) t.computeMs.push(loc.computeMs);
      }
      const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
      rows.push({
        algorithm: name,
        faultType: type,
        n: t.n,
        ac1: ratio(t.hits[0]!, t.n),
        ac3: ratio(t.hits[2]!, t.n),
        chance1: ratio(t.chance1, t.n),
        chance3: ratio(t.chance3, t.n),
        avg5: t.n > 0 ? t.hits.reduce((s, h) => s + h / t.n, 0) / 5 : null,
        precision: ratio(t.correct, t.pinpointed),
        recall: ratio(t.recalled, t.n),
        hit100: ratio(t.hit100, t.nMetric),
        hit150: ratio(t.hit150, t.nMetric),
        nMetric: t.nMetric,
        computeMs:
          t.computeMs.length > 0 ? t.computeMs.reduce((s, v) => s + v, 0) / t.computeMs.length : null,
      });
    }
  }
  return rows;
}

/** HitRate@P of one fault: culprit (host, metric) pairs among the first floor(P x |G|) entries. */
function hitRate(
  loc: LocalizationRecord | null,
  host: string,
  metrics: readonly string[],
  p: number,
): number {
  if (!loc) return 0;
  const k = Math.max(1, Math.floor(p * metrics.length + 1e-9));
  const top = loc.ranking.slice(0, k);
  const found = metrics.filter((m) => top.some((e) => e.host === host && e.metric === m)).length;
  return found / metrics.length;
}

/** The summary as a text table: one block per algorithm, one line per fault type. */
export function formatRcaTable(report: RcaReport): string {
  const withTime = report.summary.some((r) => r.computeMs !== null);
  const withHit = report.summary.some((r) => r.nMetric > 0);
  const header = ['algorithm', 'fault type', 'n', 'AC@1', 'AC@3', 'Avg@5', 'chance@1', 'chance@3'];
  header.push('precision', 'recall');
  if (withHit) header.push('HR@100%', 'HR@150%');
  if (withTime) header.push('ms');
  const fmt = (v: number | null): string => (v === null ? '-' : v.toFixed(2));
  const lines = [header];
  for (const r of report.summary) {
    const line = [
      r.algorithm,
      r.faultType,
      String(r.n),
      fmt(r.ac1),
      fmt(r.ac3),
      fmt(r.avg5),
      fmt(r.chance1),
      fmt(r.chance3),
      fmt(r.precision),
      fmt(r.recall),
    ];
    if (withHit) line.push(fmt(r.hit100), fmt(r.hit150));
    if (withTime) line.push(r.computeMs === null ? '-' : r.computeMs.toFixed(1));
    lines.push(line);
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  return lines
    .map((l) => l.map((cell, c) => (c <= 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
    .join('\n');
}

/**
 * Writes a dataset as an RCAEval-style case: `<dir>/<name>.csv` (`time` in epoch ms, one
 * `<host>_<metric>` column per host and metric, the SLO signal as its own column) and
 * `<dir>/<name>.truth.json` (faults, slo, edges). importCsv reads it back. Host names must not
 * contain "_" (the column name splits at the first one).
 */
export function exportRcaCase(
  ds: Dataset,
  dir: string,
  name: string = ds.manifest.name,
): { csv: string; truth: string } {
  const { metrics: table, manifest: m } = ds;
  const bad = table.hosts.find((h) => h.includes('_') || h.includes(','));
  if (bad !== undefined)
    throw new UserError(`exportRcaCase: host "${bad}" contains "_" or ","; rename it first`);
  const times = [...new Set(table.time)].sort((a, b) => a - b);
  const row = new Map(times.map((t, i) => [t, i]));
  const nh = table.hosts.length;
  const nm = table.metrics.length;
  const cells = new Float64Array(times.length * nh * nm).fill(NaN);
  for (let i = 0; i < table.time.length; i++) {
    const base = (row.get(table.time[i]!)! * nh + table.host[i]!) * nm;
    for (let k = 0; k < nm; k++) cells[base + k] = table.columns[k]![i]!;
  }
  const sloName = m.slo && ds.slo && ds.slo.columns[m.slo.signal] ? m.slo.signal : null;
  const sloAt = new Map<number, number>();
  if (sloName !== null) {
    const col = ds.slo!.columns[sloName]!;
    ds.slo!.time.forEach((t, i) => sloAt.set(t, col[i]!));
  }
  const header = ['time'];
  for (const h of table.hosts) for (const metric of table.metrics) header.push(`${h}_${metric}`);
  if (sloName !== null) header.push(sloName);
  const lines = [header.join(',')];
  const cell = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '' : String(v));
  times.forEach((t, i) => {
    const parts = [String(t)];
    for (let h = 0; h < nh; h++) for (let k = 0; k < nm; k++) parts.push(cell(cells[(i * nh + h) * nm + k]));
    if (sloName !== null) parts.push(cell(sloAt.get(t)));
    lines.push(parts.join(','));
  });
  const truth = {
    faults: m.faults.map((f) => ({
      id: f.id,
      host: f.host,
      type: f.type,
      start: f.start,
      end: f.end,
      ...(f.metrics ? { metrics: f.metrics } : {}),
    })),
    ...(sloName !== null ? { slo: { column: sloName, threshold: m.slo!.threshold } } : {}),
    edges: m.dependencies,
  };
  mkdirSync(dir, { recursive: true });
  const csv = join(dir, `${name}.csv`);
  const truthFile = join(dir, `${name}.truth.json`);
  atomicWrite(csv, `${lines.join('\n')}\n`);
  atomicWrite(truthFile, `${JSON.stringify(truth, null, 2)}\n`);
  return { csv, truth: truthFile };
}
