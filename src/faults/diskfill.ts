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
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { ActiveFault, FaultContext } from './effect.ts';
import { dataPath } from './marker.ts';
import { rampFactor, type DiskFillSpec } from './spec.ts';

const MIB = 1024 * 1024;
const TICK_MS = 100;
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
  if (spec.mibPerS !== undefined && plan.bytes > 0) {
    // A growing fill to 100 % fills every free block, root's reserve included (ext4 keeps ~5 % for
    // root, and a database running as root writes on into it): the disk is then full for everyone.
    const fs = statfsSync(ctx.dir);
    const all =
      spec.percent === 100
        ? {
            bytes: fs.bfree * fs.bsize,
            note: `filling every free block (${fs.bfree * fs.bsize} bytes, root's reserve included)`,
          }
        : plan;
    return growFill(spec, spec.mibPerS, all, file, ctx);
  }
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

/**
 * The file grows like a runaway log: 1 MiB appends at mibPerS x ramp, paced by a 100 ms timer,
 * until it has the planned size (or the disk refuses: ENOSPC ends the growth, with a note), then
 * held. Buffered appends: ext4 reserves the blocks at write time, so the space is gone at once,
 * while the bytes reach the disk with the normal writeback (a little disk bandwidth, not diskhog's).
 */
async function growFill(
  spec: DiskFillSpec,
  mibPerS: number,
  plan: FillPlan,
  file: string,
  ctx: FaultContext,
): Promise<ActiveFault> {
  const fh = await open(file, 'w', 0o600);
  const chunk = Buffer.alloc(MIB);
  const rate = mibPerS * MIB;
  let stopping = false;
  let size = 0;
  const notes = [`growing at ${mibPerS} MiB/s: ${plan.note}`];
  const t0 = performance.now();
  let last = t0;
  let credit = 0;
  const loop = (async (): Promise<void> => {
    while (!stopping && size < plan.bytes) {
      const now = performance.now();
      credit = Math.min(
        credit + (rate * rampFactor(spec.ramp, (now - t0) / 1000, spec.rampS) * (now - last)) / 1000,
        rate + MIB,
      );
      last = now;
      while (!stopping && credit >= 1 && size < plan.bytes) {
        const n = Math.min(chunk.length, plan.bytes - size, Math.floor(credit));
        if (n < Math.min(chunk.length, plan.bytes - size)) break; // wait for a whole chunk's credit
        try {
          await fh.write(chunk, 0, n, size);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          ctx.log(`diskfill: the disk is full at ${(size / MIB).toFixed(1)} MiB`);
          return;
        }
        size += n;
        credit -= n;
      }
      if (!stopping && size < plan.bytes) await sleep(TICK_MS);
    }
    if (size >= plan.bytes) ctx.log(`diskfill: reached ${(size / MIB).toFixed(1)} MiB; held`);
  })();
  loop.catch((err: unknown) => ctx.log(`diskfill: write failed: ${(err as Error).message}`));
  ctx.log(`diskfill: ${notes[0]} in ${file}`);
  return {
    notes,
    async stop() {
      stopping = true;
      await loop.catch(() => undefined);
      await fh.close(); // the file goes with the marker's leftovers (run.ts)
    },
  };
}
