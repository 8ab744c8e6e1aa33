// The embedded stack's database tier under a supervisor, deployed the way a service runs in
// production: with a bounded heap (a container's memory limit has the same role), pinned to its
// host's cores, and restarted after a back-off when it dies, on the same port and the same database
// file. So a memory leak inside it (fault-hook.ts) ends as real leaks end: the tier runs out of
// heap and aborts, requests fail while it is down, and it comes back clean.
//
// The restart back-off is Kubernetes' first CrashLoopBackOff delay (10 s, doubling per crash up to
// 5 min: kubernetes.io, "Pod Lifecycle", container restart policy), reset after 10 minutes up.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTier, type Tier } from './children.ts';
import type { DbTierConfig, DbTierInfo } from './db-main.ts';

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'db-main.ts');

export const RESTART_BACKOFF = { firstMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 } as const;

export interface SupervisedDbOptions {
  /** V8 old-space bound of the tier, MiB (--max-old-space-size); 0 = node's default. */
  heapMiB: number;
  /** CPU list the tier runs on (taskset -c), e.g. "0"; undefined = not pinned. */
  cpus?: string;
  /** The fault hook's Unix socket. */
  faultHook?: string;
  /** Wraps the tier's command line last, e.g. to join the host's CPU cap (stack/cpu-cap.ts). */
  wrap?: (argv: string[]) => string[];
  log: (line: string) => void;
  /** Called with the new pid after each restart. */
  onRestart?: (pid: number) => void;
}

export interface SupervisedDb {
  /** The current process (changes on a restart). */
  readonly pid: number;
  info: DbTierInfo;
  /** Restarts so far. */
  readonly restarts: number;
  stop(): Promise<void>;
}

/** argv wrapper: node's heap bound right after node, and taskset in front when pinned. */
export function boundedArgv(heapMiB: number, cpus?: string): (argv: string[]) => string[] {
  return ([node, ...rest]) => [
    ...(cpus === undefined ? [] : ['taskset', '-c', cpus]),
    node!,
    ...(heapMiB > 0 ? [`--max-old-space-size=${heapMiB}`] : []),
    ...rest,
  ];
}

export async function startSupervisedDb(config: DbTierConfig, o: SupervisedDbOptions): Promise<SupervisedDb> {
  const dir = mkdtempSync(path.join(tmpdir(), 'foreshock-rubis-sqlite-'));
  const file = path.join(dir, 'rubis.sqlite');
  const bounded = boundedArgv(o.heapMiB, o.cpus);
  const outer = o.wrap;
  const opts = { readyTimeoutMs: 600_000, wrap: outer ? (argv: string[]) => outer(bounded(argv)) : bounded };
  const hook = o.faultHook ? { faultHook: o.faultHook } : {};
  let first: Tier<DbTierInfo>;
  try {
    first = await startTier<DbTierInfo>('db', ENTRY, { ...config, file, ...hook }, opts);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const info = first.info;
  const sup = supervise('db tier', first, o, () =>
    startTier<DbTierInfo>('db', ENTRY, { ...config, port: info.port, file, reuse: true, ...hook }, opts),
  );
  return {
    get pid() {
      return sup.pid;
    },
    info,
    get restarts() {
      return sup.restarts;
    },
    async stop() {
      await sup.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Supervised {
  readonly pid: number;
  readonly restarts: number;
  stop(): Promise<void>;
}

/**
 * Restarts `first` (and each successor) with `restart()` after the back-off whenever it exits,
 * until stop(). What a service manager (systemd's Restart=on-failure, a Kubernetes pod's restart
 * policy) does for a service that crashed.
 */
export function supervise<I>(
  name: string,
  first: Tier<I>,
  o: { log: (line: string) => void; onRestart?: (pid: number) => void },
  restart: () => Promise<Tier<I>>,
): Supervised {
  let tier = first;
  let stopping = false;
  let restarts = 0;
  let backoffMs: number = RESTART_BACKOFF.firstMs;
  let upSince = Date.now();
  let timer: NodeJS.Timeout | null = null;
  let restarting: Promise<void> | null = null;

  const watch = (t: Tier<I>): void => {
    void t.exited.then((code) => {
      if (stopping) return;
      if (Date.now() - upSince > RESTART_BACKOFF.resetAfterMs) backoffMs = RESTART_BACKOFF.firstMs;
      o.log(`${name} (pid ${t.pid}) exited with ${code}; restarting in ${backoffMs / 1000} s`);
      const delay = backoffMs;
      backoffMs = Math.min(RESTART_BACKOFF.maxMs, backoffMs * 2);
      timer = setTimeout(() => {
        timer = null;
        restarting = (async () => {
          try {
            const next = await restart();
            if (stopping) return void (await next.stop());
            tier = next;
            restarts++;
            upSince = Date.now();
            o.log(`${name} restarted (pid ${next.pid})`);
            o.onRestart?.(next.pid);
            watch(next);
          } catch (err) {
            o.log(`${name}: restart failed: ${(err as Error).message}`);
          } finally {
            restarting = null;
          }
        })();
      }, delay);
    });
  };
  watch(tier);
  return {
    get pid() {
      return tier.pid;
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await restarting;
      await tier.stop();
    },
  };
}
