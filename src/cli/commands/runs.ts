// `foreshock runs [dir]`: an index of every results directory under dir (default: runs), one row each:
// dataset, fault type, date, config hash and the three headline numbers (src/report/runs-index.ts).
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { indexRuns } from '../../report/runs-index.ts';
import { formatTable } from '../../report/table-export.ts';
import { tableFormat } from '../table-format.ts';

interface Args {
  dir: string;
  csv: boolean;
  md: boolean;
}

/** --csv / --md / neither (aligned text): shared with `report --scoreboard`. */

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
