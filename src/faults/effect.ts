// The common shape of the five fault effects and the dispatch from a spec to its effect. An
// effect starts, reports notes for the marker, and stops (reverting what it did) when asked; the
// duration, signals and deadlines are handled once, in run.ts.

import { assertNever } from '../core/errors.ts';
import type { FaultSpec } from './spec.ts';
import { prepareCpuHog, startCpuHog } from './cpuhog.ts';
import { startMemLeak } from './memleak.ts';
import { prepareDiskHog, startDiskHog } from './diskhog.ts';
import { startDiskFill } from './diskfill.ts';
import { startNetLoss } from './netloss.ts';

export interface FaultContext {
  dir: string;
  id: string;
  /** One line to the fault's log (stderr of the run process). */
  log(message: string): void;
}

export interface ActiveFault {
  /** Facts for the marker, e.g. the size a diskfill chose. */
  notes: string[];
  /** Stops the effect and reverts it; safe to call once. */
  stop(): Promise<void>;
}

/**
 * An effect set up but not yet on: whatever costs CPU or memory to create (worker threads) exists
 * already, so begin() changes nothing on the host but the fault itself. Used by armed faults.
 */
export interface PreparedFault {
  begin(): Promise<ActiveFault>;
  /** Drops what prepare made, for a fault ended before it began. */
  abort(): Promise<void>;
}

export async function prepareEffect(spec: FaultSpec, ctx: FaultContext): Promise<PreparedFault> {
  if (spec.type === 'cpuhog') return prepareCpuHog(spec, ctx);
  if (spec.type === 'diskhog') return prepareDiskHog(spec, ctx);
  return { begin: () => startEffect(spec, ctx), abort: async () => undefined };
}

export function startEffect(spec: FaultSpec, ctx: FaultContext): Promise<ActiveFault> {
  switch (spec.type) {
    case 'cpuhog':
      return startCpuHog(spec, ctx);
    case 'memleak':
      return startMemLeak(spec, ctx);
    case 'diskhog':
      return startDiskHog(spec, ctx);
    case 'diskfill':
      return startDiskFill(spec, ctx);
    case 'netloss':
      return startNetLoss(spec, ctx);
    default:
      return assertNever(spec, 'fault type');
  }
}
