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
//
// With `into: service` the leak lives in the host's service instead (workload/tiers/fault-hook.ts):
// this program connects to `<dir>/service.sock`, sends the spec, and holds the connection; the
// service leaks in its own heap until the connection closes. A service that crashes (its heap
// bound reached) and is restarted gets the leak again: the program reconnects, as a leak bug in the
// code would recur.

import net from 'node:net';
import path from 'node:path';
import { UserError } from '../core/errors.ts';
import type { ActiveFault, FaultContext } from './effect.ts';
import { memoryRoomNotes } from './cgroup-mem.ts';
import { rampFactor, type MemLeakSpec } from './spec.ts';

const TICK_MS = 100;
const MIB = 1024 * 1024;
const PAGE = 4096;
/** Largest single Buffer: keeps each malloc/mmap (and its page-touch loop) short. */
const CHUNK = 16 * MIB;

/** The socket a host's service serves its fault hook on (in the host's fault directory). */
export function serviceHookPath(dir: string): string {
  return path.join(dir, 'service.sock');
}

const RECONNECT_MS = 500;

/** One connection to the service's hook: resolves once the service answered LEAKING. */
function connectHook(file: string, spec: MemLeakSpec): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(file);
    let buf = '';
    const fail = (why: string): void => {
      socket.destroy();
      reject(new UserError(why));
    };
    socket.once('error', (err: NodeJS.ErrnoException) =>
      fail(
        `memleak into service: no fault hook at ${file} (${err.code ?? err.message}): the host's service does not expose one`,
      ),
    );
    socket.once('connect', () => socket.write(`${JSON.stringify(spec)}\n`));
    socket.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      if (buf.startsWith('LEAKING\n')) {
        socket.removeAllListeners('data');
        socket.removeAllListeners('error');
        resolve(socket);
      } else if (buf.includes('\n')) fail(`memleak into service: ${buf.trim().replace(/^FAILED /, '')}`);
    });
  });
}

async function startServiceLeak(spec: MemLeakSpec, ctx: FaultContext): Promise<ActiveFault> {
  const file = serviceHookPath(ctx.dir);
  let stopped = false;
  let socket = await connectHook(file, spec);
  let retry: NodeJS.Timeout | null = null;
  const watch = (s: net.Socket): void => {
    s.on('error', () => undefined);
    s.once('close', () => {
      if (stopped) return;
      ctx.log('memleak: the service closed the hook (crashed?); reconnecting to leak again');
      const again = (): void => {
        retry = null;
        if (stopped) return;
        connectHook(file, spec).then(
          (n) => {
            if (stopped) return void n.destroy();
            socket = n;
            ctx.log('memleak: leaking in the restarted service');
            watch(n);
          },
          () => (retry = setTimeout(again, RECONNECT_MS)),
        );
      };
      retry = setTimeout(again, RECONNECT_MS);
    });
  };
  watch(socket);
  ctx.log(`memleak: into the service at ${file}, ${spec.mibPerS} MiB/s up to ${spec.maxMiB} MiB`);
  return {
    notes: [`leaking inside the service behind ${file}`],
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      socket.destroy();
    },
  };
}

export async function startMemLeak(spec: MemLeakSpec, ctx: FaultContext): Promise<ActiveFault> {
  if (spec.into === 'service') return startServiceLeak(spec, ctx);
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
