// Creates the RUBiS schema on a backend and fills it from the generator: tables first, rows in
// chunks, indexes last (building an index once is faster than maintaining it row by row).

import { generateRubis, rubisSizes, type GenerateOptions, type RubisSizes } from './datagen.ts';
import type { MariaDbExecutor } from './mariadb.ts';
import type { SqliteExecutor } from './sqlite.ts';

export interface LoadReport {
  sizes: RubisSizes;
  rows: Record<string, number>;
  ms: number;
}

export function loadSqlite(db: SqliteExecutor, options: GenerateOptions): LoadReport {
  const t0 = performance.now();
  // No fsync while loading: a crash half-way leaves a database nobody will use anyway.
  db.db.pragma('synchronous = OFF');
  db.createSchema();
  const rows: Record<string, number> = {};
  for (const chunk of generateRubis(options, 10_000)) {
    db.insertRows(chunk.table, chunk.columns, chunk.rows);
    rows[chunk.table] = (rows[chunk.table] ?? 0) + chunk.rows.length;
  }
  db.createIndexes();
  db.db.pragma('synchronous = NORMAL');
  return { sizes: rubisSizes(options), rows, ms: performance.now() - t0 };
}

export async function loadMariaDb(db: MariaDbExecutor, options: GenerateOptions): Promise<LoadReport> {
  const t0 = performance.now();
  await db.createSchema();
  const rows: Record<string, number> = {};
  for (const chunk of generateRubis(options, 2000)) {
    await db.insertRows(chunk.table, chunk.columns, chunk.rows);
    rows[chunk.table] = (rows[chunk.table] ?? 0) + chunk.rows.length;
  }
  await db.createIndexes();
  return { sizes: rubisSizes(options), rows, ms: performance.now() - t0 };
}
