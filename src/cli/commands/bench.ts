import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { atomicWrite } from '../../data/dataset-io.ts';
import { isFile } from '../../data/import/common.ts';
import {
  nabLeaderboard,
  smdLeaderboard,
  textTable,
  type NabLeaderboard,
  type SmdLeaderboard,
} from '../../benchmarks/leaderboard.ts';
import { NAB_OPTIMIZERS, type NabOptimizer } from '../../benchmarks/nab/optimizer.ts';
import { findWindowsFile, readResultsDir, readWindowsFile } from '../../benchmarks/nab/results-io.ts';
import { openNabCorpus, runNab } from '../../benchmarks/nab/runner.ts';
import {
  scoreNab,
  thresholdsFor,
  type NabScoreOptions,
  type NabScoreReport,
} from '../../benchmarks/nab/score.ts';
import { runSmd } from '../../benchmarks/smd/runner.ts';
import { writeBenchmarksReport } from '../../report/index.ts';
import { logLine, parseList, readJsonFile, readJsonOption } from '../options.ts';

/** The streaming detectors written for the benchmarks (the default set for NAB). */
export const BENCH_DEFAULT_ALGORITHMS = ['windowed-gaussian', 'mp-discord', 'likelihood-ensemble'];
/**
 * SMD default: the fast ones. The matrix-profile detectors cost O(history) per value and metric; on
 * SMD (38 metrics, 47k rows per machine) run them with a shorter history, e.g. --config with
 * { "likelihood-ensemble": { "history": 1024 } } (docs/benchmarks.md).
 */
export const SMD_DEFAULT_ALGORITHMS = ['threshold', 'windowed-gaussian'];

interface Args {
  benchmark: 'nab' | 'smd';
  data?: string;
  algorithms?: string;
  config?: string;
  out?: string;
  json?: boolean;
  'score-only'?: string;
  labels?: string;
  optimizer: NabOptimizer;
  thresholds?: string;
  machines?: string;
  'max-rows'?: number;
  seed?: number;
}

export const benchCommand: CommandModule<object, Args> = {
  builder: (y) =>
    y
      .positional('benchmark', {
        choices: ['nab', 'smd'] as const,
        demandOption: true,
        describe: 'which benchmark',
      })
      .option('data', {
        type: 'string',
        describe: 'nab: the NAB root (data/, labels/); smd: a directory in SMD layout',
      })
      .option('algorithms', {
        type: 'string',
        describe: `predictors to run, comma-separated (default nab: ${BENCH_DEFAULT_ALGORITHMS.join(',')}; smd: ${SMD_DEFAULT_ALGORITHMS.join(',')})`,
      })
      .option('config', {
        type: 'string',
        describe: 'JSON file or inline JSON with per-algorithm configs: { "<name>": { ... } }',
      })
      .option('out', {
        type: 'string',
        describe:
          'nab: results directory in NAB layout (default runs/nab); smd: directory for the leaderboard (default runs/smd). Both get leaderboard.json and leaderboard.html',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object on stdout' })
      .option('score-only', {
        type: 'string',
        describe: 'nab: score existing outputs, <results>/<detector> in NAB layout (plain or gzipped CSVs)',
      })
      .option('labels', {
        type: 'string',
        describe: 'nab: anomaly windows JSON (default: labels/combined_windows.json above the data)',
      })
      .option('optimizer', {
        choices: NAB_OPTIMIZERS,
        default: 'local' as NabOptimizer,
        describe: "nab: threshold search; local = NAB's published procedure, sweep = every distinct score",
      })
      .option('thresholds', {
        type: 'string',
        describe: 'nab: score at the thresholds in a NAB config/thresholds.json instead',
      })
      .option('machines', {
        type: 'string',
        describe: 'smd: machines, comma-separated (default: all with train/ and test/)',
      })
      .option('max-rows', {
        type: 'number',
        describe: 'smd: only the first n rows of train and test (quick runs)',
      })
      .option('seed', { type: 'number', describe: 'smd: seed for algorithm randomness (default 0)' })
      .example('$0 bench nab --score-only ../shared/data/NAB/results/numenta --json', '')
      .example('$0 bench nab --data ../shared/data/NAB --algorithms likelihood-ensemble --out runs/nab', '')
      .example('$0 bench smd --data ../shared/data/SMD --algorithms windowed-gaussian --json', ''),
  handler: async (args) => {
    if (args.benchmark === 'nab') await benchNab(args);
    else await benchSmd(args);
  },
};

function configs(args: Args): Record<string, unknown> {
  if (!args.config) return {};
  const c = readJsonOption(args.config, 'config');
  if (typeof c !== 'object' || c === null || Array.isArray(c)) {
    throw new UserError('--config: expected an object { "<algorithm>": { ... } }');
  }
  return c as Record<string, unknown>;
}

function scoreOptions(args: Args, detector: string): NabScoreOptions {
  const opts: NabScoreOptions = { optimizer: args.optimizer };
  if (args.thresholds)
    opts.thresholds = thresholdsFor(readJsonFile(args.thresholds, 'thresholds'), detector, args.thresholds);
  return opts;
}

/**
 * Writes <out>/leaderboard.json and, from the same object, <out>/leaderboard.html (a report with only
 * the Benchmarks section, built by the report library). Returns the HTML file's path.
 */
async function writeLeaderboard(out: string, board: NabLeaderboard | SmdLeaderboard): Promise<string> {
  mkdirSync(out, { recursive: true });
  const json = path.join(out, 'leaderboard.json');
  atomicWrite(json, `${JSON.stringify(board, null, 2)}\n`);
  const page = await writeBenchmarksReport([{ label: json, board }], path.join(out, 'leaderboard.html'));
  for (const w of page.warnings) logLine(`warning: ${w}`);
  return page.htmlFile;
}

async function benchNab(args: Args): Promise<void> {
  if (args['score-only'] !== undefined) {
    const dir = args['score-only'];
    const windowsFile =
      args.labels ?? findWindowsFile(dir) ?? (args.data ? findWindowsFile(args.data) : undefined);
    if (!windowsFile || !isFile(windowsFile)) {
      throw new UserError(`${dir}: no labels/combined_windows.json found above it; give --labels`);
    }
    const { detector, files } = readResultsDir(dir);
    const report = scoreNab(detector, files, readWindowsFile(windowsFile), scoreOptions(args, detector));
    if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${nabTable([report], [null])}\n`);
    return;
  }
  if (!args.data) throw new UserError('bench nab needs --data <NAB root> (or --score-only <results dir>)');
  const corpus = openNabCorpus(args.data, args.labels);
  const algorithms = parseList(args.algorithms) ?? BENCH_DEFAULT_ALGORITHMS;
  const cfg = configs(args);
  const out = args.out ?? path.join('runs', 'nab');
  const reports: NabScoreReport[] = [];
  const times: (number | null)[] = [];
  for (const algorithm of algorithms) {
    logLine(`NAB: ${algorithm} over ${corpus.keys.length} files ...`);
    const r = runNab(corpus, algorithm, {
      config: cfg[algorithm],
      outDir: out,
      score: scoreOptions(args, algorithm),
      log: logLine,
      clock: () => performance.now(),
    });
    reports.push(r.report);
    times.push(r.runMs);
    logLine(`  wrote ${r.resultsDir}; ${r.rows} rows in ${((r.runMs ?? 0) / 1000).toFixed(1)} s`);
  }
  const board = nabLeaderboard(reports, args.optimizer);
  const page = await writeLeaderboard(out, board);
  atomicWrite(path.join(out, 'scores.json'), `${JSON.stringify(reports, null, 2)}\n`);
  logLine(`wrote ${path.join(out, 'leaderboard.json')} and scores.json`);
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ detectors: reports, runMs: times, leaderboard: board }, null, 2)}\n`,
    );
    logLine(`leaderboard: ${page}`);
  } else {
    process.stdout.write(
      `${nabTable(reports, times)}\n\n${leaderboardTable(board)}\n\nleaderboard: ${page}\n`,
    );
  }
}

function nabTable(reports: NabScoreReport[], times: (number | null)[]): string {
  const rows = [
    ['detector', 'threshold rule', 'standard', 'low FP', 'low FN', 'windows hit', 'FP rows', 'run s'],
  ];
  reports.forEach((r, i) => {
    const p = r.profiles;
    const t = times[i];
    rows.push([
      r.detector,
      r.thresholdRule,
      p.standard.score.toFixed(3),
      p.reward_low_FP_rate.score.toFixed(3),
      p.reward_low_FN_rate.score.toFixed(3),
      `${p.standard.detectedWindows}/${r.corpus.windows}`,
      String(p.standard.falsePositives),
      t === null || t === undefined ? '-' : (t / 1000).toFixed(1),
    ]);
    if (r.thresholdRule !== 'sweep') {
      const s = r.byOptimizer.sweep;
      rows.push([
        '',
        'sweep',
        s.standard.score.toFixed(3),
        s.reward_low_FP_rate.score.toFixed(3),
        s.reward_low_FN_rate.score.toFixed(3),
        `${s.standard.detectedWindows}/${r.corpus.windows}`,
        String(s.standard.falsePositives),
        '',
      ]);
    }
  });
  return textTable(rows);
}

function leaderboardTable(board: NabLeaderboard): string {
  const rows = [['NAB leaderboard', 'standard', 'low FP', 'low FN']];
  for (const e of board.entries) {
    rows.push([
      e.origin === 'foreshock' ? `* ${e.name}` : `  ${e.name}`,
      e.standard.toFixed(1),
      e.reward_low_FP_rate.toFixed(1),
      e.reward_low_FN_rate.toFixed(1),
    ]);
  }
  return `${textTable(rows)}\n(* = foreshock, ${board.entries.find((e) => e.origin === 'foreshock')?.thresholdRule ?? ''} threshold search; published: ${board.publishedSource})`;
}

async function benchSmd(args: Args): Promise<void> {
  if (!args.data) throw new UserError('bench smd needs --data <directory in SMD layout>');
  const maxRows = args['max-rows'];
  if (maxRows !== undefined && (!Number.isInteger(maxRows) || maxRows < 2)) {
    throw new UserError(`--max-rows must be an integer >= 2, got ${maxRows}`);
  }
  const algorithms = parseList(args.algorithms) ?? SMD_DEFAULT_ALGORITHMS;
  const { machines, summaries } = runSmd(args.data, {
    algorithms,
    machines: parseList(args.machines),
    configs: configs(args),
    maxRows,
    seed: args.seed,
    log: logLine,
    clock: () => performance.now(),
  });
  const board = smdLeaderboard(summaries, machines);
  const page = await writeLeaderboard(args.out ?? path.join('runs', 'smd'), board);
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ machines, detectors: summaries, leaderboard: board }, null, 2)}\n`,
    );
    logLine(`leaderboard: ${page}`);
    return;
  }
  const rows = [['detector', 'machine', 'F1', 'F1 (point-adj.)', 'HitRate@100%', 'HitRate@150%', 'run s']];
  const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
  for (const s of summaries) {
    for (const m of s.machines) {
      rows.push([
        s.algorithm,
        m.machine,
        f(m.f1.f1),
        f(m.f1PointAdjusted.f1),
        f(m.hitRate.all.p100),
        f(m.hitRate.all.p150),
        m.runMs === null ? '-' : (m.runMs / 1000).toFixed(1),
      ]);
    }
    rows.push([
      s.algorithm,
      'mean',
      f(s.mean.f1),
      f(s.mean.f1PointAdjusted),
      f(s.mean.hitRate100),
      f(s.mean.hitRate150),
      '',
    ]);
  }
  process.stdout.write(`${textTable(rows)}\n\n${board.caveat}\n\nleaderboard: ${page}\n`);
}
