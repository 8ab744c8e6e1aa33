// The foreshock command line. Handlers are thin: parse -> call a library function -> print.
// Exit codes: 0 ok, 1 user error (one line, no stack trace), 2 internal error (with stack),
// 3 a temporary failure outside foreshock (a broker, host or API that did not answer: one line,
// no stack trace; retrying may help).

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ForeshockError, UserError } from '../core/errors.ts';
import { VERSION } from '../version.ts';
import { algorithmsCommand } from './commands/algorithms.ts';
import { benchCommand } from './commands/bench.ts';
import { experimentCommand } from './commands/experiment.ts';
import { liveCommand } from './commands/live.ts';
import { faultsCommand } from './commands/faults.ts';
import { importCommand } from './commands/import.ts';
import { rcaCommand } from './commands/rca.ts';
import { replayCommand } from './commands/replay.ts';
import { reportCommand } from './commands/report.ts';
import { runsCommand } from './commands/runs.ts';
import { rescoreCommand } from './commands/rescore.ts';
import { scoreCommand } from './commands/score.ts';
import { sweepCommand } from './commands/sweep.ts';
import { synthCommand } from './commands/synth.ts';
import { validateCommand } from './commands/validate.ts';
import { workloadCommand } from './commands/workload.ts';
import { kafkaCommand } from './commands/kafka.ts';
import { recordCommand } from './commands/record.ts';
import { agentCommand } from './commands/agent.ts';
import { testbedCommand } from './commands/testbed.ts';
import { awsCommand } from './commands/aws.ts';

function report(err: unknown): number {
  if (err instanceof UserError) {
    process.stderr.write(`foreshock: ${err.message.split('\n')[0]}\n`);
    return 1;
  }
  if (err instanceof ForeshockError && err.retriable) {
    const line = err.message.split('\n')[0]!;
    process.stderr.write(
      `foreshock: ${line}${/retry/i.test(line) ? '' : ' (temporary: retrying may help)'}\n`,
    );
    return 3;
  }
  if (err instanceof ForeshockError || err instanceof Error) {
    process.stderr.write(`foreshock: internal error: ${err.stack ?? err.message}\n`);
    return 2;
  }
  process.stderr.write(`foreshock: internal error: ${String(err)}\n`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  // `foreshock ... | head`: the reader went away; stop quietly like other Unix tools, no stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const cli = yargs(argv)
    .scriptName('foreshock')
    .usage(
      '$0 <command> [options]\n\nPredict, localize and fix faults in multi-host metric streams; score how early and how well.',
    )
    .command(experimentCommand)
    .command(liveCommand)
    .command(replayCommand)
    .command(rescoreCommand)
    .command(sweepCommand)
    .command(rcaCommand)
    .command(reportCommand)
    .command(runsCommand)
    .command(importCommand)
    .command(synthCommand)
    .command(scoreCommand)
    .command(benchCommand)
    .command(validateCommand)
    .command(algorithmsCommand)
    .command(workloadCommand)
    .command(kafkaCommand)
    .command(recordCommand)
    .command(faultsCommand)
    .command(agentCommand)
    .command(testbedCommand)
    .command(awsCommand)
    .demandCommand(1, 'give a command')
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      // Throwing stops yargs before any handler runs; a usage problem is the user's to fix.
      throw err ?? new UserError(`${msg} (see --help)`);
    });
  try {
    await cli.parseAsync();
  } catch (err) {
    return report(err);
  }
  return 0;
}

process.exitCode = await main(hideBin(process.argv));
