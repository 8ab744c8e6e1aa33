// `foreshock runs [dir]`: an index of every results directory under dir (default: runs), one row each:
// dataset, fault type, date, config hash and the three headline numbers (src/report/runs-index.ts).
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { indexRuns } from '../../report/runs-index.ts';
import { formatTable, type TableFormat } from '../../report/table-export.ts';

interface Args {
  dir: string;
  csv: boolean;
  md: boolean;
}

/** --csv / --md / neither (aligned text): shared with `report --scoreboard`. */
export function tableFormat(args: { csv?: boolean; md?: boolean }): TableFormat {
  if (args.csv && args.md) throw new UserError('give --csv or --md, not both');
  return args.csv ? 'csv' : args.md ? 'md' : 'text';
}

export const runsCommand: CommandModule<object, Args> = {
  builder: (y) =>
    y
      .positional('dir', { type: 'string', default: 'runs', describe: 'directory to search (recursively)' })
      .option('csv', { type: 'boolean', default: false, describe: 'print CSV' })
      .option('md', { type: 'boolean', default: false, describe: 'print a Markdown table' })
      .example('$0 runs', 'every run under runs/')
      .example('$0 runs out --md', 'as a Markdown table'),
  handler: (args) => {
    const format = tableFormat(args);
    const { runs, table } = indexRuns(args.dir);
    if (runs.length === 0) throw new UserError(`${args.dir}: no results.json under it`);
    process.stdout.write(formatTable(table, format));
  },
};
