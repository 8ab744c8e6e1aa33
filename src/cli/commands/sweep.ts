import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { readDataset } from '../../data/dataset-io.ts';
import { formatSweepRows, parseSweepParam, runSweep } from '../../runner/sweep.ts';
import { logLine, readJsonOption } from '../options.ts';
import { scoringFromArgs, scoringOptions, type ScoringArgs } from '../scoring-options.ts';

interface Args extends ScoringArgs {
  dataset: string;
  train?: string;
  algorithm: string;
  param: string[];
  config?: string;
  seed?: number;
  json: boolean;
}

export const sweepCommand: CommandModule<object, Args> = {
  builder: (y) =>
    scoringOptions(y)
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
          'JSON file or inline JSON with fixed parameters of the algorithm: { <param>: value } (swept ones override)',
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
    const base = args.config ? readJsonOption(args.config, 'config') : undefined;
    if (base !== undefined && (typeof base !== 'object' || base === null || Array.isArray(base))) {
      throw new UserError(`--config ${args.config}: expected an object of parameters`);
    }
    const scoring = scoringFromArgs(args);
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
