// The CPU hog's worker allocates next to nothing while it spins (src/faults/cpuhog.ts, SPIN_CHUNK).
// Reading the clock in every iteration allocated ~100 MB/s; V8 gives an idle worker's young
// generation back while the fault is armed, so a ramp begun after the normal phase touched fresh
// pages for its first seconds: ~1,400 minor faults in the worker thread over 6 s, a pagein footprint
// on the testbed's db. Measured on the worker's own thread, so the process's other threads (its own
// GC, the deadline watchdog) do not blur it.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareCpuHog } from '../../src/faults/cpuhog.ts';
import { validateFaultSpec, type CpuHogSpec } from '../../src/faults/spec.ts';

function threadFaults(): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      out.set(t, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

const threadCpuS = (t: string): number => {
  const f = readFileSync(`/proc/self/task/${t}/stat`, 'utf8').slice(0).split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('cpuhog worker memory', () => {
  it('a ramp begun after an idle spell spins without touching fresh memory', async () => {
    const spec = validateFaultSpec(
      { type: 'cpuhog', percent: 100, cores: 1, durationS: 60, ramp: 'exponential', rampS: 20 },
      'fault',
    ) as CpuHogSpec;
    const before = new Set(threadFaults().keys());
    const hog = await prepareCpuHog(spec, { log: () => undefined } as never);
    // The worker is the thread (or one of the threads) that prepare started; the one that burns is it.
    const fresh = [...threadFaults().keys()].filter((t) => !before.has(t));
    expect(fresh.length).toBeGreaterThan(0);
    await sleep(5000);
    const f0 = threadFaults();
    const c0 = new Map(fresh.map((t) => [t, threadCpuS(t)]));
    const active = await hog.begin();
    try {
      await sleep(4000);
      const f1 = threadFaults();
      const burner = fresh.reduce((a, b) =>
        threadCpuS(b) - c0.get(b)! > threadCpuS(a) - c0.get(a)! ? b : a,
      );
      // It spins: a 20 s exponential ramp is at 1.0-2.5 % in its first 4 s, ~0.06 s of CPU.
      expect(threadCpuS(burner) - c0.get(burner)!).toBeGreaterThan(0.02);
      expect(f1.get(burner)! - f0.get(burner)!).toBeLessThan(300);
    } finally {
      await active.stop();
    }
  }, 30_000);
});
