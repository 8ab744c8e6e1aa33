import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { logLine, overwriteOption, refuseExisting, type OverwriteArgs } from '../options.ts';
import type { TableFormat } from '../../report/table-export.ts';
import { tableFormat } from '../table-format.ts';

async function printScoreboard(dirs: string[], format: TableFormat): Promise<void> {
  if (dirs.length === 0) throw new UserError('give --scoreboard <dirs...>');
  // The readers (Arrow) load when the command runs, not for --help.
  const [{ findResultsDirs, readRunFile }, { scoreboardTable }, { formatTable }] = await Promise.all([
    import('../../report/run-files.ts'),
    import('../../report/scoreboard.ts'),
    import('../../report/table-export.ts'),
  ]);
  const found = [...new Set(dirs.flatMap((d) => findResultsDirs(d)))];
  if (found.length === 0) throw new UserError(`no results.json under ${dirs.join(', ')}`);
  const table = scoreboardTable(found.map((d) => readRunFile(d)));
  process.stdout.write(formatTable(table, format));
}

interface Args extends OverwriteArgs {
  scoreboard?: string[];
  csv: boolean;
  md: boolean;
  results?: string[];
  leaderboard?: string[];
  out?: string;
  dataset?: string[];
  roc?: string[];
  title?: string;
  'max-hosts': number;
  'max-metrics': number;
}

export const reportCommand: CommandModule<object, Args> = {
  builder: (y) =>
    overwriteOption(y, 'the report in --out')
      .option('results', {
        type: 'string',
        array: true,
        describe: 'results directories (or results.json files) written by `replay` or `experiment`',
      })
      .option('leaderboard', {
        type: 'string',
        array: true,
        describe:
          'leaderboard.json files written by `bench nab|smd`: adds a Benchmarks section (alone, without --results)',
      })
      .option('out', { type: 'string', describe: 'the HTML file to write (required unless --scoreboard)' })
      .option('scoreboard', {
        type: 'string',
        array: true,
        describe:
          'results directories (searched recursively): print a scoreboard, algorithm x fault type, mean ± sd over the runs, beside the papers',
      })
      .option('csv', { type: 'boolean', default: false, describe: 'with --scoreboard: print CSV' })
      .option('md', {
        type: 'boolean',
        default: false,
        describe: 'with --scoreboard: print a Markdown table',
      })
      .option('dataset', {
        type: 'string',
        array: true,
        describe:
          "dataset directories, matched to results by manifest name (default: each results file's datasetPath)",
      })
      .option('roc', {
        type: 'string',
        array: true,
        describe: 'threshold-sweep results (JSON with tpr/fpr points) to draw as ROC curves',
      })
      .option('title', { type: 'string', describe: 'report title' })
      .option('max-hosts', {
        type: 'number',
        default: 12,
        describe: 'host timelines per experiment (culprits and hosts ranked first come first)',
      })
      .option('max-metrics', { type: 'number', default: 16, describe: 'metric panels per host timeline' })
      .example('$0 report --results runs/memleak --out reports/memleak.html', 'one experiment')
      .example(
        '$0 report --results out/a out/b --dataset datasets/a datasets/b --out reports/ab.html',
        'two experiments, datasets given explicitly',
      )
      .example(
        '$0 report --leaderboard runs/nab/leaderboard.json runs/smd/leaderboard.json --out reports/bench.html',
        'benchmark leaderboards only',
      )
      .example('$0 report --scoreboard runs --md', 'scoreboard of every run under runs/, as Markdown'),
  handler: async (args) => {
    if (args.scoreboard !== undefined) return await printScoreboard(args.scoreboard, tableFormat(args));
    if (args.csv || args.md) throw new UserError('--csv and --md go with --scoreboard');
    if (args.out === undefined) throw new UserError('give --out <file.html> (or --scoreboard <dirs...>)');
    const out = args.out;
    refuseExisting([out], args.overwrite);
    // Vega and the report's modules load when the command runs, not for --help.
    const { loadExperiments, readLeaderboardFile, readRocFile, writeReport } =
      await import('../../report/index.ts');
    for (const opt of ['max-hosts', 'max-metrics'] as const) {
      if (!Number.isSafeInteger(args[opt]) || args[opt] < 1)
        throw new UserError(`--${opt} must be a positive integer, got ${args[opt]}`);
    }
    const results = args.results ?? [];
    if (results.length === 0 && (args.leaderboard ?? []).length === 0)
      throw new UserError('give --results <dir...> and/or --leaderboard <leaderboard.json...> (see --help)');
    if (results.length === 0 && (args.dataset !== undefined || args.roc !== undefined))
      throw new UserError('--dataset and --roc need --results');
    const leaderboards = (args.leaderboard ?? []).map((f) => readLeaderboardFile(f));
    const experiments = results.length > 0 ? loadExperiments(results, { datasets: args.dataset ?? [] }) : [];
    for (const e of experiments) if (e.datasetNote) logLine(`note: ${e.label}: ${e.datasetNote}`);
    const rocCurves = (args.roc ?? []).flatMap((f) => readRocFile(f));
    const written = await writeReport(experiments, out, {
      maxHosts: args['max-hosts'],
      maxMetrics: args['max-metrics'],
      ...(rocCurves.length > 0 ? { rocCurves } : {}),
      ...(args.title ? { title: args.title } : {}),
      leaderboards,
    });
    for (const w of written.warnings) logLine(`warning: ${w}`);
    console.log(
      `report: ${written.htmlFile} (${(written.bytes / 1024).toFixed(0)} KiB, ${written.charts} charts)`,
    );
    if (written.bestFile) console.log(`best model: ${written.bestFile}`);
  },
};
