// Live mode's actions: which process `restart` ends (real processes on this machine, ended over the
// local transport), what scaling does and undoes, what is refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/faults/local-transport.ts';
import {
  performAction,
  readProcess,
  resourceOf,
  topConsumer,
  type ActuatorStack,
  type ProcessInfo,
} from '../../src/live/actuator.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function start(script: string): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(c);
  // The script prints "ready" once it holds what it should (memory, a signal handler).
  return new Promise((resolve) => c.stdout!.once('data', () => resolve(c)));
}

function fakeStack(over: Partial<ActuatorStack> & { procs: number[] }): ActuatorStack & { calls: string[] } {
  const calls: string[] = [];
  return {
    stack: 'local',
    pids: {},
    raiseLimit: async (h, r) => void calls.push(`raise ${h} ${r}`),
    restoreLimit: async (h, r) => void calls.push(`restore ${h} ${r}`),
    hostProcesses: () => over.procs,
    transport: async (h) => new LocalTransport(h),
    ...over,
    calls,
  };
}

const info = (pid: number, comm: string, mib: number, ticks = 0): ProcessInfo => ({
  pid,
  comm,
  rssBytes: mib * 2 ** 20,
  cpuTicks: ticks,
});

describe('actuator', () => {
  it('reads a process from /proc (this one)', () => {
    const me = readProcess(process.pid)!;
    expect(me.comm).toMatch(/node|vitest/);
    expect(me.rssBytes).toBeGreaterThan(10 * 2 ** 20);
    expect(me.cpuTicks).toBeGreaterThan(0);
    expect(readProcess(2 ** 22 + 7)).toBeNull();
  });

  it('maps culprit metrics to resources', () => {
    expect(resourceOf('availcpu')).toBe('cpu');
    expect(resourceOf('load1')).toBe('cpu');
    expect(resourceOf('freemem')).toBe('memory');
    expect(resourceOf(null)).toBe('memory');
  });

  it('restart picks the largest resident process, never sshd, a service or a protected pid', async () => {
    const procs = new Map([
      [10, info(10, 'sshd', 900)],
      [11, info(11, 'mariadbd', 190)],
      [12, info(12, 'node', 310)],
      [13, info(13, 'sh', 1)],
      [14, info(14, 'node', 999)],
    ]);
    const stack = fakeStack({ procs: [...procs.keys()], pids: { db: [11] } });
    const deps = {
      readProcess: (p: number) => procs.get(p) ?? null,
      protectedPids: [14],
      sleep: async () => {},
    };
    expect((await topConsumer(stack, 'db', 'memory', deps)).pick?.pid).toBe(12);
    procs.set(11, info(11, 'mariadbd', 400));
    const r = await topConsumer(stack, 'db', 'memory', deps);
    expect(r.pick).toBeNull();
    expect(r.service?.comm).toBe('mariadbd');
    const done = await performAction(stack, { type: 'restart', host: 'db', reason: 'x' }, 'freemem', deps);
    expect(done.state).toBe('skipped');
    expect(done.detail).toMatch(/service mariadbd/);
  });

  it('restart for memory prefers the process that is growing (a young leak beside a big service)', async () => {
    let round = 0;
    const at = (r: number) =>
      new Map([
        [11, info(11, 'mariadbd', 190 + r * 0.5)],
        [12, info(12, 'node', 60 + r * 3)],
      ]);
    const stack = fakeStack({ procs: [11, 12], pids: { db: [11] } });
    const deps = {
      readProcess: (p: number) => at(round).get(p) ?? null,
      sleep: async () => void round++,
      protectedPids: [],
    };
    expect((await topConsumer(stack, 'db', 'memory', deps)).pick?.pid).toBe(12);
  });

  it('restart for CPU ranks by CPU time used over the interval, not in total', async () => {
    let round = 0;
    const before = new Map([
      [20, info(20, 'old', 10, 10_000)],
      [21, info(21, 'hog', 10, 100)],
    ]);
    const after = new Map([
      [20, info(20, 'old', 10, 10_001)],
      [21, info(21, 'hog', 10, 150)],
    ]);
    const stack = fakeStack({ procs: [20, 21] });
    const deps = {
      readProcess: (p: number) => (round === 0 ? before : after).get(p) ?? null,
      sleep: async () => void round++,
      protectedPids: [],
    };
    const r = await topConsumer(stack, 'web', 'cpu', deps);
    expect(r.pick).toMatchObject({ pid: 21, cpuTicks: 50 });
  });

  it('restart ends the real process holding the most memory, and leaves the others', async () => {
    const small = await start("console.log('ready'); setInterval(() => {}, 1000)");
    const big = await start(
      "const b = Buffer.alloc(96 * 2 ** 20, 1); console.log('ready'); setInterval(() => b[0]++, 1000)",
    );
    const stack = fakeStack({ procs: [small.pid!, big.pid!] });
    const exited = new Promise((r) => big.once('exit', (_c, sig) => r(sig)));
    const done = await performAction(stack, { type: 'restart', host: 'db', reason: 'x' }, 'freemem');
    expect(done.state).toBe('done');
    expect(done.detail).toContain(`pid ${big.pid}`);
    expect(await exited).toBe('SIGTERM');
    expect(small.exitCode).toBeNull();
    expect(readProcess(small.pid!)).not.toBeNull();
  });

  it('restart escalates to SIGKILL when SIGTERM is ignored', async () => {
    const stubborn = await start(
      "process.on('SIGTERM', () => {}); const b = Buffer.alloc(64 * 2 ** 20, 1); console.log('ready'); setInterval(() => b[0]++, 1000)",
    );
    const exited = new Promise((r) => stubborn.once('exit', (_c, sig) => r(sig)));
    const stack = fakeStack({ procs: [stubborn.pid!] });
    const done = await performAction(stack, { type: 'restart', host: 'db', reason: 'x' }, null);
    expect(done).toMatchObject({ state: 'done' });
    expect(done.detail).toMatch(/SIGKILL/);
    expect(await exited).toBe('SIGKILL');
  });

  it('scale-cpu / scale-memory raise the limit and roll back by restoring it (local stack)', async () => {
    const stack = fakeStack({ procs: [] });
    const cpu = await performAction(stack, { type: 'scale-cpu', host: 'db', reason: 'x' }, 'availcpu');
    expect(cpu.state).toBe('done');
    await cpu.rollback!();
    const mem = await performAction(stack, { type: 'scale-memory', host: 'web', reason: 'x' }, 'freemem');
    expect(mem.state).toBe('done');
    expect(stack.calls).toEqual(['raise db cpu', 'restore db cpu', 'raise web memory']);
  });

  it('skips what the stack cannot do, without attempting it', async () => {
    const embedded = fakeStack({ procs: [], stack: 'embedded' });
    const s = await performAction(embedded, { type: 'scale-cpu', host: 'db', reason: 'x' }, 'availcpu');
    expect(s).toMatchObject({ state: 'skipped', rollback: null });
    const m = await performAction(embedded, { type: 'replace-host', host: 'db', reason: 'x' }, 'freedisk');
    expect(m.state).toBe('skipped');
    expect(m.detail).toMatch(/replace-host is not available on the embedded stack/);
    expect(embedded.calls).toEqual([]);
    const none = await performAction(
      fakeStack({ procs: [] }),
      { type: 'restart', host: 'db', reason: 'x' },
      null,
    );
    expect(none.state).toBe('failed');
  });
});
