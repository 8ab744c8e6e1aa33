// LocalTransport (transport.ts): runs an argv on this machine with spawn, no shell involved. The
// embedded stack's faults run this way.

import { spawn } from 'node:child_process';
import { UserError } from '../core/errors.ts';
import {
  checkArgv,
  Collector,
  timeoutError,
  type HostTransport,
  type RunOptions,
  type RunResult,
} from './transport.ts';

export interface LocalTransportOptions {
  /**
   * The CPUs this "host" has (taskset -c list, e.g. "0"): every command runs pinned to them, as
   * the host's services are, so a CPU hog competes with them on any machine size.
   */
  cpus?: string;
  /** Wraps every command last, e.g. to join the host's CPU cap (stack/cpu-cap.ts). */
  wrap?: (argv: string[]) => string[];
}

/** Runs commands on this machine: spawn(argv[0], argv.slice(1)), no shell involved. */
export class LocalTransport implements HostTransport {
  readonly description: string;
  constructor(
    readonly host: string,
    private readonly options: LocalTransportOptions = {},
  ) {
    this.description =
      (options.cpus === undefined ? 'local' : `local, cpus ${options.cpus}`) +
      (options.wrap ? ', CPU cap' : '');
  }

  run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const who = `local (${this.host})`;
    return new Promise((resolve, reject) => {
      checkArgv(who, argv); // a throw in here rejects the promise
      const { cpus, wrap } = this.options;
      const pinned = cpus === undefined ? [...argv] : ['taskset', '-c', cpus, ...argv];
      const [cmd = '', ...args] = wrap ? wrap(pinned) : pinned;
      const child = spawn(cmd, args, {
        shell: false,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out = new Collector();
      const err = new Collector();
      child.stdout.on('data', out.push);
      child.stderr.on('data', err.push);
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (f: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        f();
      };
      if (opts.timeoutMs !== undefined) {
        const ms = opts.timeoutMs;
        timer = setTimeout(() => {
          // SIGKILL the command itself (not its descendants: a command that forks must clean up
          // its own children, or run in a testbed host whose `down` kills the whole cgroup).
          child.kill('SIGKILL');
          settle(() => reject(timeoutError(who, argv, ms)));
        }, ms);
      }
      child.once('error', (e) => {
        settle(() => reject(new UserError(`${who}: ${cmd}: cannot start: ${e.message}`, { cause: e })));
      });
      // 'close' (not 'exit') waits for stdout/stderr to be drained.
      child.once('close', (code, signal) => {
        settle(() => resolve({ code, signal, stdout: out.text(), stderr: err.text() }));
      });
      // A command that exits without reading its input makes the write fail with EPIPE: that is
      // the command's business, its exit status says what happened.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input); // without input: EOF at once, as over SSH
    });
  }

  async close(): Promise<void> {}
}
