// `--csv` / `--md` on the commands that print tables (runs, report --scoreboard).
import { UserError } from '../core/errors.ts';
import type { TableFormat } from '../report/table-export.ts';

export function tableFormat(args: { csv?: boolean; md?: boolean }): TableFormat {
  if (args.csv && args.md) throw new UserError('give --csv or --md, not both');
  return args.csv ? 'csv' : args.md ? 'md' : 'text';
}
