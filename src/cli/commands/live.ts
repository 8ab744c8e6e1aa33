// `npm run live -- [--model best|<name>] [--stack local|embedded] [--act]`: the trained model against
// the running stack (src/live/run.ts; docs/live.md). Thin: options in, runLive, a summary out.

import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { SESSION_STACKS, type SessionStack } from '../../stack/session.ts';
import { remoteStackOptions, resolveRemoteSpec, type RemoteStackArgs } from '../remote-stack-options.ts';
import { logLine, parseList, readJsonOption } from '../options.ts';

interface Args extends RemoteStackArgs {
  model: string;
  localizer?: string;
  config?: string;
  stack: string;
  act: boolean;
  allow?: string;
  train?: string[];
  duration?: number;
  users: number;
  mix: string;
  scale: number;
  slo: number;
  seed: number;
  'pending-window': number;
  'min-duration': number;
  'validate-after': number;
  warmup: number;
  inject?: string;
  'inject-at': number;
  port: number;
  out?: string;
  'report-dir': string;
  'state-dir'?: string;
}

const DEFAULT_TRAIN: Record<SessionStack, string[]> = {
  local: ['datasets/testbed/control-1', 'datasets/testbed/control-2'],
  embedded: [],
  remote: [],
  aws: [],
};

export const liveCommand: CommandModule<object, Args> = {
  builder: (y) =>
    remoteStackOptions(y)
      .option('model', {
        type: 'string',
        default: 'best',
        describe: 'best: the predictor the newest reports/*.best.json names; or a predictor name',
      })
      .option('localizer', {
        type: 'string',
        describe:
          "localizer (e.g. fchain) or 'own' for the predictor's cause inference (default: best.json's / own)",
      })
      .option('config', {
        type: 'string',
        describe: 'JSON file or inline JSON: { "<algorithm>": { <param>: value } }',
      })
      .option('stack', {
        type: 'string',
        choices: SESSION_STACKS,
        default: 'local',
        describe:
          'local: the namespaced testbed (`foreshock testbed up --ssh` first); embedded: processes here; aws: the deployed AWS testbed (with --ssh-key); remote: hosts prepared like it (--remote-spec)',
      })
      .option('act', {
        type: 'boolean',
        default: false,
        describe: 'perform the remedies (default: print what it would do)',
      })
      .option('allow', {
        type: 'string',
        describe: 'comma list of hosts it may act on (default: web,db; never kafka, analysis or client)',
      })
      .option('train', {
        type: 'string',
        array: true,
        describe: 'recorded dataset(s) to train on (default on local: datasets/testbed/control-1 and -2)',
      })
      .option('duration', { type: 'number', describe: 'seconds to run (default: until SIGINT/SIGTERM)' })
      .option('users', { type: 'number', default: 100, describe: 'emulated clients' })
      .option('mix', { type: 'string', default: 'bidding', describe: 'RUBiS mix: bidding or browsing' })
      .option('scale', { type: 'number', default: 0.05, describe: 'RUBiS data scale (0, 1]' })
      .option('slo', { type: 'number', default: 20, describe: 'SLO: per-second mean latency threshold, ms' })
      .option('seed', { type: 'number', default: 1, describe: 'seed for the workload and the model' })
      .option('pending-window', {
        type: 'number',
        default: 50,
        describe: 'after a localization, alarms trigger no other one for this many s',
      })
      .option('min-duration', {
        type: 'number',
        default: 3,
        describe: 'violating seconds in a row that make an onset',
      })
      .option('validate-after', {
        type: 'number',
        default: 15,
        describe: 's after an action before it is judged (rolled back if the host still alarms)',
      })
      .option('warmup', {
        type: 'number',
        default: 30,
        describe: 'seconds after the clients start in which alarms trigger nothing (still recorded)',
      })
      .option('inject', {
        type: 'string',
        describe:
          "inject this experiment's fault (experiments/<name>.json) on its target, for a ground truth",
      })
      .option('inject-at', {
        type: 'number',
        default: 60,
        describe: 'with --inject: seconds after the start',
      })
      .option('port', {
        type: 'number',
        default: 0,
        describe: 'status page port on 127.0.0.1 (0: a free one)',
      })
      .option('out', { type: 'string', describe: 'output directory (default: runs/live-<time>)' })
      .option('report-dir', { type: 'string', default: 'reports', describe: 'where --model best looks' })
      .option('state-dir', { type: 'string', describe: "with --stack local: the testbed's state directory" })
      .example('$0 live --act', 'the best model on the local testbed, fixing what it finds')
      .example(
        '$0 live --model ubl --inject memleak --duration 180 --act',
        'UBL with a memory leak injected on db after 60 s',
      )
      .example(
        '$0 live --stack embedded --model threshold --train runs/control/rep-1/dataset',
        'no root needed',
      ),
  handler: async (args) => {
    // The model, the stacks and the workload load when the command runs, not for --help.
    const [{ defaultAllowList, runLive }, { loadExperiment }, { parseMix }, { checkConfigKeys }] =
      await Promise.all([
        import('../../live/run.ts'),
        import('../../runner/experiment/spec.ts'),
        import('../../workload/data-files.ts'),
        import('../../algorithms/registry.ts'),
      ]);
    const stack = args.stack as SessionStack;
    const train = args.train ?? DEFAULT_TRAIN[stack];
    if (train.length === 0)
      throw new UserError(
        `--train: give a recorded dataset of the ${stack} stack to train on (e.g. \`npm run experiment -- control\` makes runs/control/rep-1/dataset)`,
      );
    const configs =
      args.config === undefined
        ? undefined
        : (readJsonOption(args.config, 'config') as Record<string, unknown>);
    // Before any stack comes up: a misspelt algorithm name must not be ignored on a real stack.
    checkConfigKeys(configs, `--config ${args.config}`);
    const out = args.out ?? join('runs', `live-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    const remote = await resolveRemoteSpec(stack, args);
    const summary = await runLive({
      stack,
      model: args.model,
      ...(args.localizer !== undefined ? { localizer: args.localizer } : {}),
      ...(configs ? { configs } : {}),
      train,
      reportsDir: args['report-dir'],
      act: args.act,
      allow: parseList(args.allow) ?? defaultAllowList(),
      durationS: args.duration ?? null,
      users: args.users,
      mix: parseMix(args.mix),
      scale: args.scale,
      sloMs: args.slo,
      seed: args.seed,
      pendingWindowS: args['pending-window'],
      minDurationS: args['min-duration'],
      validateAfterS: args['validate-after'],
      warmupS: args.warmup,
      out,
      port: args.port,
      ...(args['state-dir'] ? { stateDir: args['state-dir'] } : {}),
      ...(remote ? { remote } : {}),
      ...(args.inject
        ? { inject: { spec: loadExperiment(args.inject, stack), atS: args['inject-at'] } }
        : {}),
      log: logLine,
    });
    const ms = (v: number | null): string => (v === null ? '-' : `${Math.round(v)} ms`);
    const s = (v: number | null): string => (v === null ? '-' : `${v.toFixed(1)} s`);
    console.log(
      [
        `samples ${summary.samples} (duplicates dropped ${summary.duplicates}), alarms ${summary.alarms}, ` +
          `localizations ${summary.localizations}, actions ${summary.actions}, SLO-violation seconds ${summary.violationSeconds}`,
        `detection latency p50 ${ms(summary.detectionLatencyMs.p50)} p99 ${ms(summary.detectionLatencyMs.p99)}; ` +
          `delivery p50 ${ms(summary.deliveryLatencyMs.p50)} p99 ${ms(summary.deliveryLatencyMs.p99)}`,
        `lead time ${s(summary.leadTimeS)}, fault host localized ${s(summary.localizationTimeS)} after the fault, fix ${s(summary.fixTimeS)}`,
        `output: ${summary.out}/{dataset,live.json,results.json}`,
      ].join('\n'),
    );
  },
};
