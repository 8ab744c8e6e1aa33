// A service's fault hook: how a fault gets *inside* a tier's process, the way ChaosBlade's JVM
// agent injects an OOM into a Java service. The embedded stack has no cgroups, so a leak in a
// separate process cannot squeeze anything on a machine with gigabytes free; a leak in the tier's
// own heap, under the heap bound the stack gives the tier (--max-old-space-size), is the leak
// physics a real service has: the live heap grows, each major GC marks more of it, GCs come more
// often as the heap nears its bound, and in the end V8 aborts the process ("JavaScript heap out of
// memory"). The slowdown comes from the collector and the crash, never from code that waits.
//
// Protocol: the tier listens on a Unix socket (`<fault dir of its host>/service.sock`). A fault
// program connects and sends one JSON line, `{"type":"memleak","mibPerS":..,"ramp":..,"rampS":..,
// "maxMiB":..}`; the tier leaks from then on and answers `LEAKING`. When the connection closes
// (revert, or the fault program killed) the tier drops every leaked object: the fault cannot
// outlive its program. A tier restarted after a crash starts clean; the fault program connects to
// the new one and the leak (a bug in the code) starts again.

import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { rampFactor, validateFaultSpec, type MemLeakSpec } from '../../faults/spec.ts';

const TICK_MS = 100;
const MIB = 1024 * 1024;
/**
 * Heap bytes one leaked record costs, measured with node 20 (a 4-field object with a short
 * string, in an array): used to turn MiB/s into records/s. A reconstruction, not a V8 constant.
 */
const RECORD_BYTES = 120;

export interface FaultHook {
  path: string;
  close(): Promise<void>;
}

interface LeakRecord {
  id: number;
  at: number;
  tag: string;
  next: LeakRecord | null;
}

/** Leaks records in this process per `spec` until stop(); the records stay reachable until then. */
function startHeapLeak(spec: MemLeakSpec): { stop(): void } {
  let held: LeakRecord[][] = [];
  let heldBytes = 0;
  let due = 0;
  let id = 0;
  const t0 = performance.now();
  let last = t0;
  const timer = setInterval(() => {
    const now = performance.now();
    const f = rampFactor(spec.ramp, (now - t0) / 1000, spec.rampS);
    due += spec.mibPerS * MIB * f * ((now - last) / 1000);
    last = now;
    const bytes = Math.min(due, spec.maxMiB * MIB - heldBytes);
    const n = Math.floor(bytes / RECORD_BYTES);
    if (n <= 0) return;
    due -= n * RECORD_BYTES;
    heldBytes += n * RECORD_BYTES;
    const chunk = new Array<LeakRecord>(n);
    for (let i = 0; i < n; i++) chunk[i] = { id: ++id, at: now, tag: `leak-${id}`, next: null };
    held.push(chunk);
    if (heldBytes >= spec.maxMiB * MIB) clearInterval(timer);
  }, TICK_MS);
  return {
    stop() {
      clearInterval(timer);
      held = [];
      heldBytes = 0;
    },
  };
}

/** Serves the fault hook on `socketPath` (replacing a stale socket file). */
export function serveFaultHook(socketPath: string, log: (line: string) => void): Promise<FaultHook> {
  // The host's fault directory (a testbed host's own disk may not have it yet).
  mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  rmSync(socketPath, { force: true });
  const leaks = new Set<{ stop(): void }>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    let buf = '';
    let leak: { stop(): void } | null = null;
    const end = (): void => {
      if (leak) {
        leak.stop();
        leaks.delete(leak);
        leak = null;
        log('fault hook: leak stopped, memory released');
      }
    };
    socket.on('data', (d: Buffer) => {
      if (leak) return;
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) {
        if (buf.length > 4096) socket.destroy();
        return;
      }
      try {
        const spec = validateFaultSpec(JSON.parse(buf.slice(0, nl)), 'fault hook');
        if (spec.type !== 'memleak') throw new Error(`fault hook: ${spec.type} is not injected in-process`);
        leak = startHeapLeak(spec);
        leaks.add(leak);
        log(`fault hook: leaking ${spec.mibPerS} MiB/s up to ${spec.maxMiB} MiB in this process`);
        socket.write('LEAKING\n');
      } catch (err) {
        socket.end(`FAILED ${(err as Error).message.split('\n')[0]}\n`);
      }
    });
    socket.on('close', end);
    socket.on('error', end);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve({
        path: socketPath,
        close: () =>
          new Promise<void>((r) => {
            for (const l of leaks) l.stop();
            for (const c of sockets) c.destroy();
            server.close(() => {
              rmSync(socketPath, { force: true });
              r();
            });
          }),
      });
    });
  });
}
