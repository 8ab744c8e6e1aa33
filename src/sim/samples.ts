// Turning the columnar metric table into the Sample objects algorithms consume, and choosing the
// training part of a run. Pure functions over in-memory datasets.

import type { Sample, TrainingData } from '../core/algorithm.ts';
import type { Dataset, MetricTable } from '../core/dataset.ts';
import { UserError } from '../core/errors.ts';
import { lowerBound } from '../core/stats.ts';

/**
 * Maps the columns of `table` onto the metric order `metrics` (a training dataset may list its
 * metrics in another order, or carry extra ones). A metric the table lacks is an error.
 */
export function columnOrder(table: MetricTable, metrics: readonly string[], what: string): Float64Array[] {
  return metrics.map((m) => {
    const k = table.metrics.indexOf(m);
    if (k < 0) throw new UserError(`${what} has no metric "${m}" (it has: ${table.metrics.join(', ')})`);
    return table.columns[k]!;
  });
}

export function sampleAt(table: MetricTable, columns: readonly Float64Array[], row: number): Sample {
  const values = new Float64Array(columns.length);
  for (let m = 0; m < columns.length; m++) values[m] = columns[m]![row]!;
  return { time: table.time[row]!, host: table.hosts[table.host[row]!]!, values };
}

/** Samples with time in [start, end). */
export function samplesBetween(
  table: MetricTable,
  columns: readonly Float64Array[],
  start: number,
  end: number,
): Sample[] {
  const out: Sample[] = [];
  for (let i = lowerBound(table.time, start); i < table.time.length && table.time[i]! < end; i++) {
    out.push(sampleAt(table, columns, i));
  }
  return out;
}

/** Times in [start, end) at which the dataset's SLO is violated (signal >= threshold). */
export function sloViolationTimes(dataset: Dataset, start: number, end: number): Set<number> | null {
  const { slo } = dataset;
  const spec = dataset.manifest.slo;
  if (!slo || !spec) return null;
  const signal = slo.columns[spec.signal]!;
  const out = new Set<number>();
  for (let i = lowerBound(slo.time, start); i < slo.time.length && slo.time[i]! < end; i++) {
    if (signal[i]! >= spec.threshold) out.add(slo.time[i]!);
  }
  return out;
}

export interface Split {
  /** Where the training samples come from: "train dataset <name>", "normal phase", ... */
  trainSource: string;
  trainPeriod: { start: number; end: number } | null;
  /** The part of the test dataset that is replayed and scored. */
  scoredPeriod: { start: number; end: number };
}

/** Share of a run used for training when it has neither a train dataset nor a normal phase (NAB's probation). */
export const DEFAULT_TRAIN_FRACTION = 0.15;

/**
 * Chooses the training data: a separate train dataset (the whole of it; the whole test dataset is
 * scored), else the test dataset's `normal` phase (scored: everything after it), else the first
 * 15% of the run (NAB's probationary share).
 */
export function chooseSplit(test: Dataset, train: Dataset | null): Split {
  const m = test.manifest;
  const whole = { start: m.start, end: m.end };
  if (train) {
    return {
      trainSource: `train dataset ${train.manifest.name}`,
      trainPeriod: { start: train.manifest.start, end: train.manifest.end },
      scoredPeriod: whole,
    };
  }
  const normal = m.phases.find((p) => p.name === 'normal');
  if (normal && normal.end > normal.start) {
    return {
      trainSource: 'normal phase of the test dataset',
      trainPeriod: { start: normal.start, end: normal.end },
      scoredPeriod: { start: normal.end, end: m.end },
    };
  }
  const cut = m.start + Math.round((m.end - m.start) * DEFAULT_TRAIN_FRACTION);
  return {
    trainSource: `first ${DEFAULT_TRAIN_FRACTION * 100}% of the test dataset (no normal phase, no --train)`,
    trainPeriod: { start: m.start, end: cut },
    scoredPeriod: { start: cut, end: m.end },
  };
}

export function trainingData(
  dataset: Dataset,
  metrics: readonly string[],
  period: { start: number; end: number },
): TrainingData {
  const cols = columnOrder(dataset.metrics, metrics, `training dataset ${dataset.manifest.name}`);
  return {
    samples: samplesBetween(dataset.metrics, cols, period.start, period.end),
    sloViolations: sloViolationTimes(dataset, period.start, period.end),
  };
}

/**
 * The dataset as the pipeline sees it when only `hosts` are replayed (harness hosts left out,
 * evaluation.md v2): metric rows of the other hosts are dropped, the manifest and SLO stay as they are.
 * Returns the dataset itself when every host is kept.
 */
export function restrictHosts(dataset: Dataset, hosts: readonly string[]): Dataset {
  const table = dataset.metrics;
  const keep = new Set(hosts);
  if (table.hosts.every((h) => keep.has(h))) return dataset;
  const kept = table.hosts.filter((h) => keep.has(h));
  const newIndex = Int32Array.from(table.hosts, (h) => kept.indexOf(h));
  const rows: number[] = [];
  for (let i = 0; i < table.time.length; i++) if (newIndex[table.host[i]!]! >= 0) rows.push(i);
  return {
    ...dataset,
    metrics: {
      time: Float64Array.from(rows, (i) => table.time[i]!),
      host: Int32Array.from(rows, (i) => newIndex[table.host[i]!]!),
      hosts: kept,
      metrics: table.metrics,
      columns: table.columns.map((c) => Float64Array.from(rows, (i) => c[i]!)),
    },
  };
}
