// Options of the synthetic generator: validation (one ConfigError line naming the option) and defaults.
//
// Defaults: a 30-minute run (durationS 1800) starting 2026-01-01T00:00:00Z; the fault starts 60 % into
// the run and lasts until 90 % of it (leaving a normal phase to train on and a recovery phase); the SLO is
// UBL's RUBiS one, mean latency >= 100 ms. The fault host default is resolved in index.ts (it needs the
// topology). MAX_ROWS bounds hosts x seconds so a typo cannot ask for tens of GB (8 Float64 columns plus
// time and host: ~84 bytes per row, so 20 M rows ~ 1.7 GB).

import { ConfigError } from '../../core/errors.ts';
import { SYNTH_FAULT_TYPES, type SynthFaultType } from './faults.ts';

export interface SynthOptions {
  /** Number of hosts, >= 2. */
  hosts: number;
  fault: SynthFaultType;
  seed: number;
  /** Run length in seconds (default 1800). */
  durationS?: number;
  /** Epoch ms of the first sample (default 1767225600000 = 2026-01-01T00:00:00Z). */
  startMs?: number;
  /** Default: a db (back-end) host chosen from the seed, among the busier ones. */
  faultHost?: string;
  /** Default: 60 % into the run. */
  faultStartS?: number;
  /** Default: until 90 % of the run (to the end of the run when it starts later than that). */
  faultDurationS?: number;
  /** SLO threshold on the per-second mean latency, ms (default 100, UBL's RUBiS SLO). */
  sloThresholdMs?: number;
  name?: string;
}

export const DEFAULT_DURATION_S = 1800;
export const DEFAULT_START_MS = 1767225600000;
export const DEFAULT_SLO_THRESHOLD_MS = 100;
const FAULT_START_FRAC = 0.6;
const FAULT_END_FRAC = 0.9;
/** Shortest run: enough for a normal phase, a fault and some recovery. */
const MIN_DURATION_S = 10;
export const MAX_ROWS = 20_000_000;

export interface ResolvedOptions {
  hosts: number;
  fault: SynthFaultType;
  seed: number;
  durationS: number;
  startMs: number;
  faultHost: string | undefined;
  faultStartS: number;
  faultEndS: number;
  sloThresholdMs: number;
  name: string;
}

function fail(option: string, problem: string): never {
  throw new ConfigError(`${option}: ${problem}`);
}

function integer(value: unknown, option: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    fail(option, `must be an integer, got ${String(value)}`);
  if (value < min) fail(option, `must be >= ${min}, got ${value}`);
  return value;
}

export function resolveOptions(opts: SynthOptions): ResolvedOptions {
  if (typeof opts !== 'object' || opts === null)
    throw new ConfigError('synthesize: options must be an object');
  const hosts = integer(opts.hosts, 'hosts', 2);
  if (!SYNTH_FAULT_TYPES.includes(opts.fault)) {
    fail('fault', `must be one of ${SYNTH_FAULT_TYPES.join(', ')}, got ${String(opts.fault)}`);
  }
  const seed = opts.seed;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed))
    fail('seed', `must be an integer, got ${String(seed)}`);
  const durationS = integer(opts.durationS ?? DEFAULT_DURATION_S, 'durationS', MIN_DURATION_S);
  if (hosts * durationS > MAX_ROWS) {
    fail('hosts', `hosts x durationS = ${hosts * durationS} rows is over the limit of ${MAX_ROWS}`);
  }
  const startMs = opts.startMs ?? DEFAULT_START_MS;
  if (typeof startMs !== 'number' || !Number.isSafeInteger(startMs) || startMs < 0) {
    fail('startMs', `must be a non-negative integer (epoch ms), got ${String(startMs)}`);
  }
  const faultStartS = integer(opts.faultStartS ?? Math.round(FAULT_START_FRAC * durationS), 'faultStartS', 0);
  if (faultStartS >= durationS) fail('faultStartS', `must be < durationS (${durationS}), got ${faultStartS}`);
  // Until 90 % of the run; a fault set to start later than that lasts to the end of the run.
  const end90 = Math.round(FAULT_END_FRAC * durationS);
  const defaultEnd = faultStartS < end90 ? end90 : durationS;
  const faultDurationS = integer(opts.faultDurationS ?? defaultEnd - faultStartS, 'faultDurationS', 1);
  if (faultStartS + faultDurationS > durationS) {
    fail(
      'faultDurationS',
      `faultStartS + faultDurationS (${faultStartS + faultDurationS}) exceeds durationS (${durationS})`,
    );
  }
  const sloThresholdMs = opts.sloThresholdMs ?? DEFAULT_SLO_THRESHOLD_MS;
  if (typeof sloThresholdMs !== 'number' || !Number.isFinite(sloThresholdMs) || sloThresholdMs <= 0) {
    fail('sloThresholdMs', `must be a positive number, got ${String(sloThresholdMs)}`);
  }
  if (opts.faultHost !== undefined && (typeof opts.faultHost !== 'string' || opts.faultHost.length === 0)) {
    fail('faultHost', `must be a host id, got ${String(opts.faultHost)}`);
  }
  if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name.trim().length === 0)) {
    fail('name', 'must be a non-empty string');
  }
  return {
    hosts,
    fault: opts.fault,
    seed,
    durationS,
    startMs,
    faultHost: opts.faultHost,
    faultStartS,
    faultEndS: faultStartS + faultDurationS,
    sloThresholdMs,
    name: opts.name ?? `synth-${opts.fault}-${hosts}h-s${seed}`,
  };
}
