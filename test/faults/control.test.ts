// start / status / revert / cleanup of the fault program, locally, with the fault running
// detached as it would on a testbed host.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { dataPath, isFaultAlive, markerPath } from '../../src/faults/marker.ts';
import { parseCleaned, parseReverted, parseStarted, parseStatus } from '../../src/faults/program.ts';
import { PRIVATE_NET, processesNaming, program, runChild, runningMarker, waitFor } from './helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fsf-control-'));

afterAll(async () => {
  // Whatever a failed test left running goes here; then nothing may be left.
  await program('cleanup', [dir], PRIVATE_NET);
  expect(processesNaming(dir)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

describe('start, status, revert', () => {
  it('starts a detached fault that outlives the starter, reports it, and reverts it early', async () => {
    const spec = { type: 'diskhog', mibPerS: 1, blockKiB: 64, maxMiB: 4, durationS: 60 };
    const a = await program('start', [dir, 'long', JSON.stringify(spec)]);
    expect(a.code, a.stderr).toBe(0);
    const m = parseStarted(a.stdout, a.stderr);
    expect(m).toMatchObject({
      id: 'long',
      type: 'diskhog',
      state: 'running',
      files: [dataPath(dir, 'long')],
    });
    expect(m.spec).toEqual({ ...spec, fsync: true, ramp: 'step', rampS: 0 });
    expect(Date.parse(m.expiresAt) - Date.parse(m.startedAt)).toBe(60_000);
    // The starter has exited; the fault has not. It leads its own session, so no SIGHUP from the
    // caller's session (an SSH login closing) reaches it.
    expect(isFaultAlive(m)).toBe(true);
    const stat = readFileSync(`/proc/${m.pid}/stat`, 'utf8');
    expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3])).toBe(m.pid);

    const again = await program('start', [dir, 'long', JSON.stringify(spec)]);
    expect(again.code).toBe(1);
    expect(() => parseStarted(again.stdout, again.stderr)).toThrow(/already running/);

    const st = await program('status', [dir]);
    expect(parseStatus(st.stdout, st.stderr, st.code)).toEqual([{ ...m, alive: true }]);

    const r = await program('revert', [dir, 'long']);
    expect(parseReverted(r.stdout, r.stderr)).toEqual({ id: 'long', wasRunning: true });
    expect(existsSync(markerPath(dir, 'long'))).toBe(false);
    expect(existsSync(dataPath(dir, 'long'))).toBe(false);
    await waitFor(() => !isFaultAlive(m), 5000, 'the fault process to end');

    const st2 = await program('status', [dir]);
    expect(parseStatus(st2.stdout, st2.stderr, st2.code)).toEqual([]);
    const r2 = await program('revert', [dir, 'long']);
    expect(parseReverted(r2.stdout, r2.stderr)).toEqual({ id: 'long', wasRunning: false });
  });

  it('a started fault expires by itself after durationS', async () => {
    const a = await program('start', [
      dir,
      'short',
      JSON.stringify({ type: 'cpuhog', percent: 10, durationS: 2 }),
    ]);
    const m = parseStarted(a.stdout, a.stderr);
    await waitFor(() => !existsSync(markerPath(dir, 'short')), 15_000, 'the marker to disappear', 100);
    await waitFor(() => !isFaultAlive(m), 5000, 'the fault process to end');
  });

  it('refuses a bad spec or id with one line naming the field', async () => {
    const a = await program('start', [dir, 'bad', JSON.stringify({ type: 'cpuhog', cores: 0 })]);
    expect(a.code).toBe(1);
    expect(() => parseStarted(a.stdout, a.stderr)).toThrow(
      new UserError('fault start: fault.cores: must be an integer in [1, 64], got 0'),
    );
    const b = await program('start', [dir, 'Bad/id', '{"type":"cpuhog"}']);
    expect(() => parseStarted(b.stdout, b.stderr)).toThrow(/fault id: must match/);
    const c = await program('start', [dir, 'x', '{not json']);
    expect(() => parseStarted(c.stdout, c.stderr)).toThrow(/spec argument is not JSON/);
    expect(existsSync(markerPath(dir, 'bad'))).toBe(false);
  });
});

describe('cleanup', () => {
  it('removes the marker and file of a fault killed with SIGKILL', async () => {
    const run = runChild(dir, 'killed', { type: 'diskfill', mib: 2, durationS: 60 });
    await waitFor(() => runningMarker(dir, 'killed'), 20_000, 'the running marker');
    run.child.kill('SIGKILL');
    await run.exited;
    expect(existsSync(markerPath(dir, 'killed'))).toBe(true);
    expect(existsSync(dataPath(dir, 'killed'))).toBe(true);

    const st = await program('status', [dir]);
    expect(parseStatus(st.stdout, st.stderr, st.code)).toMatchObject([{ id: 'killed', alive: false }]);

    const c = await program('cleanup', [dir], PRIVATE_NET);
    const s = parseCleaned(c.stdout, c.stderr);
    expect(s.reverted).toEqual(['killed']);
    expect(s.files).toEqual([dataPath(dir, 'killed')]);
    expect(existsSync(markerPath(dir, 'killed'))).toBe(false);
    expect(existsSync(dataPath(dir, 'killed'))).toBe(false);
  });
});
