// Shared pieces of the fault-program tests: run the program (as a one-shot command or as a `run`
// child the test owns), poll for a condition, read a process's CPU time and RSS from /proc, and
// list processes still naming a test directory (nothing may be left behind).

import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { ForeshockError } from '../../src/core/errors.ts';
import { faultProgramArgv, type FaultMode } from '../../src/faults/program.ts';
import { readMarker, type FaultMarker } from '../../src/faults/marker.ts';

/** The rejection of a promise (a ForeshockError), or a failure if it resolved. */
export async function rejection(p: Promise<unknown>): Promise<ForeshockError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ForeshockError);
    return e as ForeshockError;
  }
  throw new Error('expected a rejection');
}

export interface Answer {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the fault program to completion; `wrap` prefixes the argv (e.g. nsenter into a netns). */
export function program(mode: FaultMode, args: string[], wrap: string[] = []): Promise<Answer> {
  const argv = [...wrap, ...faultProgramArgv(mode, args)];
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 40_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

export interface RunChild {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr(): string;
}

/** `run` as a direct child of the test (not detached), so the test can SIGKILL and reap it. */
export function runChild(dir: string, id: string, spec: object): RunChild {
  const argv = faultProgramArgv('run', [dir, id, JSON.stringify(spec)]);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => err };
}

export async function waitFor<T>(
  fn: () => T | null | undefined | false,
  timeoutMs: number,
  what: string,
  pollMs = 20,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export function runningMarker(dir: string, id: string): FaultMarker | null {
  const m = readMarker(dir, id);
  return m && m.state === 'running' ? m : null;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU seconds (user + system, all threads) a live process has used. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is the state (field 3); utime and stime are fields 14 and 15.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Minor page faults of a process so far (field 10 of /proc/<pid>/stat): fresh memory being touched. */
export function minorFaults(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

/** Live (non-zombie) processes whose command line names `dir`. */
export function processesNaming(dir: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/\) [ZX] /.test(stat)) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(dir)) out.push(`${pid} ${cmd.slice(0, 120)}`);
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/**
 * argv prefix that runs a command in a fresh, empty network namespace (root only), so a test's
 * `cleanup` cannot touch the machine's own nft tables; [] when we cannot (then cleanup's nft
 * listing fails without root and is merely skipped).
 */
export const PRIVATE_NET: string[] =
  process.getuid?.() === 0 && existsSync('/usr/bin/unshare') ? ['/usr/bin/unshare', '--net', '--'] : [];
