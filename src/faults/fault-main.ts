// The on-host fault program (issue 8). Runs on the target host, locally or over SSH:
//   node bin/run-ts.js src/faults/fault-main.ts <mode> ...
//     start   <dir> <id> <spec-json> [<begin-ms>]  -> STARTED <marker-json>  (fault runs detached)
//     run     <dir> <id> <spec-json> [<begin-ms>]  -> the fault itself, in this process (log on stderr)
//       With <begin-ms> (epoch ms) the fault is armed: it starts now, idle, and its effect begins
//       then (STARTED answers once it is armed).
//     revert  <dir> <id>              -> REVERTED <id> | NOT-RUNNING <id>
//     cleanup <dir>                   -> CLEANED <summary-json>
//     status  <dir>                   -> one marker JSON (with "alive") per line
// Any failure: `FAILED <one line>` on stdout, exit 1 (2 for a bug, with its stack on stderr).
// program.ts builds these argvs and parses the answers. See docs/faults.md.

import { UserError } from '../core/errors.ts';
import { cleanupFaults, faultStatus, revertFault, startFault } from './control.ts';
import { runFault } from './run.ts';

const USAGE =
  'usage: fault-main.ts start|run <dir> <id> <spec-json> [<begin-epoch-ms>] | revert <dir> <id> | cleanup <dir> | status <dir>';

function args(list: string[], n: number, optional = 0): string[] {
  if (list.length < n || list.length > n + optional) throw new UserError(USAGE);
  return list;
}

async function main(argv: string[]): Promise<void> {
  const [mode, ...rest] = argv;
  switch (mode) {
    case 'start': {
      const [dir, id, spec, begin] = args(rest, 3, 1);
      const m = await startFault(dir!, id!, spec!, begin);
      process.stdout.write(`STARTED ${JSON.stringify(m)}\n`);
      return process.exit(0);
    }
    case 'run': {
      const [dir, id, spec, begin] = args(rest, 3, 1);
      return runFault(dir!, id!, spec!, begin); // the process exits when the fault ends
    }
    case 'revert': {
      const [dir, id] = args(rest, 2);
      const was = await revertFault(dir!, id!);
      process.stdout.write(`${was ? 'REVERTED' : 'NOT-RUNNING'} ${id}\n`);
      return;
    }
    case 'cleanup': {
      const [dir] = args(rest, 1);
      process.stdout.write(`CLEANED ${JSON.stringify(await cleanupFaults(dir!))}\n`);
      return;
    }
    case 'status': {
      const [dir] = args(rest, 1);
      for (const s of faultStatus(dir!)) process.stdout.write(`${JSON.stringify(s)}\n`);
      return;
    }
    default:
      throw new UserError(USAGE);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  process.stdout.write(`FAILED ${e.message.split('\n')[0]}\n`);
  if (!(e instanceof UserError)) process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exit(e instanceof UserError ? 1 : 2);
});
