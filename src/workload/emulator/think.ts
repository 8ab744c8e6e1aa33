// Think time: how long an emulated user waits before its next request (spec rubis.md, "Client
// emulator"). Default: TPC-W's negative exponential with mean 7 s, truncated at 10x the mean
// (TPC-W clause 5.3.2.1 asks for a mean of 7 s and a maximum of at least 70 s); alternatively the
// transition table's static wait for the current state. Either is multiplied by a scale (to pack
// more load into fewer users) and by the phase's slowdown factor.

import type { Rng } from '../../core/rng.ts';
import type { TransitionTable } from './transitions.ts';

export const TPCW_MEAN_MS = 7000;
export const TPCW_MAX_FACTOR = 10;

/** RUBiS's phase slowdown factors: think times x2 in the up-ramp, x1 in the run, x3 in the down-ramp. */
export const PHASE_SLOWDOWN = { 'up-ramp': 2, run: 1, 'down-ramp': 3 } as const;
export type Phase = keyof typeof PHASE_SLOWDOWN;

export interface ThinkTimeOptions {
  mode: 'tpcw' | 'table';
  /** Mean of the exponential (tpcw mode), ms. */
  meanMs: number;
  /** Multiplies every think time (1 = as specified). */
  scale: number;
}

export const DEFAULT_THINK: ThinkTimeOptions = { mode: 'tpcw', meanMs: TPCW_MEAN_MS, scale: 1 };

export function thinkTimeMs(
  options: ThinkTimeOptions,
  rng: Rng,
  table: TransitionTable,
  state: number,
  phase: Phase,
): number {
  const base =
    options.mode === 'table'
      ? (table.waitMs[state] ?? 0)
      : Math.min(rng.exponential(options.meanMs), TPCW_MAX_FACTOR * options.meanMs);
  return base * options.scale * PHASE_SLOWDOWN[phase];
}
