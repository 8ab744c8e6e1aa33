// `npm run experiment -- <name>`: run an experiment spec (experiments/<name>.json) on a stack:
// bring the stack up, run the phases, inject and revert the fault, record, tear down, then replay
// every repetition through every algorithm and write results and the HTML report
// (docs/experiments.md). `--synthetic` replays the shipped synthetic run of the same fault instead
// (no stack, seconds), as the command did before the runner existed.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { listExperiments } from '../../runner/experiment/spec.ts';
import { SETTLE_MAX_WAIT_S } from '../../runner/experiment/settle.ts';
import { SYNTH_FAULT_TYPES, type SynthFaultType } from '../../sim/synth/faults.ts';
import { SESSION_STACKS, type SessionStack } from '../../stack/session.ts';
import { logLine, refuseExisting } from '../options.ts';
import { remoteStackOptions, resolveRemoteSpec, type RemoteStackArgs } from '../remote-stack-options.ts';
import { printSummary } from '../summary.ts';

interface Args extends RemoteStackArgs {
  name: string;
  out: string;
  seed: number;
  'report-dir': string;
  stack: string;
  reps?: number;
  normal?: number;
  'settle-max': number;
  fix: boolean;
  overwrite: boolean;
  'record-only': boolean;
  synthetic: boolean;
  'state-dir'?: string;
}

/** Scenario name -> synthetic fault. `control` is the no-fault run. */
const SCENARIOS: Record<string, SynthFaultType> = Object.fromEntries([
  ...SYNTH_FAULT_TYPES.filter((f) => f !== 'none').map((f) => [f, f]),
  ['control', 'none'],
]);

/** Shipped datasets (committed under datasets/) are used as they are; others are generated. */
export const SHIPPED_SEED = 1;
export const SHIPPED_HOSTS = 5;

export const experimentCommand: CommandModule<object, Args> = {
  builder: (y) =>
    remoteStackOptions(y)
      .positional('name', {
        type: 'string',
        demandOption: true,
        describe: `experiment: ${listExperiments().join(', ')} (experiments/<name>.json, or a path to a .json spec)`,
      })
      .option('stack', {
        type: 'string',
        choices: SESSION_STACKS,
        default: 'embedded',
        describe:
          'embedded: processes on this machine, no root; local: the namespaced testbed (`foreshock testbed up --ssh` first); aws: the deployed AWS testbed (`foreshock aws deploy`, `aws known-hosts`); remote: hosts prepared like it (--remote-spec)',
      })
      .option('reps', { type: 'number', describe: "repetitions (default: the spec's)" })
      .option('normal', {
        type: 'number',
        describe:
          "seconds of normal phase (default: the spec's): e.g. 600 for recordings that train UBL and PREPARE (the UBL paper trained on ~6,000 samples)",
      })
      .option('settle-max', {
        type: 'number',
        default: SETTLE_MAX_WAIT_S,
        describe:
          'longest wait, in seconds, before each repetition for every host under test to have a load5 no longer falling (0 = do not wait)',
      })
      .option('fix', {
        type: 'boolean',
        default: false,
        describe: "perform the spec's fix when the SLO breaks, and store its measured latency",
      })
      .option('record-only', {
        type: 'boolean',
        default: false,
        describe:
          'record the repetitions and print their SLO effect, but do not replay or report (replay them later)',
      })
      .option('overwrite', {
        type: 'boolean',
        default: false,
        describe: 'replace earlier runs in --out (and, with --synthetic, the report)',
      })
      .option('state-dir', { type: 'string', describe: "with --stack local: the testbed's state directory" })
      .option('synthetic', {
        type: 'boolean',
        default: false,
        describe: 'replay the shipped synthetic run of this fault instead (no stack; seconds)',
      })
      .option('out', {
        type: 'string',
        default: 'runs',
        describe:
          'directory for <name>/rep-<i>/{dataset,results.json} (with --synthetic: <name>/results.json)',
      })
      .option('seed', {
        type: 'number',
        default: SHIPPED_SEED,
        describe: 'with --synthetic: seed of the synthetic run',
      })
      .option('report-dir', {
        type: 'string',
        default: 'reports',
        describe: 'directory for the HTML report <name>.html and <name>.best.json',
      })
      .example('$0 experiment memleak', 'the memory-leak experiment on the embedded stack (about 7 minutes)')
      .example('$0 experiment cpuhog --stack local --reps 3', 'three repetitions on the namespaced testbed')
      .example(
        '$0 experiment cpuhog --stack local --reps 5 --normal 600 --record-only',
        'five recordings with 10-minute normal phases (training data)',
      )
      .example('$0 experiment memleak --stack aws --ssh-key ~/.ssh/foreshock.pem', 'on the AWS testbed')
      .example('$0 experiment memleak --synthetic', 'replay the shipped synthetic memory-leak run'),
  handler: async (args) => {
    if (!args.synthetic) return runSpec(args);
    const fault = SCENARIOS[args.name];
    if (!fault)
      throw new UserError(
        `--synthetic replays a shipped synthetic run of a fault: ${Object.keys(SCENARIOS).join(', ')}; ` +
          `not "${args.name}"${args.name.endsWith('.json') ? ' (a spec file runs on a stack: drop --synthetic)' : ''}`,
      );
    // What only a run on a stack uses: refused rather than silently ignored.
    const unused = Object.entries({
      reps: args.reps !== undefined,
      normal: args.normal !== undefined,
      fix: args.fix,
      'record-only': args['record-only'],
      stack: args.stack !== 'embedded',
      'state-dir': args['state-dir'] !== undefined,
      'remote-spec': args['remote-spec'] !== undefined,
      'ssh-key': args['ssh-key'] !== undefined,
    }).flatMap(([k, given]) => (given ? [`--${k}`] : []));
    if (unused.length > 0)
      throw new UserError(
        `--synthetic replays one shipped synthetic run: ${unused.join(', ')} only apply to a run on a stack`,
      );
    const dir = join(args.out, args.name);
    const file = join(dir, 'results.json');
    const html = join(args['report-dir'], `${args.name}.html`);
    refuseExisting([file, html], args.overwrite);
    // Arrow, the algorithms and Vega load when the command runs, not for --help.
    const [{ readDataset, atomicWrite }, { synthesize }, { formatResults, runReplayJob }, reportModule] =
      await Promise.all([
        import('../../data/dataset-io.ts'),
        import('../../sim/synth/index.ts'),
        import('../../runner/replay-job.ts'),
        import('../../report/index.ts'),
      ]);
    const { datasetFilesHash, sha256Hex, withDatasetPath, writeReport } = reportModule;
    logLine('note: --synthetic replays a synthetic run of this fault, not a recorded one.');
    const shipped = join('datasets', `synth-${args.name}`);
    const useShipped = args.seed === SHIPPED_SEED && existsSync(join(shipped, 'manifest.json'));
    const dataset = useShipped
      ? readDataset(shipped)
      : synthesize({
          hosts: SHIPPED_HOSTS,
          fault,
          seed: args.seed,
          name: `synth-${args.name}-s${args.seed}`,
        });
    logLine(
      useShipped
        ? `dataset: ${shipped} (shipped)`
        : `dataset: ${dataset.manifest.name} (generated, seed ${args.seed})`,
    );
    const results = runReplayJob(dataset, null, { log: logLine });
    mkdirSync(dir, { recursive: true });
    // A generated dataset exists only in memory: its results record no path.
    const written = useShipped ? withDatasetPath(results, shipped) : results;
    const text = formatResults(written);
    atomicWrite(file, text);
    printSummary(results);
    console.log(`results: ${file}`);
    const report = await writeReport(
      [
        {
          label: args.name,
          resultsFile: file,
          resultsSha256: sha256Hex(text),
          results: written,
          dataset,
          datasetDir: useShipped ? shipped : null,
          datasetSha256: useShipped ? datasetFilesHash(shipped) : null,
          datasetNote: null,
        },
      ],
      html,
    );
    for (const w of report.warnings) logLine(`warning: ${w}`);
    console.log(`report: ${report.htmlFile}`);
    (await import('../headline.ts')).printHeadline([{ results, dataset }]);
  },
};

async function runSpec(args: Args): Promise<void> {
  // The stacks, the runner, Arrow and Vega load when the command runs, not for --help.
  const [
    { answerLine },
    { faultEffect },
    { readDataset },
    { runExperimentReps },
    { createProgress },
    { scoreAndReport },
    { loadExperiment },
  ] = await Promise.all([
    import('../../runner/experiment/answer.ts'),
    import('../../runner/experiment/effect.ts'),
    import('../../data/dataset-io.ts'),
    import('../../runner/experiment/run.ts'),
    import('../../runner/experiment/progress.ts'),
    import('../../runner/experiment/score.ts'),
    import('../../runner/experiment/spec.ts'),
  ]);
  const stack = args.stack as SessionStack;
  const loaded = loadExperiment(args.name, stack);
  if (
    args.normal !== undefined &&
    !(Number.isFinite(args.normal) && args.normal >= 10 && args.normal <= 86_400)
  )
    throw new UserError(`--normal must be a number of seconds in [10, 86400], got ${args.normal}`);
  const spec =
    args.normal === undefined ? loaded : { ...loaded, phases: { ...loaded.phases, normalS: args.normal } };
  if (!(Number.isFinite(args['settle-max']) && args['settle-max'] >= 0 && args['settle-max'] <= 3600))
    throw new UserError(`--settle-max must be a number of seconds in [0, 3600], got ${args['settle-max']}`);
  const remote = await resolveRemoteSpec(stack, args);
  const outDir = join(args.out, spec.name);
  const started = Date.now();
  logLine(
    `experiment ${spec.name} on the ${stack} stack: ${args.reps ?? spec.repetitions} repetition(s) of ` +
      `${spec.phases.warmupS + spec.phases.normalS + spec.phases.faultS + spec.phases.recoveryS} s` +
      (spec.fault ? `, ${spec.fault.type} on ${spec.target}` : ', control run (no fault)'),
  );
  const reps = await runExperimentReps(spec, {
    stack,
    settleMaxS: args['settle-max'],
    ...(args.reps !== undefined ? { reps: args.reps } : {}),
    outDir,
    overwrite: args.overwrite,
    fix: args.fix,
    ...(args['state-dir'] ? { stateDir: args['state-dir'] } : {}),
    ...(remote ? { remote } : {}),
    log: logLine,
    progress: createProgress(),
  });
  if (args['record-only']) {
    for (const r of reps) console.log(`dataset: ${r.datasetDir}`);
    logLine(`done in ${Math.round((Date.now() - started) / 1000)} s (recorded only: no replay)`);
    return;
  }
  const scored = await scoreAndReport(
    spec,
    reps.map((r) => r.datasetDir),
    join(args['report-dir'], `${spec.name}.html`),
    logLine,
  );
  for (const r of scored.reps) {
    printSummary(r.results);
    console.log(`results: ${r.resultsFile}`);
  }
  // The answer, one line per repetition: what failed, when, who predicted and localized it, what a fix saved.
  const datasets = scored.reps.map((r) => readDataset(r.datasetDir));
  for (const [i, r] of scored.reps.entries()) {
    const ds = datasets[i]!;
    console.log(
      `answer${scored.reps.length > 1 ? ` (rep ${i + 1})` : ''}: ${answerLine(ds, r.results, faultEffect(ds))}`,
    );
  }
  for (const w of scored.warnings) logLine(`warning: ${w}`);
  console.log(`report: ${scored.htmlFile}`);
  (await import('../headline.ts')).printHeadline(
    scored.reps.map((r, i) => ({ results: r.results, dataset: datasets[i]! })),
  );
  logLine(`done in ${Math.round((Date.now() - started) / 1000)} s`);
}
