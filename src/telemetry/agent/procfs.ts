// Parsers for the procfs / sysfs / cgroupfs text formats both sources read, and a file reader that
// turns "gone" (a process exited, a file this kernel lacks) into null instead of an exception.

import { readFileSync, readdirSync } from 'node:fs';

/** The file's text, or null when it does not exist or cannot be read (ENOENT, ESRCH, EACCES...). */
export function readTextOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Directory entries, or [] when the directory is gone. */
export function readDirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The fields of /proc/<pid>/stat the agent uses (proc(5) numbering in comments). */
export interface ProcStat {
  /** (3) R running, S sleeping, D disk sleep, Z zombie, T stopped, I idle... */
  state: string;
  /** (10) minor faults: pages mapped without I/O. */
  minflt: number;
  /** (12) major faults: pages that had to be read from disk or swap. */
  majflt: number;
  /** (14) + (15) user + system time, clock ticks. */
  ticks: number;
}

/**
 * Parses /proc/<pid>/stat. The command name (2) is in parentheses and may hold spaces and
 * parentheses itself, so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // After ") ": field 3 is index 0.
  const f = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const num = (field: number): number => Number(f[field - 3]);
  const state = f[0];
  const stat = { minflt: num(10), majflt: num(12), ticks: num(14) + num(15) };
  if (state === undefined || !Object.values(stat).every(Number.isFinite)) return null;
  return { state, ...stat };
}

/** `key: value` lines (/proc/<pid>/status, /proc/<pid>/io) or `key value` lines (memory.stat). */
export function parseKeyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+?):?\s+(\d+)/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** PSI `some avg10` (%) from a cgroup v2 *.pressure file, or null when absent or malformed. */
export function parsePressureSomeAvg10(text: string | null): number | null {
  if (text === null) return null;
  const m = /^some\s.*\bavg10=([\d.]+)/m.exec(text);
  return m ? Number(m[1]) : null;
}

/**
 * Sectors read and written from /sys/block/<dev>/stat, as bytes (the block layer's sector is
 * always 512 bytes, whatever the device's). Fields 3 and 7 of Documentation/block/stat.rst.
 */
export function parseBlockStat(text: string | null): { readBytes: number; writeBytes: number } | null {
  if (text === null) return null;
  const f = text.trim().split(/\s+/).map(Number);
  const r = f[2];
  const w = f[6];
  if (r === undefined || w === undefined || !Number.isFinite(r) || !Number.isFinite(w)) return null;
  return { readBytes: r * 512, writeBytes: w * 512 };
}

/** Received and sent bytes of one interface from /proc/net/dev (the namespace's view). */
export function parseNetDev(
  text: string | null,
  iface: string,
): { inBytes: number; outBytes: number } | null {
  if (text === null) return null;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() !== iface) continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    const rx = f[0];
    const tx = f[8];
    if (rx === undefined || tx === undefined || !Number.isFinite(rx) || !Number.isFinite(tx)) return null;
    return { inBytes: rx, outBytes: tx };
  }
  return null;
}

/** Counts the tasks in state R (running/runnable) or D (uninterruptible, usually I/O). */
export function isLoadState(state: string): boolean {
  return state === 'R' || state === 'D';
}
