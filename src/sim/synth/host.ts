// One host's deterministic dynamics, one step per second: how offered load, a fault and a slow callee
// turn into CPU use, memory, disk, runnable tasks and the host's own response time. No noise here (the
// observation noise is added in metrics.ts), so the culprit can be simulated twice, with and without
// its fault, to measure exactly how much slower it got (index.ts propagates that along the call graph).
//
// Service (per host): capacity C req/s at 100 % of the host's CPU allotment, chosen so that the nominal
// utilisation at BASE_RATE is the role's `util`; service time S ms per request.
//   slowdown  f   = 1 + MEM_GAIN pMem^2 + DISK_GAIN pDirty + FULL_GAIN pFull    (>= 1)
//   capacity  mu  = C * max(MIN_SHARE, 1 - hogCpu / 100) / f * (1 - stuck / pool)   req/s
//   queue     q  <- clamp(q + lambda_ok - mu, 0, mu * TIMEOUT_S)     (overflow = timed-out requests)
//   latency   ok  = S f / (1 - min(rho, RHO_CAP)) + 1000 q / mu      (M/M/1-like term + backlog), ms
// Memory (MiB): free = limit - baseUsed - MEM_PER_CONC * concurrency - leak. Below the low-water mark
//   (MEM_LOW_FRAC of the limit) reclaim starts: pMem goes 0 -> 1 as free goes low-water -> floor
//   (MEM_FLOOR_FRAC); a leak cannot push free under the floor (the leaker stalls in reclaim).
// Dirty pages (MiB): dirty <- clamp(dirty + writes - bandwidth, 0, DIRTY_RATIO * limit); pDirty goes
//   0 -> 1 from DIRTY_THROTTLE_START of the dirty limit to the limit (balance_dirty_pages throttling).
// Disk space (MiB): free = baseFree - log growth - fill; pFull goes 0 -> 1 as free goes 2x -> 1x the
//   ext4 root reserve (DISK_RESERVE_FRAC); then the role's write share of requests blocks until timeout.
// CPU busy % = 100 served / C + background + RECLAIM_CPU pMem + fault CPU + CPU_PER_WAIT waitThreads,
//   capped at 100: a slowed-down (not CPU-bound) service serves fewer requests and so uses less CPU.
// Runnable tasks (the input of load1/load5):
//   n = cores * busy% / 100 + D-state tasks + QUEUE_K * min(q, pool) + WAIT_K * waitThreads.

import type { Rng } from '../../core/rng.ts';
import type { Role } from './topology.ts';
import { BASE_RATE } from './workload.ts';

/** Requests waiting longer than this fail (the front end's upstream timeout), ms. */
export const TIMEOUT_MS = 2000;
const TIMEOUT_S = TIMEOUT_MS / 1000;
/** Cap of rho in the 1/(1 - rho) term: at most 20x the service time before the backlog takes over. */
const RHO_CAP = 0.95;
/** Share of the CPU the service keeps even under a full hog (CFS still schedules its threads). */
const MIN_SHARE = 0.05;
/** Service-time factor at full memory pressure: every request page-faults on evicted pages (x10). */
const MEM_GAIN = 9;
/** Service-time factor at full dirty throttling: commits wait behind the hog's writeback (x13). */
const DISK_GAIN = 12;
/** Service-time factor on a full disk: blocked writers hold locks that readers queue behind (x5). */
const FULL_GAIN = 4;
/** Reclaim starts when free memory falls under this share of the limit (cgroup high-water behaviour). */
const MEM_LOW_FRAC = 0.05;
/** Free memory never falls under this share of the limit: reclaim keeps it there. */
const MEM_FLOOR_FRAC = 0.01;
/** vm.dirty_ratio default: dirty page cache is capped at 20 % of memory. */
const DIRTY_RATIO = 0.2;
/** Writers are throttled from this share of the dirty limit on (between background and hard limit). */
const DIRTY_THROTTLE_START = 0.6;
/** ext4 reserves 5 % of the blocks for root: a non-root service sees ENOSPC when less is free. */
const DISK_RESERVE_FRAC = 0.05;
/** Tasks in uninterruptible sleep at full memory pressure (direct reclaim, page-in waits). */
const MEM_D_TASKS = 4;
/** Tasks in uninterruptible sleep at full dirty throttling. */
const DISK_D_TASKS = 4;
/** Share of queued requests that sit in a runnable worker (the rest wait in the listen backlog). */
const QUEUE_K = 0.05;
/** Share of threads waiting on a slow callee that count as runnable (pool spinning, retries, timers). */
const WAIT_K = 0.02;
/** CPU % per thread waiting on a slow callee (context switches, timeouts, connection churn). */
const CPU_PER_WAIT = 0.05;
/** CPU % spent in direct reclaim at full memory pressure (charged to the host's cgroup). */
const RECLAIM_CPU = 10;

interface RoleProfile {
  /** CPUs of the host's allotment (what availcpu is relative to). */
  cores: number;
  /** Nominal utilisation at BASE_RATE (before the load cycle and bursts). */
  util: number;
  /** Own service time per request, ms. */
  serviceMs: number;
  memLimitMiB: number;
  /** Share of the memory limit in use at rest (caches, buffer pool, interpreters). */
  memUsedFrac: number;
  /** MiB per in-flight request (worker / connection buffers). */
  memPerConcMiB: number;
  diskMiB: number;
  diskFreeFrac: number;
  /** Sustained write bandwidth of the host's disk, KiB/s. */
  diskKiBps: number;
  /** Background CPU (agents, cron, kernel threads), %. */
  bgCpuPct: number;
  /** Worker threads / connections. */
  pool: number;
  /** KiB written per request (access log, session files, redo log + data pages). */
  writeKiBPerReq: number;
  /** Background log writes, KiB/s (also how fast free disk shrinks). */
  logKiBps: number;
  /** Share of requests that must write to disk here (blocked when the disk is full). */
  writeShare: number;
  /** Baseline page-in / page-out rates at BASE_RATE, pages/s. */
  pageinBase: number;
  pageoutBase: number;
}

// web: Apache + PHP, small box; app: application servers; db: MariaDB with a large buffer pool, fast disk.
// The RUBiS bidding mix writes on ~9 % of the pages (rubis.md), which is the db's writeShare.
const PROFILES: Record<Role, RoleProfile> = {
  web: {
    cores: 2,
    util: 0.25,
    serviceMs: 3,
    memLimitMiB: 2048,
    memUsedFrac: 0.45,
    memPerConcMiB: 2,
    diskMiB: 10240,
    diskFreeFrac: 0.6,
    diskKiBps: 61440,
    bgCpuPct: 3,
    pool: 150,
    writeKiBPerReq: 0.3,
    logKiBps: 4,
    writeShare: 0.05,
    pageinBase: 5,
    pageoutBase: 2,
  },
  app: {
    cores: 4,
    util: 0.3,
    serviceMs: 4,
    memLimitMiB: 4096,
    memUsedFrac: 0.5,
    memPerConcMiB: 2,
    diskMiB: 10240,
    diskFreeFrac: 0.6,
    diskKiBps: 61440,
    bgCpuPct: 3,
    pool: 100,
    writeKiBPerReq: 0.2,
    logKiBps: 8,
    writeShare: 0.05,
    pageinBase: 8,
    pageoutBase: 3,
  },
  db: {
    cores: 4,
    util: 0.35,
    serviceMs: 2,
    memLimitMiB: 8192,
    memUsedFrac: 0.6,
    memPerConcMiB: 1,
    diskMiB: 20480,
    diskFreeFrac: 0.5,
    diskKiBps: 102400,
    bgCpuPct: 4,
    pool: 100,
    writeKiBPerReq: 2,
    logKiBps: 16,
    writeShare: 0.09,
    pageinBase: 30,
    pageoutBase: 10,
  },
};

export interface HostSpec extends RoleProfile {
  role: Role;
  /** Share of front-end requests passing through the host. */
  visits: number;
  /** Requests/s at 100 % of the allotment. */
  capacity: number;
  memBaseUsedMiB: number;
  diskBaseFreeMiB: number;
  /** Second (0..4) at which this host's page cache is flushed (5 s writeback period). */
  flushPhase: number;
}

/** Per-host parameters: the role's profile with per-host jitter (so hosts of one role differ). */
export function hostSpec(role: Role, visits: number, rng: Rng): HostSpec {
  const p = PROFILES[role];
  const util = p.util + rng.uniform(-0.05, 0.05);
  const memUsedFrac = p.memUsedFrac + rng.uniform(-0.05, 0.05);
  const diskFreeFrac = p.diskFreeFrac + rng.uniform(-0.1, 0.1);
  return {
    ...p,
    role,
    visits,
    util,
    serviceMs: p.serviceMs * rng.uniform(0.8, 1.2),
    capacity: (BASE_RATE * visits) / util,
    memBaseUsedMiB: p.memLimitMiB * memUsedFrac,
    diskBaseFreeMiB: p.diskMiB * diskFreeFrac,
    bgCpuPct: p.bgCpuPct * rng.uniform(0.7, 1.3),
    flushPhase: rng.int(5),
  };
}

/** What a fault does to its host this second (all zero when there is none). */
export interface FaultLoad {
  /** CPU taken by the fault's own processes, % of the allotment. */
  cpuPct: number;
  /** Memory held by a leaker, MiB (capped by what the host has). */
  leakMiB: number;
  /** Writes the fault attempts, KiB/s. */
  writeKiBps: number;
  /** Disk space the fault has allocated, MiB. */
  fillMiB: number;
  /** Fault tasks in uninterruptible sleep (writers waiting on the disk). */
  ioTasks: number;
}

export const NO_FAULT: Readonly<FaultLoad> = Object.freeze({
  cpuPct: 0,
  leakMiB: 0,
  writeKiBps: 0,
  fillMiB: 0,
  ioTasks: 0,
});

/** Mutable per-host state plus this step's outputs. */
export class HostState {
  // carried state
  queue = 0;
  dirtyMiB = 0;
  concurrency = 0;
  // outputs of the last step
  /** Mean own latency of the requests that succeeded, ms. */
  okMs = 0;
  /** Mean own latency over all requests (failed ones count at the timeout), ms. */
  latencyMs = 0;
  /** Share of this host's requests that failed (timed out or blocked). */
  errFrac = 0;
  /** Completed / offered requests this second (< 1 when the host falls behind). */
  throughput = 1;
  busyPct = 0;
  runnable = 0;
  freeMemMiB = 0;
  freeDiskMiB = 0;
  /** Bytes actually written to the disk this second, split into the service's and the fault's, KiB/s. */
  serviceWriteKiBps = 0;
  faultWriteKiBps = 0;
  /** Memory pressure 0..1 (drives paging). */
  pMem = 0;

  constructor(spec: HostSpec) {
    this.freeMemMiB = spec.memLimitMiB - spec.memBaseUsedMiB;
    this.freeDiskMiB = spec.diskBaseFreeMiB;
  }
}

const clamp01 = (x: number): number => (x <= 0 ? 0 : x >= 1 ? 1 : x);

/**
 * Advances the host by one second. `lambda` = offered requests/s, `waitThreads` = threads waiting on a
 * slow callee (Little's law, computed by the caller of this function), `t` = seconds since the run start.
 */
export function stepHost(
  spec: HostSpec,
  st: HostState,
  t: number,
  lambda: number,
  waitThreads: number,
  fault: Readonly<FaultLoad>,
): void {
  // Memory.
  const limit = spec.memLimitMiB;
  const used = spec.memBaseUsedMiB + spec.memPerConcMiB * Math.min(st.concurrency, spec.pool);
  const floor = MEM_FLOOR_FRAC * limit;
  const low = MEM_LOW_FRAC * limit;
  const leak = Math.min(Math.max(fault.leakMiB, 0), Math.max(0, limit - used - floor));
  const freeMem = limit - used - leak;
  const pMem = clamp01((low - freeMem) / (low - floor));

  // Dirty page cache and writeback.
  const serviceWriteKiB = lambda * spec.writeKiBPerReq + spec.logKiBps;
  const bandwidthMiB = spec.diskKiBps / 1024;
  const dirtyLimit = DIRTY_RATIO * limit;
  const inflowMiB = (serviceWriteKiB + fault.writeKiBps) / 1024;
  const writtenMiB = Math.min(bandwidthMiB, st.dirtyMiB + inflowMiB);
  st.dirtyMiB = Math.min(dirtyLimit, st.dirtyMiB + inflowMiB - writtenMiB);
  const pDirty = clamp01((st.dirtyMiB / dirtyLimit - DIRTY_THROTTLE_START) / (1 - DIRTY_THROTTLE_START));
  const serviceWritten = Math.min(serviceWriteKiB, writtenMiB * 1024);

  // Disk space.
  const reserve = DISK_RESERVE_FRAC * spec.diskMiB;
  const logged = (spec.logKiBps * t) / 1024;
  const freeDisk = Math.max(0, spec.diskBaseFreeMiB - logged - Math.max(0, fault.fillMiB));
  const pFull = clamp01((2 * reserve - freeDisk) / reserve);

  // Service.
  const f = 1 + MEM_GAIN * pMem * pMem + DISK_GAIN * pDirty + FULL_GAIN * pFull;
  const hangFrac = spec.writeShare * pFull;
  const stuck = Math.min(0.95 * spec.pool, lambda * hangFrac * TIMEOUT_S);
  const share = Math.max(MIN_SHARE, 1 - fault.cpuPct / 100);
  const mu = Math.max(1e-6, ((spec.capacity * share) / f) * (1 - stuck / spec.pool));
  const lambdaOk = lambda * (1 - hangFrac);
  const rho = lambdaOk / mu;
  const prevQueue = st.queue;
  let q = prevQueue + lambdaOk - mu;
  const qMax = mu * TIMEOUT_S;
  const dropped = Math.max(0, q - qMax);
  q = Math.min(Math.max(q, 0), qMax);
  st.queue = q;
  const served = Math.max(0, lambdaOk + prevQueue - q - dropped);
  const okMs = Math.min(TIMEOUT_MS, (spec.serviceMs * f) / (1 - Math.min(rho, RHO_CAP)) + (1000 * q) / mu);
  const errFrac = lambda > 0 ? Math.min(1, (dropped + lambda * hangFrac) / lambda) : 0;
  st.okMs = okMs;
  st.errFrac = errFrac;
  st.latencyMs = (1 - errFrac) * okMs + errFrac * TIMEOUT_MS;
  st.throughput = lambda > 0 ? served / lambda : 1;
  st.concurrency = (lambda * okMs) / 1000 + stuck;

  // CPU and runnable tasks.
  const busy =
    (100 * Math.min(served, spec.capacity)) / spec.capacity +
    spec.bgCpuPct +
    RECLAIM_CPU * pMem +
    fault.cpuPct +
    CPU_PER_WAIT * waitThreads;
  st.busyPct = Math.min(100, busy);
  st.runnable =
    (spec.cores * st.busyPct) / 100 +
    MEM_D_TASKS * pMem +
    DISK_D_TASKS * pDirty +
    fault.ioTasks +
    QUEUE_K * Math.min(q, spec.pool) +
    WAIT_K * waitThreads;

  st.freeMemMiB = freeMem;
  st.freeDiskMiB = freeDisk;
  st.pMem = pMem;
  st.serviceWriteKiBps = serviceWritten;
  st.faultWriteKiBps = Math.max(0, writtenMiB * 1024 - serviceWritten);
}
