// How the harness runs a command on a host (issue 8: "each fault becomes an argv run over ssh2 on
// the target host"). A HostTransport runs an argv to completion and hands back its exit status and
// output. LocalTransport spawns it on this machine without a shell; the SSH transport runs it over
// one ssh2 connection per host, key-only, against a host key pinned in a known_hosts file.
//
// Security rules (why they are here): fault argv may carry secrets and hostile text, so the argv is
// never pasted into a shell string unquoted (each word goes through shellQuote for the remote
// shell), no key material is ever printed, and error messages name argv[0] only.
//
// The shared contract and helpers are here; LocalTransport is in local-transport.ts and the SSH
// transport in ssh-transport.ts (both re-exported, so callers import from this module).

import { ForeshockError, UserError } from '../core/errors.ts';

export interface RunResult {
  /** Exit status, or null when the command was killed by a signal or never reported one. */
  code: number | null;
  /** Signal name with the SIG prefix (e.g. "SIGKILL"), or null. */
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Wall-clock limit for the whole run; on expiry the command is killed and run() rejects. */
  timeoutMs?: number;
  /** Written to the command's stdin, which is then closed. Without it stdin is empty. */
  input?: string;
}

export interface HostTransport {
  /** Host id, e.g. "db". */
  readonly host: string;
  /** How commands reach the host, e.g. "ssh root@10.77.0.11" or "local". */
  readonly description: string;
  /**
   * Runs argv on the host to completion (stdout/stderr collected; timeout -> rejects with a
   * retriable ForeshockError naming host and command name).
   */
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  close(): Promise<void>;
}

/** The command's name for messages: argv[0] only, since later words may hold secrets. */
export function commandName(argv: readonly string[]): string {
  return argv[0] ?? '(empty)';
}

export function checkArgv(who: string, argv: readonly string[]): void {
  if (argv.length === 0) throw new UserError(`${who}: empty command`);
  // A NUL cannot travel in an exec argument or an SSH command string (both are C strings): the
  // word would be cut short silently, so refuse it.
  if (argv.some((w) => w.includes('\0'))) {
    throw new UserError(`${who}: ${commandName(argv)}: an argument contains a NUL byte`);
  }
}

export function timeoutError(who: string, argv: readonly string[], ms: number): ForeshockError {
  return new ForeshockError(`${who}: ${commandName(argv)} timed out after ${ms} ms`, {
    retriable: true,
  });
}

/** Collects a stream's chunks and decodes once at the end (a UTF-8 char may span two chunks). */
export class Collector {
  private readonly chunks: Buffer[] = [];
  push = (c: Buffer): void => {
    this.chunks.push(c);
  };
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export { LocalTransport } from './local-transport.ts';
export {
  connectSsh,
  pinnedKeys,
  testbedTransport,
  type RemoteProcess,
  type SshHostTransport,
  type SshJumpOptions,
  type SshTransportOptions,
} from './ssh-transport.ts';
