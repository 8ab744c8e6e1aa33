// A CPU cap for an embedded host: a per-run cgroup with a CFS quota, so that the host's processes
// (its tier, the tier's restarts, every command run on the host: the fault program) share a fixed
// amount of CPU time, as a VM's vCPUs or a container's CPU limit make them share it. Without a cap a
// light service on a core is woken ahead of any number of busy threads by the kernel's scheduler,
// and a CPU hog beside it has no effect (docs/faults.md, "cpuhog on the embedded stack").
//
// Needs root and the cgroup v1 cpu controller (mounted at /sys/fs/cgroup/cpu, as on this project's
// machines and CI). cgroup v2 (cpu.max) is not supported: no machine here has the v2 cpu controller
// to test it on, so it is refused in one line like any other missing piece.
//
// A process joins the cgroup before it runs anything: `joinArgv` wraps a command in
// `sh -c 'echo $$ > <cgroup.procs> && exec "$@"'`, so there is no window in which a new process or
// its threads run outside the cap. The cgroup's name starts with CAP_PREFIX and carries the pid of
// the run that made it: a later run removes the leftovers of a run that died (removeStaleCaps).

import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.ts';

/** Where the cgroup v1 cpu controller is mounted. */
export const CPU_CGROUP_ROOT = '/sys/fs/cgroup/cpu';
/** Every cap's cgroup name starts with this, then `<pid of the run>-<host>`. */
export const CAP_PREFIX = 'foreshock-cap-';
/** CFS period, µs: the kernel's default (100 ms); the quota is cores x period. */
export const CAP_PERIOD_US = 100_000;

export interface CpuCap {
  host: string;
  /** Cores the host may use in total (e.g. 0.5 = 50 ms of CPU time per 100 ms). */
  cores: number;
  /** The cgroup's directory. */
  dir: string;
  /** `argv` wrapped so that the process joins the cap before it runs. */
  joinArgv(argv: readonly string[]): string[];
  /** Moves a running process (all its threads) into the cap. */
  add(pid: number): void;
  /** Processes in the cap now. */
  pids(): number[];
  /** Moves what is still inside to the root cgroup and removes the cgroup; safe to call twice. */
  remove(): void;
}

/** "db at 0.5 cores, web at 1 core". */
export function describeCpuCaps(cores: Record<string, number>): string {
  return Object.entries(cores)
    .map(([h, c]) => `${h} at ${c} core${c === 1 ? '' : 's'}`)
    .join(', ');
}

/** Why this machine cannot cap an embedded host's CPU, or null when it can. */
export function cpuCapUnavailable(root = CPU_CGROUP_ROOT): string | null {
  if (process.getuid?.() !== 0) return `not root (uid ${process.getuid?.() ?? '?'})`;
  if (!existsSync(path.join(root, 'cpu.cfs_quota_us'))) {
    const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
    return v2
      ? 'cgroup v2 (cpu.max) is not supported, only the cgroup v1 cpu controller'
      : `no cgroup v1 cpu controller at ${root}`;
  }
  return null;
}

/** Refuses in one line when the caps cannot be made here: what is missing and what to do. */
export function assertCpuCapsPossible(what: string, root = CPU_CGROUP_ROOT): void {
  const why = cpuCapUnavailable(root);
  if (why)
    throw new UserError(
      `${what} needs a CPU cap (cgroup v1 cpu controller at ${root}, as root): ${why}; run as root, or use --stack local`,
    );
}

const readPids = (file: string): number[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Empties a cap's cgroup into the root cgroup (its processes keep running) and removes it. */
function removeCgroup(dir: string, root: string): void {
  if (!existsSync(dir)) return;
  // A process can be forking while we move: a few passes until it is empty.
  for (let i = 0; i < 5; i++) {
    const pids = readPids(path.join(dir, 'cgroup.procs'));
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        writeFileSync(path.join(root, 'cgroup.procs'), String(pid));
      } catch {
        // exited meanwhile
      }
    }
  }
  rmdirSync(dir);
}

/** Removes the caps left by runs that are no longer alive; returns their names. */
export function removeStaleCaps(root = CPU_CGROUP_ROOT): string[] {
  const removed: string[] = [];
  for (const name of existsSync(root) ? readdirSync(root) : []) {
    if (!name.startsWith(CAP_PREFIX)) continue;
    const owner = Number(name.slice(CAP_PREFIX.length).split('-')[0]);
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) continue;
    try {
      removeCgroup(path.join(root, name), root);
      removed.push(name);
    } catch {
      // busy or gone meanwhile: the next run tries again
    }
  }
  return removed;
}

/** Creates the cap's cgroup for `host` with a quota of `cores` (root only: assertCpuCapsPossible). */
export function createCpuCap(host: string, cores: number, root = CPU_CGROUP_ROOT): CpuCap {
  if (!/^[a-z][a-z0-9-]*$/.test(host)) throw new Error(`cpu cap: bad host name ${JSON.stringify(host)}`);
  if (!(cores > 0)) throw new Error(`cpu cap: cores must be > 0, got ${cores}`);
  const dir = path.join(root, `${CAP_PREFIX}${process.pid}-${host}`);
  removeCgroup(dir, root); // a cap of this run's pid, left by an earlier session in this process
  mkdirSync(dir);
  try {
    writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(CAP_PERIOD_US));
    writeFileSync(
      path.join(dir, 'cpu.cfs_quota_us'),
      String(Math.max(1000, Math.round(cores * CAP_PERIOD_US))),
    );
  } catch (err) {
    rmdirSync(dir);
    throw err;
  }
  const procs = path.join(dir, 'cgroup.procs');
  let removed = false;
  return {
    host,
    cores,
    dir,
    joinArgv: (argv) => ['sh', '-c', 'echo $$ > "$0" && exec "$@"', procs, ...argv],
    add: (pid) => writeFileSync(procs, String(pid)),
    pids: () => (existsSync(procs) ? readPids(procs) : []),
    remove: () => {
      if (removed) return;
      removed = true;
      removeCgroup(dir, root);
    },
  };
}
