// Scoring parameters of rules version 2 (../shared/spec/evaluation.md): with the dataset, they fix every
// score. They are scoring only: nothing here changes what an algorithm or the replay pipeline does
// (the pipeline's own timings, e.g. the localization debounce, are ReplayConfig's).
//
// - pendingWindowS (W): sample t is positive when an onset o has t < o <= t + W (UBL Eq. 5).
// - minDurationS: a violation run of at least this many seconds is sustained (an onset), and the SLO
//   has recovered once it holds this long.
// - recoveryGraceS: a fault episode runs from f.start to f.end + recoveryGraceS, cut at the next fault.
// - gapS: per host, alarms at most this far apart form one alarm run.
// - hosts: 'under-test' (default) scores the hosts not marked `"harness": true`; 'all' scores every host.

import { validateConfig, type ParamSpecs } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';

/** The scoring rules version these modules implement; results carry it as scoring.rules. */
export const SCORING_RULES = 2;

export type HostSelection = 'under-test' | 'all';
export const HOST_SELECTIONS: readonly HostSelection[] = ['under-test', 'all'];

export interface ScoringParams {
  /** Pending window W in seconds (UBL Eq. 5). */
  pendingWindowS: number;
  /** Sustained-run length for an onset, and hold time for a recovery, in seconds. */
  minDurationS: number;
  /** Seconds after a fault's end that still belong to its episode. */
  recoveryGraceS: number;
  /** Alarms of one host at most this many seconds apart form one alarm run. */
  gapS: number;
  /** Which hosts are scored. */
  hosts: HostSelection;
}

export const SCORING_PARAM_SPECS = {
  pendingWindowS: {
    type: 'number',
    default: 50,
    min: 0,
    doc: 'Pending window W (s): sample t is positive when an onset o satisfies t < o <= t + W.',
    source: 'UBL Eq. 5; evaluation.md v2 "Prediction" (default 50 s)',
  },
  minDurationS: {
    type: 'number',
    default: 3,
    min: 0,
    doc: 'A violation run of at least this many seconds is sustained (an onset); recovery = the SLO holds this long.',
    source: 'evaluation.md v2 "Ground truth" (default 3)',
  },
  recoveryGraceS: {
    type: 'number',
    default: 60,
    min: 0,
    doc: "A fault episode runs from the fault's start to its end + this grace, cut at the next fault's start.",
    source: 'evaluation.md v2 "Fault episode" (default 60 s)',
  },
  gapS: {
    type: 'number',
    default: 3,
    min: 0,
    doc: 'Per host, alarms at most this many seconds apart form one alarm run (a run starts at its first alarm).',
    source: 'evaluation.md v2 "Alarm runs" (default 3 s)',
  },
  hosts: {
    type: 'enum',
    values: HOST_SELECTIONS,
    default: 'under-test' as HostSelection,
    doc: 'Scored hosts: under-test = every manifest host not marked "harness": true; all = every host.',
    source: 'evaluation.md v2 "Hosts under test"',
  },
} as const satisfies ParamSpecs;

export const DEFAULT_SCORING: Readonly<ScoringParams> = Object.freeze({
  pendingWindowS: SCORING_PARAM_SPECS.pendingWindowS.default,
  minDurationS: SCORING_PARAM_SPECS.minDurationS.default,
  recoveryGraceS: SCORING_PARAM_SPECS.recoveryGraceS.default,
  gapS: SCORING_PARAM_SPECS.gapS.default,
  hosts: SCORING_PARAM_SPECS.hosts.default,
});

/**
 * Fills defaults for missing keys and rejects unknown keys, non-numbers, negative values, a zero
 * pending window (W = 0 would make every sample negative) and a zero minimum duration. Throws a ConfigError naming the key.
 */
export function validateScoringParams(raw: unknown, owner = 'scoring'): ScoringParams {
  const cfg = validateConfig(owner, SCORING_PARAM_SPECS, raw);
  if (!(cfg.pendingWindowS > 0)) {
    throw new ConfigError(`${owner}: config key "pendingWindowS" must be > 0, got ${cfg.pendingWindowS}`);
  }
  // A run of 0 seconds would count as sustained: every violation second an onset (issue 26).
  if (!(cfg.minDurationS > 0)) {
    throw new ConfigError(`${owner}: config key "minDurationS" must be > 0, got ${cfg.minDurationS}`);
  }
  return {
    pendingWindowS: cfg.pendingWindowS,
    minDurationS: cfg.minDurationS,
    recoveryGraceS: cfg.recoveryGraceS,
    gapS: cfg.gapS,
    hosts: cfg.hosts as HostSelection,
  };
}
