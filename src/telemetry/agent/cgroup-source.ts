// The testbed source: one host = one cgroup v1 hierarchy node per controller (cpu,cpuacct and
// memory), plus the host's cgroup v2 node for PSI, its loop disk and its network namespace's
// /proc/net/dev. Every path is configurable, so tests read a fixture tree in a temp dir.
// Caveats (../../../shared/spec/testbed.md, "Per-host metrics"):
// - pagein/pageout are memory.stat pgpgin/pgpgout: memcg *charge/uncharge events* (pages charged
//   to or released from the cgroup), not disk paging. majfault is pgmajfault, the closer to paging.
// - load: v1 has no per-cgroup loadavg; the R+D tasks listed in `tasks` are counted each sample.
// - diskread/diskwrite come from the loop device's /sys/block stat, not blkio (whose counters stay
//   0 without a throttle rule and never see buffered writeback in v1).

import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { freeDiskBytes } from './procfs-source.ts';
import {
  isLoadState,
  parseBlockStat,
  parseKeyValues,
  parseNetDev,
  parsePressureSomeAvg10,
  parseProcStat,
  readTextOrNull,
} from './procfs.ts';
import { emptySample, type MetricSource, type RawSample } from './types.ts';

export interface CgroupSourceOptions {
  /** The host's cpuacct node (holds cpuacct.usage), e.g. /sys/fs/cgroup/cpuacct/foreshock/web. */
  cpuacctDir: string;
  /** The host's cpu node (cpu.cfs_quota_us, cpu.cfs_period_us); default: cpuacctDir. */
  cpuDir?: string;
  /** The host's memory node (memory.limit_in_bytes, memory.usage_in_bytes, memory.stat). */
  memoryDir: string;
  /** The node whose `tasks` lists the host's threads for load (default: cpuacctDir). */
  tasksDir?: string;
  /** The host's cgroup v2 node for PSI (under /sys/fs/cgroup/unified); absent = PSI null. */
  unifiedDir?: string;
  /** Directory whose file system is the host's disk (statfs); absent = freedisk null. */
  diskDir?: string;
  /** /sys/block/<dev>/stat of the host's disk; absent = diskread/diskwrite null. */
  blockStatFile?: string;
  /** The host namespace's /proc/net/dev (e.g. /proc/<pid in the netns>/net/dev) and interface. */
  netDevFile?: string;
  netIface?: string;
  /**
   * The interface is the bridge-side end of the host's veth (read from the root namespace's
   * /proc/net/dev): what it receives the host sent, so in and out swap.
   */
  netPeerSide?: boolean;
  /** Where `tasks` thread ids are looked up (default /proc). */
  procRoot?: string;
  /** Allotment when there is no CFS quota (quota -1), cores (default: the machine's CPUs). */
  unlimitedCores?: number;
  /** Limit when memory.limit_in_bytes is "unlimited" (a huge number), bytes (default: totalmem). */
  unlimitedMemBytes?: number;
}

/** memory.limit_in_bytes at or above this is v1's "no limit" (PAGE_COUNTER_MAX rounded to pages). */
const UNLIMITED_MEM = 2 ** 60;

function readNumber(file: string): number | null {
  const t = readTextOrNull(file);
  if (t === null) return null;
  const v = Number(t.trim());
  return Number.isFinite(v) ? v : null;
}

/** CFS quota/period as cores; null quota (file missing) -> null; quota -1 -> `unlimited`. */
export function cfsCores(quotaUs: number | null, periodUs: number | null, unlimited: number): number | null {
  if (quotaUs === null) return null;
  if (quotaUs < 0) return unlimited;
  if (periodUs === null || !(periodUs > 0)) return null;
  return quotaUs / periodUs;
}

export class CgroupSource implements MetricSource {
  private readonly o: Required<
    Pick<CgroupSourceOptions, 'cpuacctDir' | 'cpuDir' | 'memoryDir' | 'tasksDir' | 'procRoot'>
  > &
    CgroupSourceOptions;
  private readonly unlimitedCores: number;
  private readonly unlimitedMem: number;

  constructor(options: CgroupSourceOptions) {
    this.o = {
      ...options,
      cpuDir: options.cpuDir ?? options.cpuacctDir,
      tasksDir: options.tasksDir ?? options.cpuacctDir,
      procRoot: options.procRoot ?? '/proc',
    };
    this.unlimitedCores = options.unlimitedCores ?? cpus().length;
    this.unlimitedMem = options.unlimitedMemBytes ?? totalmem();
  }

  sample(monoMs: number): RawSample {
    const o = this.o;
    const s = emptySample(monoMs);
    const usageNs = readNumber(join(o.cpuacctDir, 'cpuacct.usage'));
    s.cpuSeconds = usageNs === null ? null : usageNs / 1e9;
    s.cpuCores = cfsCores(
      readNumber(join(o.cpuDir, 'cpu.cfs_quota_us')),
      readNumber(join(o.cpuDir, 'cpu.cfs_period_us')),
      this.unlimitedCores,
    );
    const limit = readNumber(join(o.memoryDir, 'memory.limit_in_bytes'));
    s.memLimitBytes = limit === null ? null : limit >= UNLIMITED_MEM ? this.unlimitedMem : limit;
    s.memUsedBytes = readNumber(join(o.memoryDir, 'memory.usage_in_bytes'));
    const memStat = readTextOrNull(join(o.memoryDir, 'memory.stat'));
    if (memStat !== null) {
      const kv = parseKeyValues(memStat);
      s.pageinCount = kv.get('pgpgin') ?? null;
      s.pageoutCount = kv.get('pgpgout') ?? null;
      s.majfaultCount = kv.get('pgmajfault') ?? null;
    }
    const tasks = readTextOrNull(join(o.tasksDir, 'tasks'));
    if (tasks !== null) {
      let n = 0;
      for (const tid of tasks.split('\n')) {
        if (tid.trim() === '') continue;
        const st = parseProcStat(readTextOrNull(join(o.procRoot, tid.trim(), 'stat')) ?? '');
        if (st && isLoadState(st.state)) n++;
      }
      s.runnableTasks = n;
    }
    if (o.unifiedDir !== undefined) {
      s.cpuPressure = parsePressureSomeAvg10(readTextOrNull(join(o.unifiedDir, 'cpu.pressure')));
      s.memPressure = parsePressureSomeAvg10(readTextOrNull(join(o.unifiedDir, 'memory.pressure')));
      s.ioPressure = parsePressureSomeAvg10(readTextOrNull(join(o.unifiedDir, 'io.pressure')));
    }
    if (o.diskDir !== undefined) s.freeDiskBytes = freeDiskBytes(o.diskDir);
    if (o.blockStatFile !== undefined) {
      const b = parseBlockStat(readTextOrNull(o.blockStatFile));
      s.diskReadBytes = b?.readBytes ?? null;
      s.diskWriteBytes = b?.writeBytes ?? null;
    }
    if (o.netDevFile !== undefined && o.netIface !== undefined) {
      const n = parseNetDev(readTextOrNull(o.netDevFile), o.netIface);
      const peer = o.netPeerSide === true;
      s.netInBytes = (peer ? n?.outBytes : n?.inBytes) ?? null;
      s.netOutBytes = (peer ? n?.inBytes : n?.outBytes) ?? null;
    }
    return s;
  }
}
