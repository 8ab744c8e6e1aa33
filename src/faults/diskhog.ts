// diskhog: writes blockKiB blocks to <dir>/<id>.data at mibPerS (x rampFactor), fsync after each block when
// asked, and restarts at offset 0 once the file reaches maxMiB, so the fault loads the disk
// without filling it (diskfill does that).
//
// Pacing is timer-based: every TICK_MS the loop writes the blocks due by then and sleeps. A disk
// slower than the rate builds a backlog; it is capped at MAX_BACKLOG_S of writing so a stall is
// not followed by an unbounded catch-up burst. Writes are async, so the main thread (signals,
// deadline) never blocks on a slow disk.

import { randomFillSync } from 'node:crypto';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActiveFault, FaultContext, PreparedFault } from './effect.ts';
import { dataPath } from './marker.ts';
import { rampFactor, type DiskHogSpec } from './spec.ts';

const TICK_MS = 100;
const MAX_BACKLOG_S = 1;
const MIB = 1024 * 1024;

export async function startDiskHog(spec: DiskHogSpec, ctx: FaultContext): Promise<ActiveFault> {
  return (await prepareDiskHog(spec, ctx)).begin();
}

/**
 * The block (allocated and filled with random bytes: `blockKiB` of memory charged to the host and
 * a burst of CPU) and the open file, made before the fault begins; begin() starts the writes. An
 * armed hog made its block at arm time, so the fault phase does not open with that allocation.
 */
export async function prepareDiskHog(spec: DiskHogSpec, ctx: FaultContext): Promise<PreparedFault> {
  const file = dataPath(ctx.dir, ctx.id);
  const maxBytes = spec.maxMiB * MIB;
  const block = Buffer.allocUnsafeSlow(Math.min(spec.blockKiB * 1024, maxBytes));
  // Random bytes: a compressing or deduplicating file system must not turn the load into nothing.
  randomFillSync(block);
  const fh = await open(file, 'w', 0o600);
  return {
    abort: () => fh.close(),
    begin: async () => {
      const rate = spec.mibPerS * MIB; // bytes per second
      let stopping = false;
      let position = 0;
      let written = 0;
      const t0 = performance.now();
      let credit = 0; // bytes allowed but not yet written
      let last = t0;
      const loop = (async (): Promise<void> => {
        while (!stopping) {
          const now = performance.now();
          const f = rampFactor(spec.ramp, (now - t0) / 1000, spec.rampS);
          credit = Math.min(credit + (rate * f * (now - last)) / 1000, rate * MAX_BACKLOG_S + block.length);
          last = now;
          while (!stopping && credit >= block.length) {
            if (position + block.length > maxBytes) position = 0;
            await fh.write(block, 0, block.length, position);
            if (spec.fsync) await fh.sync();
            position += block.length;
            written += block.length;
            credit -= block.length;
          }
          if (!stopping) await sleep(TICK_MS);
        }
      })();
      loop.catch((err: unknown) => ctx.log(`diskhog: write failed: ${(err as Error).message}`));
      ctx.log(
        `diskhog: ${spec.mibPerS} MiB/s in ${spec.blockKiB} KiB blocks to ${file} (fsync ${spec.fsync})`,
      );
      return {
        notes: [],
        async stop() {
          stopping = true;
          await loop.catch(() => undefined);
          await fh.close();
          ctx.log(`diskhog: wrote ${(written / MIB).toFixed(1)} MiB`);
          // The file itself is removed with the other leftovers listed in the marker (run.ts).
        },
      };
    },
  };
}
