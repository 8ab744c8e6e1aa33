import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { readDataset } from '../../data/dataset-io.ts';
import { DEFAULT_SCORING, validateScoringParams, POSITIVE_RULES } from '../../eval/index.ts';
import { formatSweepRows, parseSweepParam, runSweep } from '../../runner/sweep.ts';
import { logLine, readJsonFile } from '../options.ts';

interface Args {
  dataset: string;
  train?: string;
  algorithm: string;
  param: string[];
  config?: string;
  'pending-window'?: number;
  'min-duration'?: number;
  'exclude-violated': boolean;
  positives: string;
  seed?: number;
  json: boolean;
}

export const sweepCommand: CommandModule<object, Args> = {
  command: 'sweep',
  describe:
    "Replay a dataset once per combination of a predictor's numeric parameters and print TPR/FPR per combination (ROC, sensitivity)",
  builder: (y) =>
    y
      .option('dataset', {
        type: 'string',
        demandOption: true,
        describe: 'dataset directory to replay and score',
      })
      .option('train', {
        type: 'string',
        describe: "dataset to train on (default: the dataset's normal phase, else its first 15%)",
      })
      .option('algorithm', {
        type: 'string',
        demandOption: true,
        describe: 'a predictor (see `foreshock algorithms`)',
      })
      .option('param', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'a numeric parameter and its values, <key>=<v1,v2,...>; repeat for a grid',
      })
      .option('config', {
        type: 'string',
        describe:
          'JSON file with fixed parameters of the algorithm: { <param>: value } (swept ones override)',
      })
      .option('pending-window', {
        type: 'number',
        describe: `pending window W in s (default ${DEFAULT_SCORING.pendingWindowS})`,
      })
      .option('min-duration', {
        type: 'number',
        describe: `violating seconds in a row that make an onset (default ${DEFAULT_SCORING.minDurationS})`,
      })
      .option('exclude-violated', {
        type: 'boolean',
        default: false,
        describe: 'leave samples taken while the SLO is already violated out of TP/FP/TN/FN',
      })
      .option('positives', {
        type: 'string',
        choices: POSITIVE_RULES,
        default: DEFAULT_SCORING.positives,
        describe:
          'positive label of a sample: an SLO-violation onset within W (onset, evaluation.md) or any violation second within W (violation, UBL Eq. 5 read literally)',
      })
      .option('seed', {
        type: 'number',
        describe: "seed for randomness (default: the dataset's seed, else 0)",
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the rows as a JSON array' })
      .example(
        '$0 sweep --dataset datasets/synth-memleak --algorithm ubl --param percentile=70,75,80,85,90,95,98',
        'UBL ROC points',
      )
      .example(
        '$0 sweep --dataset d --algorithm ubl --param mapSize=25,32,40 --param radius=3,4,5 --json',
        'a 3x3 grid as JSON',
      ),
  handler: (args) => {
    const params = args.param.map(parseSweepParam);
    const base = args.config ? readJsonFile(args.config, 'config') : undefined;
    if (base !== undefined && (typeof base !== 'object' || base === null || Array.isArray(base))) {
      throw new UserError(`--config ${args.config}: expected an object of parameters`);
    }
    const scoring = validateScoringParams({
      pendingWindowS: args['pending-window'] ?? DEFAULT_SCORING.pendingWindowS,
      minDurationS: args['min-duration'] ?? DEFAULT_SCORING.minDurationS,
      excludeViolated: args['exclude-violated'],
      positives: args.positives,
    });
    const test = readDataset(args.dataset);
    const train = args.train ? readDataset(args.train) : null;
    const rows = runSweep(test, train, {
      algorithm: args.algorithm,
      params,
      scoring,
      ...(base ? { base: base as Record<string, unknown> } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      log: logLine,
    });
    if (args.json) console.log(JSON.stringify(rows, null, 2));
    else for (const line of formatSweepRows(rows)) console.log(line);
  },
};
