// cpuhog: `cores` worker threads, each running a duty cycle in 100 ms periods: busy for
// percent % x rampFactor of the period, asleep (Atomics.wait: no CPU) for the rest. The main
// thread stays idle, so signals, the duration timer and the deadline keep working while the
// workers spin.
//
// The worker is a plain-JS string (eval worker): it needs no TypeScript loader. The ramp is
// computed here, in the main thread, with spec.ts's rampFactor, and published to the workers
// through shared memory, so there is one definition of the ramp.

import { Worker } from 'node:worker_threads';
import type { ActiveFault, FaultContext } from './effect.ts';
import { rampFactor, type CpuHogSpec } from './spec.ts';

const PERIOD_MS = 100;
/** How long the workers spin at full duty while the fault is armed (see prepareCpuHog). */
const WARMUP_MS = 500;
/** Slot 0: stop flag (workers wake on it). Slot 1: busy share of a period, in 1/10000. */
const STOP = 0;
const DUTY = 1;

// The busy phase reads the clock only every SPIN_CHUNK iterations of an integer loop: each
// performance.now() returns a boxed number, and reading it in every iteration allocated ~100 MB/s at
// full duty. V8 gives the idle young generation back while the fault is armed, so that allocation
// re-touched fresh pages at the fault start: measured as 300-1,300 minor faults a second for 6 s of an
// exponential ramp after a 5-60 s idle, a pagein footprint of 590-1,034 pages/s at +2 s on the
// testbed's db. Chunked, the same ramp after 30 s idle: 2-8 a second.
const SPIN_CHUNK = 10000;

const WORKER_SRC = `
const { workerData } = require('node:worker_threads');
const s = new Int32Array(workerData.shared);
function spin(t0, busyMs) {
  let x = 0;
  while (performance.now() - t0 < busyMs) for (let i = 0; i < ${SPIN_CHUNK}; i++) x = (x + i) | 0;
  return x;
}
function period() {
  const t0 = performance.now();
  spin(t0, (${PERIOD_MS} * Atomics.load(s, ${DUTY})) / 10000);
  const restMs = ${PERIOD_MS} - (performance.now() - t0);
  if (restMs > 0) Atomics.wait(s, ${STOP}, 0, restMs);
}
while (Atomics.load(s, ${STOP}) === 0) period();
`;

export async function startCpuHog(spec: CpuHogSpec, ctx: FaultContext): Promise<ActiveFault> {
  return (await prepareCpuHog(spec, ctx, { warmUp: false })).begin();
}

/** The workers, started idle (duty 0: asleep in Atomics.wait); begin() starts the ramp. */
export async function prepareCpuHog(
  spec: CpuHogSpec,
  ctx: FaultContext,
  o: { warmUp: boolean } = { warmUp: true },
): Promise<{ begin(): Promise<ActiveFault>; abort(): Promise<void> }> {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  let ramping: NodeJS.Timeout | null = null;
  const workers = Array.from(
    { length: spec.cores },
    () => new Worker(WORKER_SRC, { eval: true, workerData: { shared: shared.buffer } }),
  );
  const exited = workers.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
  for (const w of workers) w.on('error', (err) => ctx.log(`cpuhog worker: ${err.message}`));
  const stop = async (): Promise<void> => {
    if (ramping) clearInterval(ramping);
    Atomics.store(shared, STOP, 1);
    Atomics.notify(shared, STOP);
    // A worker leaves within one period; terminate() is the backstop for one that does not.
    const late = setTimeout(() => workers.forEach((w) => void w.terminate()), 2 * PERIOD_MS + 500);
    await Promise.all(exited);
    clearTimeout(late);
  };
  // Every worker up and idle before prepare returns: thread creation is not part of the fault.
  await Promise.all(workers.map((w) => new Promise<void>((resolve) => w.once('online', () => resolve()))));
  // Warm-up while armed: the busy loop's code is compiled and optimized before the fault phase, not in
  // its first seconds (an armed fault; one that begins at once does not wait). It kept a full-duty
  // start clean (test/faults/armed.test.ts) but not a ramp begun long after it: see SPIN_CHUNK.
  if (o.warmUp) {
    Atomics.store(shared, DUTY, 10000);
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    Atomics.store(shared, DUTY, 0);
  }
  return {
    abort: stop,
    async begin() {
      const t0 = performance.now();
      const setDuty = (): void => {
        const f = rampFactor(spec.ramp, (performance.now() - t0) / 1000, spec.rampS);
        Atomics.store(shared, DUTY, Math.round(spec.percent * 100 * f));
      };
      setDuty();
      ramping = setInterval(setDuty, PERIOD_MS);
      ctx.log(
        `cpuhog: ${spec.cores} worker(s) at ${spec.percent} % (ramp ${spec.ramp} over ${spec.rampS} s)`,
      );
      return { notes: [], stop };
    },
  };
}
