// The readers the bounded tests and the fuzz suite drive from a worker thread: each takes plain
// arguments (paths, text, bytes) and returns a small plain summary, so that it can cross the thread
// line.
import { readFloatColumn, readStringColumn, readTable } from '../../src/data/arrow-columns.ts';
import { readDataset } from '../../src/data/dataset-io.ts';

export function readDatasetSummary(dir: string): { rows: number; hosts: number } {
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
