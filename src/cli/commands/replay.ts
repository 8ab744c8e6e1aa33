import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import type { TriggerMode } from '../../sim/replay.ts';
import {
  outputOptions,
  overwriteOption,
  parseList,
  parseTimeList,
  progressLog,
  readJsonOption,
  refuseExisting,
  type OutputArgs,
  type OverwriteArgs,
} from '../options.ts';
import { printOutcome } from '../summary.ts';
import {
  pipelineFromArgs,
  pipelineOptions,
  scoringFromArgs,
  scoringOptions,
  type PipelineArgs,
  type ScoringArgs,
} from '../scoring-options.ts';

interface Args extends ScoringArgs, PipelineArgs, OverwriteArgs, OutputArgs {
  dataset: string;
  train?: string;
  algorithms?: string;
  'localize-at'?: string;
  trigger: string;
  'alarm-source'?: string;
  config?: string;
  'fix-model'?: string;
  fix: boolean;
  'measure-cost': boolean;
  seed?: number;
  out: string;
}

export const replayCommand: CommandModule<object, Args> = {
  builder: (y) =>
    outputOptions(overwriteOption(pipelineOptions(scoringOptions(y)), '<out>/results.json'), 'the scores')
      .option('dataset', {
        type: 'string',
        demandOption: true,
        describe: 'dataset directory to replay and score',
      })
      .option('train', {
        type: 'string',
        describe: "dataset to train on (default: the dataset's normal phase, else its first 15%)",
      })
      .option('algorithms', {
        type: 'string',
        describe: 'comma list of algorithms (default: all; see `foreshock algorithms`)',
      })
      .option('trigger', {
        type: 'string',
        choices: ['slo', 'alarm'],
        default: 'slo',
        describe: "when to localize: at each SLO-violation onset, or at a predictor's alarms",
      })
      .option('alarm-source', {
        type: 'string',
        describe: 'with --trigger alarm: the predictor whose alarms trigger localizers',
      })
      .option('localize-at', {
        type: 'string',
        describe: 'localize at these times instead (comma list; epoch ms, epoch s or ISO 8601)',
      })
      .option('config', {
        type: 'string',
        describe: 'JSON file or inline JSON: { "<algorithm>": { <param>: value } }',
      })
      .option('fix-model', {
        type: 'string',
        describe: 'JSON file or inline JSON overriding the fix model (latencies per action type)',
      })
      .option('fix', {
        type: 'boolean',
        default: true,
        describe: 'model fixes after localizations (--no-fix to skip)',
      })
      .option('measure-cost', {
        type: 'boolean',
        default: false,
        describe:
          'measure ms/sample and localization compute time (results are then no longer byte-reproducible)',
      })
      .option('seed', {
        type: 'number',
        describe: "seed for randomness (default: the dataset's seed, else 0)",
      })
      .option('out', { type: 'string', demandOption: true, describe: 'output directory for results.json' })
      .example('$0 replay --dataset datasets/synth-memleak --out out/memleak', 'score every algorithm')
      .example(
        '$0 replay --dataset d --algorithms zscore --localize-at 2026-01-01T00:20:00Z --out o',
        'localize at a time',
      ),
  handler: async (args) => {
    const file = join(args.out, 'results.json');
    refuseExisting([file], args.overwrite);
    // Arrow, the algorithms and the report's helpers load when the command runs, not for --help.
    const [
      { atomicWrite, readDataset },
      { parseFixModel },
      { formatResults, runReplayJob },
      { withDatasetPath },
      { checkConfigKeys },
    ] = await Promise.all([
      import('../../data/dataset-io.ts'),
      import('../../sim/fix-model.ts'),
      import('../../runner/replay-job.ts'),
      import('../../report/index.ts'),
      import('../../algorithms/registry.ts'),
    ]);
    const test = readDataset(args.dataset);
    const train = args.train ? readDataset(args.train) : null;
    const localizeAt = parseTimeList(args['localize-at'], 'localize-at');
    if (localizeAt && args.trigger === 'alarm')
      throw new UserError('give either --localize-at or --trigger alarm, not both');
    const trigger: TriggerMode = localizeAt
      ? { kind: 'explicit', times: localizeAt }
      : args.trigger === 'alarm'
        ? { kind: 'alarm', ...(args['alarm-source'] ? { source: args['alarm-source'] } : {}) }
        : { kind: 'slo' };
    const scoring = scoringFromArgs(args);
    const pipeline = pipelineFromArgs(args);
    const configs = args.config
      ? (readJsonOption(args.config, 'config') as Record<string, unknown>)
      : undefined;
    checkConfigKeys(configs, `--config ${args.config}`);
    const fixModel = args['fix-model']
      ? parseFixModel(readJsonOption(args['fix-model'], 'fix-model'), '--fix-model')
      : undefined;
    const algorithms = parseList(args.algorithms);
    const results = runReplayJob(test, train, {
      ...(algorithms ? { algorithms } : {}),
      ...(configs ? { configs } : {}),
      trigger,
      scoring,
      pipeline,
      fix: args.fix,
      ...(fixModel ? { fixModel } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(args['measure-cost'] ? { clock: () => performance.now() } : {}),
      log: progressLog(args),
    });
    mkdirSync(args.out, { recursive: true });
    atomicWrite(file, formatResults(withDatasetPath(results, args.dataset)));
    printOutcome(results, file, args);
    if (!args.json && !args.quiet)
      (await import('../headline.ts')).printHeadline([{ results, dataset: test }]);
  },
};
