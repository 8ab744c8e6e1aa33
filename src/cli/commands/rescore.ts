import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import {
  outputOptions,
  overwriteOption,
  refuseExisting,
  type OutputArgs,
  type OverwriteArgs,
} from '../options.ts';
import { scoringFromArgs, scoringOptions, type ScoringArgs } from '../scoring-options.ts';
import { printOutcome } from '../summary.ts';

interface Args extends ScoringArgs, OverwriteArgs, OutputArgs {
  results: string;
  dataset: string;
  train?: string;
  out: string;
}

export const rescoreCommand: CommandModule<object, Args> = {
  builder: (y) =>
    outputOptions(overwriteOption(scoringOptions(y), '<out>/results.json'), 'the scores')
      .option('results', {
        type: 'string',
        demandOption: true,
        describe: 'results directory (or results.json) written by `replay` or `experiment`',
      })
      .option('dataset', {
        type: 'string',
        demandOption: true,
        describe: 'the dataset the results were replayed on',
      })
      .option('train', {
        type: 'string',
        describe:
          'the --train dataset the replay used (checked against the scored period the results record)',
      })
      .option('hosts', {
        type: 'string',
        describe:
          'the host selection the results were replayed with (default: theirs); it decides what was replayed, so it cannot change here',
      })
      .option('out', { type: 'string', demandOption: true, describe: 'output directory for results.json' })
      .example(
        '$0 rescore --results out/cpuhog-1 --dataset datasets/testbed/cpuhog-1 --pending-window 30 --out out/w30',
        'the same alarms under W = 30 s',
      ),
  handler: async (args) => {
    const file = join(args.out, 'results.json');
    refuseExisting([file], args.overwrite);
    // Arrow, the scorer and the report's helpers load when the command runs, not for --help.
    const [
      { atomicWrite, readDataset },
      { readResults, withDatasetPath },
      { formatResults },
      { rescoreResults },
    ] = await Promise.all([
      import('../../data/dataset-io.ts'),
      import('../../report/index.ts'),
      import('../../runner/replay-job.ts'),
      import('../../runner/rescore.ts'),
    ]);
    const { results } = readResults(args.results, { recordsOnly: true });
    const test = readDataset(args.dataset);
    const train = args.train ? readDataset(args.train) : null;
    // Without --hosts, the host selection the results were replayed with (it decides what was replayed).
    const stored = (results.scoring as { hosts?: unknown } | undefined)?.hosts;
    const hosts = args.hosts ?? (stored === 'all' || stored === 'under-test' ? stored : undefined);
    const scoring = scoringFromArgs({ ...args, ...(hosts !== undefined ? { hosts } : {}) });
    const rescored = rescoreResults(results, test, train, scoring);
    mkdirSync(args.out, { recursive: true });
    atomicWrite(file, formatResults(withDatasetPath(rescored, args.dataset)));
    printOutcome(rescored, file, args);
  },
};
