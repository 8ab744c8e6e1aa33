// The embedded stack's CPU cap (src/stack/cpu-cap.ts). The cgroup part needs root and the cgroup v1
// cpu controller; without them it skips and says what is missing. The refusal is checked anywhere.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { LocalTransport } from '../../src/faults/local-transport.ts';
import { runExperimentReps } from '../../src/runner/experiment/run.ts';
import { validateExperimentSpec } from '../../src/runner/experiment/spec.ts';
import {
  assertCpuCapsPossible,
  CAP_PREFIX,
  CPU_CGROUP_ROOT,
  cpuCapUnavailable,
  createCpuCap,
  removeStaleCaps,
  type CpuCap,
} from '../../src/stack/cpu-cap.ts';

const missing = cpuCapUnavailable();
if (missing) console.log(`cpu-cap.test.ts: cgroup tests skipped: ${missing}`);

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const cpuCgroupOf = (pid: number): string =>
  readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .find((l) => /^\d+:cpu:/.test(l))!
    .replace(/^\d+:cpu:/, '');

const BUSY = [process.execPath, '-e', 'for (;;) {}'];

describe.skipIf(missing !== null)('CPU cap (root, cgroup v1 cpu)', () => {
  const caps: CpuCap[] = [];
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const c of caps.splice(0)) c.remove();
  });

  it('holds a busy loop under its quota, and removes its cgroup while the process runs on', async () => {
    const cap = createCpuCap('captest', 0.1);
    caps.push(cap);
    expect(readFileSync(path.join(cap.dir, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('10000');
    const [cmd, ...args] = cap.joinArgv(BUSY);
    const child = spawn(cmd!, args, { stdio: 'ignore' });
    children.push(child);
    await new Promise((r) => setTimeout(r, 300));
    // Joined before it ran: sh exec'd node in place, so the pid is the same.
    expect(cap.pids()).toEqual([child.pid]);
    expect(cpuCgroupOf(child.pid!)).toBe(`/${path.basename(cap.dir)}`);
    const before = cpuSeconds(child.pid!);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 1500));
    const used = (cpuSeconds(child.pid!) - before) / ((performance.now() - t0) / 1000);
    // 0.1 cores allowed; an uncapped busy loop takes ~1 core (or ~0.5 on a busy 2-core machine).
    expect(used).toBeLessThan(0.2);
    const stat = readFileSync(path.join(cap.dir, 'cpu.stat'), 'utf8');
    expect(Number(/nr_throttled (\d+)/.exec(stat)![1])).toBeGreaterThan(0);
    cap.remove();
    expect(existsSync(cap.dir)).toBe(false);
    expect(cpuCgroupOf(child.pid!)).toBe('/');
    expect(child.exitCode).toBeNull();
  });

  it('moves a running process in, and runs a transport command inside', async () => {
    const cap = createCpuCap('captest', 0.5);
    caps.push(cap);
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(child);
    cap.add(child.pid!);
    expect(cap.pids()).toContain(child.pid);
    const t = new LocalTransport('captest', { cpus: '0', wrap: (argv) => cap.joinArgv(argv) });
    const r = await t.run(['cat', '/proc/self/cgroup']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^\\d+:cpu:/${path.basename(cap.dir)}$`, 'm'));
    cap.remove();
    cap.remove(); // safe twice
    expect(cpuCgroupOf(child.pid!)).toBe('/');
  });

  it("removes a dead run's leftover cap, and keeps a live run's", () => {
    const dead = spawnSync('true').pid!;
    const stale = path.join(CPU_CGROUP_ROOT, `${CAP_PREFIX}${dead}-captest`);
    mkdirSync(stale);
    const live = createCpuCap('captest', 0.5);
    caps.push(live);
    const removed = removeStaleCaps();
    expect(removed).toContain(path.basename(stale));
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live.dir)).toBe(true);
  });
});

describe('CPU cap refusal', () => {
  afterEach(() => vi.restoreAllMocks());

  it('says in one line what is missing and what to do', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fs-nocpu-'));
    if (process.getuid?.() === 0)
      expect(cpuCapUnavailable(dir)).toMatch(
        /no cgroup v1 cpu controller at|cgroup v2 \(cpu.max\) is not supported/,
      );
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    expect(cpuCapUnavailable()).toBe('not root (uid 1000)');
    expect(() => assertCpuCapsPossible('cpuhog')).toThrow(UserError);
    expect(() => assertCpuCapsPossible('cpuhog')).toThrow(
      'cpuhog needs a CPU cap (cgroup v1 cpu controller at /sys/fs/cgroup/cpu, as root): not root (uid 1000); run as root, or use --stack local',
    );
  });

  it('refuses an embedded experiment with caps before it starts anything', async () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    const spec = validateExperimentSpec(
      {
        name: 'hog',
        workload: { mix: 'bidding', users: 10, scale: 0.01 },
        target: 'db',
        fault: { type: 'cpuhog', percent: 100, cores: 1 },
        phases: { warmupS: 0, normalS: 10, faultS: 10, recoveryS: 0 },
        slo: { latencyMs: 20 },
        pendingWindowS: 50,
        caps: { db: { cpuCores: 0.5 } },
      },
      'embedded',
      'x.json',
    );
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'fs-cap-refused-'));
    const log = vi.fn();
    await expect(
      runExperimentReps(spec, {
        stack: 'embedded',
        outDir,
        log,
        progress: { start: () => undefined, update: () => undefined, done: () => undefined } as never,
      }),
    ).rejects.toThrow(
      /^hog on the embedded stack \(caps db at 0.5 cores\) needs a CPU cap .*run as root, or use --stack local$/,
    );
    expect(log).not.toHaveBeenCalled();
    expect(existsSync(path.join(outDir, 'rep-1'))).toBe(false);
  });
});
