// The readers the bounded tests and the fuzz suite drive from a worker thread: each takes plain
// arguments (paths, text, bytes) and returns a small plain summary, so that it can cross the thread
// line. Importers write their dataset as the CLI does and read it back, so an accepted input is
// checked to make a dataset the reader accepts too.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkConfigKeys, getAlgorithm, resolveConfig } from '../../src/algorithms/registry.ts';
import { readFloatColumn, readStringColumn, readTable } from '../../src/data/arrow-columns.ts';
import { readDataset, writeDataset } from '../../src/data/dataset-io.ts';
import { importCsv } from '../../src/data/import/csv.ts';
import { importNab } from '../../src/data/import/nab.ts';
import { importSeed } from '../../src/data/import/seed.ts';
import type { Dataset } from '../../src/core/dataset.ts';
import { experimentEvents, timelineFrame } from '../../src/report/events.ts';
import { loadExperiments } from '../../src/report/inputs.ts';
import { summarize } from '../../src/report/summary.ts';
import { parseFixModel } from '../../src/sim/fix-model.ts';
import { parseJsonText } from '../../src/core/schema.ts';
import { readFileSync } from 'node:fs';

export interface Summary {
  rows: number;
  hosts: number;
}

export function readDatasetSummary(dir: string): Summary {
  const ds = readDataset(dir);
  return { rows: ds.metrics.time.length, hosts: ds.metrics.hosts.length };
}

/** Reads an Arrow file's bytes as the dataset reader does: every column, as numbers or strings. */
export function readArrowSummary(bytes: Uint8Array, file: string): { rows: number; columns: number } {
  const table = readTable(bytes, file);
  for (const field of table.schema.fields) {
    if (field.name === 'host') readStringColumn(table, field.name, file);
    else readFloatColumn(table, field.name, file, { allowNull: true });
  }
  return { rows: table.numRows, columns: table.schema.fields.length };
}

/** Writes an imported dataset and reads it back; a failed write must leave no manifest behind. */
function writeBack(ds: Dataset, out: string): Summary {
  try {
    writeDataset(out, ds);
  } catch (err) {
    if (existsSync(join(out, 'manifest.json'))) throw new Error(`partial output: ${out} has a manifest`);
    throw err;
  }
  return readDatasetSummary(out);
}

export function importCsvSummary(csv: string, truth: string | null, out: string): Summary {
  return writeBack(importCsv(csv, truth ?? undefined), out);
}

export function importNabSummary(csv: string, labels: string, out: string): Summary {
  return writeBack(importNab(csv, { labelsPath: labels }), out);
}

export function importSeedSummary(file: string, out: string): Summary {
  return writeBack(importSeed(file), out);
}

/** What `report` does with a results.json short of drawing charts: the summary table and the events. */
export function reportSummary(resultsFile: string, datasetDir: string): { algorithms: number } {
  const experiments = loadExperiments([resultsFile], { datasets: [datasetDir] });
  summarize(experiments);
  for (const e of experiments) {
    const frame = timelineFrame(e.results, e.dataset, (span) => Math.max(1000, span / 100));
    const events = experimentEvents(e.results, e.dataset, frame);
    events.alarmRuns(null);
    events.localizations(null);
    events.fixes(null);
  }
  return { algorithms: Object.keys(experiments[0]!.results.algorithms).length };
}

export function fixModelSummary(file: string): { types: number } {
  const model = parseFixModel(parseJsonText(readFileSync(file, 'utf8'), file), file);
  return { types: Object.keys(model.latency).length };
}

/** `--config` as replay reads it: keys are algorithms, values their parameters. */
export function configSummary(file: string): { algorithms: number } {
  const configs = parseJsonText(readFileSync(file, 'utf8'), file) as Record<string, unknown>;
  checkConfigKeys(configs, file);
  for (const [name, cfg] of Object.entries(configs)) resolveConfig(getAlgorithm(name), cfg);
  return { algorithms: Object.keys(configs).length };
}
