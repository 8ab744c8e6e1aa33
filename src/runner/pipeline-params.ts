// The replay pipeline's timings (not scoring parameters): alone, so the CLI's option table can name
// their defaults without loading the replay job and its algorithms.

/**
 * The pipeline's own timings (what the replay does, not how it is scored): changing a scoring
 * parameter never changes an alarm, a localization or an action.
 */
export interface PipelineParams {
  /** After an alarm starts a localization, alarms do not start another for this long (s). */
  localizeDebounceS: number;
  /** Violating seconds in a row that confirm an SLO violation and start a localization (trigger slo). */
  sloConfirmS: number;
  /** An action is aimed at the latest fault started before its trigger, up to this long after its end (s). */
  faultGraceS: number;
}

export const DEFAULT_PIPELINE: Readonly<PipelineParams> = Object.freeze({
  localizeDebounceS: 50,
  sloConfirmS: 3,
  faultGraceS: 60,
});
