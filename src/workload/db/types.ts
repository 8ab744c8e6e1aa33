// The data-access interface both database backends implement. The web tier never writes SQL: it
// names statements from one catalogue (statements.ts), so the same work runs on MariaDB and on
// SQLite, and the SQLite database tier (a separate process) accepts only those statements.

import type { StatementName } from './statements.ts';

export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
  /** Id of the inserted row (0 when the statement inserted nothing). */
  insertId: number;
}

export interface BatchStep {
  name: StatementName;
  params: SqlValue[];
  /** Abort (and roll back) the whole batch when this statement changes no row. */
  requireChange?: boolean;
}

/** A batch runs atomically: all its statements, or none of them. */
export type BatchResult = { ok: true; results: RunResult[] } | { ok: false; failedStep: number };

export interface Executor {
  /** 'sqlite' or 'mariadb', and where: for messages. */
  readonly description: string;
  query(name: StatementName, params: SqlValue[]): Promise<Row[]>;
  run(name: StatementName, params: SqlValue[]): Promise<RunResult>;
  batch(steps: BatchStep[]): Promise<BatchResult>;
  close(): Promise<void>;
}

/**
 * A database failure the web tier maps to a response: `duplicate` (a unique key, e.g. a nickname
 * taken: the user's problem), `unavailable` (the database cannot be reached: retrying may help),
 * `failed` (anything else).
 */
export class DbError extends Error {
  constructor(
    readonly code: 'duplicate' | 'unavailable' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'DbError';
  }
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * Formats epoch ms as the schema's DATETIME text ('YYYY-MM-DD HH:MM:SS', UTC). Integer arithmetic
 * (days to civil date, after Howard Hinnant's public-domain algorithm) rather than
 * Date#toISOString: the generator formats a million dates and this is ~5x faster.
 */
export function sqlDate(ms: number): string {
  const totalS = Math.floor(ms / 1000);
  const days = Math.floor(totalS / 86400);
  const secs = totalS - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const hh = Math.floor(secs / 3600);
  const mm = Math.floor((secs % 3600) / 60);
  return `${y}-${pad2(m)}-${pad2(d)} ${pad2(hh)}:${pad2(mm)}:${pad2(secs % 60)}`;
}
