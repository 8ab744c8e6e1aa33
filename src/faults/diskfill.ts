// diskfill: one file <dir>/<id>.data taking the space asked for, held until the end (the file is
// removed with the marker's other leftovers). `percent` is the target used share of the file
// system as df shows it (Use% = used / (used + available to unprivileged users)); a file system
// already at or above it gets an empty file and a note. `mib` and `percent` are both capped at the
// space available, also with a note: a fill that fails on ENOSPC would leave no fault at all.
//
// `fallocate -l` reserves the blocks at once without writing them (fast, no disk bandwidth, which
// is diskhog's job). Where fallocate is missing or unsupported, zeros are written in 4 MiB chunks.

import { execFile } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { ActiveFault, FaultContext } from './effect.ts';
import { dataPath } from './marker.ts';
import type { DiskFillSpec } from './spec.ts';

const MIB = 1024 * 1024;
const CHUNK = 4 * MIB;
const execFileP = promisify(execFile);

export interface FillPlan {
  bytes: number;
  note: string;
}

/** Size of the fill file for a spec, given the file system's statfs numbers. Pure. */
export function planFill(
  spec: Pick<DiskFillSpec, 'percent' | 'mib'>,
  fs: { bsize: number; blocks: number; bfree: number; bavail: number },
): FillPlan {
  const used = (fs.blocks - fs.bfree) * fs.bsize;
  const avail = fs.bavail * fs.bsize;
  const usedPct = (100 * used) / Math.max(1, used + avail);
  let want: number;
  let what: string;
  if (spec.percent !== undefined) {
    want = Math.ceil(((spec.percent / 100) * (used + avail) - used) / fs.bsize) * fs.bsize;
    what = `to reach ${spec.percent} % used (now ${usedPct.toFixed(1)} %)`;
    if (want <= 0)
      return { bytes: 0, note: `nothing to fill: file system already ${usedPct.toFixed(1)} % used` };
  } else {
    want = (spec.mib ?? 0) * MIB;
    what = `${spec.mib} MiB`;
  }
  if (want > avail) {
    return { bytes: avail, note: `filling ${avail} bytes (all available) instead of ${what}` };
  }
  return { bytes: want, note: `filling ${want} bytes (${what})` };
}

async function writeZeros(file: string, bytes: number, stopped: () => boolean): Promise<void> {
  const fh = await open(file, 'w', 0o600);
  try {
    const zeros = Buffer.alloc(Math.min(CHUNK, Math.max(1, bytes)));
    for (let pos = 0; pos < bytes && !stopped(); pos += zeros.length) {
      await fh.write(zeros, 0, Math.min(zeros.length, bytes - pos), pos);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function startDiskFill(spec: DiskFillSpec, ctx: FaultContext): Promise<ActiveFault> {
  const file = dataPath(ctx.dir, ctx.id);
  const plan = planFill(spec, statfsSync(ctx.dir));
  let stopped = false;
  if (plan.bytes === 0) {
    await (await open(file, 'w', 0o600)).close();
  } else {
    try {
      await execFileP('fallocate', ['-l', String(plan.bytes), file], { timeout: 60_000 });
    } catch (err) {
      ctx.log(`diskfill: fallocate failed (${(err as Error).message.split('\n')[0]}), writing zeros`);
      await writeZeros(file, plan.bytes, () => stopped);
    }
  }
  ctx.log(`diskfill: ${plan.note} in ${file}`);
  return {
    notes: [plan.note],
    async stop() {
      stopped = true; // the file goes with the marker's leftovers (run.ts)
    },
  };
}
