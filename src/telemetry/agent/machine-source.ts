// The machine-wide source (AWS: every host is a whole VM): the machine's own counters, no pids, no
// cgroups, no root. Every path is configurable, so tests read fixture files in a temp dir.
// What each metric is here (docs/telemetry.md, "Machine-wide agent (AWS hosts)"):
// - availcpu: 100 x (idle + iowait) share of all CPUs' ticks between two readings of the aggregate
//   `cpu` line of /proc/stat (steal counts as busy: the hypervisor took it); cores = the cpuN lines;
// - freemem: /proc/meminfo MemAvailable (the limit is MemTotal);
// - load1/load5: the kernel's own /proc/loadavg (RawSample.kernelLoad, published as they are);
// - pagein/pageout: /proc/vmstat pgpgin/pgpgout, i.e. all block-device reads/writes (file I/O and
//   writeback included, not only swap), which the kernel counts in KiB: converted to pages;
//   majfault: pgmajfault;
// - diskread/diskwrite: /proc/diskstats of one block device, by default the *whole disk* under `/`;
// - freedisk: statfs of a directory (default `/`);
// - netin/netout: /proc/net/dev of one interface, by default the default route's;
// - PSI: /proc/pressure/{cpu,memory,io} `some avg10` (null on kernels without PSI).

import { readlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { freeDiskBytes } from './procfs-source.ts';
import {
  parseBlockStat,
  parseKeyValues,
  parseNetDev,
  parsePressureSomeAvg10,
  readTextOrNull,
} from './procfs.ts';
import { emptySample, type MetricSource, type RawSample } from './types.ts';

export interface MachineSourceOptions {
  /** Directory whose file system's free space is freedisk (default `/`). */
  diskDir?: string;
  /**
   * Block device for diskread/diskwrite, a /proc/diskstats name (e.g. nvme0n1, xvda); default: the
   * whole disk holding `/` (see rootBlockDevice).
   */
  blockDevice?: string;
  /** Interface for netin/netout (default: the default route's, else the first one not `lo`). */
  netIface?: string;
  /** Kernel clock ticks per second of /proc/stat (default 100, USER_HZ on x86/arm64 Linux). */
  clockTicksPerS?: number;
  /** Page size pgpgin/pgpgout are converted to, bytes (default 4096). */
  pageSizeBytes?: number;
  /** The proc file system's root (default /proc). */
  procRoot?: string;
  /** The sysfs root (default /sys), for /sys/dev/block/<major:minor>. */
  sysRoot?: string;
}

/** Ticks of the aggregate `cpu` line of /proc/stat and the number of cpuN lines (online CPUs). */
export interface CpuTicks {
  /** user + nice + system + irq + softirq + steal (guest time is already inside user/nice). */
  busy: number;
  /** idle + iowait: what the CPUs could have run but had nothing runnable for. */
  idle: number;
  cpus: number;
}

/** Parses /proc/stat's `cpu` line (proc(5)); null when it is missing or malformed. */
export function parseCpuTicks(text: string | null): CpuTicks | null {
  if (text === null) return null;
  let agg: number[] | null = null;
  let cpus = 0;
  for (const line of text.split('\n')) {
    const m = /^cpu(\d*)\s+(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] !== '') cpus++;
    else agg = m[2]!.trim().split(/\s+/).map(Number);
  }
  if (agg === null || agg.length < 4) return null;
  // user nice system idle iowait irq softirq steal guest guest_nice (older kernels stop earlier).
  const f = (i: number): number => agg[i] ?? 0;
  const busy = f(0) + f(1) + f(2) + f(5) + f(6) + f(7);
  const idle = f(3) + f(4);
  if (!Number.isFinite(busy) || !Number.isFinite(idle)) return null;
  return { busy, idle, cpus: Math.max(1, cpus) };
}

/** availcpu between two readings: 100 x idle share of all ticks; null when no tick elapsed. */
export function idleSharePercent(prev: CpuTicks, cur: CpuTicks): number | null {
  const dBusy = cur.busy - prev.busy;
  const dIdle = cur.idle - prev.idle;
  if (dBusy < 0 || dIdle < 0 || dBusy + dIdle <= 0) return null;
  return (100 * dIdle) / (dBusy + dIdle);
}

/** The 1-, 5- and 15-minute load averages of /proc/loadavg. */
export function parseLoadavg(text: string | null): { load1: number; load5: number; load15: number } | null {
  if (text === null) return null;
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  if (![a, b, c].every((x) => x !== undefined && Number.isFinite(x) && x >= 0)) return null;
  return { load1: a!, load5: b!, load15: c! };
}

/** MemTotal and MemAvailable of /proc/meminfo, bytes; null when either is missing (kernel < 3.14). */
export function parseMeminfo(text: string | null): { totalBytes: number; availableBytes: number } | null {
  if (text === null) return null;
  const kv = parseKeyValues(text);
  const total = kv.get('MemTotal');
  const avail = kv.get('MemAvailable');
  if (total === undefined || avail === undefined) return null;
  return { totalBytes: total * 1024, availableBytes: avail * 1024 };
}

/**
 * Sectors read and written of one device in /proc/diskstats, as bytes (sectors are 512 bytes): a
 * line is `major minor name` followed by the fields of /sys/block/<name>/stat (parseBlockStat).
 */
export function parseDiskstats(
  text: string | null,
  device: string,
): { readBytes: number; writeBytes: number } | null {
  if (text === null) return null;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[2] === device) return parseBlockStat(f.slice(3).join(' '));
  }
  return null;
}

/** The device number (`major:minor`) of the file system mounted at `mountPoint`, from mountinfo. */
export function mountDeviceNumber(mountinfo: string | null, mountPoint = '/'): string | null {
  if (mountinfo === null) return null;
  let found: string | null = null;
  for (const line of mountinfo.split('\n')) {
    // id parent major:minor root mount-point options ... (proc(5)); the last match is the one on top.
    const f = line.split(' ');
    if (f[4] === mountPoint && /^\d+:\d+$/.test(f[2] ?? '')) found = f[2]!;
  }
  return found;
}

/**
 * The /proc/diskstats name of the whole disk holding `/`: `/` 's major:minor from mountinfo, then
 * /sys/dev/block/<major:minor> -> .../block/<disk>[/<partition>]; a partition (it has a `partition`
 * file) is replaced by its parent disk. Without sysfs, the diskstats line with that major:minor
 * (the partition itself). Null when `/` is not on a block device (overlay, tmpfs, btrfs subvolume).
 */
export function rootBlockDevice(procRoot = '/proc', sysRoot = '/sys', mountPoint = '/'): string | null {
  const devno = mountDeviceNumber(readTextOrNull(join(procRoot, 'self', 'mountinfo')), mountPoint);
  if (devno === null || devno.startsWith('0:')) return null;
  const link = join(sysRoot, 'dev', 'block', devno);
  try {
    const target = resolve(dirname(link), readlinkSync(link));
    if (readTextOrNull(join(target, 'partition')) !== null) return basename(dirname(target));
    return basename(target);
  } catch {
    const [major, minor] = devno.split(':');
    for (const line of (readTextOrNull(join(procRoot, 'diskstats')) ?? '').split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f[0] === major && f[1] === minor && f[2] !== undefined) return f[2];
    }
    return null;
  }
}

/**
 * The interface of the default route in /proc/net/route (destination and mask 0, gateway flag
 * set, lowest metric), else the first interface of /proc/net/dev other than `lo`, else null.
 */
export function defaultInterface(routeText: string | null, netDevText: string | null): string | null {
  let best: { iface: string; metric: number } | null = null;
  for (const line of (routeText ?? '').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
    if (f.length < 8) continue;
    const flags = parseInt(f[3]!, 16);
    const up = (flags & 0x1) !== 0;
    if (!up || parseInt(f[1]!, 16) !== 0 || parseInt(f[7]!, 16) !== 0) continue;
    const metric = Number(f[6]);
    if (best === null || metric < best.metric) best = { iface: f[0]!, metric };
  }
  if (best) return best.iface;
  for (const line of (netDevText ?? '').split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name !== '' && name !== 'lo' && !name.includes('|')) return name;
  }
  return null;
}

/** A RawSample of the machine source: it always carries the kernel's load averages. */
export interface MachineRawSample extends RawSample {
  kernelLoad: { load1: number | null; load5: number | null };
}

export class MachineSource implements MetricSource {
  private readonly proc: string;
  private readonly sys: string;
  private readonly hz: number;
  private readonly pageSize: number;
  private readonly diskDir: string;
  /** Given, or resolved on first use (null: not found yet, looked for again next time). */
  private blockDevice: string | null;
  private netIface: string | null;
  /** The previous /proc/stat reading and the cumulative CPU seconds published with it. */
  private prevCpu: { ticks: CpuTicks; monoMs: number; seconds: number } | null = null;

  constructor(options: MachineSourceOptions = {}) {
    this.proc = options.procRoot ?? '/proc';
    this.sys = options.sysRoot ?? '/sys';
    this.hz = options.clockTicksPerS ?? 100;
    this.pageSize = options.pageSizeBytes ?? 4096;
    this.diskDir = options.diskDir ?? '/';
    this.blockDevice = options.blockDevice ?? null;
    this.netIface = options.netIface ?? null;
  }

  /** What the source reads (defaults resolved now; null = not found, those metrics stay null). */
  describe(): { blockDevice: string | null; netIface: string | null; diskDir: string; cpus: number | null } {
    this.resolveDefaults();
    const cpus = parseCpuTicks(readTextOrNull(join(this.proc, 'stat')))?.cpus ?? null;
    return { blockDevice: this.blockDevice, netIface: this.netIface, diskDir: this.diskDir, cpus };
  }

  sample(monoMs: number): MachineRawSample {
    this.resolveDefaults();
    const s: MachineRawSample = { ...emptySample(monoMs), kernelLoad: { load1: null, load5: null } };
    const stat = readTextOrNull(join(this.proc, 'stat'));
    this.sampleCpu(s, parseCpuTicks(stat));
    // R + D tasks right now (procs_running includes this process): derive.ts's own load estimate,
    // not published: derive.ts prefers kernelLoad, the kernel's own averages, read below.
    const kv = stat === null ? null : parseKeyValues(stat);
    const running = kv?.get('procs_running');
    const blocked = kv?.get('procs_blocked');
    s.runnableTasks = running === undefined || blocked === undefined ? null : running + blocked;
    const load = parseLoadavg(readTextOrNull(join(this.proc, 'loadavg')));
    s.kernelLoad = { load1: load?.load1 ?? null, load5: load?.load5 ?? null };

    const mem = parseMeminfo(readTextOrNull(join(this.proc, 'meminfo')));
    if (mem) {
      s.memLimitBytes = mem.totalBytes;
      s.memUsedBytes = Math.max(0, mem.totalBytes - mem.availableBytes);
    }
    const vm = readTextOrNull(join(this.proc, 'vmstat'));
    if (vm !== null) {
      const v = parseKeyValues(vm);
      const pages = (kib: number | undefined): number | null =>
        kib === undefined ? null : (kib * 1024) / this.pageSize;
      s.pageinCount = pages(v.get('pgpgin'));
      s.pageoutCount = pages(v.get('pgpgout'));
      s.majfaultCount = v.get('pgmajfault') ?? null;
    }
    s.freeDiskBytes = freeDiskBytes(this.diskDir);
    if (this.blockDevice !== null) {
      const d = parseDiskstats(readTextOrNull(join(this.proc, 'diskstats')), this.blockDevice);
      s.diskReadBytes = d?.readBytes ?? null;
      s.diskWriteBytes = d?.writeBytes ?? null;
    }
    if (this.netIface !== null) {
      const n = parseNetDev(readTextOrNull(join(this.proc, 'net', 'dev')), this.netIface);
      s.netInBytes = n?.inBytes ?? null;
      s.netOutBytes = n?.outBytes ?? null;
    }
    const psi = (what: string): number | null =>
      parsePressureSomeAvg10(readTextOrNull(join(this.proc, 'pressure', what)));
    s.cpuPressure = psi('cpu');
    s.memPressure = psi('memory');
    s.ioPressure = psi('io');
    return s;
  }

  /**
   * derive.ts computes availcpu as 100 x (1 - (dCpuSeconds/dt)/cores). To make that exactly the
   * idle share of the ticks between the two readings (whatever the timer jitter between the read
   * and the monotonic stamp), the published counter advances by busy share x cores x dt each
   * interval. It starts at the machine's busy time since boot, so it still reads as CPU seconds.
   */
  private sampleCpu(s: RawSample, ticks: CpuTicks | null): void {
    if (ticks === null) {
      this.prevCpu = null;
      return;
    }
    s.cpuCores = ticks.cpus;
    const prev = this.prevCpu;
    let seconds = ticks.busy / this.hz;
    if (prev !== null) {
      const idle = idleSharePercent(prev.ticks, ticks);
      const dtS = (s.monoMs - prev.monoMs) / 1000;
      if (idle !== null && dtS > 0) seconds = prev.seconds + (1 - idle / 100) * ticks.cpus * dtS;
      else if (idle === null && dtS > 0) {
        // Counters went backwards or no tick elapsed: no availcpu for this interval (cpuSeconds
        // null makes derive's rate null), and the next interval starts from this reading.
        this.prevCpu = { ticks, monoMs: s.monoMs, seconds };
        return;
      }
    }
    s.cpuSeconds = seconds;
    this.prevCpu = { ticks, monoMs: s.monoMs, seconds };
  }

  private resolveDefaults(): void {
    // A given device or interface is never null, so only the defaults are (re)resolved here.
    if (this.blockDevice === null) this.blockDevice = rootBlockDevice(this.proc, this.sys);
    if (this.netIface === null)
      this.netIface = defaultInterface(
        readTextOrNull(join(this.proc, 'net', 'route')),
        readTextOrNull(join(this.proc, 'net', 'dev')),
      );
  }
}
