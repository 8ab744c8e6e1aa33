// What a report is made from: results.json files (src/core/results.ts, plus the optional
// `datasetPath` hint written by `foreshock replay` and `npm run experiment`) and, for timelines,
// the datasets they were scored on. A dataset is looked up in this order: a --dataset directory whose
// manifest name matches the results' dataset name; the results' datasetPath as given (relative to
// the working directory), then relative to the results directory. A dataset whose manifest name
// differs from the results' is not used (wrong data is worse than none). Without a dataset the
// report still has every score; it leaves out the metric and SLO charts and says why.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Dataset } from '../core/dataset.ts';
import { UserError } from '../core/errors.ts';
import type { ReplayResults } from '../core/results.ts';
import { METRICS_FILE, MANIFEST_FILE, readDataset, readManifest, SLO_FILE } from '../data/dataset-io.ts';
import { sha256Hex } from './canonical.ts';
import { recordsOnlySchema, resultsSchema } from '../core/results-schema.ts';
import { checkJson, parseJsonText } from '../core/schema.ts';

/** results.json as written by the CLI: ReplayResults plus where the dataset was read from. */
export type ReportResults = ReplayResults & { datasetPath?: string };

export interface ExperimentInput {
  /** How the report names this experiment (the results directory as given, or a scenario name). */
  label: string;
  /** The results.json file, or null for results passed in memory. */
  resultsFile: string | null;
  /** sha256 of results.json's bytes (null for results passed in memory). */
  resultsSha256: string | null;
  results: ReportResults;
  dataset: Dataset | null;
  /** Where the dataset was read from; null when not found or passed in memory. */
  datasetDir: string | null;
  /** sha256 over the dataset's files (manifest, metrics, slo) in that order; null when not read from disk. */
  datasetSha256: string | null;
  /** Why there is no dataset, or what to know about it. */
  datasetNote: string | null;
}

export const RESULTS_FILE = 'results.json';

/**
 * Reads results.json from a results directory (or the file itself) and checks its shape: all of it,
 * or with `recordsOnly` (rescore) only the records, not the metrics that will be recomputed.
 */
export function readResults(
  pathOrDir: string,
  opts: { recordsOnly?: boolean } = {},
): { file: string; results: ReportResults; sha256: string } {
  const file =
    existsSync(pathOrDir) && statSync(pathOrDir).isDirectory() ? join(pathOrDir, RESULTS_FILE) : pathOrDir;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'no results.json here' : `cannot read (${code})`}`);
  }
  const parsed = parseJsonText(bytes.toString('utf8'), file);
  const results = opts.recordsOnly
    ? checkJson(recordsOnlySchema, parsed, file, 'not a foreshock results.json: ')
    : checkResults(parsed, file);
  return { file, results, sha256: sha256Hex(bytes) };
}

/**
 * Checks results.json against its schema (src/core/results-schema.ts): every record the report walks,
 * with its types, so that a null entry or a string where a number belongs is one line, not a crash.
 */
export function checkResults(value: unknown, where: string): ReportResults {
  return checkJson(resultsSchema, value, where, 'not a foreshock results.json: ');
}

export interface LoadOptions {
  /** Candidate dataset directories (--dataset), matched to results by manifest name. */
  datasets?: string[];
}

/** Loads each results directory and finds its dataset. */
export function loadExperiments(resultsPaths: string[], opts: LoadOptions = {}): ExperimentInput[] {
  if (resultsPaths.length === 0) throw new UserError('give at least one --results directory');
  const candidates = (opts.datasets ?? []).map((dir) => ({ dir, name: readManifest(dir).name }));
  return resultsPaths.map((path) => {
    const { file, results, sha256 } = readResults(path);
    const found = findDataset(results, file, candidates);
    return {
      label: path,
      resultsFile: file,
      resultsSha256: sha256,
      results,
      ...found,
    };
  });
}

function findDataset(
  results: ReportResults,
  resultsFile: string,
  candidates: { dir: string; name: string }[],
): Pick<ExperimentInput, 'dataset' | 'datasetDir' | 'datasetSha256' | 'datasetNote'> {
  const tried: string[] = [];
  const byName = candidates.find((c) => c.name === results.dataset);
  const paths = byName
    ? [byName.dir]
    : results.datasetPath
      ? [results.datasetPath, join(dirname(resultsFile), results.datasetPath)]
      : [];
  for (const dir of paths) {
    if (tried.includes(resolve(dir))) continue;
    tried.push(resolve(dir));
    if (!existsSync(join(dir, MANIFEST_FILE))) continue;
    const name = readManifest(dir).name;
    if (name !== results.dataset) {
      return none(
        `the dataset at ${dir} is "${name}", not "${results.dataset}" as the results say; not used`,
      );
    }
    return {
      dataset: readDataset(dir),
      datasetDir: dir,
      datasetSha256: datasetFilesHash(dir),
      datasetNote: null,
    };
  }
  const hint = results.datasetPath
    ? `not found at ${results.datasetPath} (the path recorded in the results)`
    : 'the results record no dataset path';
  return none(
    `dataset "${results.dataset}" ${hint}; give it with --dataset <dir> to see metric and SLO timelines`,
  );
}

function none(
  note: string,
): Pick<ExperimentInput, 'dataset' | 'datasetDir' | 'datasetSha256' | 'datasetNote'> {
  return { dataset: null, datasetDir: null, datasetSha256: null, datasetNote: note };
}

/** sha256 over manifest.json, metrics.arrow and slo.arrow (when present), each prefixed by its name. */
export function datasetFilesHash(dir: string): string {
  const parts: Buffer[] = [];
  for (const name of [MANIFEST_FILE, METRICS_FILE, SLO_FILE]) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    parts.push(Buffer.from(`${name}\n`), readFileSync(file));
  }
  return sha256Hex(Buffer.concat(parts));
}

/**
 * The fault-type column an experiment belongs to: the sorted distinct fault types of its dataset
 * ("memleak", "cpuhog+memleak"), "control" for a run without faults, "unknown" without a dataset.
 */
export function faultTypeOf(dataset: Dataset | null): string {
  if (!dataset) return 'unknown';
  const types = [...new Set(dataset.manifest.faults.map((f) => f.type))].sort();
  return types.length === 0 ? 'control' : types.join('+');
}

/**
 * Results with the dataset's path (as given on the command line) right after its name, so a later
 * `foreshock report` can find the dataset for timelines. Key order stays stable.
 */
export function withDatasetPath(results: ReplayResults, datasetPath: string): ReportResults {
  const { foreshock, dataset, ...rest } = results;
  return { foreshock, dataset, datasetPath, ...rest } as ReportResults;
}
