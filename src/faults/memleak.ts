// memleak: resident memory growing at mibPerS (x rampFactor) up to maxMiB, then held until the
// end. Built to avoid the peer tools' known failures:
// - CPU-quiet: a timer every TICK_MS allocates only what is due since the last tick; there is no
//   spinning and memory once touched is never touched again. Once at maxMiB the timer stops.
// - Really resident: Buffer.allocUnsafeSlow gets memory from malloc (mmap for big chunks), whose
//   pages cost nothing until written; writing one byte per 4096 makes every page resident (RSS
//   and the memory cgroup's usage grow). allocUnsafeSlow also keeps the memory outside V8's heap
//   and out of Node's shared pool, so GC does not copy or scan it.
// - Holds its level: references are kept until stop(). (Pages could still be swapped out when
//   swap is on; a note in the marker says so.)
// See cgroup-mem.ts for what happens at a memory cgroup limit.

import type { ActiveFault, FaultContext } from './effect.ts';
import { memoryRoomNotes } from './cgroup-mem.ts';
import { rampFactor, type MemLeakSpec } from './spec.ts';

const TICK_MS = 100;
const MIB = 1024 * 1024;
const PAGE = 4096;
/** Largest single Buffer: keeps each malloc/mmap (and its page-touch loop) short. */
const CHUNK = 16 * MIB;

export async function startMemLeak(spec: MemLeakSpec, ctx: FaultContext): Promise<ActiveFault> {
  const held: Buffer[] = [];
  const maxBytes = spec.maxMiB * MIB;
  let heldBytes = 0;
  /** Bytes due but not yet allocated (fractions of a page carry over to the next tick). */
  let due = 0;
  const t0 = performance.now();
  let last = t0;
  const tick = (): void => {
    const now = performance.now();
    const f = rampFactor(spec.ramp, (now - t0) / 1000, spec.rampS);
    due += spec.mibPerS * MIB * f * ((now - last) / 1000);
    last = now;
    let n = Math.min(Math.floor(due / PAGE) * PAGE, maxBytes - heldBytes);
    due -= n;
    while (n > 0) {
      const size = Math.min(n, CHUNK);
      const b = Buffer.allocUnsafeSlow(size);
      for (let i = 0; i < size; i += PAGE) b[i] = 1;
      held.push(b);
      heldBytes += size;
      n -= size;
    }
    if (heldBytes >= maxBytes) {
      clearInterval(timer);
      ctx.log(`memleak: reached ${spec.maxMiB} MiB, holding`);
    }
  };
  const timer = setInterval(tick, TICK_MS);
  ctx.log(`memleak: ${spec.mibPerS} MiB/s up to ${spec.maxMiB} MiB (ramp ${spec.ramp} over ${spec.rampS} s)`);
  return {
    notes: memoryRoomNotes(spec.maxMiB),
    async stop() {
      clearInterval(timer);
      held.length = 0; // the process exits next; dropping references is for an in-process caller
    },
  };
}
