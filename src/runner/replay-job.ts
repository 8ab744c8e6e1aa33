// One replay job: test dataset (+ optional train dataset) x algorithms -> results.json content.
// Shared by `foreshock replay` and `npm run experiment`. Everything in the returned object is a
// function of the datasets, the configs and the seed, so two runs serialize byte-identically;
// wall-clock cost is measured only when a clock is passed (and then reported separately).

import type { AlgorithmContext, TrainingData } from '../core/algorithm.ts';
import type { Dataset } from '../core/dataset.ts';
import { UserError } from '../core/errors.ts';
import type { AlgorithmResult, ReplayResults } from '../core/results.ts';
import { createRuleRemedy } from '../algorithms/baselines/rule-remedy.ts';
import { checkConfigKeys, getAlgorithm, listAlgorithms, resolveConfig } from '../algorithms/registry.ts';
import { hostsUnderTest } from '../core/dataset.ts';
import { DEFAULT_SCORING, evaluate, scoringBlock, type ScoringParams } from '../eval/index.ts';
import { calibrateFixModel, DEFAULT_FIX_MODEL, type FixModel } from '../sim/fix-model.ts';
import { debounceAlarms, replay, type TriggerMode } from '../sim/replay.ts';
import { chooseSplit, restrictHosts, trainingData } from '../sim/samples.ts';
import { VERSION } from '../version.ts';
import { DEFAULT_PIPELINE, type PipelineParams } from './pipeline-params.ts';

export { DEFAULT_PIPELINE, type PipelineParams };

export interface ReplayJobOptions {
  /** Algorithm names; default: every registered algorithm. */
  algorithms?: string[];
  /** Per-algorithm config overrides, by name. */
  configs?: Record<string, unknown>;
  trigger?: TriggerMode;
  scoring?: ScoringParams;
  pipeline?: PipelineParams;
  /** Perform (modeled) fixes after localizations. Default true. */
  fix?: boolean;
  /** Fix model before calibration with the datasets' measured actions. */
  fixModel?: FixModel;
  /** Seed for algorithm randomness and fix-latency draws; default: the dataset's seed, else 0. */
  seed?: number;
  /** Wall clock (ms) for cost measurement; omit for byte-reproducible results. */
  clock?: () => number;
  /**
   * Fit on exactly these samples instead of the train dataset's (or the test dataset's normal
   * phase), and score the whole test dataset: live mode's replay of its own run fits on what its
   * model was fitted on (its --train datasets' normal phases), so live and replay alarms compare.
   */
  training?: { data: TrainingData; source: string };
  log?: (line: string) => void;
}

export function runReplayJob(
  fullTest: Dataset,
  fullTrain: Dataset | null,
  opts: ReplayJobOptions = {},
): ReplayResults {
  const names = opts.algorithms ?? listAlgorithms().map((d) => d.name);
  if (names.length === 0) throw new UserError('no algorithms to run');
  const defs = names.map((n) => getAlgorithm(n));
  checkConfigKeys(opts.configs, 'config');
  const scoring = opts.scoring ?? DEFAULT_SCORING;
  const pipeline = opts.pipeline ?? DEFAULT_PIPELINE;
  // Harness hosts are not replayed unless every host is scored (evaluation.md v2 "Hosts under test").
  const replayed = hostsUnderTest(fullTest.manifest, scoring.hosts === 'all');
  if (replayed.length === 0)
    throw new UserError(`dataset ${fullTest.manifest.name}: every host is a harness host; use --hosts all`);
  const test = restrictHosts(fullTest, replayed);
  const train = fullTrain
    ? restrictHosts(fullTrain, hostsUnderTest(fullTrain.manifest, scoring.hosts === 'all'))
    : null;
  const trigger = opts.trigger ?? { kind: 'slo' };
  const seed = opts.seed ?? test.manifest.seed ?? 0;
  const log = opts.log ?? (() => {});
  if (trigger.kind === 'slo' && !test.manifest.slo) {
    log(`note: dataset ${test.manifest.name} has no SLO; localizers need --localize-at or --trigger alarm`);
  }
  const measured = [...(train?.manifest.actions ?? []), ...test.manifest.actions];
  const fixModel = calibrateFixModel(opts.fixModel ?? DEFAULT_FIX_MODEL, measured, 'the datasets');

  const split = opts.training
    ? {
        trainSource: opts.training.source,
        trainPeriod: null,
        scoredPeriod: { start: test.manifest.start, end: test.manifest.end },
      }
    : chooseSplit(test, train);
  const metrics = test.metrics.metrics;
  const training =
    opts.training?.data ?? trainingData(train ?? test, metrics, split.trainPeriod ?? { start: 0, end: 0 });
  const ctx: AlgorithmContext = {
    metrics,
    hosts: test.metrics.hosts,
    sampleIntervalMs: test.manifest.sampleIntervalMs,
    seed,
  };

  const algorithms: Record<string, AlgorithmResult> = {};
  // Predictors first: a localizer triggered by alarms needs a predictor's alarm stream.
  const ordered = [...defs].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'predictor' ? -1 : 1));
  for (const def of ordered) {
    const config = resolveConfig(def, opts.configs?.[def.name]);
    const algorithm = def.create(config, ctx);
    log(`${def.name}: training on ${training.samples.length} samples (${split.trainSource})`);
    algorithm.fit?.(training);
    const timeline = replay(test, algorithm, split.scoredPeriod, def.name, {
      trigger: def.kind === 'localizer' && trigger.kind === 'alarm' ? alarmTrigger(trigger.source) : trigger,
      sloConfirmS: pipeline.sloConfirmS,
      localizeDebounceMs: pipeline.localizeDebounceS * 1000,
      faultGraceMs: pipeline.faultGraceS * 1000,
      // An algorithm's own remedy (e.g. PREPARE's, with online validation), else the rule remedy.
      remedy: opts.fix === false ? null : (algorithm.remedy?.() ?? createRuleRemedy()),
      fixModel,
      seed,
      ...(opts.clock ? { clock: opts.clock } : {}),
      onProgress: progressLogger(def.name, log),
    });
    const scored = evaluate(test, split.scoredPeriod, timeline, scoring, {
      predicts: def.kind === 'predictor',
      localizes: true,
      fixes: opts.fix !== false,
      allFaultCases: trigger.kind === 'explicit',
    });
    const mode = algorithm.kind === 'predictor' ? algorithm.mode?.() : undefined;
    const msPerSample =
      timeline.scoreMs !== null && timeline.samplesScored > 0
        ? timeline.scoreMs / timeline.samplesScored
        : null;
    algorithms[def.name] = {
      config,
      ...(mode ? { mode } : {}),
      alarms: timeline.alarms,
      localizations: timeline.localizations,
      actions: timeline.actions,
      metrics: { ...scored, cost: { msPerSample } },
    };
    log(
      `${def.name}: ${timeline.alarms.length} alarm(s), ${timeline.localizations.length} localization(s), ` +
        `${timeline.actions.length} action(s) over ${timeline.samplesScored} samples`,
    );
  }

  /** The alarm stream that triggers localizers: `source`, else the first predictor that ran. */
  function alarmTrigger(source: string | undefined): TriggerMode {
    const from = source ?? Object.keys(algorithms).find((n) => getAlgorithm(n).kind === 'predictor');
    const result = from === undefined ? undefined : algorithms[from];
    if (from === undefined || !result) {
      throw new UserError(
        `--trigger alarm: localizers need a predictor's alarms; add one to --algorithms` +
          (source ? ` (the alarm source "${source}" did not run)` : ''),
      );
    }
    return {
      kind: 'alarm',
      source: from,
      times: debounceAlarms(result.alarms, pipeline.localizeDebounceS * 1000),
    };
  }

  // Results keep the order the user asked for, whatever order the algorithms ran in.
  const inOrder: Record<string, AlgorithmResult> = {};
  for (const def of defs) inOrder[def.name] = algorithms[def.name]!;

  return {
    foreshock: VERSION,
    dataset: test.manifest.name,
    train: train?.manifest.name ?? null,
    scoring: {
      ...scoringBlock(scoring, fullTest),
      pipeline: { ...pipeline },
      trigger,
      seed,
      trainSource: split.trainSource,
      trainPeriod: split.trainPeriod,
      scoredPeriod: split.scoredPeriod,
      fixModel: opts.fix === false ? null : fixModel,
    },
    algorithms: inOrder,
  };
}

/** Longest silence on a long replay: a progress line at least this often (issue 25: 5 s). */
export const PROGRESS_EVERY_MS = 5000;

/**
 * Progress lines for long replays only: one when PROGRESS_EVERY_MS has passed since the start or the
 * last line, and the 100 % line after any; a replay shorter than that prints none. The wall clock
 * times the lines, never the results.
 */
export function progressLogger(
  name: string,
  log: (line: string) => void,
  now: () => number = Date.now,
): (done: number, total: number) => void {
  let last = now();
  let printed = false;
  return (done, total) => {
    const t = now();
    if (t - last >= PROGRESS_EVERY_MS || (printed && done === total)) {
      log(`${name}: ${Math.round((100 * done) / total)}% (${done}/${total} samples)`);
      last = t;
      printed = true;
    }
  };
}

/** Serialization used for results.json: stable key order (construction order), 2-space indent. */
export function formatResults(results: ReplayResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}
