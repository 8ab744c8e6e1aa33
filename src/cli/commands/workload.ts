import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { defaultDataDir, MIXES, parseMix } from '../../workload/data-files.ts';
import { DEFAULT_SCALE } from '../../workload/db/datagen.ts';
import type { MariaDbTarget } from '../../workload/db/mariadb.ts';
import { TPCW_MEAN_MS } from '../../workload/emulator/think.ts';
import { DEFAULT_DURATION_S, DEFAULT_USERS, runWorkload, type WorkloadReport } from '../../workload/run.ts';
import type { StackKind } from '../../workload/stack.ts';
import { DEFAULT_SLO_MS } from '../../workload/summary.ts';
import { logLine } from '../options.ts';

interface RunArgs {
  stack: string;
  users: number;
  mix: string;
  duration: number;
  'ramp-up': number;
  'ramp-down': number;
  scale: number;
  seed: number;
  think: string;
  'think-mean': number;
  'think-scale': number;
  slo: number;
  data?: string;
  transitions?: string;
  mariadb?: string;
  'mariadb-user': string;
  'mariadb-password': string;
  'mariadb-database': string;
  json: boolean;
}

function parseHostPort(text: string): { host: string; port: number } {
  const m = /^([^:]+):(\d+)$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new UserError(`--mariadb must be host:port, got "${text}"`);
  return { host: m[1]!, port };
}

function printReport(r: WorkloadReport): void {
  const l = r.latencyMs;
  console.log(
    `${r.requests} requests in ${r.durationS} s (${r.rps} req/s), ${r.errors} errors; ` +
      `latency p50 ${l.p50} ms, p95 ${l.p95} ms, max ${l.max} ms; ` +
      `SLO ${r.slo.thresholdMs} ms: ${r.slo.violatingSeconds}/${r.slo.seconds} s violating (mean latency per second)`,
  );
  const mix = Object.entries(r.mix)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(`mix (${r.mixName}): ${mix}`);
}

const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Start the RUBiS web and database tiers and emulated clients, run, stop everything, summarise',
  builder: (y) =>
    y
      .option('stack', {
        type: 'string',
        default: 'embedded',
        describe: `embedded (SQLite database-tier process) or mariadb (a private MariaDB server, or --mariadb)`,
      })
      .option('users', {
        type: 'number',
        default: DEFAULT_USERS,
        describe: 'emulated users (sessions) on this client',
      })
      .option('mix', {
        type: 'string',
        default: 'bidding',
        describe: `transition mix: ${Object.keys(MIXES).join(' | ')}`,
      })
      .option('duration', {
        type: 'number',
        default: DEFAULT_DURATION_S,
        describe: 'measured run phase, seconds',
      })
      .option('ramp-up', {
        type: 'number',
        default: 0,
        describe: 'up-ramp before the run phase, s (think times x2)',
      })
      .option('ramp-down', {
        type: 'number',
        default: 0,
        describe: 'down-ramp after the run phase, s (think times x3)',
      })
      .option('scale', {
        type: 'number',
        default: DEFAULT_SCALE,
        describe: "database size as a share of RUBiS's default (1 = 1M users, 500k old items)",
      })
      .option('seed', { type: 'number', default: 1, describe: 'seed for the database and the clients' })
      .option('think', {
        type: 'string',
        default: 'tpcw',
        describe: 'think time: tpcw (exponential) or table (static waits)',
      })
      .option('think-mean', {
        type: 'number',
        default: TPCW_MEAN_MS / 1000,
        describe: 'mean think time, s (tpcw)',
      })
      .option('think-scale', { type: 'number', default: 1, describe: 'multiplies every think time' })
      .option('slo', { type: 'number', default: DEFAULT_SLO_MS, describe: 'SLO threshold per request, ms' })
      .option('data', {
        type: 'string',
        describe: 'RUBiS data directory (default: the copy shipped in data/rubis)',
      })
      .option('transitions', {
        type: 'string',
        describe: 'a transition-table file to use instead of the mix',
      })
      .option('mariadb', {
        type: 'string',
        describe: 'with --stack mariadb: a running server host:port (its database is recreated)',
      })
      .option('mariadb-user', { type: 'string', default: 'root' })
      .option('mariadb-password', { type: 'string', default: '' })
      .option('mariadb-database', { type: 'string', default: 'rubis' })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary as one JSON object' })
      .example('$0 workload run --users 200 --duration 60', '')
      .example('$0 workload run --stack mariadb --mix browsing --json', ''),
  handler: async (args) => {
    const mix = parseMix(args.mix);
    if (args.think !== 'tpcw' && args.think !== 'table') {
      throw new UserError(`unknown think time "${args.think}" (known: tpcw, table)`);
    }
    if (!(args['think-mean'] > 0))
      throw new UserError(`--think-mean must be positive, got ${args['think-mean']}`);
    let mariadb: MariaDbTarget | undefined;
    if (args.mariadb !== undefined) {
      if (args.stack !== 'mariadb') throw new UserError('--mariadb needs --stack mariadb');
      mariadb = {
        ...parseHostPort(args.mariadb),
        user: args['mariadb-user'],
        password: args['mariadb-password'],
        database: args['mariadb-database'],
      };
    }
    const report = await runWorkload({
      stack: args.stack as StackKind,
      mariadb,
      users: args.users,
      mix,
      durationS: args.duration,
      rampUpS: args['ramp-up'],
      rampDownS: args['ramp-down'],
      dataDir: args.data ?? defaultDataDir(),
      transitionsFile: args.transitions,
      scale: args.scale,
      seed: args.seed,
      think: { mode: args.think, meanMs: args['think-mean'] * 1000, scale: args['think-scale'] },
      sloMs: args.slo,
      log: logLine,
    });
    if (args.json) console.log(JSON.stringify(report));
    else printReport(report);
  },
};

export const workloadCommand: CommandModule = {
  builder: (y) => y.command(runCommand).demandCommand(1, 'give an action: run'),
  handler: () => undefined,
};
