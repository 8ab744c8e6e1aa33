// The command table: each command's usage line and one-line description, and how to load it. Only the
// command being run is loaded (with its whole import graph); the others are listed from this table, so
// `foreshock --help` loads no command module at all.
import type { CommandModule } from 'yargs';

export interface CommandEntry {
  /** The yargs command string: name and positionals, e.g. `experiment <name>`. */
  command: string;
  describe: string;
  /** The module's builder and handler; the command string and description above are their only source. */
  load: () => Promise<CommandModule>;
}

const entry = <A>(
  command: string,
  describe: string,
  load: () => Promise<CommandModule<object, A>>,
): CommandEntry => ({ command, describe, load: load as unknown as CommandEntry['load'] });

export const COMMANDS: readonly CommandEntry[] = [
  entry(
    'experiment <name>',
    'Run an experiment end to end: stack up, workload, fault, record, tear down, replay every algorithm, report',
    async () => (await import('./experiment.ts')).experimentCommand,
  ),
  entry(
    'live',
    'Run the best (or a given) model against the running stack; with --act, fix what it finds',
    async () => (await import('./live.ts')).liveCommand,
  ),
  entry(
    'replay',
    'Replay a dataset through algorithms on a virtual clock and score them (writes <out>/results.json)',
    async () => (await import('./replay.ts')).replayCommand,
  ),
  entry(
    'rescore',
    'Recompute every metric of a results.json from its stored alarms, localizations and actions (no algorithm runs); writes <out>/results.json',
    async () => (await import('./rescore.ts')).rescoreCommand,
  ),
  entry(
    'sweep',
    "Replay a dataset once per combination of a predictor's numeric parameters and print TPR/FPR per combination (ROC, sensitivity)",
    async () => (await import('./sweep.ts')).sweepCommand,
  ),
  entry(
    'rca',
    'Evaluate localizers on RCAEval-style cases: AC@1, AC@3, Avg@5, precision and recall per fault type',
    async () => (await import('./rca.ts')).rcaCommand,
  ),
  entry(
    'report',
    'Write one self-contained HTML comparison report (and <out>.best.json) from results directories and/or benchmark leaderboards; or a scoreboard across runs (--scoreboard)',
    async () => (await import('./report.ts')).reportCommand,
  ),
  entry(
    'runs [dir]',
    'List every results directory under dir: dataset, fault, date, config hash, the headline numbers',
    async () => (await import('./runs.ts')).runsCommand,
  ),
  entry(
    'import <format> <input>',
    'Import NAB, SMD, RCAEval-style CSV or seed aggregate traces as foreshock datasets',
    async () => (await import('./import.ts')).importCommand,
  ),
  entry(
    'synth',
    'Generate a deterministic synthetic multi-host dataset with an injected fault',
    async () => (await import('./synth.ts')).synthCommand,
  ),
  entry(
    'score',
    'Score one NAB-style CSV (timestamp,value) with a predictor: writes timestamp,value,anomaly_score',
    async () => (await import('./score.ts')).scoreCommand,
  ),
  entry(
    'bench <benchmark>',
    'External benchmarks: NAB (run + faithful NAB scorer) and SMD (F1, point-adjusted F1, HitRate)',
    async () => (await import('./bench.ts')).benchCommand,
  ),
  entry(
    'validate <dataset>',
    'Check a dataset directory against the format (exit 1 with the first problem found)',
    async () => (await import('./validate.ts')).validateCommand,
  ),
  entry(
    'algorithms',
    'List the registered algorithms with their parameters, defaults and sources',
    async () => (await import('./algorithms.ts')).algorithmsCommand,
  ),
  entry(
    'workload',
    'The RUBiS workload: web tier, database tier and client emulator',
    async () => (await import('./workload.ts')).workloadCommand,
  ),
  entry(
    'kafka',
    'Fetch, start, stop or check the local Apache Kafka broker (KRaft, on 127.0.0.1 unless --bind)',
    async () => (await import('./kafka.ts')).kafkaCommand,
  ),
  entry(
    'record',
    'Record stats and aggregate from the telemetry bus into a dataset directory',
    async () => (await import('./record.ts')).recordCommand,
  ),
  entry(
    'faults <command>',
    'Inject, list, revert and clean up faults (cpuhog, memleak, diskhog, diskfill, netloss); measure their effect',
    async () => (await import('./faults.ts')).faultsCommand,
  ),
  entry(
    'agent',
    'Publish host metrics (availcpu, freemem, load, ...) of a set of processes or of the whole machine on `stats` every second',
    async () => (await import('./agent.ts')).agentCommand,
  ),
  entry(
    'testbed',
    'Bring up, check or tear down the local multi-host testbed (root; Linux namespaces + cgroup v1)',
    async () => (await import('./testbed.ts')).testbedCommand,
  ),
  entry(
    'aws',
    'Deploy, inspect, tear down the AWS testbed stack, replace one of its hosts, or pin their SSH host keys',
    async () => (await import('./aws.ts')).awsCommand,
  ),
];

/** The command's name: the first word of its usage line. */
export const commandName = (e: CommandEntry): string => e.command.split(' ')[0]!;

/** The command `argv` runs: its first word that is not an option (no global option takes a value). */
export function selectedCommand(argv: readonly string[]): CommandEntry | undefined {
  const word = argv.find((a) => !a.startsWith('-'));
  return COMMANDS.find((e) => commandName(e) === word);
}
