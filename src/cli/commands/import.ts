import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import type { Dataset } from '../../core/dataset.ts';
import { writeDataset } from '../../data/dataset-io.ts';
import { importCsv } from '../../data/import/csv.ts';
import { isDirectory } from '../../data/import/common.ts';
import { importNab, importNabDirectory } from '../../data/import/nab.ts';
import { importSeed } from '../../data/import/seed.ts';
import { importSmd, listSmdMachines } from '../../data/import/smd.ts';
import { logLine, overwriteOption, refuseNonEmptyDir, type OverwriteArgs } from '../options.ts';

interface Args extends OverwriteArgs {
  format: string;
  input: string;
  out: string;
  truth?: string;
  labels?: string;
  machine?: string;
  'slo-threshold'?: number;
}

function write(dir: string, dataset: Dataset): void {
  writeDataset(dir, dataset);
  const rows = dataset.metrics.time.length;
  logLine(
    `wrote ${dir} (${rows} rows, ${dataset.manifest.hosts.length} host(s), ${dataset.manifest.faults.length} fault(s))`,
  );
}

export const importCommand: CommandModule<object, Args> = {
  builder: (y) =>
    overwriteOption(y, 'what --out holds')
      .positional('format', {
        choices: ['nab', 'smd', 'csv', 'seed'] as const,
        demandOption: true,
        describe: 'input format',
      })
      .positional('input', {
        type: 'string',
        demandOption: true,
        describe:
          'nab: a CSV or the NAB root; smd: a directory in SMD layout; csv: a wide CSV; seed: a JSON-lines trace',
      })
      .option('out', {
        type: 'string',
        demandOption: true,
        describe: 'output dataset directory (a parent directory for many)',
      })
      .option('truth', {
        type: 'string',
        describe: 'csv: truth JSON (faults, optional slo column/threshold, edges)',
      })
      .option('labels', {
        type: 'string',
        describe: "nab: combined_windows.json (default: found from the CSV's path)",
      })
      .option('machine', {
        type: 'string',
        describe: 'smd: import only this machine (default: every machine with train and test)',
      })
      .option('slo-threshold', {
        type: 'number',
        describe: "seed: SLO threshold on mean latency in ms (default 70, the seed project's)",
      })
      .example('$0 import nab ../shared/data/NAB --out datasets/nab', 'all 58 NAB series, one dataset each')
      .example(
        '$0 import smd ../shared/data/SMD --machine machine-1-6 --out datasets/smd',
        '<out>/<machine>/{train,test}',
      )
      .example(
        '$0 import seed ../shared/data/seed-traces/TestingData.txt --out datasets/seed-test',
        'a seed trace',
      ),
  handler: (args) => {
    refuseNonEmptyDir(args.out, args.overwrite);
    const warn = (msg: string): void => logLine(`warning: ${msg}`);
    switch (args.format) {
      case 'nab':
        if (isDirectory(args.input)) {
          const all = importNabDirectory(args.input, { onWarning: warn });
          for (const { relPath, dataset } of all)
            write(join(args.out, relPath.replace(/\.csv$/, '')), dataset);
        } else {
          write(
            args.out,
            importNab(args.input, { ...(args.labels ? { labelsPath: args.labels } : {}), onWarning: warn }),
          );
        }
        return;
      case 'smd': {
        const machines = args.machine ? [args.machine] : listSmdMachines(args.input);
        if (machines.length === 0)
          throw new UserError(`${args.input}: no machine has both train/ and test/ files`);
        for (const m of machines) {
          const { train, test } = importSmd(args.input, m);
          write(join(args.out, m, 'train'), train);
          write(join(args.out, m, 'test'), test);
        }
        return;
      }
      case 'csv':
        write(args.out, importCsv(args.input, args.truth));
        return;
      case 'seed':
        write(
          args.out,
          importSeed(args.input, {
            ...(args['slo-threshold'] !== undefined ? { thresholdMs: args['slo-threshold'] } : {}),
            onWarning: warn,
          }),
        );
        return;
    }
  },
};
