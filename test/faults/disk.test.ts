// diskhog and diskfill run locally (the `run` mode as a child of the test) in a temp directory.

import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataPath, markerPath } from '../../src/faults/marker.ts';
import { parseCleaned } from '../../src/faults/program.ts';
import { PRIVATE_NET, processesNaming, program, runChild, runningMarker, waitFor } from './helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fsf-disk-'));
const MiB = 1024 * 1024;

afterAll(async () => {
  const c = parseCleaned((await program('cleanup', [dir], PRIVATE_NET)).stdout);
  expect(c.reverted).toEqual([]);
  expect(c.files).toEqual([]);
  expect(processesNaming(dir)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

const size = (f: string): number => {
  try {
    return statSync(f).size;
  } catch {
    return -1;
  }
};

describe('diskhog', () => {
  it('writes to its file, wraps at maxMiB and removes the file at the end', async () => {
    const run = runChild(dir, 'hog', {
      type: 'diskhog',
      mibPerS: 8,
      blockKiB: 256,
      maxMiB: 1,
      durationS: 2.5,
    });
    const m = await waitFor(() => runningMarker(dir, 'hog'), 20_000, 'the running marker');
    const file = dataPath(dir, 'hog');
    expect(m.files).toEqual([file]);
    await waitFor(() => size(file) > 0, 5000, 'bytes in the file');
    // 8 MiB/s for over a second is far more than 1 MiB: the file must have wrapped, not grown.
    await new Promise((r) => setTimeout(r, 1200));
    expect(size(file)).toBeGreaterThan(0);
    expect(size(file)).toBeLessThanOrEqual(1 * MiB);
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stderr()).toMatch(/wrote (\d+\.\d) MiB/);
    const wrote = Number(/wrote (\d+\.\d) MiB/.exec(run.stderr())![1]);
    expect(wrote).toBeGreaterThan(2);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(markerPath(dir, 'hog'))).toBe(false);
  });
});

describe('diskfill', () => {
  it('creates a file of the asked size (really allocated) and removes it at the end', async () => {
    const run = runChild(dir, 'fill', { type: 'diskfill', mib: 8, durationS: 2 });
    const m = await waitFor(() => runningMarker(dir, 'fill'), 20_000, 'the running marker');
    const file = dataPath(dir, 'fill');
    expect(m.files).toEqual([file]);
    const st = statSync(file);
    expect(st.size).toBe(8 * MiB);
    expect(st.blocks * 512).toBeGreaterThanOrEqual(8 * MiB);
    expect(m.notes.join(' ')).toContain(`${8 * MiB} bytes`);
    expect(await run.exited, run.stderr()).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(markerPath(dir, 'fill'))).toBe(false);
  });

  it('with percent below the current use creates an empty file and says so', async () => {
    const run = runChild(dir, 'fill0', { type: 'diskfill', percent: 1, durationS: 1 });
    const m = await waitFor(() => runningMarker(dir, 'fill0'), 20_000, 'the running marker');
    // Any real file system holding this repository is more than 1 % used.
    expect(m.notes[0]).toMatch(/^nothing to fill/);
    expect(size(dataPath(dir, 'fill0'))).toBe(0);
    expect(await run.exited, run.stderr()).toBe(0);
    expect(existsSync(dataPath(dir, 'fill0'))).toBe(false);
  });

  it('with mibPerS grows the file at that rate (a runaway log), holds it at the size, then removes it', async () => {
    const run = runChild(dir, 'grow', { type: 'diskfill', mib: 3, mibPerS: 2, durationS: 3 });
    const m = await waitFor(() => runningMarker(dir, 'grow'), 20_000, 'the running marker');
    const file = dataPath(dir, 'grow');
    expect(m.notes[0]).toMatch(/^growing at 2 MiB\/s: filling 3145728 bytes/);
    // Not all at once: after ~0.7 s at 2 MiB/s it holds 1-2 MiB, and it ends at exactly 3 MiB.
    await new Promise((r) => setTimeout(r, 700));
    expect(size(file)).toBeGreaterThanOrEqual(MiB);
    expect(size(file)).toBeLessThanOrEqual(2 * MiB);
    await waitFor(() => size(file) === 3 * MiB, 5000, 'the full size');
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stderr()).toMatch(/reached 3\.0 MiB; held/);
    expect(existsSync(file)).toBe(false);
  });
});
