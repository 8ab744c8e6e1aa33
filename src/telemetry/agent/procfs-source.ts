// The embedded source (no root): a "host" is a set of processes, e.g. the RUBiS web or db tier that
// src/workload/tiers starts. Everything is summed over the set's processes from /proc/<pid>/*.
// What each metric really is here (docs/telemetry.md, Agent, has the full list):
// - availcpu: against a configured allotment (default 1 core), not the machine's CPUs;
// - freemem: configured limit minus the summed VmRSS (shared pages count once per process);
// - pagein = major faults (pages read from disk or swap on a fault), pageout = minor faults (pages
//   mapped without I/O, mostly fresh memory being touched): a process has no page-out counter;
// - load1/load5: the group's threads in R or D each sample, through the kernel's formula;
// - diskread/diskwrite: /proc/<pid>/io read_bytes/write_bytes (storage-layer I/O the process
//   caused; writeback of its dirty pages may be charged later or to another task);
// - netin/netout: null. Linux keeps no per-process network counters outside a network namespace.
// - PSI: null (per cgroup only).

import { statfsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { isLoadState, parseKeyValues, parseProcStat, readDirOrEmpty, readTextOrNull } from './procfs.ts';
import { emptySample, type MetricSource, type RawSample } from './types.ts';

export interface ProcfsSourceOptions {
  /** The host's processes. A pid that has exited is skipped (its counters leave the sums). */
  pids: readonly number[];
  /** CPU allotment the availcpu percentage is relative to, cores (default 1). */
  cpuCores?: number;
  /** Memory limit freemem counts against, bytes (default: the machine's total memory). */
  memLimitBytes?: number;
  /** Directory whose file system's free space is freedisk (default: the working directory). */
  diskDir?: string;
  /** Kernel clock ticks per second, for utime/stime (default 100, the x86/arm64 Linux USER_HZ). */
  clockTicksPerS?: number;
  /** The proc file system's root (default /proc; tests may point elsewhere). */
  procRoot?: string;
}

/** Free bytes available to unprivileged users on `dir`'s file system, or null. */
export function freeDiskBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

export class ProcfsSource implements MetricSource {
  private readonly pids: number[];
  private readonly cores: number;
  private readonly memLimit: number;
  private readonly diskDir: string;
  private readonly hz: number;
  private readonly proc: string;

  constructor(options: ProcfsSourceOptions) {
    if (options.pids.length === 0) throw new Error('procfs source: give at least one pid');
    this.pids = [...options.pids];
    this.cores = options.cpuCores ?? 1;
    this.memLimit = options.memLimitBytes ?? totalmem();
    this.diskDir = options.diskDir ?? process.cwd();
    this.hz = options.clockTicksPerS ?? 100;
    this.proc = options.procRoot ?? '/proc';
  }

  /** Counts one more process as part of the host from the next sample on (e.g. a fault process). */
  addPid(pid: number): void {
    if (!this.pids.includes(pid)) this.pids.push(pid);
  }

  sample(monoMs: number): RawSample {
    const s = emptySample(monoMs);
    let alive = 0;
    let ticks = 0;
    let minflt = 0;
    let majflt = 0;
    let rssBytes = 0;
    let runnable = 0;
    let ioRead: number | null = 0;
    let ioWrite: number | null = 0;
    for (const pid of this.pids) {
      const dir = join(this.proc, String(pid));
      const stat = parseProcStat(readTextOrNull(join(dir, 'stat')) ?? '');
      // A zombie has released its memory and stopped counting: treat it as gone.
      if (!stat || stat.state === 'Z') continue;
      alive++;
      ticks += stat.ticks;
      minflt += stat.minflt;
      majflt += stat.majflt;
      const status = parseKeyValues(readTextOrNull(join(dir, 'status')) ?? '');
      rssBytes += (status.get('VmRSS') ?? 0) * 1024;
      runnable += this.countLoadThreads(dir);
      // /proc/<pid>/io needs ptrace-read access: one unreadable process makes the sum unknown.
      const io = readTextOrNull(join(dir, 'io'));
      const kv = io === null ? null : parseKeyValues(io);
      const r = kv?.get('read_bytes');
      const w = kv?.get('write_bytes');
      ioRead = ioRead === null || r === undefined ? null : ioRead + r;
      ioWrite = ioWrite === null || w === undefined ? null : ioWrite + w;
    }
    s.freeDiskBytes = freeDiskBytes(this.diskDir);
    if (alive === 0) return s;
    s.cpuSeconds = ticks / this.hz;
    s.cpuCores = this.cores;
    s.memUsedBytes = rssBytes;
    s.memLimitBytes = this.memLimit;
    s.pageinCount = majflt;
    s.pageoutCount = minflt;
    s.majfaultCount = majflt;
    s.runnableTasks = runnable;
    s.diskReadBytes = ioRead;
    s.diskWriteBytes = ioWrite;
    return s;
  }

  /** Threads of the process in state R or D (load counts threads, as the kernel does). */
  private countLoadThreads(pidDir: string): number {
    let n = 0;
    for (const tid of readDirOrEmpty(join(pidDir, 'task'))) {
      const st = parseProcStat(readTextOrNull(join(pidDir, 'task', tid, 'stat')) ?? '');
      if (st && isLoadState(st.state)) n++;
    }
    return n;
  }
}
