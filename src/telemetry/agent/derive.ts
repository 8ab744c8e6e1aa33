// Pure arithmetic of the agent: counters -> rates, the kernel's load average, availcpu, freemem.
// No I/O and no clock here, so every formula is unit-tested on hand-computed values.

import type { HostMetrics, RawSample } from './types.ts';

const MIB = 1024 * 1024;
const KIB = 1024;

/**
 * Per-second rate of a cumulative counter between two readings. Null when either reading is
 * missing, dt is not positive, or the counter went backwards (a reset, or a process of the group
 * exited and took its counts with it): one null beats one absurd negative rate.
 */
export function counterRate(prev: number | null, cur: number | null, dtS: number): number | null {
  if (prev === null || cur === null || !(dtS > 0)) return null;
  const d = cur - prev;
  return d < 0 ? null : d / dtS;
}

/**
 * CPU left of the allotment, % (0-100): `100 * (1 - (dCpuSeconds / dt) / cores)` (testbed.md,
 * availcpu). Clamped to [0, 100]: tick rounding can make a saturated host read slightly over.
 */
export function availCpuPercent(
  prevCpuS: number | null,
  curCpuS: number | null,
  dtS: number,
  cores: number | null,
): number | null {
  const used = counterRate(prevCpuS, curCpuS, dtS);
  if (used === null || cores === null || !(cores > 0)) return null;
  return Math.min(100, Math.max(0, 100 * (1 - used / cores)));
}

/** Memory left under the limit, MiB; 0 when usage exceeds the limit (never negative). */
export function freeMemMiB(usedBytes: number | null, limitBytes: number | null): number | null {
  if (usedBytes === null || limitBytes === null) return null;
  return Math.max(0, limitBytes - usedBytes) / MIB;
}

/**
 * One step of the kernel's exponentially damped load average (testbed.md, load1/load5):
 * `L' = L * e^(-dt/window) + n * (1 - e^(-dt/window))`, with `n` the R+D task count now. The
 * kernel steps every 5 s in fixed point; stepping every dt in floating point has the same
 * continuous-time behaviour. `prev` null starts the average at `n` (see docs/telemetry.md, Agent).
 */
export function loadStep(prev: number | null, n: number, dtS: number, windowS: number): number {
  if (prev === null) return n;
  const decay = Math.exp(-dtS / windowS);
  return prev * decay + n * (1 - decay);
}

/**
 * The load averages a host carries from one interval to the next. `raw1`/`raw5` are the kernel's
 * averages started at 0 when the agent started, `ageS` the seconds since; the published load1/load5
 * divide the raw average by its weight so far, `1 - e^(-ageS/window)` (a bias-corrected start). A
 * kernel's load5 on a host that has been up for long is the damped mean of the counts; our
 * agents start with the run, and an average started at the first count decays from whatever that
 * count was (a start-up blip: 1.0) for the first ~15 minutes of every recording, a trend that no
 * normal phase has. Corrected, the average is the damped mean of what was seen from the start.
 */
export interface LoadState {
  load1: number | null;
  load5: number | null;
  raw1: number;
  raw5: number;
  ageS: number;
}

export const INITIAL_LOAD: LoadState = { load1: null, load5: null, raw1: 0, raw5: 0, ageS: 0 };

/** The next load state after `dtS` seconds with `n` tasks R or D now. */
export function nextLoad(load: LoadState, n: number, dtS: number): LoadState {
  // Without a positive dt (the first interval) there is nothing to average yet: publish n.
  if (!(dtS > 0)) return { ...load, load1: load.load1 ?? n, load5: load.load5 ?? n };
  const ageS = load.ageS + dtS;
  const raw1 = loadStep(load.raw1, n, dtS, 60);
  const raw5 = loadStep(load.raw5, n, dtS, 300);
  return {
    raw1,
    raw5,
    ageS,
    load1: raw1 / (1 - Math.exp(-ageS / 60)),
    load5: raw5 / (1 - Math.exp(-ageS / 300)),
  };
}

/**
 * The published metrics of one interval from the previous and current raw samples (`prev`
 * undefined on the first interval: rates are then null) and the carried load state.
 */
export function deriveMetrics(
  prev: RawSample | undefined,
  cur: RawSample,
  load: LoadState,
): { metrics: HostMetrics; load: LoadState } {
  const dtS = prev ? (cur.monoMs - prev.monoMs) / 1000 : 0;
  const rate = (pick: (s: RawSample) => number | null, scale = 1): number | null => {
    if (!prev) return null;
    const r = counterRate(pick(prev), pick(cur), dtS);
    return r === null ? null : r / scale;
  };
  let next: LoadState = load;
  const n = cur.runnableTasks;
  if (n !== null) next = nextLoad(load, n, dtS);
  const metrics: HostMetrics = {
    availcpu: prev ? availCpuPercent(prev.cpuSeconds, cur.cpuSeconds, dtS, cur.cpuCores) : null,
    freemem: freeMemMiB(cur.memUsedBytes, cur.memLimitBytes),
    pagein: rate((s) => s.pageinCount),
    pageout: rate((s) => s.pageoutCount),
    majfault: rate((s) => s.majfaultCount),
    freedisk: cur.freeDiskBytes === null ? null : cur.freeDiskBytes / MIB,
    load1: cur.kernelLoad ? cur.kernelLoad.load1 : cur.runnableTasks === null ? null : next.load1,
    load5: cur.kernelLoad ? cur.kernelLoad.load5 : cur.runnableTasks === null ? null : next.load5,
    diskread: rate((s) => s.diskReadBytes, KIB),
    diskwrite: rate((s) => s.diskWriteBytes, KIB),
    netin: rate((s) => s.netInBytes, KIB),
    netout: rate((s) => s.netOutBytes, KIB),
    cpu_pressure: cur.cpuPressure,
    mem_pressure: cur.memPressure,
    io_pressure: cur.ioPressure,
  };
  return { metrics, load: next };
}
