// The marker file `<dir>/<id>.json` of a fault running on this host: who runs it (pid), what it
// touched (files, nft table) and until when. It is written before anything is touched, so even a
// fault killed with SIGKILL during setup leaves enough behind for `revert`/`cleanup` to undo it.
// Written atomically (tmp + rename), so a reader never sees half a marker.

import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FaultSpec } from './spec.ts';
import { findNft, nftDeleteTable, nftTableName } from './nft.ts';

export interface FaultMarker {
  id: string;
  pid: number;
  type: FaultSpec['type'];
  spec: FaultSpec;
  /** ISO time the fault took effect (setup start while state is 'starting'). */
  startedAt: string;
  /** ISO time the fault reverts itself (startedAt + durationS). */
  expiresAt: string;
  /** Files the fault created; deleted on revert. */
  files: string[];
  /** nft table (inet family) the fault created; deleted on revert. */
  nftTable: string | null;
  /**
   * 'starting' while the program starts; 'armed' while it waits, idle, for `beginsAt` (a fault
   * started ahead of its time, so that its own start-up is not part of the fault); 'running' once
   * the effect is on.
   */
  state: 'starting' | 'armed' | 'running';
  /** ISO time an armed fault begins its effect. */
  beginsAt?: string;
  /** What the fault wants a reader to know (e.g. "nothing to fill", cgroup room). */
  notes: string[];
}

export const markerPath = (dir: string, id: string): string => path.join(dir, `${id}.json`);
export const dataPath = (dir: string, id: string): string => path.join(dir, `${id}.data`);
export const logPath = (dir: string, id: string): string => path.join(dir, `${id}.log`);
const TMP_SUFFIX = '.tmp';

/** The files and nft table a fault will create: known before it starts, listed in the marker. */
export function plannedLeftovers(
  spec: FaultSpec,
  dir: string,
  id: string,
): Pick<FaultMarker, 'files' | 'nftTable'> {
  const files = spec.type === 'diskhog' || spec.type === 'diskfill' ? [dataPath(dir, id)] : [];
  return { files, nftTable: spec.type === 'netloss' ? nftTableName(id) : null };
}

export function writeMarker(dir: string, marker: FaultMarker): void {
  const file = markerPath(dir, marker.id);
  const tmp = `${file}.${process.pid}${TMP_SUFFIX}`;
  writeFileSync(tmp, JSON.stringify(marker) + '\n');
  renameSync(tmp, file);
}

/** The marker, or null when there is none. A garbled marker is reported, not ignored. */
export function readMarker(dir: string, id: string): FaultMarker | null {
  let text: string;
  try {
    text = readFileSync(markerPath(dir, id), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const m = JSON.parse(text) as FaultMarker;
  if (typeof m.id !== 'string' || typeof m.pid !== 'number' || !Array.isArray(m.files)) {
    throw new Error(`${markerPath(dir, id)}: not a fault marker`);
  }
  return m;
}

export function listMarkerIds(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
}

/** Half-written marker tmp files (a writer killed between write and rename). */
export function listTmpFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith(TMP_SUFFIX))
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

export function removeMarker(dir: string, id: string): void {
  rmSync(markerPath(dir, id), { force: true });
}

/**
 * True while the marker's process still runs. The pid alone is not enough: pids are reused, and
 * orphans here become zombies that PID 1 reaps slowly. So: not a zombie, and its command line is
 * our `run` of this very fault.
 */
export function isFaultAlive(m: Pick<FaultMarker, 'pid' | 'id'>): boolean {
  let stat: string;
  let argv: string[];
  try {
    stat = readFileSync(`/proc/${m.pid}/stat`, 'utf8');
    argv = readFileSync(`/proc/${m.pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return false;
  }
  const state = /\) (\S)/.exec(stat)?.[1];
  if (state === 'Z' || state === 'X') return false;
  // The program runs as src/faults/fault-main.ts (through tsx) or as its bundle fault-main.mjs.
  const i = argv.findIndex((a) => a.endsWith('/fault-main.ts') || a.endsWith('/fault-main.mjs'));
  return i >= 0 && argv[i + 1] === 'run' && argv[i + 3] === m.id;
}

/**
 * Undoes what a fault touched (its files, its nft table) and removes its marker. Synchronous on
 * purpose: it runs on exit and deadline paths where the event loop may no longer be trusted.
 * Idempotent. Returns what was actually removed.
 */
export function removeLeftovers(
  dir: string,
  m: Pick<FaultMarker, 'id' | 'files' | 'nftTable'>,
): { files: string[]; nftTables: string[] } {
  const removed = { files: [] as string[], nftTables: [] as string[] };
  for (const f of m.files) {
    try {
      rmSync(f);
      removed.files.push(f);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  if (m.nftTable) {
    const nft = findNft();
    if (nft && nftDeleteTable(nft, m.nftTable)) removed.nftTables.push(m.nftTable);
  }
  removeMarker(dir, m.id);
  return removed;
}
