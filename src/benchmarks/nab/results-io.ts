// Files of a NAB run: the anomaly windows (labels/combined_windows.json) and detector outputs in
// NAB's results layout, `<results>/<detector>/<category>/<detector>_<file>.csv`, plain or gzipped
// (`.csv.gz`), with at least the columns `timestamp` and `anomaly_score` (NAB adds `value`,
// `label` and per-profile columns; they are ignored).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatasetError, UserError } from '../../core/errors.ts';
import { isDirectory, isFile, readText, timeAt } from '../../data/import/common.ts';
import type { NabFileScores } from './scorer.ts';

export const WINDOWS_FILE = path.join('labels', 'combined_windows.json');

/** `{ "<category>/<file>.csv": [[start, end], ...] }` with times as epoch ms. */
export function readWindowsFile(file: string): Map<string, [number, number][]> {
  let all: unknown;
  try {
    all = JSON.parse(readText(file));
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(file, `malformed JSON (${(err as Error).message})`);
  }
  if (typeof all !== 'object' || all === null || Array.isArray(all)) {
    throw new DatasetError(file, 'expected an object { "<category>/<file>.csv": [[start, end], ...] }');
  }
  const out = new Map<string, [number, number][]>();
  for (const [key, raw] of Object.entries(all as Record<string, unknown>)) {
    if (!Array.isArray(raw))
      throw new DatasetError(file, `"${key}": expected a list of [start, end] windows`);
    out.set(
      key,
      raw.map((w: unknown, k) => {
        const where = `"${key}" window ${k + 1}`;
        if (!Array.isArray(w) || w.length !== 2 || typeof w[0] !== 'string' || typeof w[1] !== 'string') {
          throw new DatasetError(file, `${where}: expected ["start", "end"]`);
        }
        const start = timeAt(w[0], file, where);
        const end = timeAt(w[1], file, where);
        if (end < start) throw new DatasetError(file, `${where}: end is before start`);
        return [start, end] as [number, number];
      }),
    );
  }
  return out;
}

/** The nearest `labels/combined_windows.json` at or above `dir` (a NAB root or anything inside it). */
export function findWindowsFile(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (;;) {
    const candidate = path.join(d, WINDOWS_FILE);
    if (isFile(candidate)) return candidate;
    const parent = path.dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
}

/** Result file name for a data key: `realKnownCause/nyc_taxi.csv` -> `realKnownCause/<det>_nyc_taxi.csv`. */
export function resultsRelPath(detector: string, key: string): string {
  const [category, file] = splitKey(key);
  return `${category}/${detector}_${file}`;
}

function splitKey(key: string): [string, string] {
  const slash = key.lastIndexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

/** Output CSV text of one file, in NAB's column order. */
export function formatResultsCsv(
  rows: readonly { timestampText: string; valueText: string }[],
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): string {
  const parts: string[] = ['timestamp,value,anomaly_score,label\n'];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    parts.push(`${r.timestampText},${r.valueText},${scores[i]},${labels[i]}\n`);
  }
  return parts.join('');
}

/** 0/1 per row: inside a window by time (NAB's `label` column). */
export function windowLabels(times: ArrayLike<number>, windows: readonly [number, number][]): Uint8Array {
  const out = new Uint8Array(times.length);
  for (const [a, b] of windows) {
    for (let i = 0; i < times.length; i++) if (times[i]! >= a && times[i]! <= b) out[i] = 1;
  }
  return out;
}

/**
 * Reads a detector's results directory (`<results>/<detector>`, holding one folder per category).
 * The detector name is the directory's name; a file `<detector>_<name>.csv[.gz]` maps to the data
 * key `<category>/<name>.csv`. Files are returned in key order.
 */
export function readResultsDir(dir: string): { detector: string; files: NabFileScores[] } {
  if (!isDirectory(dir)) throw new UserError(`${dir}: results directory not found`);
  const detector = path.basename(path.resolve(dir));
  const files: NabFileScores[] = [];
  const seen = new Set<string>();
  for (const category of readdirSync(dir, { withFileTypes: true })) {
    if (!category.isDirectory()) continue;
    for (const entry of readdirSync(path.join(dir, category.name), { withFileTypes: true })) {
      const m = /^(.*)\.csv(\.gz)?$/i.exec(entry.name);
      if (!entry.isFile() || !m) continue;
      const base = m[1]!.startsWith(`${detector}_`) ? m[1]!.slice(detector.length + 1) : m[1]!;
      const key = `${category.name}/${base}.csv`;
      if (seen.has(key)) throw new UserError(`${dir}: two result files for ${key} (plain and gzipped?)`);
      seen.add(key);
      files.push({ key, ...readResultsFile(path.join(dir, category.name, entry.name)) });
    }
  }
  if (files.length === 0) {
    throw new UserError(`${dir}: no result files (expected <category>/${detector}_<file>.csv[.gz])`);
  }
  files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { detector, files };
}

/** Timestamps and anomaly scores of one result file (plain or gzipped CSV). */
export function readResultsFile(file: string): { times: Float64Array; scores: Float64Array } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new DatasetError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (file.toLowerCase().endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new DatasetError(file, `not a valid gzip file (${(err as Error).message})`);
    }
  }
  const text = bytes.toString('utf8');
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  const tCol = header.indexOf('timestamp');
  const sCol = header.indexOf('anomaly_score');
  if (tCol < 0 || sCol < 0) {
    throw new DatasetError(
      file,
      `line 1: expected columns timestamp and anomaly_score, found "${lines[0] ?? ''}"`,
    );
  }
  const n = lines.length - 1;
  const times = new Float64Array(n);
  const scores = new Float64Array(n);
  // Consecutive rows mostly share the date part: cache the last parsed timestamp text.
  let lastText = '';
  let lastTime = NaN;
  for (let r = 0; r < n; r++) {
    const fields = lines[r + 1]!.split(',');
    const ts = (fields[tCol] ?? '').trim();
    if (ts !== lastText) {
      lastTime = timeAt(ts, file, `line ${r + 2}`);
      lastText = ts;
    }
    times[r] = lastTime;
    const scoreText = (fields[sCol] ?? '').trim();
    const s = Number(scoreText);
    if (scoreText === '' || !Number.isFinite(s)) {
      throw new DatasetError(file, `line ${r + 2}: anomaly_score "${scoreText}" is not a finite number`);
    }
    scores[r] = s;
  }
  return { times, scores };
}
