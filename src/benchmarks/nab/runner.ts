// `foreshock bench nab`: stream every NAB series through a registered predictor (NAB's detector
// contract, src/runner/nab-score.ts: fit on the probationary rows, then score() + learn() row by
// row), write the outputs in NAB's results layout and score them with the NAB scorer.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import { atomicWrite } from '../../data/dataset-io.ts';
import { isDirectory, isFile } from '../../data/import/common.ts';
import { readNabRows } from '../../data/import/nab.ts';
import { scoreSeries } from '../../runner/nab-score.ts';
import { getAlgorithm } from '../../algorithms/registry.ts';
import {
  formatResultsCsv,
  readWindowsFile,
  resultsRelPath,
  WINDOWS_FILE,
  windowLabels,
} from './results-io.ts';
import { scoreNab, type NabScoreOptions, type NabScoreReport } from './score.ts';
import type { NabFileScores } from './scorer.ts';

export interface NabCorpus {
  root: string;
  windows: Map<string, [number, number][]>;
  /** Data keys in order (`<category>/<file>.csv`). */
  keys: string[];
}

/** A NAB root: `data/<category>/*.csv` and `labels/combined_windows.json` (or another windows file). */
export function openNabCorpus(root: string, windowsFile?: string): NabCorpus {
  if (!isDirectory(path.join(root, 'data'))) throw new UserError(`${root}: not a NAB directory (no data/)`);
  const file = windowsFile ?? path.join(root, WINDOWS_FILE);
  if (!isFile(file)) throw new UserError(`${file}: anomaly windows file not found`);
  const windows = readWindowsFile(file);
  const keys = [...windows.keys()].sort();
  for (const key of keys) {
    if (!isFile(path.join(root, 'data', key)))
      throw new UserError(`${root}: data/${key} (listed in ${file}) not found`);
  }
  return { root, windows, keys };
}

export interface NabRunOptions {
  config?: unknown;
  /** Write `<outDir>/<algorithm>/<category>/<algorithm>_<file>.csv`. */
  outDir?: string;
  score?: NabScoreOptions;
  log?: (line: string) => void;
  /** Wall clock for the run time (omit: no timing). */
  clock?: () => number;
}

export interface NabRunResult {
  algorithm: string;
  report: NabScoreReport;
  files: NabFileScores[];
  rows: number;
  /** Detection time over the whole corpus (reading files excluded); null without a clock. */
  runMs: number | null;
  resultsDir: string | null;
}

export function runNab(corpus: NabCorpus, algorithm: string, opts: NabRunOptions = {}): NabRunResult {
  const def = getAlgorithm(algorithm);
  if (def.kind !== 'predictor')
    throw new UserError(`algorithm ${algorithm} is a ${def.kind}; NAB needs a predictor`);
  const log = opts.log ?? (() => {});
  const files: NabFileScores[] = [];
  const resultsDir = opts.outDir ? path.join(opts.outDir, algorithm) : null;
  let runMs = 0;
  let rows = 0;
  for (const [k, key] of corpus.keys.entries()) {
    const data = readNabRows(path.join(corpus.root, 'data', key));
    const t0 = opts.clock?.() ?? 0;
    const scores = scoreSeries(data, algorithm, opts.config);
    runMs += (opts.clock?.() ?? 0) - t0;
    const times = Float64Array.from(data, (r) => r.time);
    files.push({ key, times, scores });
    rows += data.length;
    if (resultsDir) {
      const out = path.join(resultsDir, ...resultsRelPath(algorithm, key).split('/'));
      mkdirSync(path.dirname(out), { recursive: true });
      atomicWrite(out, formatResultsCsv(data, scores, windowLabels(times, corpus.windows.get(key) ?? [])));
    }
    log(`  ${algorithm}: ${k + 1}/${corpus.keys.length} ${key} (${data.length} rows)`);
  }
  const report = scoreNab(algorithm, files, corpus.windows, opts.score);
  return { algorithm, report, files, rows, runMs: opts.clock ? runMs : null, resultsDir };
}
