// Starts a private MariaDB server: a fresh data directory, loopback only, a port given or picked
// free, ready when it accepts a connection (a readiness check, not a sleep), and stopped (and its
// directory removed) by `stop()`. The workload's `--stack mariadb`, its integration tests and,
// later, the testbed's database host use it.
//
//   const server = await startMariaDbServer();          // { host, port, user: 'root', password: '' }
//   try { ... connect to server.target ... } finally { await server.stop(); }
//
// What it runs (Debian's mariadb-server package: /usr/sbin/mariadbd, mariadb-install-db):
//   mariadb-install-db --no-defaults --datadir=<dir>/data --auth-root-authentication-method=normal
//   mariadbd --no-defaults --datadir=<dir>/data --socket=<dir>/mysqld.sock --port=<port>
//            --bind-address=127.0.0.1 --skip-name-resolve [--user=root when running as root] ...
// root@127.0.0.1 has no password on such a fresh server; it listens on loopback only.
// On the local testbed (`bindHost` = the db host's bridge address, `wrap` = run inside that host)
// clients come from other hosts: an --init-file creates user `foreshock` for `clientHosts` with a
// random password, which travels only inside `target` (never printed).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { UserError } from '../../core/errors.ts';
import type { MariaDbTarget } from './mariadb.ts';
import { registerChild } from '../tiers/children.ts';

const SBIN_CANDIDATES = [
  '/usr/sbin/mariadbd',
  '/usr/bin/mariadbd',
  '/usr/local/bin/mariadbd',
  '/usr/sbin/mysqld',
];

/** Path of the mariadbd binary, or null when MariaDB's server is not installed. */
export function findMariadbd(): string | null {
  for (const p of SBIN_CANDIDATES) if (existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v mariadbd'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return which.status === 0 && found ? found : null;
}

function findInstallDb(mariadbd: string): string | null {
  const candidates = [
    path.join(path.dirname(mariadbd), 'mariadb-install-db'),
    '/usr/bin/mariadb-install-db',
    '/usr/local/bin/mariadb-install-db',
    '/usr/bin/mysql_install_db',
  ];
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; mariadbd needs an explicit number). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface MariaDbServerOptions {
  /** Parent directory for the server's files (default: the OS temp directory). Removed on stop. */
  baseDir?: string;
  port?: number;
  /** InnoDB buffer pool (default 256M; RUBiS's working set at the default scale is ~40 MB). */
  bufferPool?: string;
  /**
   * innodb_flush_log_at_trx_commit (default 2 here: a benchmark shortcut that fsyncs the redo log
   * once a second). 1, MariaDB's own default, fsyncs it at every commit: commits then wait for the
   * disk, as on a durable production database.
   */
  flushLogAtCommit?: 0 | 1 | 2;
  /** InnoDB redo log size (default: MariaDB's, 96M). */
  redoLog?: string;
  /**
   * innodb_flush_method (default MariaDB's, O_DIRECT). `fsync` reads and writes data files through
   * the OS page cache: a small buffer pool is then backed by the page cache, which a memory leak on
   * the host squeezes (docs/faults.md).
   */
  flushMethod?: 'fsync' | 'O_DIRECT';
  /**
   * `baseDir` as mariadbd sees it, when it runs in another mount namespace (a testbed host sees its
   * own disk at another path than this process). Default: the same path.
   */
  baseDirInside?: string;
  readyTimeoutMs?: number;
  /** Address to listen on (default 127.0.0.1). Anything else gets the `foreshock` user (header). */
  bindHost?: string;
  /** Host pattern the `foreshock` user may connect from, e.g. "10.77.0.%" (default "%"). */
  clientHosts?: string;
  /** Wraps mariadbd's argv, e.g. to run it inside a testbed host (testbed/local hostArgv). */
  wrap?: (argv: string[]) => string[];
}

export interface MariaDbServer {
  target: MariaDbTarget;
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

async function waitReady(
  target: MariaDbTarget,
  child: ChildProcess,
  errLog: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = existsSync(errLog)
        ? readFileSync(errLog, 'utf8').trim().split('\n').slice(-3).join(' | ')
        : '';
      throw new UserError(`mariadbd exited during start-up (${child.exitCode ?? child.signalCode}): ${log}`);
    }
    try {
      const conn = await mysql.createConnection({
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        connectTimeout: 1000,
      });
      await conn.end();
      return;
    } catch (err) {
      last = (err as { code?: string }).code ?? (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new UserError(`mariadbd on ${target.host}:${target.port} not ready within ${timeoutMs} ms (${last})`);
}

export async function startMariaDbServer(options: MariaDbServerOptions = {}): Promise<MariaDbServer> {
  const mariadbd = findMariadbd();
  if (!mariadbd) throw new UserError('mariadbd not found (install the mariadb-server package)');
  const installDb = findInstallDb(mariadbd);
  if (!installDb) throw new UserError('mariadb-install-db not found (install the mariadb-server package)');
  const base = options.baseDir ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'foreshock-mariadb-'));
  const dataDir = path.join(dir, 'data');
  /** The same paths as mariadbd sees them. */
  const inside = options.baseDirInside ? path.join(options.baseDirInside, path.basename(dir)) : dir;
  const innodb = [
    ...(options.redoLog ? [`--innodb-log-file-size=${options.redoLog}`] : []),
    ...(options.flushMethod ? [`--innodb-flush-method=${options.flushMethod}`] : []),
  ];
  const asRoot = process.getuid?.() === 0;
  const userArgs = asRoot ? ['--user=root'] : [];
  const install = spawnSync(
    installDb,
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...innodb,
      ...userArgs,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (install.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    const why = (install.stderr || install.stdout || String(install.error ?? '')).trim().split('\n').pop();
    throw new UserError(`mariadb-install-db failed in ${dataDir}: ${why}`);
  }
  const port = options.port ?? (await freePort());
  const bindHost = options.bindHost ?? '127.0.0.1';
  const errLog = path.join(dir, 'error.log');
  let target: MariaDbTarget = { host: bindHost, port, user: 'root', password: '', database: 'rubis' };
  const extra: string[] = [];
  if (bindHost !== '127.0.0.1') {
    const password = randomBytes(18).toString('base64url');
    const hosts = (options.clientHosts ?? '%').replace(/[^0-9A-Za-z.%_-]/g, '');
    const init = path.join(dir, 'init.sql');
    writeFileSync(
      init,
      `CREATE USER IF NOT EXISTS 'foreshock'@'${hosts}' IDENTIFIED BY '${password}';\n` +
        `GRANT ALL PRIVILEGES ON *.* TO 'foreshock'@'${hosts}';\n`,
      { mode: 0o600 },
    );
    extra.push(`--init-file=${path.join(inside, 'init.sql')}`);
    target = { ...target, user: 'foreshock', password };
  }
  const wrap = options.wrap ?? ((argv: string[]) => argv);
  const argv = wrap([
    mariadbd,
    '--no-defaults',
    `--datadir=${path.join(inside, 'data')}`,
    `--socket=${path.join(inside, 'mysqld.sock')}`,
    `--pid-file=${path.join(inside, 'mysqld.pid')}`,
    `--log-error=${path.join(inside, 'error.log')}`,
    `--port=${port}`,
    `--bind-address=${bindHost}`,
    '--skip-name-resolve',
    '--skip-log-bin',
    `--innodb-buffer-pool-size=${options.bufferPool ?? '256M'}`,
    // Default: a benchmark database, where a crash may lose the last second of commits (as RUBiS
    // setups did); the testbed's db host uses MariaDB's durable default (1).
    `--innodb-flush-log-at-trx-commit=${options.flushLogAtCommit ?? 2}`,
    '--max-connections=500',
    ...innodb,
    ...extra,
    ...userArgs,
  ]);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  const unregister = registerChild(child, 'mariadbd');
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    unregister();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(target, child, errLog, options.readyTimeoutMs ?? 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { target, pid: child.pid!, dir, stop };
}
