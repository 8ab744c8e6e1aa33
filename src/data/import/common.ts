// Helpers shared by the importers (nab.ts, smd.ts, csv.ts, seed.ts): reading files so that every
// failure is a DatasetError naming the file, the sample interval, labelled-anomaly ground truth and
// the manifest boilerplate. See ../shared/spec/dataset-format.md.

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  DATASET_FORMAT,
  type Dataset,
  type FaultRecord,
  type Manifest,
  type MetricTable,
  type SloTable,
} from '../../core/dataset.ts';
import { DatasetError, UserError } from '../../core/errors.ts';
import { parseTime } from '../../core/time.ts';

/** Name of the 0/1 slo column that imported anomaly labels become (shared with src/eval). */
export const LABEL_SIGNAL = 'anomaly_label';
/** FaultRecord.type of a labelled anomaly segment. */
export const LABELLED_FAULT_TYPE = 'labelled-anomaly';

/** Reads a whole text file; a missing, unreadable or empty file is a DatasetError naming it. */
export function readText(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DatasetError(file, 'file not found');
    if (code === 'EISDIR') throw new DatasetError(file, 'is a directory, expected a file');
    throw new DatasetError(file, `cannot read (${code ?? String(err)})`, { cause: err });
  }
  if (text.trim() === '') throw new DatasetError(file, 'empty file');
  // A UTF-8 byte order mark would otherwise end up in the first header name.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Splits text into lines (LF or CRLF); a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Strict decimal notation: digits, an optional fraction and exponent (no hex, binary, blanks, Infinity). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A number written in decimal notation, or NaN. `Number()` alone reads `0x1A` as 26, `0b101` as 5
 * and a blank as 0 (issue 26); none of them is a measured value.
 */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : NaN;
}

/** parseTime, but a bad value becomes a DatasetError naming the file and `where` (e.g. "line 12"). */
export function timeAt(text: string, file: string, where: string): number {
  try {
    return parseTime(text, where);
  } catch (err) {
    if (err instanceof UserError) throw new DatasetError(file, err.message);
    throw err;
  }
}

/**
 * The sample interval of an irregular series: the median difference of consecutive times (robust
 * to the gaps and bursts real recordings have). For an even count it takes the lower middle value,
 * so the interval is always one that really occurs. Needs two samples; times must be increasing.
 */
export function medianInterval(times: ArrayLike<number>, file: string): number {
  if (times.length < 2) {
    throw new DatasetError(
      file,
      `only ${times.length} sample(s): need at least 2 to infer the sample interval`,
    );
  }
  const diffs = new Float64Array(times.length - 1);
  for (let i = 1; i < times.length; i++) diffs[i - 1] = (times[i] as number) - (times[i - 1] as number);
  diffs.sort();
  return diffs[(diffs.length - 1) >> 1] as number;
}

/** [startRow, endRow) of every run of 1s in a 0/1 series. */
export function labelRuns(labels: ArrayLike<number>): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      runs.push([start, i]);
      start = -1;
    }
  }
  if (start >= 0) runs.push([start, labels.length]);
  return runs;
}

/**
 * One FaultRecord per labelled segment, following the ground-truth convention shared with src/eval:
 * start = first labelled sample, end = last labelled sample + one interval (end is exclusive).
 */
export function labelledFault(
  index: number,
  host: string,
  start: number,
  lastLabelled: number,
  intervalMs: number,
  metrics?: string[],
): FaultRecord {
  const fault: FaultRecord = {
    id: `a${index + 1}`,
    type: LABELLED_FAULT_TYPE,
    host,
    start,
    end: lastLabelled + intervalMs,
  };
  if (metrics !== undefined) fault.metrics = metrics;
  return fault;
}

/** A MetricTable for a single host: one row per sample. */
export function singleHostTable(
  host: string,
  time: Float64Array,
  metrics: Record<string, Float64Array>,
): MetricTable {
  const names = Object.keys(metrics);
  return {
    time,
    host: new Int32Array(time.length),
    hosts: [host],
    metrics: names,
    columns: names.map((m) => metrics[m] as Float64Array),
  };
}

/** The anomaly_label slo table: the sample times and the 0/1 label column. */
export function labelSlo(time: Float64Array, labels: Float64Array): SloTable {
  return { time, columns: { [LABEL_SIGNAL]: labels } };
}

export interface DatasetParts {
  name: string;
  sourceKind: string;
  sourceDetail: string;
  sampleIntervalMs: number;
  table: MetricTable;
  slo: SloTable | null;
  sloSpec: Manifest['slo'];
  faults: FaultRecord[];
  dependencies?: [string, string][];
  roles?: Record<string, string>;
}

/** Assembles the Dataset with the manifest fields every importer fills the same way. */
export function assembleDataset(p: DatasetParts): Dataset {
  const t = p.table.time;
  const manifest: Manifest = {
    format: DATASET_FORMAT,
    name: p.name,
    source: { kind: p.sourceKind, detail: p.sourceDetail },
    sampleIntervalMs: p.sampleIntervalMs,
    start: t.length > 0 ? (t[0] as number) : 0,
    end: t.length > 0 ? (t[t.length - 1] as number) + p.sampleIntervalMs : 0,
    hosts: p.table.hosts.map((id) => {
      const role = p.roles?.[id];
      return role === undefined ? { id } : { id, role };
    }),
    dependencies: p.dependencies ?? [],
    metrics: [...p.table.metrics],
    slo: p.sloSpec,
    phases: [],
    faults: p.faults,
    actions: [],
    seed: null,
  };
  return { manifest, metrics: p.table, slo: p.slo };
}

/** File name without directory and without `ext` (e.g. `.csv`), for host ids and dataset names. */
export function stem(file: string, ext: string): string {
  const base = path.basename(file);
  return base.toLowerCase().endsWith(ext.toLowerCase()) ? base.slice(0, base.length - ext.length) : base;
}
