// After the recording: replay each repetition through every registered algorithm (each trains on
// its repetition's `normal` phase, replay-job.ts), write rep-<i>/results.json, and one HTML report
// across the repetitions.

import path from 'node:path';
import { atomicWrite, readDataset } from '../../data/dataset-io.ts';
import { DEFAULT_SCORING } from '../../eval/index.ts';
import { datasetFilesHash, sha256Hex, withDatasetPath, writeReport } from '../../report/index.ts';
import type { ReplayResults } from '../../core/results.ts';
import { formatResults, runReplayJob } from '../replay-job.ts';
import type { ExperimentSpec } from './spec.ts';

export interface ScoredRep {
  datasetDir: string;
  resultsFile: string;
  results: ReplayResults;
}

export async function scoreAndReport(
  spec: ExperimentSpec,
  datasetDirs: string[],
  reportFile: string,
  log: (line: string) => void,
): Promise<{ reps: ScoredRep[]; htmlFile: string; warnings: string[] }> {
  const scoring = { ...DEFAULT_SCORING, pendingWindowS: spec.pendingWindowS };
  const entries = [];
  const reps: ScoredRep[] = [];
  for (const [i, dir] of datasetDirs.entries()) {
    const dataset = readDataset(dir);
    log(`replaying ${dir} through every algorithm ...`);
    const results = withDatasetPath(runReplayJob(dataset, null, { scoring, log }), dir);
    const text = formatResults(results);
    const resultsFile = path.join(path.dirname(dir), 'results.json');
    atomicWrite(resultsFile, text);
    reps.push({ datasetDir: dir, resultsFile, results });
    entries.push({
      label: `${spec.name} rep ${i + 1}`,
      resultsFile,
      resultsSha256: sha256Hex(text),
      results,
      dataset,
      datasetDir: dir,
      datasetSha256: datasetFilesHash(dir),
      datasetNote: null,
    });
  }
  const report = await writeReport(entries, reportFile);
  return { reps, htmlFile: report.htmlFile, warnings: report.warnings };
}
