// NAB's application profiles: the cost matrix each score is computed under. The values are data, as
// in NAB (config/profiles.json at numenta/NAB@ea702d75, copied in ../shared/spec/benchmarks.md).
// NAB lists a tnWeight too, but its scorer never uses it: true negatives add 0.

export interface NabProfile {
  name: NabProfileName;
  /** Reward for the earliest possible detection in a window. */
  tpWeight: number;
  /** Penalty scale for a detection outside every window. */
  fpWeight: number;
  /** Penalty for a window with no detection. */
  fnWeight: number;
}

export const NAB_PROFILE_NAMES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;
export type NabProfileName = (typeof NAB_PROFILE_NAMES)[number];

export const NAB_PROFILES: readonly NabProfile[] = [
  { name: 'standard', tpWeight: 1.0, fpWeight: 0.11, fnWeight: 1.0 },
  { name: 'reward_low_FP_rate', tpWeight: 1.0, fpWeight: 0.22, fnWeight: 1.0 },
  { name: 'reward_low_FN_rate', tpWeight: 1.0, fpWeight: 0.11, fnWeight: 2.0 },
];

/** NAB ignores the first min(floor(0.15 N), 0.15 * 5000) rows of a file (sweeper.py). */
export const NAB_PROBATION_PERCENT = 0.15;

export function nabProbationaryLength(rows: number): number {
  return Math.min(Math.floor(NAB_PROBATION_PERCENT * rows), NAB_PROBATION_PERCENT * 5000);
}
