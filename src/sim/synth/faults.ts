// The injected faults: their parameters (with units in the key names, recorded in manifest.faults[].params),
// their culprit metrics, and what each one does to its host in a given second (a FaultLoad for host.ts).
// tau = seconds since injection + 1 (a sample at the injection second already sees one second of fault).
// Each rate gets a +-JITTER multiplicative jitter from the seed's `fault` stream, so repeated runs with
// different seeds give a spread of onset delays.
//
// - memleak: a leaker allocates and touches memory at a linearly growing rate,
//     rate = initialRateMiBps + rampMiBps2 * tau,   leaked = initialRateMiBps tau + rampMiBps2 tau^2 / 2.
//   8 MiB/s + 0.8 MiB/s^2 needs ~75 s to take a db host (8 GiB, ~40 % free) to its reclaim low-water
//   mark; from there paging, D-state tasks and latency climb (host.ts). It takes no CPU.
// - cpuhog: busy-loop workers whose combined share of the allotment ramps by rampPctPerS per thread and
//   second (the seed's hog: +1 %/s per thread) up to maxPct.
// - diskhog: buffered writers that reach writeMiBps within rampS seconds: more than the db disk drains
//   (100 MiB/s), so dirty pages pile up until writeback throttling stalls the service's own writes
//   (~35 s later); the writers cost cpuPct of CPU and sit in D state (ioTasks).
// - diskfill: allocates disk space at fillMiBps (fallocate-like: space, hardly any data written) until
//   the disk is full; the service breaks when the ext4 reserve is reached.
// - none: no fault (a control run).

import type { Rng } from '../../core/rng.ts';
import type { FaultLoad } from './host.ts';

export type SynthFaultType = 'memleak' | 'cpuhog' | 'diskhog' | 'diskfill' | 'none';

export const SYNTH_FAULT_TYPES: readonly SynthFaultType[] = Object.freeze([
  'memleak',
  'cpuhog',
  'diskhog',
  'diskfill',
  'none',
]);

/** Metrics the fault changes directly on its host (the ground truth for metric-level localization). */
export const CULPRIT_METRICS: Record<Exclude<SynthFaultType, 'none'>, string[]> = {
  memleak: ['freemem', 'pagein', 'pageout', 'load1'],
  cpuhog: ['availcpu', 'load1'],
  // availcpu dips only a few % (the writers' own CPU), within its normal swings: not listed.
  diskhog: ['diskwrite', 'load1'],
  diskfill: ['freedisk'],
};

/** +-15 % on each rate: enough spread between seeds, never a different regime. */
const JITTER = 0.15;

export type FaultParams = Record<string, number>;

export function faultParams(type: Exclude<SynthFaultType, 'none'>, rng: Rng): FaultParams {
  const j = (x: number): number => round3(x * rng.uniform(1 - JITTER, 1 + JITTER));
  switch (type) {
    case 'memleak':
      return { initialRateMiBps: j(8), rampMiBps2: j(0.8) };
    case 'cpuhog':
      return { threads: 2, rampPctPerS: 1, maxPct: 95 };
    case 'diskhog':
      return { writeMiBps: j(130), rampS: 5, cpuPct: 8, ioTasks: 2 };
    case 'diskfill':
      return { fillMiBps: j(120) };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const p = (params: FaultParams, key: string): number => params[key] ?? 0;

/** Sets `out` to what the fault does `tau` seconds into it (tau >= 1). */
export function faultLoadAt(type: SynthFaultType, params: FaultParams, tau: number, out: FaultLoad): void {
  out.cpuPct = 0;
  out.leakMiB = 0;
  out.writeKiBps = 0;
  out.fillMiB = 0;
  out.ioTasks = 0;
  switch (type) {
    case 'memleak':
      out.leakMiB = p(params, 'initialRateMiBps') * tau + (p(params, 'rampMiBps2') * tau * tau) / 2;
      return;
    case 'cpuhog':
      out.cpuPct = Math.min(p(params, 'maxPct'), p(params, 'threads') * p(params, 'rampPctPerS') * tau);
      return;
    case 'diskhog': {
      const ramp = Math.min(1, tau / Math.max(1, p(params, 'rampS')));
      out.writeKiBps = p(params, 'writeMiBps') * 1024 * ramp;
      out.cpuPct = p(params, 'cpuPct') * ramp;
      out.ioTasks = p(params, 'ioTasks') * ramp;
      return;
    }
    case 'diskfill':
      out.fillMiB = p(params, 'fillMiBps') * tau;
      return;
    case 'none':
      return;
  }
}
