// Reading, writing and validating dataset directories (manifest.json + metrics.arrow [+ slo.arrow]).
// See ../shared/spec/dataset-format.md. A dataset that fails any check is refused with one line
// naming the file and the problem; nothing half-read is ever returned.

import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Dataset, Manifest, MetricTable, SloTable } from '../core/dataset.ts';
import { DatasetError } from '../core/errors.ts';
import {
  dictionaryColumn,
  floatColumn,
  readFloatColumn,
  readStringColumn,
  readTable,
  writeTable,
} from './arrow-columns.ts';
import { checkManifest, parseManifest } from './manifest.ts';
import type { Vector } from 'apache-arrow';

export const MANIFEST_FILE = 'manifest.json';
export const METRICS_FILE = 'metrics.arrow';
export const SLO_FILE = 'slo.arrow';

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(
      file,
      code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(err)})`,
    );
  }
}

export function readManifest(dir: string): Manifest {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new DatasetError(dir, 'dataset directory not found');
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file))
    throw new DatasetError(file, 'missing manifest (not a foreshock dataset directory?)');
  return parseManifest(Buffer.from(readBytes(file)).toString('utf8'), file);
}

/** Reads and fully validates a dataset directory. */
export function readDataset(dir: string): Dataset {
  const manifest = readManifest(dir);
  const metrics = readMetrics(join(dir, METRICS_FILE), manifest);
  const sloFile = join(dir, SLO_FILE);
  // A declared SLO without its file is refused by validateDataset, the same rule the writer runs.
  const slo = existsSync(sloFile) ? readSlo(sloFile, manifest) : null;
  const dataset = { manifest, metrics, slo };
  validateDataset(dataset, dir);
  return dataset;
}

function readMetrics(file: string, manifest: Manifest): MetricTable {
  const table = readTable(readBytes(file), file);
  const expected = ['time', 'host', ...manifest.metrics];
  const names = table.schema.fields.map((f) => f.name);
  for (const name of expected)
    if (!names.includes(name)) throw new DatasetError(file, `missing column "${name}"`);
  const extra = names.filter((n) => !expected.includes(n));
  if (extra.length > 0) {
    throw new DatasetError(file, `column "${extra[0]}" is not listed in the manifest's metrics`);
  }
  const time = readFloatColumn(table, 'time', file, { allowNull: false });
  const strings = readStringColumn(table, 'host', file);
  // Re-index hosts to the manifest's order so that host ids mean the same thing everywhere.
  const hosts = manifest.hosts.map((h) => h.id);
  const position = new Map(hosts.map((h, i) => [h, i]));
  const used = new Uint8Array(strings.values.length);
  for (let i = 0; i < strings.index.length; i++) used[strings.index[i]!] = 1;
  const remap = strings.values.map((h, k) => {
    const p = position.get(h);
    if (p === undefined && used[k])
      throw new DatasetError(file, `host "${h}" appears in the data but not in the manifest`);
    return p ?? -1;
  });
  const host = new Int32Array(strings.index.length);
  for (let i = 0; i < host.length; i++) host[i] = remap[strings.index[i]!]!;
  const columns = manifest.metrics.map((m) => readFloatColumn(table, m, file, { allowNull: true }));
  return { time, host, hosts, metrics: [...manifest.metrics], columns };
}

function readSlo(file: string, manifest: Manifest): SloTable {
  const table = readTable(readBytes(file), file);
  const time = readFloatColumn(table, 'time', file, { allowNull: false });
  const columns: Record<string, Float64Array> = {};
  for (const field of table.schema.fields) {
    if (field.name === 'time') continue;
    columns[field.name] = readFloatColumn(table, field.name, file, { allowNull: true });
  }
  if (manifest.slo && !(manifest.slo.signal in columns)) {
    throw new DatasetError(
      file,
      `missing column "${manifest.slo.signal}" named by the manifest's slo.signal`,
    );
  }
  return { time, columns };
}

/**
 * Checks the invariants every consumer relies on. `where` prefixes the messages (a directory or an
 * importer's input). Checks: manifest, column lengths, finite times, rows sorted by time with no
 * duplicate (time, host), host indices valid, no NaN/Infinity stored as a value is done at read time
 * (in memory NaN means missing), slo times strictly increasing; and the consistency rules of issue 26
 * (checkPeriod): at least one row; every row and slo time within the manifest's [start, end];
 * sampleIntervalMs within INTERVAL_TOLERANCE of the data's median step; a declared SLO has its table;
 * every fault, phase and action overlaps [start, end]; fault metrics are dataset metrics.
 */
export function validateDataset(dataset: Dataset, where: string): void {
  const manifest = checkManifest(dataset.manifest, join(where, MANIFEST_FILE));
  const file = join(where, METRICS_FILE);
  const t = dataset.metrics;
  const n = t.time.length;
  if (t.host.length !== n)
    throw new DatasetError(file, `host column has ${t.host.length} rows, time has ${n}`);
  if (t.metrics.join('\u0000') !== manifest.metrics.join('\u0000')) {
    throw new DatasetError(file, 'metric columns differ from the manifest metrics');
  }
  const manifestHosts = manifest.hosts.map((h) => h.id);
  if (t.hosts.join('\u0000') !== manifestHosts.join('\u0000')) {
    throw new DatasetError(file, 'host list differs from the manifest hosts');
  }
  t.columns.forEach((col, m) => {
    if (col.length !== n)
      throw new DatasetError(file, `column "${t.metrics[m]}" has ${col.length} rows, time has ${n}`);
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (v === Infinity || v === -Infinity) {
        throw new DatasetError(file, `column "${t.metrics[m]}" has ${v} at row ${i}`);
      }
    }
  });
  if (n === 0) throw new DatasetError(file, 'no rows (a dataset needs at least one sample)');
  const seen = new Set<number>();
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const time = t.time[i]!;
    const h = t.host[i]!;
    if (!Number.isFinite(time)) throw new DatasetError(file, `time at row ${i} is ${time}`);
    if (h < 0 || h >= t.hosts.length) throw new DatasetError(file, `row ${i} has no valid host`);
    if (time < prev) {
      throw new DatasetError(file, `rows are not sorted by time: row ${i} (${time}) comes after ${prev}`);
    }
    if (time !== prev) seen.clear();
    if (seen.has(h)) {
      throw new DatasetError(file, `duplicate row for (time ${time}, host "${t.hosts[h]}") at row ${i}`);
    }
    seen.add(h);
    prev = time;
  }
  checkPeriod(dataset, manifest, where);
  if (dataset.slo) {
    const sloFile = join(where, SLO_FILE);
    const s = dataset.slo;
    for (const [name, col] of Object.entries(s.columns)) {
      if (col.length !== s.time.length)
        throw new DatasetError(sloFile, `column "${name}" has the wrong length`);
    }
    for (let i = 1; i < s.time.length; i++) {
      if (!(s.time[i]! > s.time[i - 1]!)) {
        throw new DatasetError(sloFile, `times are not strictly increasing at row ${i} (${s.time[i]})`);
      }
    }
    if (manifest.slo && !(manifest.slo.signal in s.columns)) {
      throw new DatasetError(
        sloFile,
        `missing column "${manifest.slo.signal}" named by the manifest's slo.signal`,
      );
    }
  }
}

/**
 * How far the manifest's sampleIntervalMs may be from the median step between the data's distinct
 * times, as a share of the step: 10%. Exact for everything foreshock writes (recorder, synth,
 * importers take the median step); it catches an interval in the wrong unit or made up.
 * Times are not required to sit on the interval's grid: imported public series (several NAB files)
 * have irregular times.
 */
export const INTERVAL_TOLERANCE = 0.1;

function checkPeriod(dataset: Dataset, manifest: Manifest, where: string): void {
  const { start, end, sampleIntervalMs } = manifest;
  const manifestFile = join(where, MANIFEST_FILE);
  const file = join(where, METRICS_FILE);
  const time = dataset.metrics.time;
  const period = `the manifest's period [${start}, ${end}]`;
  const first = time[0]!;
  const last = time[time.length - 1]!;
  if (first < start) throw new DatasetError(file, `time at row 0 (${first}) is before ${period}`);
  if (last > end) throw new DatasetError(file, `time at row ${time.length - 1} (${last}) is after ${period}`);
  if (dataset.slo && dataset.slo.time.length > 0) {
    const sloFile = join(where, SLO_FILE);
    const st = dataset.slo.time;
    if (st[0]! < start) throw new DatasetError(sloFile, `time at row 0 (${st[0]}) is before ${period}`);
    if (st[st.length - 1]! > end)
      throw new DatasetError(
        sloFile,
        `time at row ${st.length - 1} (${st[st.length - 1]}) is after ${period}`,
      );
  }
  if (manifest.slo && !dataset.slo) {
    throw new DatasetError(
      join(where, SLO_FILE),
      `missing: the manifest declares an SLO on "${manifest.slo.signal}"`,
    );
  }
  const step = medianStep(time);
  if (step !== null && Math.abs(sampleIntervalMs - step) > INTERVAL_TOLERANCE * step) {
    throw new DatasetError(
      manifestFile,
      `sampleIntervalMs (${sampleIntervalMs}) does not match the data, whose median step is ${step} ms`,
    );
  }
  const overlaps = (a: number, b: number): boolean => a <= end && b >= start;
  manifest.faults.forEach((f, i) => {
    if (!overlaps(f.start, f.end))
      throw new DatasetError(
        manifestFile,
        `faults[${i}] ("${f.id}") [${f.start}, ${f.end}] lies outside ${period}`,
      );
    const unknown = f.metrics?.find((m) => !manifest.metrics.includes(m));
    if (unknown !== undefined)
      throw new DatasetError(
        manifestFile,
        `faults[${i}] ("${f.id}") names metric "${unknown}", not in metrics`,
      );
  });
  manifest.phases.forEach((p, i) => {
    if (!overlaps(p.start, p.end))
      throw new DatasetError(
        manifestFile,
        `phases[${i}] ("${p.name}") [${p.start}, ${p.end}] lies outside ${period}`,
      );
  });
  manifest.actions.forEach((a, i) => {
    if (!overlaps(a.requested, a.completed))
      throw new DatasetError(
        manifestFile,
        `actions[${i}] [${a.requested}, ${a.completed}] lies outside ${period}`,
      );
  });
}

/** The median step between consecutive distinct times (sorted input); null with fewer than two. */
function medianStep(time: Float64Array): number | null {
  const steps: number[] = [];
  for (let i = 1; i < time.length; i++) if (time[i]! > time[i - 1]!) steps.push(time[i]! - time[i - 1]!);
  if (steps.length === 0) return null;
  steps.sort((a, b) => a - b);
  return steps[(steps.length - 1) >> 1]!;
}

/**
 * Writes a dataset directory. Files are written under temporary names and renamed into place, the
 * manifest last, so a crash never leaves a directory that reads as a complete dataset.
 */
export function writeDataset(dir: string, dataset: Dataset): void {
  validateDataset(dataset, dir);
  // Every byte is made before any file is touched: a failure here (a manifest too deep to
  // serialize, issue 26) leaves the directory as it was.
  const t = dataset.metrics;
  const metricCols: Record<string, Vector> = {
    time: floatColumn(t.time),
    host: dictionaryColumn(t.host, t.hosts),
  };
  t.metrics.forEach((m, i) => (metricCols[m] = floatColumn(t.columns[i]!)));
  const metricsBytes = writeTable(metricCols);
  let sloBytes: Uint8Array | null = null;
  if (dataset.slo) {
    const sloCols: Record<string, Vector> = { time: floatColumn(dataset.slo.time) };
    for (const [name, col] of Object.entries(dataset.slo.columns)) sloCols[name] = floatColumn(col);
    sloBytes = writeTable(sloCols);
  }
  const manifestBytes = Buffer.from(`${JSON.stringify(dataset.manifest, null, 2)}\n`);
  mkdirSync(dir, { recursive: true });
  // An old manifest would make a half-written directory look complete: remove it first.
  rmSync(join(dir, MANIFEST_FILE), { force: true });
  const sloPath = join(dir, SLO_FILE);
  try {
    atomicWrite(join(dir, METRICS_FILE), metricsBytes);
    if (sloBytes) atomicWrite(sloPath, sloBytes);
    else rmSync(sloPath, { force: true });
  } catch (err) {
    // No manifest: nothing reads as complete. Remove the data files too, so no stale pair remains.
    rmSync(join(dir, METRICS_FILE), { force: true });
    rmSync(sloPath, { force: true });
    throw err;
  }
  atomicWrite(join(dir, MANIFEST_FILE), manifestBytes);
}

export interface AtomicWriteOptions {
  /** The file's mode (e.g. 0o600), set exactly: the umask cannot narrow it. Default: 0o666 less the umask. */
  mode?: number;
  /** When given, missing parent directories are created with this mode (e.g. 0o700). */
  dirMode?: number;
}

/**
 * Writes `file` through a temporary file in the same directory and a rename, so a reader never sees
 * a partial file. The temporary name is fresh and opened exclusively (never through an existing
 * file or symlink); it is removed if the write fails.
 */
export function atomicWrite(file: string, bytes: Uint8Array | string, opts: AtomicWriteOptions = {}): void {
  const dir = dirname(file);
  if (opts.dirMode !== undefined) mkdirSync(dir, { recursive: true, mode: opts.dirMode });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, bytes, { flag: 'wx', ...(opts.mode !== undefined ? { mode: opts.mode } : {}) });
    if (opts.mode !== undefined) chmodSync(tmp, opts.mode);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
