// cpuhog and memleak run locally (the `run` mode as a child of the test) for a few seconds.
// Assertions are about behaviour with generous margins, not timing.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { markerPath } from '../../src/faults/marker.ts';
import {
  cpuSeconds,
  PRIVATE_NET,
  processesNaming,
  program,
  rssMiB,
  runChild,
  runningMarker,
  waitFor,
} from './helpers.ts';
import { existsSync } from 'node:fs';
import { parseCleaned } from '../../src/faults/program.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fsf-cpumem-'));

afterAll(async () => {
  const c = parseCleaned((await program('cleanup', [dir], PRIVATE_NET)).stdout);
  expect(c.reverted).toEqual([]);
  expect(processesNaming(dir)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

describe('cpuhog', () => {
  it('burns CPU while it runs and expires by itself', async () => {
    const run = runChild(dir, 'cpu', { type: 'cpuhog', percent: 60, cores: 1, durationS: 2 });
    const m = await waitFor(() => runningMarker(dir, 'cpu'), 20_000, 'the running marker');
    expect(m.pid).toBe(run.child.pid);
    const cpu0 = cpuSeconds(m.pid);
    let cpu = cpu0;
    // Sample until the process is gone; the last reading is the CPU used while the fault ran.
    for (;;) {
      try {
        cpu = cpuSeconds(m.pid);
      } catch {
        break;
      }
      if (run.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await run.exited, run.stderr()).toBe(0);
    // 60 % of a core for 2 s is 1.2 CPU-s; well above zero means a third of that.
    expect(cpu - cpu0).toBeGreaterThan(0.4);
    expect(existsSync(markerPath(dir, 'cpu'))).toBe(false);
  });
});

describe('memleak', () => {
  it('makes its memory resident up to maxMiB, holds it, stays CPU-quiet and expires by itself', async () => {
    const maxMiB = 96;
    const run = runChild(dir, 'mem', { type: 'memleak', mibPerS: 96, maxMiB, durationS: 3 });
    const m = await waitFor(() => runningMarker(dir, 'mem'), 20_000, 'the running marker');
    // Read right after the marker: allocation starts on the first 100 ms tick.
    const rss0 = rssMiB(m.pid);
    const cpu0 = cpuSeconds(m.pid);
    const t0 = performance.now();
    let maxGrowth = 0;
    let cpu = cpu0;
    let t = t0;
    for (;;) {
      try {
        maxGrowth = Math.max(maxGrowth, rssMiB(m.pid) - rss0);
        cpu = cpuSeconds(m.pid);
        t = performance.now();
      } catch {
        break;
      }
      if (run.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await run.exited, run.stderr()).toBe(0);
    expect(maxGrowth).toBeGreaterThanOrEqual(0.8 * maxMiB);
    // A sanity bound, not a timing goal: a leak that spins would use most of a core.
    const cpuShare = (cpu - cpu0) / ((t - t0) / 1000);
    expect(cpuShare).toBeLessThan(0.3);
    expect(run.stderr()).toContain(`reached ${maxMiB} MiB, holding`);
    expect(existsSync(markerPath(dir, 'mem'))).toBe(false);
  });
});
