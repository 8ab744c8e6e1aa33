// Observation: turns a host's deterministic state (host.ts) into the eight recorded metrics, with the
// noise a real metric agent sees. All noise comes from the host's own stream.
//
// - availcpu (%, 0..100) = 100 - busy - cron + Normal(0, 1 + 0.02 busy)   (sampling jitter grows with use)
// - freemem (MiB, >= 0)   = free - OU + Normal(0, 2): an Ornstein-Uhlenbeck wander of caches and heaps
//                           (sd MEM_OU_FRAC of the limit, time constant MEM_OU_TAU_S) plus jitter.
// - pagein / pageout (pages/s, >= 0): baseline proportional to the host's load, plus PAGEIN_THRASH /
//   PAGEOUT_THRASH x memory pressure (major faults re-reading evicted pages, reclaim write-outs); counted
//   like pgmajfault / pswpout, NOT file writes (those are diskwrite). Poisson-like noise sd sqrt(mean).
// - freedisk (MiB, >= 0) = free - temp files (|Normal(0, 0.5)| MiB).
// - load1 / load5 (tasks, >= 0): the kernel's exponential averages of the runnable+D count n, updated
//   every second as the testbed's agent does (testbed.md): L <- L e^(-1/60) + n (1 - e^(-1/60)) for
//   load1 and e^(-1/300) for load5 (both are averages of the same n, as in Linux's calc_load). The
//   instantaneous n gets Normal(0, 0.3 sqrt(n)) noise (tasks come and go within a second).
// - diskwrite (KiB/s, >= 0): SYNC_SHARE of the service's writes go out at once (fsync'd commits, O_DIRECT
//   logs), the rest sits in the page cache and is flushed every FLUSH_PERIOD_S seconds (the kernel's
//   dirty_writeback_centisecs = 500), plus the fault's writes; multiplicative noise sd 5 %.
// - cron: per-host housekeeping spikes (logrotate, backups, package checks): a Poisson process with mean
//   gap CRON_GAP_S, each 10-40 s long with +5..15 % CPU, +0.5..1.5 runnable tasks, +0.5..3 MiB/s writes
//   and +50..300 pages/s page-ins. They are not faults and do not slow the service: they exist so that
//   "the host that changed first" is not automatically the culprit.

import type { Rng } from '../../core/rng.ts';
import type { HostSpec, HostState } from './host.ts';
import { BASE_RATE } from './workload.ts';

/** The recorded metrics, in column order. */
export const SYNTH_METRICS: readonly string[] = Object.freeze([
  'availcpu',
  'freemem',
  'pagein',
  'pageout',
  'freedisk',
  'load1',
  'load5',
  'diskwrite',
]);

const MEM_OU_FRAC = 0.005;
const MEM_OU_TAU_S = 120;
const MEM_JITTER_MIB = 2;
/** Page-ins / page-outs per second at full memory pressure (~23 MiB/s and ~12 MiB/s of 4 KiB pages). */
const PAGEIN_THRASH = 6000;
const PAGEOUT_THRASH = 3000;
const E1 = Math.exp(-1 / 60);
const E5 = Math.exp(-1 / 300);
const SYNC_SHARE = 0.6;
const FLUSH_PERIOD_S = 5;
const CRON_GAP_S = 900;

export class Observer {
  private readonly ou: number;
  private readonly ouStep: number;
  private mem = 0;
  private load1 = NaN;
  private load5 = NaN;
  private deferredKiB = 0;
  private nextCron: number;
  private cronEnd = -1;
  private cronCpu = 0;
  private cronLoad = 0;
  private cronWrite = 0;
  private cronPagein = 0;
  private readonly nominalLambda: number;

  constructor(
    private readonly spec: HostSpec,
    private readonly rng: Rng,
  ) {
    const sd = MEM_OU_FRAC * spec.memLimitMiB;
    this.ou = Math.exp(-1 / MEM_OU_TAU_S);
    this.ouStep = sd * Math.sqrt(1 - this.ou * this.ou);
    this.mem = rng.normal(0, sd);
    this.nextCron = rng.exponential(CRON_GAP_S);
    this.nominalLambda = Math.max(BASE_RATE * spec.visits, 1e-9);
  }

  /** Writes the eight metrics of second `t` into `cols` (SYNTH_METRICS order) at `row`. */
  write(st: HostState, t: number, lambda: number, cols: Float64Array[], row: number): void {
    const rng = this.rng;
    const spec = this.spec;
    if (t >= this.nextCron) {
      this.cronEnd = t + rng.uniform(10, 40);
      this.cronCpu = rng.uniform(5, 15);
      this.cronLoad = rng.uniform(0.5, 1.5);
      this.cronWrite = rng.uniform(512, 3072);
      this.cronPagein = rng.uniform(50, 300);
      this.nextCron = this.cronEnd + rng.exponential(CRON_GAP_S);
    }
    const cron = t < this.cronEnd ? 1 : 0;

    const busy = st.busyPct + cron * this.cronCpu;
    const availcpu = clamp(100 - busy + rng.normal(0, 1 + 0.02 * busy), 0, 100);

    this.mem = this.mem * this.ou + rng.normal(0, this.ouStep);
    const freemem = Math.max(0, st.freeMemMiB - this.mem + rng.normal(0, MEM_JITTER_MIB));

    const loadRatio = lambda / this.nominalLambda;
    const pinMean = spec.pageinBase * loadRatio + PAGEIN_THRASH * st.pMem + cron * this.cronPagein;
    const pagein = Math.max(0, pinMean + rng.normal(0, Math.sqrt(pinMean)));
    const poutMean = spec.pageoutBase * loadRatio + PAGEOUT_THRASH * st.pMem;
    const pageout = Math.max(0, poutMean + rng.normal(0, Math.sqrt(poutMean)));

    const freedisk = Math.max(0, st.freeDiskMiB - Math.abs(rng.normal(0, 0.5)));

    const n = st.runnable + cron * this.cronLoad;
    const nObs = Math.max(0, n + rng.normal(0, 0.3 * Math.sqrt(n)));
    if (Number.isNaN(this.load1)) {
      this.load1 = n;
      this.load5 = n;
    }
    this.load1 = this.load1 * E1 + nObs * (1 - E1);
    this.load5 = this.load5 * E5 + nObs * (1 - E5);

    this.deferredKiB += (1 - SYNC_SHARE) * st.serviceWriteKiBps;
    let write = SYNC_SHARE * st.serviceWriteKiBps + st.faultWriteKiBps + cron * this.cronWrite;
    if (t % FLUSH_PERIOD_S === spec.flushPhase) {
      write += this.deferredKiB;
      this.deferredKiB = 0;
    }
    const diskwrite = Math.max(0, write * (1 + rng.normal(0, 0.05)));

    (cols[0] as Float64Array)[row] = availcpu;
    (cols[1] as Float64Array)[row] = freemem;
    (cols[2] as Float64Array)[row] = pagein;
    (cols[3] as Float64Array)[row] = pageout;
    (cols[4] as Float64Array)[row] = freedisk;
    (cols[5] as Float64Array)[row] = this.load1;
    (cols[6] as Float64Array)[row] = this.load5;
    (cols[7] as Float64Array)[row] = diskwrite;
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
