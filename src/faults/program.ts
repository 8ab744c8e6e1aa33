// The controller's side of the on-host fault program (fault-main.ts): the argv that runs it
// (locally, or wrapped by the caller in a testbed host or in ssh) and parsers for the one-line
// answers it prints. The program speaks in lines so it works the same over a pipe and over SSH:
//   STARTED <marker-json> | REVERTED <id> | NOT-RUNNING <id> | CLEANED <summary-json>
//   status: one marker JSON (with "alive") per line
//   any mode: FAILED <one line>, exit code 1
// A FAILED line or a missing answer is a UserError carrying the program's reason (or its last
// stderr line: e.g. node missing on the host); an answer that does not parse is an InternalError.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError, UserError } from '../core/errors.ts';
import type { FaultMarker } from './marker.ts';

export type FaultMode = 'start' | 'run' | 'revert' | 'cleanup' | 'status';

const SELF = fileURLToPath(import.meta.url);
/** True inside the bundle (bundle.ts), which is this module compiled into one .mjs file. */
const BUNDLED = SELF.endsWith('.mjs');
// src/faults/program.ts and .cache/faults/fault-main.mjs are both two levels below the repository.
export const REPO_ROOT = path.resolve(path.dirname(SELF), '..', '..');
export const RUN_TS = path.join(REPO_ROOT, 'bin', 'run-ts.js');
export const FAULT_MAIN = path.join(REPO_ROOT, 'src', 'faults', 'fault-main.ts');
/** The fault program as one plain-JS file (bundle.ts builds it): starts in ~40 ms, not ~300 ms. */
export const FAULT_BUNDLE = path.join(REPO_ROOT, '.cache', 'faults', 'fault-main.mjs');

/**
 * argv of `fault-main <mode> ...args` with this node and absolute paths (no shell, no PATH). The
 * bundle when it exists: the program's own start-up CPU lands on the target host, and through tsx
 * it would take ~0.3 s of CPU per process (a visible blip on a 0.5-CPU host at every injection).
 */
export function faultProgramArgv(mode: FaultMode, args: string[]): string[] {
  if (BUNDLED) return [process.execPath, SELF, mode, ...args];
  if (existsSync(FAULT_BUNDLE)) return [process.execPath, FAULT_BUNDLE, mode, ...args];
  return [process.execPath, RUN_TS, FAULT_MAIN, mode, ...args];
}

export interface FaultStatus extends FaultMarker {
  alive: boolean;
}

export interface RevertResult {
  id: string;
  /** False when there was no marker (NOT-RUNNING). */
  wasRunning: boolean;
}

export interface CleanupSummary {
  /** Ids of the markers found and reverted. */
  reverted: string[];
  /** Files removed (data files of reverted faults and stray ones). */
  files: string[];
  /** nft tables deleted. */
  nftTables: string[];
  /** What could not be checked, and why (e.g. nft missing). */
  skipped: string[];
}

function lines(stdout: string): string[] {
  return stdout.split('\n').map((l) => l.trim());
}

function lastStderrLine(stderr: string): string {
  return (
    stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .pop() ?? ''
  );
}

/** The error for an answer without the expected line: the program's FAILED reason if it gave one. */
function noAnswer(mode: FaultMode, expected: string, stdout: string, stderr: string): UserError {
  const failed = lines(stdout).find((l) => l.startsWith('FAILED '));
  if (failed) return new UserError(`fault ${mode}: ${failed.slice('FAILED '.length)}`);
  const last = lastStderrLine(stderr);
  return new UserError(
    `fault ${mode}: no ${expected} line in the program's output${last ? ` (stderr: ${last})` : ''}`,
  );
}

function parseJson(mode: FaultMode, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InternalError(`fault ${mode}: unparsable answer: ${text.slice(0, 200)}`);
  }
}

function asMarker(mode: FaultMode, v: unknown): FaultMarker {
  const m = v as Partial<FaultMarker> | null;
  if (
    typeof m !== 'object' ||
    m === null ||
    typeof m.id !== 'string' ||
    typeof m.pid !== 'number' ||
    typeof m.type !== 'string' ||
    !Array.isArray(m.files) ||
    typeof m.expiresAt !== 'string'
  ) {
    throw new InternalError(`fault ${mode}: not a fault marker: ${JSON.stringify(v).slice(0, 200)}`);
  }
  return m as FaultMarker;
}

export function parseStarted(stdout: string, stderr = ''): FaultMarker {
  const line = lines(stdout).find((l) => l.startsWith('STARTED '));
  if (!line) throw noAnswer('start', 'STARTED', stdout, stderr);
  return asMarker('start', parseJson('start', line.slice('STARTED '.length)));
}

export function parseReverted(stdout: string, stderr = ''): RevertResult {
  for (const l of lines(stdout)) {
    const m = /^(REVERTED|NOT-RUNNING) (\S+)$/.exec(l);
    if (m) return { id: m[2]!, wasRunning: m[1] === 'REVERTED' };
  }
  throw noAnswer('revert', 'REVERTED', stdout, stderr);
}

export function parseCleaned(stdout: string, stderr = ''): CleanupSummary {
  const line = lines(stdout).find((l) => l.startsWith('CLEANED '));
  if (!line) throw noAnswer('cleanup', 'CLEANED', stdout, stderr);
  const s = parseJson('cleanup', line.slice('CLEANED '.length)) as Partial<CleanupSummary> | null;
  const isList = (x: unknown): x is string[] => Array.isArray(x) && x.every((e) => typeof e === 'string');
  if (!s || !isList(s.reverted) || !isList(s.files) || !isList(s.nftTables) || !isList(s.skipped)) {
    throw new InternalError(`fault cleanup: not a cleanup summary: ${line.slice(0, 200)}`);
  }
  return s as CleanupSummary;
}

/**
 * `status` prints nothing when no fault is known, so an empty answer is an empty list; pass the
 * exit code to tell that apart from a program that never ran (code != 0).
 */
export function parseStatus(stdout: string, stderr = '', exitCode: number | null = 0): FaultStatus[] {
  const found = lines(stdout).filter((l) => l !== '');
  if (exitCode !== 0 || found.some((l) => l.startsWith('FAILED ')))
    throw noAnswer('status', 'status', stdout, stderr);
  return found.map((l) => {
    const v = parseJson('status', l) as { alive?: unknown };
    if (typeof v?.alive !== 'boolean')
      throw new InternalError(`fault status: no "alive" in ${l.slice(0, 200)}`);
    return asMarker('status', v) as FaultStatus;
  });
}
