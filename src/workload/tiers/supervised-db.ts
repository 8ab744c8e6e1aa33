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
  const opts = { readyTimeoutMs: 600_000, wrap: boundedArgv(o.heapMiB, o.cpus) };
  const hook = o.faultHook ? { faultHook: o.faultHook } : {};
  let tier: Tier<DbTierInfo>;
  try {
    tier = await startTier<DbTierInfo>('db', ENTRY, { ...config, file, ...hook }, opts);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const info = tier.info;
  let stopping = false;
  let restarts = 0;
  let backoffMs: number = RESTART_BACKOFF.firstMs;
  let upSince = Date.now();
  let timer: NodeJS.Timeout | null = null;
  let restarting: Promise<void> | null = null;

  const watch = (t: Tier<DbTierInfo>): void => {
    void t.exited.then((code) => {
      if (stopping) return;
      if (Date.now() - upSince > RESTART_BACKOFF.resetAfterMs) backoffMs = RESTART_BACKOFF.firstMs;
      o.log(`db tier (pid ${t.pid}) exited with ${code}; restarting in ${backoffMs / 1000} s`);
      const delay = backoffMs;
      backoffMs = Math.min(RESTART_BACKOFF.maxMs, backoffMs * 2);
      timer = setTimeout(() => {
        timer = null;
        restarting = (async () => {
          try {
            const next = await startTier<DbTierInfo>(
              'db',
              ENTRY,
              { ...config, port: info.port, file, reuse: true, ...hook },
              opts,
            );
            if (stopping) return void (await next.stop());
            tier = next;
            restarts++;
            upSince = Date.now();
            o.log(`db tier restarted (pid ${next.pid})`);
            o.onRestart?.(next.pid);
            watch(next);
          } catch (err) {
            o.log(`db tier: restart failed: ${(err as Error).message}`);
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
    info,
    get restarts() {
      return restarts;
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await restarting;
      await tier.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
