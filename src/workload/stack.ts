// Brings up the RUBiS stack on this machine: a database tier and a web tier, each its own process,
// on 127.0.0.1 with ports the OS picks, handed from process to process explicitly.
//
//   embedded: database tier = db-main.ts (SQLite, generated at start-up); web tier -> it over TCP
//   mariadb:  a private mariadbd (mariadb-server.ts), or an existing server given by host:port,
//             generated from this process; web tier -> MariaDB with mysql2
//
// `stop()` stops everything that was started, in reverse order, and is safe to call twice. On a
// failure half-way, whatever was started is stopped before the error is thrown.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CategorySpec } from './data-files.ts';
import { rubisSizes, type RubisSizes } from './db/datagen.ts';
import { loadMariaDb } from './db/load.ts';
import { connectMariaDb, describeTarget, type MariaDbTarget } from './db/mariadb.ts';
import { startMariaDbServer, type MariaDbServer, type MariaDbServerOptions } from './db/mariadb-server.ts';
import type { WorkloadLists } from './emulator/requests.ts';
import { startTier, type Tier } from './tiers/children.ts';
import { boundedArgv, startSupervisedDb, supervise } from './tiers/supervised-db.ts';
import type { DbTierConfig } from './tiers/db-main.ts';
import type { WebTierConfig, WebTierInfo } from './tiers/web-main.ts';

const TIERS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tiers');

export type StackKind = 'embedded' | 'mariadb';
export const STACKS: readonly StackKind[] = ['embedded', 'mariadb'];

export interface StackOptions {
  stack: StackKind;
  /** With `mariadb`: use this running server instead of starting one (its database is recreated). */
  mariadb?: MariaDbTarget;
  scale: number;
  seed: number;
  /** The database's "now"; default: the wall clock at start-up. */
  now?: number;
  categories: CategorySpec[];
  regions: string[];
  /** Connections from the web tier to MariaDB. */
  dbConnections?: number;
  /**
   * Where the tiers run (default: this machine, 127.0.0.1). The local testbed puts mariadbd and the
   * web tier on their hosts: `bindHost` = the host's bridge address, `wrap` = testbed hostArgv.
   */
  placement?: {
    db?: TierPlacement & {
      clientHosts?: string;
      port?: number;
      /** How the private MariaDB server is set up there (data directory, InnoDB sizes). */
      server?: Pick<
        MariaDbServerOptions,
        'baseDir' | 'baseDirInside' | 'bufferPool' | 'redoLog' | 'flushMethod' | 'flushLogAtCommit'
      >;
    };
    web?: TierPlacement & {
      /** V8 heap bound of the web tier, MiB (a container's memory limit has that role); 0 = node's default. */
      heapMiB?: number;
      /** The web tier's fault hook socket (as the host sees it). */
      faultHook?: string;
      /** Restart the web tier after a crash, on the same port (supervised-db.ts's back-off). */
      supervised?: boolean;
      /** Called with the web tier's new pid after the supervisor restarted it. */
      onRestart?: (pid: number) => void;
    };
  };
  /** How the embedded stack deploys its tiers (supervised-db.ts); defaults: unbounded, unpinned. */
  embedded?: EmbeddedDeployment;
  log?: (line: string) => void;
}

export interface EmbeddedDeployment {
  /** Heap bound of the database tier, MiB (node's default when absent). */
  dbHeapMiB?: number;
  /** CPU lists (taskset -c) the tiers are pinned to. */
  cpus?: { db?: string; web?: string };
  /** The database tier's fault hook socket. */
  dbFaultHook?: string;
  /** Called with the database tier's new pid after the supervisor restarted it. */
  onDbRestart?: (pid: number) => void;
  /** Wraps a tier's command line last, e.g. to join its host's CPU cap (stack/cpu-cap.ts). */
  wrap?: { db?: (argv: string[]) => string[]; web?: (argv: string[]) => string[] };
}

export interface TierPlacement {
  bindHost: string;
  wrap: (argv: string[]) => string[];
}

export interface RubisStack {
  webUrl: string;
  /** Pids for fault injection and monitoring: web tier, database (tier or mariadbd). */
  pids: { web: number; db: number | null };
  database: string;
  sizes: RubisSizes;
  rows: Record<string, number>;
  loadMs: number;
  lists: WorkloadLists;
  stop(): Promise<void>;
}

export async function startStack(o: StackOptions): Promise<RubisStack> {
  const log = o.log ?? (() => undefined);
  const now = o.now ?? Date.now();
  const stoppers: (() => Promise<void>)[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
  };
  // Mutable: the supervisor replaces the database tier's pid when it restarts it.
  const pids: RubisStack['pids'] = { web: 0, db: null };
  try {
    let web: WebTierConfig['db'];
    let dbPid: number | null = null;
    let rows: Record<string, number>;
    let loadMs: number;
    let database: string;
    const sizes = rubisSizes({ scale: o.scale, categories: o.categories, regions: o.regions });
    if (o.stack === 'embedded') {
      log(
        `starting the database tier (SQLite, scale ${o.scale}: ${sizes.users} users, ${sizes.activeTotal + sizes.oldItems} items) ...`,
      );
      const config: DbTierConfig = {
        host: '127.0.0.1',
        port: 0,
        scale: o.scale,
        seed: o.seed,
        now,
        categories: o.categories,
        regions: o.regions,
      };
      const dep = o.embedded ?? {};
      const tier = await startSupervisedDb(config, {
        heapMiB: dep.dbHeapMiB ?? 0,
        ...(dep.cpus?.db ? { cpus: dep.cpus.db } : {}),
        ...(dep.dbFaultHook ? { faultHook: dep.dbFaultHook } : {}),
        ...(dep.wrap?.db ? { wrap: dep.wrap.db } : {}),
        log,
        onRestart: (pid) => {
          pids.db = pid;
          dep.onDbRestart?.(pid);
        },
      });
      stoppers.push(() => tier.stop());
      dbPid = tier.pid;
      rows = tier.info.rows;
      loadMs = tier.info.loadMs;
      database = `sqlite database tier (pid ${tier.pid}) at 127.0.0.1:${tier.info.port}`;
      web = { kind: 'sqlite-tier', host: '127.0.0.1', port: tier.info.port };
    } else {
      let target = o.mariadb;
      if (!target) {
        log('starting a private MariaDB server ...');
        const at = o.placement?.db;
        const server: MariaDbServer = await startMariaDbServer(
          at
            ? {
                bindHost: at.bindHost,
                wrap: at.wrap,
                ...(at.clientHosts ? { clientHosts: at.clientHosts } : {}),
                ...(at.port ? { port: at.port } : {}),
                ...at.server,
              }
            : {},
        );
        stoppers.push(() => server.stop());
        dbPid = server.pid;
        target = server.target;
      }
      const executor = await connectMariaDb(target);
      try {
        log(`generating the RUBiS database in ${describeTarget(target)} (scale ${o.scale}) ...`);
        const report = await loadMariaDb(executor, {
          scale: o.scale,
          seed: o.seed,
          now,
          categories: o.categories,
          regions: o.regions,
        });
        rows = report.rows;
        loadMs = Math.round(report.ms);
      } finally {
        await executor.close();
      }
      database = describeTarget(target);
      web = { kind: 'mariadb', ...target, connections: o.dbConnections ?? 10 };
    }
    log(`database ready (${loadMs} ms to generate); starting the web tier ...`);
    const webHost = o.placement?.web?.bindHost ?? '127.0.0.1';
    const webCpus = o.embedded?.cpus?.web;
    const webOuter = o.embedded?.wrap?.web ?? ((argv: string[]): string[] => argv);
    const at = o.placement?.web;
    const webWrap = at
      ? (argv: string[]): string[] => at.wrap(boundedArgv(at.heapMiB ?? 0)(argv))
      : webCpus || o.embedded?.wrap?.web
        ? (argv: string[]): string[] => webOuter(webCpus ? ['taskset', '-c', webCpus, ...argv] : argv)
        : undefined;
    const webConfig: WebTierConfig = {
      host: webHost,
      port: 0,
      db: web,
      ...(at?.faultHook ? { faultHook: at.faultHook } : {}),
    };
    const webEntry = path.join(TIERS_DIR, 'web-main.ts');
    const webOpts = webWrap ? { wrap: webWrap } : {};
    const webTier: Tier<WebTierInfo> = await startTier('web', webEntry, webConfig, webOpts);
    pids.web = webTier.pid;
    if (at?.supervised) {
      const port = webTier.info.port;
      const sup = supervise(
        'web tier',
        webTier,
        {
          log,
          onRestart: (pid) => {
            pids.web = pid;
            at.onRestart?.(pid);
          },
        },
        () => startTier<WebTierInfo>('web', webEntry, { ...webConfig, port }, webOpts),
      );
      stoppers.push(() => sup.stop());
    } else stoppers.push(() => webTier.stop());
    pids.db = dbPid;
    return {
      webUrl: `http://${webHost}:${webTier.info.port}`,
      pids,
      database,
      sizes,
      rows,
      loadMs,
      lists: { categories: o.categories.length, regions: o.regions, users: sizes.users },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
