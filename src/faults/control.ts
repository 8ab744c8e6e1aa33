// `start`, `revert`, `cleanup` and `status` modes: everything around a running fault.
//
// start spawns `run` DETACHED: its own session (setsid), stdio to <dir>/<id>.log, unref'd. So it
// outlives the starter and an SSH session that ran the starter (no controlling terminal, no
// inherited pipe keeping the session open, no SIGHUP from a closing session). The starter only
// returns once the fault is in effect (marker state 'running').

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../core/errors.ts';
import {
  isFaultAlive,
  listMarkerIds,
  listTmpFiles,
  logPath,
  markerPath,
  plannedLeftovers,
  readMarker,
  removeLeftovers,
  type FaultMarker,
} from './marker.ts';
import { findNft, nftDeleteTable, nftSync, parseOurTables } from './nft.ts';
import { faultProgramArgv, type CleanupSummary, type FaultStatus } from './program.ts';
import { parseBeginArg, parseSpecArg } from './run.ts';
import { validateFaultId, validateFaultSpec } from './spec.ts';

const START_WAIT_MS = 20_000;
const TERM_WAIT_MS = 10_000;
const KILL_WAIT_MS = 2_000;
const POLL_MS = 50;

function lastLogLine(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    // The run's own FAILED line lands in the log too; the caller adds its own framing.
    return (
      lines
        .pop()
        ?.trim()
        .replace(/^FAILED /, '') || '(empty log)'
    );
  } catch {
    return '(no log)';
  }
}

export async function startFault(
  dirArg: string,
  idArg: string,
  specJson: string,
  beginArg?: string,
): Promise<FaultMarker> {
  const id = validateFaultId(idArg);
  const spec = validateFaultSpec(parseSpecArg(specJson));
  const armed = parseBeginArg(beginArg) !== null;
  const dir = path.resolve(dirArg);
  mkdirSync(dir, { recursive: true });
  const old = readMarker(dir, id);
  if (old && isFaultAlive(old))
    throw new UserError(`fault ${id}: already running (pid ${old.pid}) in ${dir}`);

  const log = logPath(dir, id);
  const fd = openSync(log, 'a', 0o600);
  const argv = faultProgramArgv('run', [dir, id, JSON.stringify(spec), ...(armed ? [beginArg!] : [])]);
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', fd, fd], cwd: '/' });
  closeSync(fd);
  child.unref();
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = String(code ?? signal)));
  child.once('error', (err) => (exited = err.message));

  const until = Date.now() + START_WAIT_MS;
  while (Date.now() < until) {
    const m = readMarker(dir, id);
    // An armed fault answers once armed (or already running, if its time has come meanwhile).
    if (m && m.pid === child.pid && (m.state === 'running' || (armed && m.state === 'armed'))) return m;
    if (exited !== null) {
      removeLeftovers(dir, m ?? { id, ...plannedLeftovers(spec, dir, id) });
      throw new UserError(`fault ${id}: exited (${exited}) before it ran: ${lastLogLine(log)}`);
    }
    await sleep(POLL_MS);
  }
  // Stuck in setup: kill its whole process group (it leads one: detached) and undo its work.
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
  removeLeftovers(dir, readMarker(dir, id) ?? { id, ...plannedLeftovers(spec, dir, id) });
  throw new UserError(`fault ${id}: not running after ${START_WAIT_MS / 1000} s: ${lastLogLine(log)}`);
}

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() >= until) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/**
 * Ends a fault: SIGTERM (the fault reverts itself and removes its marker), else after 10 s
 * SIGKILL and remove the leftovers the marker lists. A dead fault's leftovers go at once.
 */
export async function revertMarker(
  dir: string,
  m: FaultMarker,
): Promise<{ files: string[]; nftTables: string[] }> {
  const alive = (): boolean => isFaultAlive(m);
  if (alive()) {
    process.kill(m.pid, 'SIGTERM');
    const gone = (): boolean => !existsSync(markerPath(dir, m.id)) || !alive();
    if (!(await waitUntil(gone, TERM_WAIT_MS))) {
      try {
        process.kill(m.pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
      await waitUntil(() => !alive(), KILL_WAIT_MS);
    }
    // Its own revert removed the marker: nothing left to do.
    if (!existsSync(markerPath(dir, m.id))) return { files: [], nftTables: [] };
  }
  return removeLeftovers(dir, m);
}

export async function revertFault(dirArg: string, idArg: string): Promise<boolean> {
  const id = validateFaultId(idArg);
  const dir = path.resolve(dirArg);
  const m = readMarker(dir, id);
  if (!m) return false;
  await revertMarker(dir, m);
  return true;
}

export async function cleanupFaults(dirArg: string): Promise<CleanupSummary> {
  const dir = path.resolve(dirArg);
  const s: CleanupSummary = { reverted: [], files: [], nftTables: [], skipped: [] };
  for (const id of listMarkerIds(dir)) {
    let m: FaultMarker | null;
    try {
      m = readMarker(dir, id);
    } catch (err) {
      // A marker we cannot read cannot be reverted; keep it for a human rather than guess.
      s.skipped.push(`${markerPath(dir, id)}: ${(err as Error).message}`);
      continue;
    }
    if (!m) continue;
    const removed = await revertMarker(dir, m);
    s.reverted.push(id);
    s.files.push(...removed.files);
    s.nftTables.push(...removed.nftTables);
  }
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // no directory: nothing stray in it
  }
  const stray = [
    ...names.filter((n) => n.endsWith('.data')).map((n) => path.join(dir, n)),
    ...listTmpFiles(dir),
  ];
  for (const f of stray) {
    rmSync(f, { force: true });
    s.files.push(f);
  }
  // Stray tables: this namespace's foreshock_fault_* tables with no marker left in `dir`.
  // (Cleanup therefore assumes one fault directory per network namespace.)
  const nft = findNft();
  if (!nft) {
    s.skipped.push('nft tables: nft not found');
  } else {
    try {
      for (const t of parseOurTables(nftSync(nft, ['list', 'tables']))) {
        if (nftDeleteTable(nft, t)) s.nftTables.push(t);
      }
    } catch (err) {
      s.skipped.push(`nft tables: ${(err as Error).message}`);
    }
  }
  return s;
}

export function faultStatus(dirArg: string): FaultStatus[] {
  const dir = path.resolve(dirArg);
  const out: FaultStatus[] = [];
  for (const id of listMarkerIds(dir)) {
    const m = readMarker(dir, id);
    if (m) out.push({ ...m, alive: isFaultAlive(m) });
  }
  return out;
}
