// The web tier as its own process (so it can live on its own host): the HTTP server of the 27
// RUBiS pages over one database backend, either the embedded stack's database tier (SQLite, over
// the statement protocol) or a MariaDB server.
//
//   node bin/run-ts.js src/workload/tiers/web-main.ts '<WebTierConfig json>'

import type { MariaDbTarget } from '../db/mariadb.ts';
import { MariaDbExecutor } from '../db/mariadb.ts';
import { RemoteExecutor } from '../db/protocol.ts';
import type { Executor } from '../db/types.ts';
import { startWebServer } from '../web/server.ts';
import { serveFaultHook, type FaultHook } from './fault-hook.ts';
import { runTier } from './tier-main.ts';

export type WebDbConfig =
  | { kind: 'sqlite-tier'; host: string; port: number }
  | ({ kind: 'mariadb'; connections?: number } & MariaDbTarget);

export interface WebTierConfig {
  host: string;
  port: number;
  db: WebDbConfig;
  /** Serve the fault hook (tiers/fault-hook.ts) on this Unix socket: the local testbed's memleak. */
  faultHook?: string;
}

export interface WebTierInfo {
  host: string;
  port: number;
  db: string;
}

runTier<WebTierConfig, WebTierInfo>(async (config) => {
  const db: Executor =
    config.db.kind === 'mariadb'
      ? new MariaDbExecutor(config.db, { connections: config.db.connections ?? 10 })
      : new RemoteExecutor(config.db.host, config.db.port);
  try {
    // Fail at start-up, with the database's name, rather than on the first request.
    await db.query('countUsers', []);
  } catch (err) {
    await db.close();
    throw err;
  }
  const web = await startWebServer({ host: config.host, port: config.port, db });
  let hook: FaultHook | null = null;
  const close = async (): Promise<void> => {
    await hook?.close();
    await web.close();
    await db.close();
  };
  try {
    if (config.faultHook)
      hook = await serveFaultHook(config.faultHook, (line) => process.stderr.write(`${line}\n`));
  } catch (err) {
    await close();
    throw err;
  }
  return { info: { host: config.host, port: web.port, db: db.description }, close };
});
