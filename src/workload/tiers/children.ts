// Child processes of the workload (web tier, database tier, mariadbd): started, waited for, and
// always stopped. Every child is registered here; the registry kills what is left on SIGINT,
// SIGTERM and process exit, so neither an error nor Ctrl-C leaves orphans. A tier child also exits
// by itself when its stdin closes (tier-main.ts), which covers a parent killed with SIGKILL.
//
// A tier runs as `node bin/run-ts.js <entry.ts> <config-json>` and prints one line
// `READY <json>` on stdout once it serves (its info, e.g. the port the OS picked); anything else it
// prints goes to the parent's stderr. Ports therefore travel explicitly from child to parent.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const RUN_TS = path.join(REPO_ROOT, 'bin', 'run-ts.js');

const live = new Map<ChildProcess, string>();
let handlersInstalled = false;
/** Async work that must finish before children are killed on a signal (e.g. reverting a fault). */
const shutdownHooks = new Set<() => Promise<void>>();
/** How long shutdown hooks may take on SIGINT/SIGTERM before the children are killed anyway. */
const HOOK_GRACE_MS = 15_000;

/** Runs `hook` first when SIGINT/SIGTERM/SIGHUP arrives; returns the function that removes it. */
export function registerShutdownHook(hook: () => Promise<void>): () => void {
  installHandlers();
  shutdownHooks.add(hook);
  return () => void shutdownHooks.delete(hook);
}

function killAll(signal: NodeJS.Signals): void {
  for (const child of live.keys()) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', () => killAll('SIGKILL'));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      const hooks = [...shutdownHooks].map((h) => h().catch(() => undefined));
      const grace = new Promise((r) => setTimeout(r, HOOK_GRACE_MS).unref());
      void Promise.race([Promise.all(hooks), grace]).then(() => {
        killAll('SIGTERM');
        // Give children a moment to exit cleanly, then leave (the exit hook kills stragglers).
        setTimeout(() => process.exit(sig === 'SIGINT' ? 130 : 143), 500).unref();
      });
    });
  }
}

/** Registers a child for cleanup; returns the function that forgets it (call once it has exited). */
export function registerChild(child: ChildProcess, name: string): () => void {
  installHandlers();
  live.set(child, name);
  child.once('exit', () => live.delete(child));
  return () => void live.delete(child);
}

/** Pids of the children still registered (for tests checking that nothing is left). */
export function liveChildren(): { pid: number | undefined; name: string }[] {
  return [...live].map(([c, name]) => ({ pid: c.pid, name }));
}

export interface Tier<I> {
  name: string;
  pid: number;
  info: I;
  /** Resolves when the child has exited (SIGTERM, then SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** Resolves with the exit code when the child exits by itself. */
  exited: Promise<number | null>;
}

export interface StartTierOptions {
  readyTimeoutMs?: number;
  /** Extra environment for the child. */
  env?: NodeJS.ProcessEnv;
  /** Wraps the child's argv, e.g. to run it inside a testbed host (testbed/local hostArgv). */
  wrap?: (argv: string[]) => string[];
}

/**
 * Waits for a tier's `READY <json>` line on `stdout` and resolves with the info. Rejects with the
 * reason (a string, for the caller's message): the tier's `FAILED <reason>`, an unreadable READY
 * line, the timeout, or `exited` (how the process ended) once its stdout has ended, so that a
 * READY printed just before the exit still counts. Every other non-empty line, before and after
 * READY, goes to `onLine`. Used for local children (startTier) and processes on SSH hosts.
 */
export function readyLine<I>(
  stdout: Readable,
  exited: Promise<string>,
  timeoutMs: number,
  onLine: (line: string) => void = () => undefined,
): Promise<I> {
  return new Promise<I>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(() => settle(() => reject(`no READY line within ${timeoutMs} ms`)), timeoutMs);
    const rl = createInterface({ input: stdout });
    const ended = new Promise<void>((r) => rl.once('close', () => r()));
    rl.on('line', (line) => {
      if (!settled && line.startsWith('READY ')) {
        let info: I;
        try {
          info = JSON.parse(line.slice(6)) as I;
        } catch {
          return settle(() => reject('unreadable READY line'));
        }
        settle(() => resolve(info));
      } else if (line.startsWith('FAILED ')) settle(() => reject(line.slice(7)));
      else if (line.trim() !== '') onLine(line);
    });
    void exited.then(async (how) => {
      // The output ends with the process; a stream that never closes (a spawn error) is not waited for.
      await Promise.race([ended, new Promise((r) => setTimeout(r, 2000).unref())]);
      settle(() => reject(how));
    });
  });
}

/** Starts a tier entry file and waits for its READY line. A child that fails to start is a UserError. */
export function startTier<I>(
  name: string,
  entry: string,
  config: unknown,
  options: StartTierOptions = {},
): Promise<Tier<I>> {
  const argv = (options.wrap ?? ((a: string[]) => a))([
    process.execPath,
    RUN_TS,
    entry,
    JSON.stringify(config),
  ]);
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const unregister = registerChild(child, name);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderrTail = '';
  child.stderr!.on('data', (d: Buffer) => {
    const text = d.toString('utf8');
    stderrTail = (stderrTail + text).slice(-2000);
    process.stderr.write(text.replace(/^(?=.)/gm, `[${name}] `));
  });
  const stop = async (graceMs = 5000): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    child.stdin?.destroy();
    unregister();
  };
  const why = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      const last = stderrTail.trim().split('\n').pop() ?? '';
      resolve(`exited with ${code ?? signal}${last ? `: ${last}` : ''}`);
    });
    child.once('error', (err) => resolve(err.message));
  });
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  return readyLine<I>(child.stdout!, why, timeoutMs, (line) =>
    process.stderr.write(`[${name}] ${line}\n`),
  ).then(
    (info) => ({ name, pid: child.pid!, info, stop, exited }),
    async (reason: string) => {
      await stop();
      throw new UserError(`${name} tier did not start: ${reason}`);
    },
  );
}
