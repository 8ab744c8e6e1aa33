// The MariaDB backend (mysql2): a connection pool to a real MariaDB server, started by the
// project's own script (mariadb-server.ts) or given by host and port. Statements go through
// `query` (client-side parameter escaping, as RUBiS's PHP pages sent plain queries), which also
// sidesteps server-side prepared statements' trouble with LIMIT placeholders.

import mysql from 'mysql2/promise';
import { UserError } from '../../core/errors.ts';
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

export interface MariaDbTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export function describeTarget(t: Pick<MariaDbTarget, 'host' | 'port' | 'database'>): string {
  return `mariadb://${t.host}:${t.port}/${t.database}`;
}

const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

function translate(err: unknown, where: string): DbError {
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message || code || String(err);
  if (code === 'ER_DUP_ENTRY') return new DbError('duplicate', message);
  if (UNAVAILABLE.has(code)) return new DbError('unavailable', `${where}: unreachable (${code})`);
  return new DbError('failed', `${where}: ${message}`);
}

interface Header {
  affectedRows: number;
  insertId: number;
}

export class MariaDbExecutor implements Executor {
  readonly description: string;
  private readonly pool: mysql.Pool;

  constructor(
    readonly target: MariaDbTarget,
    options: { connections?: number } = {},
  ) {
    this.description = describeTarget(target);
    this.pool = mysql.createPool({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      connectionLimit: options.connections ?? 10,
      // DATETIME columns come back as the same 'YYYY-MM-DD HH:MM:SS' text SQLite returns.
      dateStrings: true,
      timezone: 'Z',
      connectTimeout: 5000,
      supportBigNumbers: true,
      decimalNumbers: true,
    });
  }

  async query(name: StatementName, params: SqlValue[]): Promise<Row[]> {
    try {
      const [rows] = await this.pool.query(STATEMENTS[name], params);
      return rows as Row[];
    } catch (err) {
      throw translate(err, this.description);
    }
  }

  async run(name: StatementName, params: SqlValue[]): Promise<RunResult> {
    try {
      const [header] = await this.pool.query(STATEMENTS[name], params);
      const h = header as Header;
      return { changes: h.affectedRows, insertId: h.affectedRows > 0 ? Number(h.insertId) : 0 };
    } catch (err) {
      throw translate(err, this.description);
    }
  }

  async batch(steps: BatchStep[]): Promise<BatchResult> {
    let conn: mysql.PoolConnection;
    try {
      conn = await this.pool.getConnection();
    } catch (err) {
      throw translate(err, this.description);
    }
    try {
      await conn.beginTransaction();
      const results: RunResult[] = [];
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!;
        const [header] = await conn.query(STATEMENTS[step.name], step.params);
        const h = header as Header;
        if (step.requireChange && h.affectedRows === 0) {
          await conn.rollback();
          return { ok: false, failedStep: i };
        }
        results.push({ changes: h.affectedRows, insertId: h.affectedRows > 0 ? Number(h.insertId) : 0 });
      }
      await conn.commit();
      return { ok: true, results };
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      throw translate(err, this.description);
    } finally {
      conn.release();
    }
  }

  /** Runs raw SQL (schema and bulk loading only; never with user input). */
  async exec(sql: string, params?: unknown[]): Promise<void> {
    try {
      await this.pool.query(sql, params);
    } catch (err) {
      throw translate(err, this.description);
    }
  }

  async createSchema(): Promise<void> {
    for (const sql of dropTablesSql()) await this.exec(sql);
    for (const sql of createTablesSql('mariadb')) await this.exec(sql);
  }

  async createIndexes(): Promise<void> {
    for (const sql of createIndexesSql()) await this.exec(sql);
    await this.exec(
      `ANALYZE TABLE ${['users', 'items', 'old_items', 'bids', 'comments', 'buy_now'].join(', ')}`,
    );
  }

  /** Multi-row INSERT with explicit values for every column. */
  async insertRows(table: string, columns: string[], rows: SqlValue[][]): Promise<void> {
    if (rows.length === 0) return;
    await this.exec(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [rows]);
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

/**
 * Connects to a MariaDB server and makes sure the database exists; an unreachable server is a
 * one-line UserError naming it.
 */
export async function connectMariaDb(
  target: MariaDbTarget,
  options: { connections?: number } = {},
): Promise<MariaDbExecutor> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      connectTimeout: 5000,
    });
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${target.database.replace(/`/g, '')}\``);
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).message;
    throw new UserError(`database ${describeTarget(target)}: unreachable (${code})`);
  } finally {
    await conn?.end().catch(() => undefined);
  }
  return new MariaDbExecutor(target, options);
}
