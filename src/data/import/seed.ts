// Importer for the seed project's `aggregate` Kafka topic, saved as JSON lines (see
// ../shared/spec/seed.md and ../shared/data/seed-traces/PROVENANCE.txt).
//
// One object per line and per second: `count` (responses), `summation` (sum of their latencies, ms),
// `mean`, `max` (ms), `violations`, `cpu`, `mem` (web server %, may be null), `timestamp` (epoch s).
// The result has one host `web` with metrics `cpu` and `mem` as recorded (null -> NaN), one row per
// line, sampleIntervalMs 1000. Seconds the aggregator dropped stay gaps (nothing is filled in).
// slo table: `count`, `mean_latency_ms` (= mean), `max_latency_ms` (= max), `p95_latency_ms` and
// `errors` (NaN: the topic has no percentile and saw only successful requests), and `violations`
// recomputed (below). manifest.slo = { signal: 'mean_latency_ms', threshold } with the seed's 70 ms.
//
// Why recompute `violations`: the seed's aggregator of that time reset it to 0, so the field is
// unusable. The per-request latencies are gone, but n = count, S = summation and M = max bound the
// number k of requests at or over the threshold thr. Latencies are integer ms, so a request under
// thr is at most L = ceil(thr) - 1, and every request is at most M. Then
//   S <= (n - k) * L + k * M   =>   k >= (S - n * L) / (M - L)       (M >= thr > L, so M - L > 0)
// If M < thr no request violated: k = 0. Otherwise the max itself violated, so k >= 1, and k <= n:
//   violations = min(n, max(1, ceil((S - n * L) / (M - L)))).
// This is a lower bound (the fewest violating requests consistent with n, S and M), not the count.
// The recorded `violations` field is therefore neither read nor required.
//
// Repeated timestamps do not occur in the three recorded traces (checked); if a file has them the
// first line of a second is kept and the count is reported through onWarning. A timestamp earlier
// than the previous one is a DatasetError naming the line.

import type { Dataset } from '../../core/dataset.ts';
import { ConfigError, DatasetError } from '../../core/errors.ts';
import { clip, quote } from '../../core/schema.ts';
import { assembleDataset, readText, singleHostTable, splitLines, stem, timeAt } from './common.ts';

/** The seed's SLO: a request violates at >= 70 ms. */
export const SEED_THRESHOLD_MS = 70;
const NUMBERS = ['count', 'summation', 'mean', 'max', 'timestamp'] as const;
const NULLABLE = ['cpu', 'mem'] as const;

export interface SeedOptions {
  /** Latency threshold (ms) for the recomputed violations and manifest.slo; default 70. */
  thresholdMs?: number;
  /** Receives non-fatal findings (dropped repeated timestamps). */
  onWarning?: (msg: string) => void;
}

/** Lower bound on the requests >= thr among n requests with latency sum S and max M (see header). */
export function violationLowerBound(n: number, sum: number, max: number, thr: number): number {
  if (max < thr || n <= 0) return 0;
  const below = Math.ceil(thr) - 1;
  return Math.min(n, Math.max(1, Math.ceil((sum - n * below) / (max - below))));
}

export function importSeed(jsonlPath: string, opts: SeedOptions = {}): Dataset {
  const thr = opts.thresholdMs ?? SEED_THRESHOLD_MS;
  if (!Number.isFinite(thr) || thr <= 0)
    throw new ConfigError(`thresholdMs must be a positive number, got ${thr}`);
  const lines = splitLines(readText(jsonlPath));

  const cols = {
    time: [] as number[],
    cpu: [] as number[],
    mem: [] as number[],
    count: [] as number[],
    mean: [] as number[],
    max: [] as number[],
    violations: [] as number[],
  };
  let repeated = 0;
  lines.forEach((line, i) => {
    const lineNo = i + 1;
    if (line.trim() === '') return;
    const rec = parseLine(line, jsonlPath, lineNo);
    const t = timeAt(String(rec.timestamp), jsonlPath, `line ${lineNo}`);
    const prev = cols.time[cols.time.length - 1];
    if (prev !== undefined && t <= prev) {
      if (t < prev)
        throw new DatasetError(jsonlPath, `line ${lineNo}: timestamp ${rec.timestamp} goes back in time`);
      repeated++;
      return;
    }
    cols.time.push(t);
    cols.cpu.push(rec.cpu ?? NaN);
    cols.mem.push(rec.mem ?? NaN);
    cols.count.push(rec.count);
    cols.mean.push(rec.mean);
    cols.max.push(rec.max);
    cols.violations.push(violationLowerBound(rec.count, rec.summation, rec.max, thr));
  });
  if (repeated > 0)
    opts.onWarning?.(`${jsonlPath}: dropped ${repeated} line(s) repeating a timestamp, kept the first`);
  if (cols.time.length === 0) throw new DatasetError(jsonlPath, 'empty file');

  const time = Float64Array.from(cols.time);
  const unknown = () => new Float64Array(time.length).fill(NaN);
  return assembleDataset({
    name: stem(jsonlPath, '.txt'),
    sourceKind: 'import-seed',
    sourceDetail: jsonlPath,
    sampleIntervalMs: 1000,
    table: singleHostTable('web', time, {
      cpu: Float64Array.from(cols.cpu),
      mem: Float64Array.from(cols.mem),
    }),
    slo: {
      time,
      columns: {
        count: Float64Array.from(cols.count),
        mean_latency_ms: Float64Array.from(cols.mean),
        p95_latency_ms: unknown(),
        max_latency_ms: Float64Array.from(cols.max),
        violations: Float64Array.from(cols.violations),
        errors: unknown(),
      },
    },
    sloSpec: { signal: 'mean_latency_ms', threshold: thr },
    faults: [],
    roles: { web: 'web' },
  });
}

type SeedRecord = Record<(typeof NUMBERS)[number], number> & Record<(typeof NULLABLE)[number], number | null>;

function parseLine(line: string, file: string, lineNo: number): SeedRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    throw new DatasetError(file, `line ${lineNo}: malformed JSON (${clip((err as Error).message)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new DatasetError(file, `line ${lineNo}: expected a JSON object`);
  }
  const rec = raw as Record<string, unknown>;
  for (const key of NUMBERS) {
    if (!(key in rec)) throw new DatasetError(file, `line ${lineNo}: missing field "${key}"`);
    const v = rec[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new DatasetError(
        file,
        `line ${lineNo}: field "${key}" must be a non-negative number, found ${quote(v)}`,
      );
    }
  }
  for (const key of NULLABLE) {
    if (!(key in rec)) throw new DatasetError(file, `line ${lineNo}: missing field "${key}"`);
    const v = rec[key];
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
      throw new DatasetError(
        file,
        `line ${lineNo}: field "${key}" must be a number or null, found ${quote(v)}`,
      );
    }
  }
  checkRanges(rec as SeedRecord, file, lineNo);
  return rec as SeedRecord;
}

/** The seed topic's timestamps are epoch seconds: below this they are (1e11 s is the year 5138). */
const MAX_EPOCH_S = 1e11;

/**
 * Physical ranges of one line (issue 26 found timestamp 1e20, count 0.5, mean > max, negative cpu
 * and mem 250 read without complaint): an epoch-seconds timestamp, a whole count, mean <= max,
 * cpu and mem percentages in [0, 100].
 */
function checkRanges(rec: SeedRecord, file: string, lineNo: number): void {
  const fail = (problem: string): never => {
    throw new DatasetError(file, `line ${lineNo}: ${problem}`);
  };
  if (rec.timestamp >= MAX_EPOCH_S) fail(`timestamp ${rec.timestamp} is not in epoch seconds`);
  if (!Number.isInteger(rec.count)) fail(`count ${rec.count} is not a whole number`);
  if (rec.mean > rec.max) fail(`mean ${rec.mean} is above max ${rec.max}`);
  for (const key of NULLABLE) {
    const v = rec[key];
    if (v !== null && (v < 0 || v > 100)) fail(`${key} ${v} is not a percentage in [0, 100]`);
  }
}
