// The embedded stack's database tier: a process that owns a SQLite database (better-sqlite3),
// generates the RUBiS data into it, and serves the statement protocol (db/protocol.ts) on
// 127.0.0.1 (or the host given). Being its own process, a fault on the database host (CPU, memory,
// disk) slows it, and through it the web tier's response times.
//
//   node bin/run-ts.js src/workload/tiers/db-main.ts '<DbTierConfig json>'

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CategorySpec } from '../data-files.ts';
import type { RubisSizes } from '../db/datagen.ts';
import { rubisSizes } from '../db/datagen.ts';
import { loadSqlite } from '../db/load.ts';
import { serveDatabase, type DatabaseServer } from '../db/protocol.ts';
import { SqliteExecutor } from '../db/sqlite.ts';
import { serveFaultHook, type FaultHook } from './fault-hook.ts';
import { runTier } from './tier-main.ts';

export interface DbTierConfig {
  host: string;
  port: number;
  /** Database file; default a new temporary directory, removed on exit. */
  file?: string;
  scale: number;
  seed: number;
  now: number;
  categories: CategorySpec[];
  regions: string[];
  /**
   * Open `file` as it is when it exists (a tier restarted after a crash serves the database it
   * had); the data is generated only into a new file.
   */
  reuse?: boolean;
  /** Serve the fault hook (tiers/fault-hook.ts) on this Unix socket. */
  faultHook?: string;
}

export interface DbTierInfo {
  host: string;
  port: number;
  file: string;
  sizes: RubisSizes;
  rows: Record<string, number>;
  loadMs: number;
}

runTier<DbTierConfig, DbTierInfo>(async (config) => {
  const tempDir = config.file ? null : mkdtempSync(path.join(tmpdir(), 'foreshock-rubis-sqlite-'));
  const file = config.file ?? path.join(tempDir!, 'rubis.sqlite');
  const reused = config.reuse === true && existsSync(file);
  const db = new SqliteExecutor(file);
  let server: DatabaseServer | null = null;
  let hook: FaultHook | null = null;
  const close = async (): Promise<void> => {
    await hook?.close();
    await server?.close();
    await db.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  try {
    const report = reused ? { sizes: rubisSizes(config), rows: {}, ms: 0 } : loadSqlite(db, config);
    server = await serveDatabase(db, config.host, config.port);
    if (config.faultHook)
      hook = await serveFaultHook(config.faultHook, (line) => process.stderr.write(`${line}\n`));
    return {
      info: {
        host: config.host,
        port: server.port,
        file,
        sizes: report.sizes,
        rows: report.rows,
        loadMs: Math.round(report.ms),
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
});
