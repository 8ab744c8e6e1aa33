// How much memory a memleak can take before its memory cgroup's limit, for a note in the marker.
//
// What happens at the limit (cgroup v1 and v2 alike): the kernel first reclaims the cgroup's page
// cache (and swaps, if swap is on), then the OOM killer kills the task with the largest
// badness score (roughly: resident memory, plus oom_score_adj) among the cgroup's tasks -
// usually the leak itself, since it is the biggest. The fault then ends early with its marker
// left behind (`status` shows alive: false; `cleanup` removes it) and the memory is back.
//
// We deliberately leave our oom_score_adj at its inherited value: lowering it (root may) would
// only move the kill to the host's services, its sshd or its telemetry agent, and -1000 can
// livelock a cgroup whose only big task is the leak. A leak that must not be killed should have a
// maxMiB below the room reported here.
//
// Best effort: without a readable cgroup (another layout, a cgroup namespace) there is no note.

import { readFileSync } from 'node:fs';
import path from 'node:path';

const MIB = 1024 * 1024;
/** v1 reports "no limit" as a huge page-rounded number; anything past 2^60 is unlimited. */
const UNLIMITED = 2 ** 60;

function readNumber(file: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (text === 'max') return Infinity;
    const n = Number(text);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** [cgroup dir, limit file, usage file] for this process: v1 memory controller, else v2. */
function memoryCgroup(): [string, string, string] | undefined {
  let lines: string[];
  try {
    lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  } catch {
    return undefined;
  }
  for (const l of lines) {
    const [, controllers, rel] = l.split(':');
    if (rel !== undefined && controllers!.split(',').includes('memory'))
      return [path.join('/sys/fs/cgroup/memory', rel), 'memory.limit_in_bytes', 'memory.usage_in_bytes'];
  }
  const v2 = lines.find((l) => l.startsWith('0::'));
  return v2 ? [path.join('/sys/fs/cgroup', v2.slice(3)), 'memory.max', 'memory.current'] : undefined;
}

/** Smallest (limit - usage) over the cgroup and its ancestors (limits nest), in bytes. */
export function memoryRoom(): { cgroup: string; roomBytes: number; limitBytes: number } | undefined {
  const cg = memoryCgroup();
  if (!cg) return undefined;
  const [leaf, limitFile, usageFile] = cg;
  let best: { cgroup: string; roomBytes: number; limitBytes: number } | undefined;
  for (let dir = leaf; dir.startsWith('/sys/fs/cgroup'); dir = path.dirname(dir)) {
    const limit = readNumber(path.join(dir, limitFile));
    const usage = readNumber(path.join(dir, usageFile));
    if (limit !== undefined && usage !== undefined && limit < UNLIMITED) {
      const room = Math.max(0, limit - usage);
      if (!best || room < best.roomBytes) best = { cgroup: dir, roomBytes: room, limitBytes: limit };
    }
    if (dir === path.dirname(dir)) break;
  }
  return best;
}

function swapOn(): boolean {
  try {
    return readFileSync('/proc/swaps', 'utf8').trim().split('\n').length > 1;
  } catch {
    return false;
  }
}

export function memoryRoomNotes(maxMiB: number): string[] {
  const notes: string[] = [];
  const room = memoryRoom();
  if (room && maxMiB * MIB > room.roomBytes) {
    notes.push(
      `maxMiB ${maxMiB} exceeds the ${Math.floor(room.roomBytes / MIB)} MiB left under the memory limit ` +
        `(${Math.floor(room.limitBytes / MIB)} MiB) of ${room.cgroup}: expect reclaim, then the OOM killer ` +
        `(likely killing this fault)`,
    );
  }
  if (swapOn()) notes.push('swap is on: held pages may be swapped out and RSS fall below the level');
  return notes;
}
