// SMD (Server Machine Dataset, OmniAnomaly) importer.
//
// Layout of an SMD directory:
//   train/<m>.txt, test/<m>.txt       comma-separated floats, one row per minute, 38 columns (min-max
//                                     normalised), no timestamps
//   test_label/<m>.txt                one 0/1 per line, aligned with test/<m>.txt
//   interpretation_label/<m>.txt      `start-end:d1,d2,...`: start = 0-based test row, end exclusive,
//                                     dims = 1-based culprit columns (optional)
//   metric_names.txt                  one column name per line (optional; else m0..m<n-1>)
//
// A machine becomes two single-host datasets (host id = machine name), `train` and `test`. SMD has no
// timestamps, so the times are synthetic: train starts at 2019-01-01T00:00:00Z (1546300800000) with
// the documented 1-minute interval (60000 ms), and test starts one interval after the last train
// sample, as if the two files were one continuous recording. The train dataset has no slo and no
// faults. The test dataset follows the ground-truth convention shared with src/eval: an slo table
// with the 0/1 `anomaly_label` column from test_label, manifest.slo = { signal: 'anomaly_label',
// threshold: 1 }, and one `labelled-anomaly` FaultRecord per interpretation_label line carrying the
// culprit metric names (start = row start, end = row end, exclusive). Without interpretation_label,
// faults are the runs of 1s in test_label, without metrics. The two label files disagree slightly
// for some machines (OmniAnomaly issues #38, #66); each is used as it is.
//
// The data files are ~8 MB (~24k rows x 38): they are parsed by a scanner over the text straight
// into Float64Array columns, without splitting into line and cell strings.

import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Dataset, FaultRecord } from '../../core/dataset.ts';
import { DatasetError } from '../../core/errors.ts';
import {
  LABEL_SIGNAL,
  assembleDataset,
  isDirectory,
  isFile,
  labelRuns,
  labelSlo,
  labelledFault,
  readText,
  singleHostTable,
  splitLines,
  parseDecimal,
} from './common.ts';
import { clip } from '../../core/schema.ts';

/** Synthetic start of every SMD train file: 2019-01-01T00:00:00Z. */
export const SMD_START_MS = 1546300800000;
/** SMD is sampled once a minute. */
export const SMD_INTERVAL_MS = 60000;

/** Machines that have both train/<m>.txt and test/<m>.txt, in natural order (machine-3-2 < machine-3-10). */
export function listSmdMachines(dir: string): string[] {
  if (!isDirectory(dir)) throw new DatasetError(dir, 'directory not found');
  const train = path.join(dir, 'train');
  const test = path.join(dir, 'test');
  if (!isDirectory(train) || !isDirectory(test)) {
    throw new DatasetError(dir, 'not an SMD directory (needs train/ and test/ subdirectories)');
  }
  const machines = (d: string) =>
    new Set(
      readdirSync(d)
        .filter((f) => f.endsWith('.txt'))
        .map((f) => f.slice(0, -4)),
    );
  const inTest = machines(test);
  const collator = new Intl.Collator('en', { numeric: true });
  return [...machines(train)].filter((m) => inTest.has(m)).sort(collator.compare);
}

export function importSmd(dir: string, machine: string): { train: Dataset; test: Dataset } {
  if (!isDirectory(dir)) throw new DatasetError(dir, 'directory not found');
  const file = (sub: string) => path.join(dir, sub, `${machine}.txt`);
  const namesFile = path.join(dir, 'metric_names.txt');
  let names = isFile(namesFile) ? readMetricNames(namesFile) : undefined;

  const trainFile = file('train');
  const train = parseMatrix(readText(trainFile), trainFile, names?.length);
  names ??= train.columns.map((_, c) => `m${c}`);
  const testFile = file('test');
  const test = parseMatrix(readText(testFile), testFile, names.length);

  const trainTime = syntheticTimes(SMD_START_MS, train.rows);
  const testTime = syntheticTimes(SMD_START_MS + train.rows * SMD_INTERVAL_MS, test.rows);
  const columns = (cols: Float64Array[]) =>
    Object.fromEntries(names.map((n, c) => [n, cols[c] as Float64Array]));

  const labelFile = file('test_label');
  const labels = readLabels(labelFile, test.rows, testFile);
  const interpretationFile = file('interpretation_label');
  const faults = isFile(interpretationFile)
    ? readInterpretation(interpretationFile, machine, testTime, names)
    : labelRuns(labels).map(([a, b], k) =>
        labelledFault(k, machine, testTime[a] as number, testTime[b - 1] as number, SMD_INTERVAL_MS),
      );

  const common = { sourceDetail: dir, sampleIntervalMs: SMD_INTERVAL_MS };
  return {
    train: assembleDataset({
      ...common,
      name: `${machine}-train`,
      sourceKind: 'import-smd',
      table: singleHostTable(machine, trainTime, columns(train.columns)),
      slo: null,
      sloSpec: null,
      faults: [],
    }),
    test: assembleDataset({
      ...common,
      name: `${machine}-test`,
      sourceKind: 'import-smd',
      table: singleHostTable(machine, testTime, columns(test.columns)),
      slo: labelSlo(testTime, labels),
      sloSpec: { signal: LABEL_SIGNAL, threshold: 1 },
      faults,
    }),
  };
}

function syntheticTimes(start: number, n: number): Float64Array {
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = start + i * SMD_INTERVAL_MS;
  return t;
}

function readMetricNames(file: string): string[] {
  const names = splitLines(readText(file)).map((l) => l.trim());
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  names.forEach((n, i) => {
    if (n === '') throw new DatasetError(file, `line ${i + 1}: empty metric name`);
    if (names.indexOf(n) !== i) throw new DatasetError(file, `line ${i + 1}: duplicate metric name "${n}"`);
  });
  return names;
}

const COMMA = 44;
const NEWLINE = 10;
const CR = 13;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * Parses rows of comma-separated numbers into one Float64Array per column. `width` = expected
 * columns (undefined: the first line's). Line numbers in errors are 1-based.
 */
export function parseMatrix(
  text: string,
  file: string,
  width: number | undefined,
): { rows: number; columns: Float64Array[] } {
  const body = text.trimEnd(); // a final newline (or several) is not an extra row
  let rows = 1;
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) rows++;
  const end = body.length;
  if (width === undefined) {
    const firstEnd = body.indexOf('\n');
    width = body.slice(0, firstEnd < 0 ? end : firstEnd).split(',').length;
  }
  const columns = Array.from({ length: width }, () => new Float64Array(rows));

  let pos = 0;
  for (let r = 0; r < rows; r++) {
    const lineNo = r + 1;
    const first = body.charCodeAt(pos);
    if (first === NEWLINE || first === CR) throw new DatasetError(file, `line ${lineNo}: empty line`);
    let c = 0;
    for (;;) {
      // One field: [pos, stop).
      let stop = pos;
      let ch = body.charCodeAt(stop);
      while (stop < end && ch !== COMMA && ch !== NEWLINE && ch !== CR) ch = body.charCodeAt(++stop);
      const column = columns[c];
      if (column !== undefined) column[r] = parseField(body, pos, stop, file, lineNo, c + 1);
      c++;
      if (ch === CR) ch = body.charCodeAt(++stop);
      pos = stop + 1;
      if (stop >= end || ch === NEWLINE) break;
    }
    if (c !== width) throw new DatasetError(file, `line ${lineNo}: expected ${width} values, found ${c}`);
  }
  return { rows, columns };
}

/** Fast path for plain decimals (`-0.061728`): mantissa / 10^k is exact-rounded for <= 15 digits. */
function parseField(
  text: string,
  from: number,
  to: number,
  file: string,
  lineNo: number,
  col: number,
): number {
  let i = from;
  const negative = text.charCodeAt(i) === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < to; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      digits++;
      if (fraction >= 0) fraction++;
    } else if (d === DOT - ZERO && fraction < 0) {
      fraction = 0;
    } else {
      break;
    }
  }
  if (i === to && digits > 0 && digits <= 15) {
    const v = fraction > 0 ? mantissa / (POW10[fraction] as number) : mantissa;
    return negative ? -v : v;
  }
  // Anything else (exponents, long mantissas, garbage): let Number decide, then insist on finite.
  const cell = text.slice(from, to).trim();
  const v = parseDecimal(cell);
  if (!Number.isFinite(v)) {
    throw new DatasetError(file, `line ${lineNo}, column ${col}: "${clip(cell)}" is not a finite number`);
  }
  return v;
}

function readLabels(file: string, expected: number, testFile: string): Float64Array {
  const lines = splitLines(readText(file).trimEnd());
  if (lines.length !== expected) {
    throw new DatasetError(
      file,
      `has ${lines.length} labels but ${path.basename(path.dirname(testFile))}/${path.basename(testFile)} has ${expected} rows`,
    );
  }
  const labels = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    const text = line.trim();
    if (text !== '0' && text !== '1')
      throw new DatasetError(file, `line ${i + 1}: expected 0 or 1, found "${text}"`);
    labels[i] = text === '1' ? 1 : 0;
  });
  return labels;
}

function readInterpretation(
  file: string,
  machine: string,
  testTime: Float64Array,
  names: string[],
): FaultRecord[] {
  const faults: FaultRecord[] = [];
  splitLines(readText(file)).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^\s*(\d+)-(\d+):([\d,\s]+)$/.exec(line);
    if (!m) throw new DatasetError(file, `line ${i + 1}: expected "start-end:d1,d2,...", found "${line}"`);
    const start = Number(m[1]);
    const end = Number(m[2]);
    if (end <= start || end > testTime.length) {
      throw new DatasetError(
        file,
        `line ${i + 1}: rows ${start}-${end} are not a non-empty range within the ${testTime.length} test rows`,
      );
    }
    const metrics = (m[3] as string)
      .split(',')
      .map((d) => d.trim())
      .filter((d) => d !== '')
      .map((d) => {
        const name = names[Number(d) - 1];
        if (name === undefined) {
          throw new DatasetError(file, `line ${i + 1}: dimension ${d} is not in 1..${names.length}`);
        }
        return name;
      });
    faults.push(
      labelledFault(
        faults.length,
        machine,
        testTime[start] as number,
        testTime[end - 1] as number,
        SMD_INTERVAL_MS,
        metrics,
      ),
    );
  });
  return faults;
}
