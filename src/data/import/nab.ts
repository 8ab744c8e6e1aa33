// NAB (Numenta Anomaly Benchmark) importer.
//
// Format: one CSV per series, header `timestamp,value`, timestamps like `2014-07-01 00:00:00` (UTC,
// no zone), some files with CRLF line ends or no final newline. Ground truth is
// `labels/combined_windows.json`: `{ "<category>/<file>.csv": [[start, end], ...] }` with window
// times like `2014-04-10 07:15:00.000000`.
//
// A file becomes a single-host dataset: host id = file base name, one metric `value`. Labels follow
// the convention shared with src/eval: an slo table with a 0/1 `anomaly_label` column (1 for samples
// inside a window, both ends included), manifest.slo = { signal: 'anomaly_label', threshold: 1 }, and
// one `labelled-anomaly` FaultRecord per window (end = window end + one sample interval). A file with
// no windows still gets the label column, all 0.
//
// Timestamps may be irregular (realTraffic, realAdExchange): any increasing times are accepted and
// sampleIntervalMs is the median difference. The real corpus also repeats timestamps: DST artefacts
// (2014-03-09 03:00:00 up to 12 times in four realAWSCloudwatch/realKnownCause files), a repeated
// hour in machine_temperature_system_failure.csv and single repeats in realAdExchange/realTraffic.
// A single-host table cannot hold two samples at one time, so by default a row whose timestamp was
// already seen is dropped (the first one is kept, as NAB's own plots do) and reported through
// onWarning; `strict: true` makes it a DatasetError instead. A timestamp that goes back to a time
// never seen before means an unsorted file and is always a DatasetError naming the line.

import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Dataset, FaultRecord } from '../../core/dataset.ts';
import { DatasetError } from '../../core/errors.ts';
import {
  LABEL_SIGNAL,
  assembleDataset,
  isDirectory,
  isFile,
  labelSlo,
  labelledFault,
  medianInterval,
  readText,
  singleHostTable,
  splitLines,
  stem,
  timeAt,
  parseDecimal,
} from './common.ts';
import { clip, parseJsonText } from '../../core/schema.ts';

export interface NabOptions {
  /** combined_windows.json to use; default: found by walking up from the CSV to a dir with labels/. */
  labelsPath?: string;
  /** Repeated timestamps are an error instead of dropped with a warning. */
  strict?: boolean;
  /** Receives non-fatal findings (dropped repeated timestamps, no labels file found). */
  onWarning?: (msg: string) => void;
}

const LABELS_FILE = path.join('labels', 'combined_windows.json');

export function importNab(csvPath: string, opts: NabOptions = {}): Dataset {
  const host = stem(csvPath, '.csv');
  const { time, value } = readNabCsv(csvPath, opts);
  const interval = medianInterval(time, csvPath);

  const labelsPath = opts.labelsPath ?? findLabels(csvPath);
  let windows: [number, number][] = [];
  if (labelsPath === undefined) {
    opts.onWarning?.(`${csvPath}: no ${LABELS_FILE} found above it: no anomaly windows`);
  } else {
    windows = readWindows(labelsPath, windowKey(csvPath, labelsPath));
    const first = time[0] as number;
    const last = time[time.length - 1] as number;
    windows.forEach(([start, end], k) => {
      if (start > last || end < first) {
        throw new DatasetError(
          labelsPath,
          `window ${k + 1} of "${clip(windowKey(csvPath, labelsPath))}" [${start}, ${end}] lies outside the data [${first}, ${last}] of ${csvPath}`,
        );
      }
    });
  }

  const labels = new Float64Array(time.length);
  const faults: FaultRecord[] = windows.map(([start, end], k) => {
    for (let i = 0; i < time.length; i++) {
      const t = time[i] as number;
      if (t >= start && t <= end) labels[i] = 1;
    }
    return labelledFault(k, host, start, end, interval);
  });

  return assembleDataset({
    name: host,
    sourceKind: 'import-nab',
    sourceDetail: csvPath,
    sampleIntervalMs: interval,
    table: singleHostTable(host, time, { value }),
    slo: labelSlo(time, labels),
    sloSpec: { signal: LABEL_SIGNAL, threshold: 1 },
    faults,
  });
}

/**
 * Imports every CSV under `<root>/data/**` (or under root itself when root is the data directory),
 * sorted by path relative to the data directory (forward slashes, e.g. `realKnownCause/nyc_taxi.csv`).
 */
export function importNabDirectory(
  root: string,
  opts: Omit<NabOptions, 'labelsPath'> = {},
): { relPath: string; dataset: Dataset }[] {
  if (!isDirectory(root)) throw new DatasetError(root, 'directory not found');
  const dataDir = isDirectory(path.join(root, 'data')) ? path.join(root, 'data') : root;
  const files = listCsv(dataDir).sort();
  if (files.length === 0) throw new DatasetError(dataDir, 'no .csv files found');
  return files.map((relPath) => ({
    relPath,
    dataset: importNab(path.join(dataDir, ...relPath.split('/')), opts),
  }));
}

/** Relative paths (with '/') of all .csv files below dir. */
function listCsv(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listCsv(path.join(dir, entry.name), rel));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.csv')) out.push(rel);
  }
  return out;
}

/** One data row of a NAB CSV, as written (for output that must mirror the input) and parsed. */
export interface NabRow {
  line: number;
  timestampText: string;
  valueText: string;
  time: number;
  value: number;
}

/**
 * Parses every data row of a NAB `timestamp,value` CSV, repeated timestamps included (NAB's own
 * detector outputs keep them); a timestamp going back to a time not seen before is an error.
 */
export function readNabRows(file: string): NabRow[] {
  const lines = splitLines(readText(file));
  const header = (lines[0] ?? '').replace(/"/g, '').trim();
  if (header !== 'timestamp,value') {
    throw new DatasetError(file, `line 1: expected the header "timestamp,value", found "${header}"`);
  }
  const rows: NabRow[] = [];
  const seen = new Set<number>();
  let last = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const lineNo = i + 1;
    if (line.trim() === '') {
      if (lines.slice(i).every((l) => l.trim() === '')) break; // trailing blank lines
      throw new DatasetError(file, `line ${lineNo}: empty line`);
    }
    const fields = line.split(',');
    if (fields.length !== 2) {
      throw new DatasetError(
        file,
        `line ${lineNo}: expected 2 fields (timestamp,value), found ${fields.length}`,
      );
    }
    const t = timeAt(fields[0] as string, file, `line ${lineNo}`);
    const text = (fields[1] as string).trim();
    const v = parseDecimal(text);
    if (!Number.isFinite(v)) {
      throw new DatasetError(file, `line ${lineNo}: value "${clip(text)}" is not a finite number`);
    }
    if (t < last && !seen.has(t)) {
      throw new DatasetError(
        file,
        `line ${lineNo}: timestamp "${fields[0]}" goes back in time (rows must be sorted)`,
      );
    }
    seen.add(t);
    last = Math.max(last, t);
    rows.push({
      line: lineNo,
      timestampText: (fields[0] as string).trim(),
      valueText: text,
      time: t,
      value: v,
    });
  }
  return rows;
}

function readNabCsv(file: string, opts: NabOptions): { time: Float64Array; value: Float64Array } {
  const rows = readNabRows(file);
  const time = new Float64Array(rows.length);
  const value = new Float64Array(rows.length);
  let n = 0;
  let dropped = 0;
  let firstDropped = 0;
  for (const row of rows) {
    if (n > 0 && row.time <= (time[n - 1] as number)) {
      if (opts.strict)
        throw new DatasetError(file, `line ${row.line}: duplicate timestamp "${row.timestampText}"`);
      if (dropped === 0) firstDropped = row.line;
      dropped++;
      continue;
    }
    time[n] = row.time;
    value[n] = row.value;
    n++;
  }
  if (dropped > 0) {
    opts.onWarning?.(
      `${file}: dropped ${dropped} row(s) repeating an earlier timestamp (first at line ${firstDropped}), kept the first`,
    );
  }
  return { time: time.slice(0, n), value: value.slice(0, n) };
}

/** Nearest `labels/combined_windows.json` in the CSV's directory or one of its ancestors. */
function findLabels(csvPath: string): string | undefined {
  let dir = path.dirname(path.resolve(csvPath));
  for (;;) {
    const candidate = path.join(dir, LABELS_FILE);
    if (isFile(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The key of a CSV in combined_windows.json: its path relative to `<NAB root>/data` when it lies
 * there, else `<parent dir>/<file>` (NAB keys are always `<category>/<file>.csv`).
 */
function windowKey(csvPath: string, labelsPath: string): string {
  const dataDir = path.join(path.dirname(path.dirname(path.resolve(labelsPath))), 'data');
  const rel = path.relative(dataDir, path.resolve(csvPath));
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  return `${path.basename(path.dirname(path.resolve(csvPath)))}/${path.basename(csvPath)}`;
}

function readWindows(labelsPath: string, key: string): [number, number][] {
  const all = parseJsonText(readText(labelsPath), labelsPath);
  if (typeof all !== 'object' || all === null || Array.isArray(all)) {
    throw new DatasetError(labelsPath, 'expected an object { "<category>/<file>.csv": [[start, end], ...] }');
  }
  const raw = (all as Record<string, unknown>)[key];
  if (raw === undefined) throw new DatasetError(labelsPath, `no entry for "${key}"`);
  if (!Array.isArray(raw))
    throw new DatasetError(labelsPath, `"${key}": expected a list of [start, end] windows`);
  return raw.map((w: unknown, k) => {
    const where = `"${key}" window ${k + 1}`;
    if (!Array.isArray(w) || w.length !== 2 || typeof w[0] !== 'string' || typeof w[1] !== 'string') {
      throw new DatasetError(labelsPath, `${where}: expected ["start", "end"]`);
    }
    const start = timeAt(w[0], labelsPath, where);
    const end = timeAt(w[1], labelsPath, where);
    if (end < start)
      throw new DatasetError(labelsPath, `${where}: end ${clip(w[1])} is before start ${clip(w[0])}`);
    return [start, end];
  });
}
