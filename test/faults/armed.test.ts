// An armed fault (start ... <begin-ms>): the program starts now and idles, its effect begins at the
// given time; and a memory leak injected into a service's heap through its fault hook.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { startEffect } from '../../src/faults/effect.ts';
import { serviceHookPath } from '../../src/faults/memleak.ts';
import { parseReverted, parseStarted, parseStatus } from '../../src/faults/program.ts';
import { parseBeginArg } from '../../src/faults/run.ts';
import { validateFaultSpec } from '../../src/faults/spec.ts';
import { serveFaultHook } from '../../src/workload/tiers/fault-hook.ts';
import { cpuSeconds, PRIVATE_NET, processesNaming, program, rejection, waitFor } from './helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fsf-armed-'));

afterAll(async () => {
  await program('cleanup', [dir], PRIVATE_NET);
  expect(processesNaming(dir)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

describe('armed faults', () => {
  it('a CPU hog armed 8 s ahead idles until its begin time, then burns CPU', async () => {
    const spec = { type: 'cpuhog', percent: 100, cores: 1, durationS: 30 };
    // 8 s: starting the program can take 3 s on a loaded machine where its bundle is not built yet.
    const begin = Date.now() + 8000;
    const a = await program('start', [dir, 'armed', JSON.stringify(spec), String(begin)]);
    expect(a.code, a.stderr).toBe(0);
    const m = parseStarted(a.stdout, a.stderr);
    expect(m.state).toBe('armed');
    expect(Date.parse(m.beginsAt!)).toBe(begin);
    expect(Date.parse(m.expiresAt)).toBe(begin + 30_000);
    // Armed: its worker thread exists and sleeps; the process uses almost no CPU.
    const c0 = cpuSeconds(m.pid);
    await new Promise((r) => setTimeout(r, 1500));
    expect(Date.now()).toBeLessThan(begin);
    expect(cpuSeconds(m.pid) - c0).toBeLessThan(0.1);
    // At its time the effect is on, and the marker says when it began.
    await new Promise((r) => setTimeout(r, Math.max(0, begin - Date.now()) + 1200));
    const st = await program('status', [dir]);
    const [s] = parseStatus(st.stdout, st.stderr, st.code);
    expect(s).toMatchObject({ id: 'armed', state: 'running', alive: true });
    expect(Math.abs(Date.parse(s!.startedAt) - begin)).toBeLessThan(500);
    const c1 = cpuSeconds(m.pid);
    await new Promise((r) => setTimeout(r, 1000));
    expect(cpuSeconds(m.pid) - c1).toBeGreaterThan(0.5);
    // That it burns without touching fresh memory is checked on the worker's own thread
    // (cpuhog-memory.test.ts): the process's other threads (its GC, the watchdog) blur a count here.
    const r = await program('revert', [dir, 'armed']);
    expect(parseReverted(r.stdout, r.stderr).wasRunning).toBe(true);
  });

  it('an armed fault reverted before its time ends without ever taking effect', async () => {
    const spec = { type: 'cpuhog', percent: 100, cores: 2, durationS: 30 };
    const a = await program('start', [dir, 'early', JSON.stringify(spec), String(Date.now() + 60_000)]);
    const m = parseStarted(a.stdout, a.stderr);
    expect(m.state).toBe('armed');
    const r = await program('revert', [dir, 'early']);
    expect(parseReverted(r.stdout, r.stderr).wasRunning).toBe(true);
    const st = await program('status', [dir]);
    expect(parseStatus(st.stdout, st.stderr, st.code)).toEqual([]);
    expect(processesNaming(dir)).toEqual([]);
  });

  it('bad begin times are one-line user errors', () => {
    expect(parseBeginArg(undefined)).toBeNull();
    expect(parseBeginArg('1800000000000', 1_799_999_000_000)).toBe(1_800_000_000_000);
    expect(() => parseBeginArg('soon')).toThrow(UserError);
    expect(() => parseBeginArg('1e12')).toThrow(/epoch milliseconds/);
    expect(() => parseBeginArg(String(Date.now() + 2 * 86_400_000))).toThrow(/more than a day ahead/);
  });
});

describe('memleak into a service (fault hook)', () => {
  const ctx = (d: string, lines: string[]) => ({
    dir: d,
    id: 'hook',
    log: (l: string) => void lines.push(l),
  });

  it("leaks in the service's own heap while connected, releases it on stop, and comes back to a restarted service", async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'fsf-hook-'));
    const serviceLog: string[] = [];
    let hook = await serveFaultHook(serviceHookPath(d), (l) => serviceLog.push(l));
    const spec = validateFaultSpec({
      type: 'memleak',
      into: 'service',
      mibPerS: 40,
      maxMiB: 60,
      durationS: 30,
    });
    const before = process.memoryUsage().heapUsed;
    const log: string[] = [];
    const fault = await startEffect(spec, ctx(d, log));
    await waitFor(() => process.memoryUsage().heapUsed - before > 30 * 2 ** 20, 5000, 'the heap to grow', 50);
    expect(serviceLog.join('\n')).toMatch(/leaking 40 MiB\/s up to 60 MiB/);
    // The service restarts (a crash): the program reconnects and the leak starts again.
    await hook.close();
    hook = await serveFaultHook(serviceHookPath(d), (l) => serviceLog.push(l));
    await waitFor(
      () => log.some((l) => /leaking in the restarted service/.test(l)),
      5000,
      'the reconnect',
      50,
    );
    await fault.stop();
    await waitFor(
      () => serviceLog.filter((l) => /leak stopped/.test(l)).length >= 2,
      3000,
      'the release',
      20,
    );
    await hook.close();
    rmSync(d, { recursive: true, force: true });
  });

  it('refuses, in one line, a host whose service has no fault hook', async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'fsf-nohook-'));
    const spec = validateFaultSpec({ type: 'memleak', into: 'service', durationS: 5 });
    const err = await rejection(startEffect(spec, ctx(d, [])));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/no fault hook at .*service\.sock/);
    expect(err.message).not.toContain('\n');
    rmSync(d, { recursive: true, force: true });
  });

  it('the service refuses anything but a memleak', async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'fsf-hookbad-'));
    const hook = await serveFaultHook(serviceHookPath(d), () => undefined);
    const net = await import('node:net');
    const answer = await new Promise<string>((resolve) => {
      const s = net.connect(serviceHookPath(d));
      let buf = '';
      s.on('data', (x) => (buf += x.toString()));
      s.on('close', () => resolve(buf));
      s.write(`${JSON.stringify({ type: 'cpuhog', durationS: 5 })}\n`);
    });
    expect(answer).toMatch(/^FAILED .*cpuhog is not injected in-process/);
    await hook.close();
    rmSync(d, { recursive: true, force: true });
  });
});
