import { checkConfigKeys } from '../../algorithms/registry.ts';
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { readDataset } from '../../data/dataset-io.ts';
import { DEFAULT_SCORING } from '../../eval/index.ts';
import {
  DEFAULT_DELAY_S,
  exportRcaCase,
  formatRcaTable,
  loadRcaCases,
  loadTrainSets,
  runRca,
  type RcaCase,
  type RcaTriggerMode,
} from '../../runner/rca.ts';
import { logLine, parseList, progressLog, readJsonOption } from '../options.ts';

interface Args {
  cases?: string;
  datasets?: string[];
  export?: string;
  algorithms?: string;
  train?: string[];
  trigger: string;
  delay: number;
  'min-duration': number;
  config?: string;
  seed?: number;
  'measure-cost': boolean;
  json: boolean;
  quiet: boolean;
}

export const rcaCommand: CommandModule<object, Args> = {
  builder: (y) =>
    y
      .option('cases', {
        type: 'string',
        describe: 'directory of <case>.csv (time + <host>_<metric> columns) + <case>.truth.json pairs',
      })
      .option('datasets', {
        type: 'array',
        string: true,
        describe: 'foreshock dataset directories to use as cases too (e.g. made by `foreshock synth`)',
      })
      .option('export', {
        type: 'string',
        describe:
          'write the cases as <name>.csv + <name>.truth.json into this directory instead of evaluating',
      })
      .option('algorithms', {
        type: 'string',
        describe: 'comma list of localizers (default: every localizer; see `foreshock algorithms`)',
      })
      .option('train', {
        type: 'array',
        string: true,
        describe:
          "fault-free recordings (CSV files or directories of them, e.g. ../shared/data/nezha/normal) to train on besides each case's own pre-fault part; a case uses those that share at least half of its hosts",
      })
      .option('trigger', {
        type: 'string',
        choices: ['auto', 'slo', 'fault'],
        default: 'auto',
        describe:
          'when to localize a case: auto = at its SLO-violation onset, else at the fault start + --delay; slo = only at the onset (none = a miss); fault = at the fault start + --delay',
      })
      .option('delay', {
        type: 'number',
        default: DEFAULT_DELAY_S,
        describe: 'seconds after the fault start at which a case without an SLO onset is localized',
      })
      .option('min-duration', {
        type: 'number',
        default: DEFAULT_SCORING.minDurationS,
        describe: 'violating seconds in a row that make an SLO onset',
      })
      .option('config', {
        type: 'string',
        describe: 'JSON file or inline JSON: { "<algorithm>": { <param>: value } }',
      })
      .option('seed', {
        type: 'number',
        describe: "seed for algorithm randomness (default: each case's seed, else 0)",
      })
      .option('measure-cost', {
        type: 'boolean',
        default: false,
        describe: 'measure localize() compute time (output is then no longer reproducible)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print the full report (every case, every answer) as JSON instead of a table',
      })
      .option('quiet', {
        type: 'boolean',
        default: false,
        describe: 'no progress lines on stderr (the table or JSON still)',
      })
      .example('$0 rca --cases cases/', 'every localizer on every case in cases/')
      .example('$0 rca --cases cases/ --algorithms fchain,pal --json', 'two algorithms, JSON report')
      .example(
        '$0 rca --cases nezha-ob/ --train ../shared/data/nezha/normal --trigger fault --delay 240',
        'train on fault-free recordings too',
      )
      .example(
        '$0 rca --datasets runs/a runs/b --export cases/',
        'turn foreshock datasets into RCAEval-style cases',
      ),
  handler: (args) => {
    if (args.cases === undefined && (args.datasets ?? []).length === 0) {
      throw new UserError('give --cases <dir> and/or --datasets <dir...>');
    }
    if (!(args.delay >= 0)) throw new UserError('--delay must be a non-negative number of seconds');
    if (!(args['min-duration'] >= 0)) throw new UserError('--min-duration must be a non-negative number');
    const cases: RcaCase[] = [
      ...(args.cases !== undefined ? loadRcaCases(args.cases) : []),
      ...(args.datasets ?? []).map((dir) => {
        const dataset = readDataset(String(dir));
        if (dataset.manifest.faults.length === 0) throw new UserError(`${dir}: the dataset has no fault`);
        return { name: dataset.manifest.name, dataset };
      }),
    ];
    if (args.export !== undefined) {
      for (const c of cases) {
        const { csv } = exportRcaCase(c.dataset, args.export, c.name);
        logLine(`wrote ${csv}`);
      }
      return;
    }
    const configs = args.config ? readJsonOption(args.config, 'config') : undefined;
    checkConfigKeys(configs, `--config ${args.config}`);
    const algorithms = parseList(args.algorithms);
    const train = (args.train ?? []).length > 0 ? loadTrainSets((args.train ?? []).map(String)) : undefined;
    const report = runRca(cases, {
      ...(algorithms ? { algorithms } : {}),
      ...(configs ? { configs: configs as Record<string, unknown> } : {}),
      ...(train ? { train } : {}),
      trigger: args.trigger as RcaTriggerMode,
      delayS: args.delay,
      minDurationS: args['min-duration'],
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(args['measure-cost'] ? { clock: () => performance.now() } : {}),
      log: progressLog(args),
    });
    if (args.json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(`${cases.length} case(s)`);
      console.log(formatRcaTable(report));
    }
  },
};
