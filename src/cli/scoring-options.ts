// The scoring options shared by `replay`, `rescore` and `sweep` (rules version 2,
// ../shared/spec/evaluation.md), and the pipeline timings of `replay` (which are not scoring).
import type { Argv } from 'yargs';
import { UserError } from '../core/errors.ts';
import { DEFAULT_SCORING, validateScoringParams, type ScoringParams } from '../eval/params.ts';
import { DEFAULT_PIPELINE, type PipelineParams } from '../runner/pipeline-params.ts';

export interface ScoringArgs {
  'pending-window'?: number;
  'min-duration'?: number;
  grace?: number;
  gap?: number;
  hosts?: string;
}

export interface PipelineArgs {
  'localize-debounce'?: number;
  'slo-confirm'?: number;
}

export function scoringOptions<T>(y: Argv<T>): Argv<T & ScoringArgs> {
  return y
    .option('pending-window', {
      type: 'number',
      describe: `pending window W in s: sample t is positive when an onset follows within W (default ${DEFAULT_SCORING.pendingWindowS})`,
    })
    .option('min-duration', {
      type: 'number',
      describe: `violation seconds in a row that make a sustained run, i.e. an onset (default ${DEFAULT_SCORING.minDurationS})`,
    })
    .option('grace', {
      type: 'number',
      describe: `seconds after a fault's end that still belong to its episode (default ${DEFAULT_SCORING.recoveryGraceS})`,
    })
    .option('gap', {
      type: 'number',
      describe: `alarms of one host at most this many s apart form one alarm run (default ${DEFAULT_SCORING.gapS})`,
    })
    .option('hosts', {
      type: 'string',
      choices: ['all', 'under-test'],
      describe: 'all: also replay and score the harness hosts (analysis, Kafka, clients); default under-test',
    }) as Argv<T & ScoringArgs>;
}

export function scoringFromArgs(args: ScoringArgs): ScoringParams {
  return validateScoringParams({
    pendingWindowS: args['pending-window'] ?? DEFAULT_SCORING.pendingWindowS,
    minDurationS: args['min-duration'] ?? DEFAULT_SCORING.minDurationS,
    recoveryGraceS: args.grace ?? DEFAULT_SCORING.recoveryGraceS,
    gapS: args.gap ?? DEFAULT_SCORING.gapS,
    hosts: args.hosts ?? DEFAULT_SCORING.hosts,
  });
}

export function pipelineOptions<T>(y: Argv<T>): Argv<T & PipelineArgs> {
  return y
    .option('localize-debounce', {
      type: 'number',
      describe: `with --trigger alarm: after an alarm starts a localization, alarms start none for this many s (default ${DEFAULT_PIPELINE.localizeDebounceS}; not a scoring parameter)`,
    })
    .option('slo-confirm', {
      type: 'number',
      describe: `with --trigger slo: violation seconds in a row that start a localization (default ${DEFAULT_PIPELINE.sloConfirmS}; not a scoring parameter)`,
    }) as Argv<T & PipelineArgs>;
}

export function pipelineFromArgs(args: PipelineArgs): PipelineParams {
  const check = (v: number | undefined, flag: string, dflt: number): number => {
    const x = v ?? dflt;
    if (!(Number.isFinite(x) && x >= 0)) throw new UserError(`--${flag} must be a number >= 0, got ${v}`);
    return x;
  };
  return {
    localizeDebounceS: check(
      args['localize-debounce'],
      'localize-debounce',
      DEFAULT_PIPELINE.localizeDebounceS,
    ),
    sloConfirmS: check(args['slo-confirm'], 'slo-confirm', DEFAULT_PIPELINE.sloConfirmS),
    faultGraceS: DEFAULT_PIPELINE.faultGraceS,
  };
}
