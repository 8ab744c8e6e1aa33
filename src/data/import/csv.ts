// RCAEval-style wide CSV importer.
//
// Format: a header with a `time` (or `timestamp`) column and one column per series named
// `<host>_<metric>`: host = text before the FIRST underscore, metric = the rest (`carts-db_cpu` ->
// carts-db / cpu, `carts_lat_90` -> carts / lat_90). One row per sample time. Times are epoch s,
// epoch ms or ISO 8601, decided per file: if every time is a number, each is read as core/time.ts
// does (below 1e11 = seconds) and a file mixing both magnitudes is rejected; otherwise every time
// must be ISO 8601 (a zone-less date-time is UTC). Rows must be strictly increasing in time; gaps
// are kept and sampleIntervalMs is the median difference. Empty cells (and `NaN`/`null`, which
// pandas and friends write) are missing values (NaN). Quoted fields are unquoted (`"a,b"`, `""`);
// a quoted field cannot span lines.
//
// Every CSV row becomes one row per host (hosts sorted), metrics = union over hosts (sorted); a
// metric a host lacks is NaN.
//
// Optional truth JSON:
//   { "faults": [{ "host", "type", "start", "end"?, "metrics"?, "id"?, "params"? }],
//     "slo"?: { "column": "<csv column>", "threshold": number },
//     "edges"?: [["caller", "callee"], ...] }
// Times in any parseTime format; a fault without end lasts to the end of the data. The SLO column
// leaves the host metrics and becomes the slo table column of the same name, with
// manifest.slo = { signal: <column>, threshold }. Edges become manifest.dependencies.

import type { Dataset, FaultRecord, SloTable } from '../../core/dataset.ts';
import { DatasetError } from '../../core/errors.ts';
import { clip, parseJsonText } from '../../core/schema.ts';
import { BAD_NAME_CHAR } from '../manifest.ts';
import {
  assembleDataset,
  medianInterval,
  parseDecimal,
  readText,
  splitLines,
  stem,
  timeAt,
} from './common.ts';

/** Same limit as core/time.ts: numeric times below it are epoch seconds. */
const SECONDS_LIMIT = 1e11;
const MISSING = new Set(['', 'nan', 'null']);

interface Truth {
  faults: RawFault[];
  slo: { column: string; threshold: number } | null;
  edges: [string, string][];
}

interface RawFault {
  id?: string;
  host: string;
  type: string;
  start: number;
  end?: number;
  metrics?: string[];
  params?: Record<string, unknown>;
}

export function importCsv(csvPath: string, truthPath?: string): Dataset {
  const truth = truthPath === undefined ? null : readTruth(truthPath);
  const lines = splitLines(readText(csvPath));
  const header = splitCsvLine(lines[0] as string);
  const timeCol = header.findIndex((h) => h === 'time' || h === 'timestamp');
  if (timeCol < 0) throw new DatasetError(csvPath, 'line 1: no "time" (or "timestamp") column');
  header.forEach((h, i) => {
    if (BAD_NAME_CHAR.test(h))
      throw new DatasetError(csvPath, `line 1: column ${i + 1} holds a control character or U+FEFF`);
    if (header.indexOf(h) !== i) throw new DatasetError(csvPath, `line 1: duplicate column "${clip(h)}"`);
  });

  // Data rows; trailing blank lines are allowed, blank lines inside are not.
  let last = lines.length;
  while (last > 1 && (lines[last - 1] as string).trim() === '') last--;
  const rows: { cells: string[]; lineNo: number }[] = [];
  for (let i = 1; i < last; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') throw new DatasetError(csvPath, `line ${i + 1}: empty line`);
    const cells = splitCsvLine(line);
    if (cells.length !== header.length) {
      throw new DatasetError(
        csvPath,
        `line ${i + 1}: expected ${header.length} fields, found ${cells.length}`,
      );
    }
    rows.push({ cells, lineNo: i + 1 });
  }
  if (rows.length === 0) throw new DatasetError(csvPath, 'no data rows after the header');

  const time = readTimes(csvPath, rows, timeCol);
  const interval = medianInterval(time, csvPath);
  const endOfData = (time[time.length - 1] as number) + interval;

  // Classify the value columns: the SLO column, or <host>_<metric>.
  const sloCol = truth?.slo?.column;
  if (sloCol !== undefined && (!header.includes(sloCol) || sloCol === header[timeCol])) {
    throw new DatasetError(truthPath as string, `slo.column "${sloCol}" is not a value column of ${csvPath}`);
  }
  const series: { col: number; host: string; metric: string }[] = [];
  header.forEach((name, col) => {
    if (col === timeCol || name === sloCol) return;
    const cut = name.indexOf('_');
    if (cut <= 0 || cut === name.length - 1) {
      throw new DatasetError(csvPath, `line 1: column "${name}" is not named <host>_<metric>`);
    }
    series.push({ col, host: name.slice(0, cut), metric: name.slice(cut + 1) });
  });
  const hosts = [...new Set(series.map((s) => s.host))].sort();
  const metrics = [...new Set(series.map((s) => s.metric))].sort();
  if (hosts.length === 0) throw new DatasetError(csvPath, 'line 1: no <host>_<metric> columns');

  // Long format: row (t, h) = t * hosts + h, so rows stay sorted by time then host.
  const n = time.length * hosts.length;
  const longTime = new Float64Array(n);
  const longHost = new Int32Array(n);
  for (let t = 0; t < time.length; t++) {
    for (let h = 0; h < hosts.length; h++) {
      longTime[t * hosts.length + h] = time[t] as number;
      longHost[t * hosts.length + h] = h;
    }
  }
  const columns = metrics.map(() => new Float64Array(n).fill(NaN));
  for (const s of series) {
    const column = columns[metrics.indexOf(s.metric)] as Float64Array;
    const h = hosts.indexOf(s.host);
    rows.forEach((row, t) => {
      column[t * hosts.length + h] = readValue(csvPath, row, s.col, header);
    });
  }

  let slo: SloTable | null = null;
  if (truth?.slo && sloCol !== undefined) {
    const col = header.indexOf(sloCol);
    slo = {
      time,
      columns: { [sloCol]: Float64Array.from(rows, (row) => readValue(csvPath, row, col, header)) },
    };
  }

  const faults = (truth?.faults ?? []).map((f, k) =>
    checkFault(f, k, truthPath as string, hosts, metrics, time[0] as number, endOfData),
  );
  const ids = new Set<string>();
  faults.forEach((f, k) => {
    if (ids.has(f.id))
      throw new DatasetError(truthPath as string, `faults[${k}]: id "${clip(f.id)}" is used twice`);
    ids.add(f.id);
  });
  for (const [a, b] of truth?.edges ?? []) {
    for (const h of [a, b]) {
      if (!hosts.includes(h))
        throw new DatasetError(truthPath as string, `edge ${a} -> ${b}: unknown host "${h}"`);
    }
  }

  return assembleDataset({
    name: stem(csvPath, '.csv'),
    sourceKind: 'import-csv',
    sourceDetail: truthPath === undefined ? csvPath : `${csvPath} + ${truthPath}`,
    sampleIntervalMs: interval,
    table: { time: longTime, host: longHost, hosts, metrics, columns },
    slo,
    sloSpec: truth?.slo ? { signal: truth.slo.column, threshold: truth.slo.threshold } : null,
    faults,
    dependencies: truth?.edges ?? [],
  });
}

/**
 * Splits one CSV line on commas. A field in double quotes may hold commas and `""` (one quote);
 * surrounding whitespace of a field is trimmed.
 */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          field += line.slice(i); // unterminated quote: take the rest as it is
          i = line.length;
          break;
        }
        field += line.slice(i, q);
        i = q + 1;
        if (line[i] !== '"') break;
        field += '"';
        i++;
      }
      const comma = line.indexOf(',', i);
      i = comma < 0 ? line.length : comma;
    } else {
      const comma = line.indexOf(',', i);
      field = line.slice(i, comma < 0 ? line.length : comma).trim();
      i = comma < 0 ? line.length : comma;
    }
    out.push(field);
    if (i >= line.length) return out;
    i++; // skip the comma
  }
}

function readTimes(file: string, rows: { cells: string[]; lineNo: number }[], col: number): Float64Array {
  const texts = rows.map((r) => r.cells[col] as string);
  const numeric = texts.every((t) => /^[+-]?\d+(\.\d+)?$/.test(t));
  if (numeric) {
    const small = texts.findIndex((t) => Number(t) < SECONDS_LIMIT);
    const large = texts.findIndex((t) => Number(t) >= SECONDS_LIMIT);
    if (small >= 0 && large >= 0) {
      const lineNo = (rows[Math.max(small, large)] as { lineNo: number }).lineNo;
      throw new DatasetError(file, `line ${lineNo}: time column mixes epoch seconds and epoch milliseconds`);
    }
  }
  const time = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    const text = texts[i] as string;
    if (text === '') throw new DatasetError(file, `line ${row.lineNo}: empty time`);
    if (!numeric && /^[+-]?\d+(\.\d+)?$/.test(text)) {
      throw new DatasetError(file, `line ${row.lineNo}: numeric time "${text}" in a file of ISO 8601 times`);
    }
    const t = timeAt(text, file, `line ${row.lineNo}`);
    if (i > 0 && t <= (time[i - 1] as number)) {
      const what = t === time[i - 1] ? 'duplicate time' : 'time goes back';
      throw new DatasetError(
        file,
        `line ${row.lineNo}: ${what} "${text}" (rows must be strictly increasing in time)`,
      );
    }
    time[i] = t;
  });
  return time;
}

function readValue(
  file: string,
  row: { cells: string[]; lineNo: number },
  col: number,
  header: string[],
): number {
  const cell = row.cells[col] as string;
  if (MISSING.has(cell.toLowerCase())) return NaN;
  const v = parseDecimal(cell);
  if (!Number.isFinite(v)) {
    throw new DatasetError(
      file,
      `line ${row.lineNo}, column "${clip(header[col] ?? '')}": "${clip(cell)}" is not a number`,
    );
  }
  return v;
}

function readTruth(file: string): Truth {
  const raw = parseJsonText(readText(file), file);
  const bad: (problem: string) => never = (problem) => {
    throw new DatasetError(file, problem);
  };
  if (!isObject(raw)) return bad('expected a JSON object { "faults": [...], "slo"?, "edges"? }');
  if (!Array.isArray(raw.faults)) bad('"faults" must be a list');
  const faults = (raw.faults as unknown[]).map((f, k): RawFault => {
    const where = `faults[${k}]`;
    if (!isObject(f)) return bad(`${where}: expected an object`);
    if (typeof f.host !== 'string' || f.host === '') bad(`${where}: "host" must be a non-empty string`);
    if (typeof f.type !== 'string' || f.type === '') bad(`${where}: "type" must be a non-empty string`);
    const time = (key: 'start' | 'end'): number => {
      const v = f[key];
      if (typeof v !== 'string' && typeof v !== 'number') return bad(`${where}: "${key}" must be a time`);
      return timeAt(String(v), file, `${where}.${key}`);
    };
    const fault: RawFault = { host: f.host as string, type: f.type as string, start: time('start') };
    if (f.end !== undefined && f.end !== null) fault.end = time('end');
    if (f.id !== undefined)
      fault.id =
        typeof f.id === 'string' && f.id !== '' ? f.id : bad(`${where}: "id" must be a non-empty string`);
    if (f.metrics !== undefined) {
      if (!Array.isArray(f.metrics) || !f.metrics.every((m) => typeof m === 'string')) {
        bad(`${where}: "metrics" must be a list of strings`);
      }
      fault.metrics = f.metrics as string[];
    }
    if (f.params !== undefined)
      fault.params = isObject(f.params) ? f.params : bad(`${where}: "params" must be an object`);
    return fault;
  });
  let slo: Truth['slo'] = null;
  if (raw.slo !== undefined && raw.slo !== null) {
    const s = raw.slo;
    if (
      !isObject(s) ||
      typeof s.column !== 'string' ||
      typeof s.threshold !== 'number' ||
      !Number.isFinite(s.threshold)
    ) {
      bad('"slo" must be { "column": "<csv column>", "threshold": <number> }');
    }
    slo = { column: (s as { column: string }).column, threshold: (s as { threshold: number }).threshold };
  }
  const edges: [string, string][] = [];
  if (raw.edges !== undefined) {
    if (!Array.isArray(raw.edges)) bad('"edges" must be a list of ["caller", "callee"] pairs');
    (raw.edges as unknown[]).forEach((e, k) => {
      if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'string') {
        bad(`edges[${k}]: expected ["caller", "callee"]`);
      }
      edges.push([(e as string[])[0] as string, (e as string[])[1] as string]);
    });
  }
  return { faults, slo, edges };
}

function checkFault(
  f: RawFault,
  k: number,
  file: string,
  hosts: string[],
  metrics: string[],
  startOfData: number,
  endOfData: number,
): FaultRecord {
  const where = `faults[${k}]`;
  if (!hosts.includes(f.host)) {
    throw new DatasetError(
      file,
      `${where}: host "${clip(f.host)}" is not in the CSV (hosts: ${clip(hosts.join(', '))})`,
    );
  }
  const end = f.end ?? endOfData;
  if (f.start < endOfData && end <= f.start) throw new DatasetError(file, `${where}: end is not after start`);
  if (f.start >= endOfData || end <= startOfData) {
    throw new DatasetError(
      file,
      `${where}: [${f.start}, ${end}) lies outside the data [${startOfData}, ${endOfData}) of the CSV`,
    );
  }
  const unknown = f.metrics?.find((m) => !metrics.includes(m));
  if (unknown !== undefined) throw new DatasetError(file, `${where}: metric "${unknown}" is not in the CSV`);
  const fault: FaultRecord = { id: f.id ?? `f${k + 1}`, type: f.type, host: f.host, start: f.start, end };
  if (f.metrics !== undefined) fault.metrics = f.metrics;
  if (f.params !== undefined) fault.params = f.params;
  return fault;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
