// The SQLite backend (better-sqlite3): the database the embedded stack's database-tier process owns.
// Synchronous by nature; the async Executor methods wrap the synchronous ones.

import Database from 'better-sqlite3';
import { STATEMENTS, type StatementName } from './statements.ts';
import { createIndexesSql, createTablesSql, dropTablesSql } from './schema.ts';
import {
  DbError,
  type BatchResult,
  type BatchStep,
  type Executor,
  type Row,
  type RunResult,
  type SqlValue,
} from './types.ts';

type Db = InstanceType<typeof Database>;
type Prepared = Database.Statement<SqlValue[]>;

function translate(err: unknown): DbError {
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message ?? String(err);
  if (code.startsWith('SQLITE_CONSTRAINT_UNIQUE') || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new DbError('duplicate', message);
  }
  return new DbError('failed', `sqlite: ${message}`);
}

export class SqliteExecutor implements Executor {
  readonly description: string;
  readonly db: Db;
  private prepared = new Map<StatementName, Prepared>();
  private inserts = new Map<string, Prepared>();

  constructor(file: string) {
    this.description = `sqlite ${file}`;
    this.db = new Database(file);
    // WAL with synchronous=NORMAL: durable enough for a benchmark, and a database host whose disk is
    // slow still slows every write (the file is really written, not kept in memory).
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
  }

  /** Drops and creates the RUBiS tables (without indexes; see createIndexes). */
  createSchema(): void {
    for (const sql of dropTablesSql()) this.db.exec(sql);
    for (const sql of createTablesSql('sqlite')) this.db.exec(sql);
    this.prepared.clear();
    this.inserts.clear();
  }

  createIndexes(): void {
    for (const sql of createIndexesSql()) this.db.exec(sql);
    this.db.exec('ANALYZE');
  }

  private statement(name: StatementName): Prepared {
    let st = this.prepared.get(name);
    if (!st) {
      st = this.db.prepare<SqlValue[]>(STATEMENTS[name]);
      this.prepared.set(name, st);
    }
    return st;
  }

  querySync(name: StatementName, params: SqlValue[]): Row[] {
    try {
      return this.statement(name).all(...params) as Row[];
    } catch (err) {
      throw translate(err);
    }
  }

  runSync(name: StatementName, params: SqlValue[]): RunResult {
    try {
      const r = this.statement(name).run(...params);
      return { changes: r.changes, insertId: r.changes > 0 ? Number(r.lastInsertRowid) : 0 };
    } catch (err) {
      throw translate(err);
    }
  }

  batchSync(steps: BatchStep[]): BatchResult {
    const abort = { failedStep: -1 };
    const tx = this.db.transaction((list: BatchStep[]) => {
      const results: RunResult[] = [];
      for (let i = 0; i < list.length; i++) {
        const step = list[i]!;
        const r = this.runSync(step.name, step.params);
        if (step.requireChange && r.changes === 0) {
          abort.failedStep = i;
          throw abort; // rolls the transaction back
        }
        results.push(r);
      }
      return results;
    });
    try {
      return { ok: true, results: tx(steps) };
    } catch (err) {
      if (err === abort) return { ok: false, failedStep: abort.failedStep };
      throw err instanceof DbError ? err : translate(err);
    }
  }

  /** Inserts rows with explicit values for every column, in one transaction (bulk load). */
  insertRows(table: string, columns: string[], rows: SqlValue[][]): void {
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    let st = this.inserts.get(sql);
    if (!st) {
      st = this.db.prepare<SqlValue[]>(sql);
      this.inserts.set(sql, st);
    }
    this.db.transaction((list: SqlValue[][]) => {
      for (const row of list) st.run(...row);
    })(rows);
  }

  async query(name: StatementName, params: SqlValue[]): Promise<Row[]> {
    return this.querySync(name, params);
  }

  async run(name: StatementName, params: SqlValue[]): Promise<RunResult> {
    return this.runSync(name, params);
  }

  async batch(steps: BatchStep[]): Promise<BatchResult> {
    return this.batchSync(steps);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
