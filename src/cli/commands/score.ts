import type { CommandModule } from 'yargs';
import { atomicWrite } from '../../data/dataset-io.ts';
import { readNabRows } from '../../data/import/nab.ts';
import { formatNabCsv, scoreSeries } from '../../runner/nab-score.ts';
import { logLine, overwriteOption, readJsonOption, refuseExisting, type OverwriteArgs } from '../options.ts';

interface Args extends OverwriteArgs {
  algorithm: string;
  input: string;
  'train-rows'?: number;
  config?: string;
  out: string;
}

export const scoreCommand: CommandModule<object, Args> = {
  builder: (y) =>
    overwriteOption(y, 'the CSV in --out')
      .option('algorithm', { type: 'string', demandOption: true, describe: 'a registered predictor' })
      .option('input', { type: 'string', demandOption: true, describe: 'CSV with timestamp,value columns' })
      .option('train-rows', {
        type: 'number',
        describe: "rows used for fit() (default: NAB's probationary period)",
      })
      .option('config', { type: 'string', describe: 'JSON file or inline JSON with the algorithm config' })
      .option('out', { type: 'string', demandOption: true, describe: 'output CSV' })
      .example(
        '$0 score --algorithm threshold --input ../shared/data/NAB/data/realKnownCause/nyc_taxi.csv --out nyc.csv',
        '',
      ),
  handler: (args) => {
    refuseExisting([args.out], args.overwrite);
    const rows = readNabRows(args.input);
    const config = args.config ? readJsonOption(args.config, 'config') : undefined;
    const scores = scoreSeries(rows, args.algorithm, config, args['train-rows']);
    atomicWrite(args.out, formatNabCsv(rows, scores));
    logLine(`wrote ${args.out} (${rows.length} rows)`);
  },
};
