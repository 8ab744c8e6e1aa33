// The machine-wide source: parsers and derivations on fixture text (test/telemetry/fixtures/machine,
// copied into a temp proc/sys tree), one sanity run on this machine while a CPU spinner runs, and
// the CLI's `agent --machine`. Hand-computed values are in the comments.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultInterface,
  deriveMetrics,
  flattenStats,
  HostAgent,
  idleSharePercent,
  INITIAL_LOAD,
  MachineSource,
  mountDeviceNumber,
  parseCpuTicks,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  rootBlockDevice,
  type HostStatsMessage,
} from '../../src/telemetry/agent/index.ts';
import { readTextOrNull } from '../../src/telemetry/agent/procfs.ts';
import { expectUserError, runCli } from '../helpers/cli.ts';

const FIX = resolve('test/telemetry/fixtures/machine');
const fix = (name: string): string => readTextOrNull(join(FIX, name))!;

let root: string;
let proc: string;
let sys: string;

/** Puts fixture `from` at <proc>/<to>. */
function put(from: string, to: string): void {
  const dst = join(proc, to);
  mkdirSync(join(dst, '..'), { recursive: true });
  copyFileSync(join(FIX, from), dst);
}

/** A proc tree at snapshot 1 or 2 (stat, vmstat, diskstats, net/dev change; the rest is fixed). */
function snapshot(n: 1 | 2): void {
  put(`stat.${n}`, 'stat');
  put(`vmstat.${n}`, 'vmstat');
  put(`diskstats.${n}`, 'diskstats');
  put(`net-dev.${n}`, 'net/dev');
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'foreshock-machine-'));
  proc = join(root, 'proc');
  sys = join(root, 'sys');
  snapshot(1);
  put('meminfo', 'meminfo');
  put('loadavg', 'loadavg');
  put('net-route', 'net/route');
  put('mountinfo', 'self/mountinfo');
  put('pressure-cpu', 'pressure/cpu');
  put('pressure-memory', 'pressure/memory');
  put('pressure-io', 'pressure/io');
  // sysfs as on an AWS Nitro instance: / on nvme0n1p1 (259:1), a partition of nvme0n1 (259:0).
  const disk = join(sys, 'devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1');
  mkdirSync(join(disk, 'nvme0n1p1'), { recursive: true });
  writeFileSync(join(disk, 'nvme0n1p1', 'partition'), '1\n');
  mkdirSync(join(sys, 'dev/block'), { recursive: true });
  symlinkSync('../../devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1', join(sys, 'dev/block/259:0'));
  symlinkSync(
    '../../devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1/nvme0n1p1',
    join(sys, 'dev/block/259:1'),
  );
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('parsers', () => {
  it('reads the aggregate cpu line and counts the CPUs', () => {
    // busy = user 1000 + nice 50 + system 300 + irq 10 + softirq 20 + steal 30 (guest 40 is in user)
    expect(parseCpuTicks(fix('stat.1'))).toEqual({ busy: 1410, idle: 5100, cpus: 2 });
    expect(parseCpuTicks('intr 1 2 3\n')).toBeNull();
    expect(parseCpuTicks(null)).toBeNull();
  });

  it('idle share of two snapshots: 150 idle+iowait ticks of 200', () => {
    const a = parseCpuTicks(fix('stat.1'))!;
    const b = parseCpuTicks(fix('stat.2'))!;
    expect(idleSharePercent(a, b)).toBe(75);
    expect(idleSharePercent(a, a)).toBeNull(); // no tick elapsed
    expect(idleSharePercent(b, a)).toBeNull(); // backwards
  });

  it('meminfo: MemAvailable and MemTotal in bytes', () => {
    expect(parseMeminfo(fix('meminfo'))).toEqual({
      totalBytes: 16384000 * 1024,
      availableBytes: 8192000 * 1024,
    });
    expect(parseMeminfo('MemTotal: 100 kB\nMemFree: 50 kB\n')).toBeNull(); // kernel < 3.14
  });

  it('loadavg: the kernel numbers as they are', () => {
    expect(parseLoadavg(fix('loadavg'))).toEqual({ load1: 1.25, load5: 0.8, load15: 0.5 });
    expect(parseLoadavg('garbage')).toBeNull();
  });

  it('diskstats: the named device, whole disk and partition apart', () => {
    expect(parseDiskstats(fix('diskstats.1'), 'nvme0n1')).toEqual({
      readBytes: 2048 * 512,
      writeBytes: 4096 * 512,
    });
    expect(parseDiskstats(fix('diskstats.1'), 'nvme0n1p1')).toEqual({
      readBytes: 2000 * 512,
      writeBytes: 4090 * 512,
    });
    expect(parseDiskstats(fix('diskstats.1'), 'sdz')).toBeNull();
  });

  it('root device: mountinfo major:minor -> sysfs -> the whole disk', () => {
    expect(mountDeviceNumber(fix('mountinfo'))).toBe('259:1');
    expect(mountDeviceNumber(fix('mountinfo'), '/boot/efi')).toBe('259:2');
    expect(rootBlockDevice(proc, sys)).toBe('nvme0n1');
    // Without sysfs: the diskstats line of 259:1, i.e. the partition.
    expect(rootBlockDevice(proc, join(root, 'no-sys'))).toBe('nvme0n1p1');
    // / on overlay (a container): no block device.
    put('mountinfo.overlay', 'self/mountinfo');
    expect(rootBlockDevice(proc, sys)).toBeNull();
  });

  it('network: the default route with the lowest metric, else the first non-lo interface', () => {
    expect(defaultInterface(fix('net-route'), fix('net-dev.1'))).toBe('ens5');
    expect(defaultInterface(fix('net-route.no-default'), fix('net-dev.1'))).toBe('docker0');
    expect(defaultInterface(null, '    lo: 1 2 3 4 5 6 7 8 9 10\n')).toBeNull();
  });
});

describe('MachineSource on fixtures', () => {
  it('two snapshots 1 s apart: exact metrics, kernel load, defaults resolved', () => {
    const src = new MachineSource({ procRoot: proc, sysRoot: sys, diskDir: root });
    expect(src.describe()).toEqual({ blockDevice: 'nvme0n1', netIface: 'ens5', diskDir: root, cpus: 2 });
    const s1 = src.sample(10_000);
    expect(s1.cpuCores).toBe(2);
    expect(s1.cpuSeconds).toBeCloseTo(14.1, 9); // 1410 busy ticks at 100/s
    expect(s1.memLimitBytes).toBe(16384000 * 1024);
    expect(s1.pageinCount).toBe(1000); // 4000 KiB / 4 KiB pages
    expect(s1.runnableTasks).toBe(4); // procs_running 3 + procs_blocked 1
    expect(s1.kernelLoad.load1).toBe(1.25);
    snapshot(2);
    const s2 = src.sample(11_000);
    const first = deriveMetrics(undefined, s1, INITIAL_LOAD);
    expect(first.metrics.availcpu).toBeNull();
    const { metrics } = deriveMetrics(s1, s2, first.load);
    expect(metrics.availcpu).toBeCloseTo(75, 9);
    expect(metrics.freemem).toBe(8000); // MemAvailable 8192000 kB = 8000 MiB
    expect(metrics.pagein).toBe(100); // 400 KiB read in 1 s = 100 pages/s
    expect(metrics.pageout).toBe(200);
    expect(metrics.majfault).toBe(3);
    expect(metrics.diskread).toBe(1024); // 2048 sectors of nvme0n1 in 1 s = 1024 KiB/s
    expect(metrics.diskwrite).toBe(2048);
    expect(metrics.netin).toBe(100); // ens5: 102400 B in 1 s
    expect(metrics.netout).toBe(200);
    expect(metrics.freedisk).toBeGreaterThan(0);
    expect(metrics.cpu_pressure).toBe(1.5);
    expect(metrics.mem_pressure).toBe(0.25);
    expect(metrics.io_pressure).toBe(3);
  });

  it('availcpu is the tick share whatever the measured dt (timer jitter)', () => {
    const src = new MachineSource({ procRoot: proc, sysRoot: sys, diskDir: root });
    const s1 = src.sample(0);
    snapshot(2);
    const s2 = src.sample(937);
    expect(deriveMetrics(s1, s2, INITIAL_LOAD).metrics.availcpu).toBeCloseTo(75, 9);
  });

  it('overrides pick the device and interface; unreadable files are null, never 0', () => {
    const src = new MachineSource({
      procRoot: proc,
      sysRoot: sys,
      diskDir: join(root, 'does-not-exist'),
      blockDevice: 'nvme0n1p1',
      netIface: 'docker0',
    });
    const s1 = src.sample(0);
    expect(s1.diskReadBytes).toBe(2000 * 512);
    expect(s1.netInBytes).toBe(70000);
    expect(s1.freeDiskBytes).toBeNull();
    const empty = new MachineSource({ procRoot: join(root, 'empty'), sysRoot: join(root, 'empty') });
    const e = empty.sample(0);
    for (const [k, v] of Object.entries(e)) {
      if (k === 'kernelLoad') expect(v, k).toEqual({ load1: null, load5: null });
      else if (k !== 'monoMs' && k !== 'freeDiskBytes') expect(v, k).toBeNull();
    }
  });

  it('through HostAgent: load1/load5 are /proc/loadavg, flat shape as the others', () => {
    const src = new MachineSource({ procRoot: proc, sysRoot: sys, diskDir: root });
    const got: HostStatsMessage[] = [];
    let mono = 0;
    const agent = new HostAgent({
      hosts: [{ host: 'db', source: src }],
      bus: { publish: (_t, m) => void got.push(m) },
      clock: { now: () => 1_700_000_000_000 + mono, monotonic: () => mono },
    });
    agent.tick();
    snapshot(2);
    writeFileSync(join(proc, 'loadavg'), '2.50 1.00 0.60 3/350 12400\n');
    mono = 1000;
    agent.tick();
    expect(got.map((m) => [m.metrics.load1, m.metrics.load5])).toEqual([
      [1.25, 0.8],
      [2.5, 1],
    ]);
    const flat = flattenStats(got[1]!);
    expect(flat).toMatchObject({ host: 'db', availcpu: 75, freemem: 8000, load1: 2.5, netin: 100 });
    expect(Object.keys(got[1]!.metrics).sort()).toEqual(Object.keys(got[0]!.metrics).sort());
  });
});

describe('MachineSource on this machine', () => {
  it('two samples ~1 s apart while a CPU spinner runs: everything present and physical', async () => {
    const spinner = spawn(
      process.execPath,
      ['-e', 'const end = Date.now() + 1500; while (Date.now() < end);'],
      {
        stdio: 'ignore',
      },
    );
    try {
      const src = new MachineSource();
      const s1 = src.sample(performance.now());
      await new Promise((r) => setTimeout(r, 1000));
      const s2 = src.sample(performance.now());
      const { metrics: m } = deriveMetrics(s1, s2, INITIAL_LOAD);
      const totalMiB = s2.memLimitBytes! / 2 ** 20;
      expect(m.availcpu).not.toBeNull();
      expect(m.availcpu!).toBeGreaterThanOrEqual(0);
      expect(m.availcpu!).toBeLessThanOrEqual(100);
      expect(m.freemem!).toBeGreaterThan(0);
      expect(m.freemem!).toBeLessThanOrEqual(totalMiB);
      expect(s2.kernelLoad.load1!).toBeGreaterThanOrEqual(0);
      expect(s2.kernelLoad.load5!).toBeGreaterThanOrEqual(0);
      expect(m.freedisk!).toBeGreaterThan(0);
      for (const k of ['pagein', 'pageout', 'majfault'] as const) expect(m[k]!, k).toBeGreaterThanOrEqual(0);
      // The device under / and the default-route interface exist on this VM (vda, eth0 here).
      const d = src.describe();
      expect(d.blockDevice).not.toBeNull();
      expect(d.netIface).not.toBeNull();
      for (const k of ['diskread', 'diskwrite', 'netin', 'netout'] as const)
        expect(m[k]!, k).toBeGreaterThanOrEqual(0);
      expect(s2.cpuCores).toBeGreaterThanOrEqual(1);
    } finally {
      spinner.kill('SIGKILL');
    }
  }, 15_000);
});

describe('foreshock agent --machine', () => {
  it('prints two well-formed flat samples', () => {
    const r = runCli('agent', '--machine', '--host', 'm', '--samples', '2');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const msgs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const m of msgs) {
      expect(m.host).toBe('m');
      expect(typeof m.time).toBe('number');
      for (const k of ['freemem', 'freedisk', 'load1', 'load5']) {
        expect(typeof m[k], k).toBe('number');
        expect(m[k] as number, k).toBeGreaterThanOrEqual(0);
      }
      // Flat shape: no nested metrics, no nulls (absent instead).
      expect(m.metrics).toBeUndefined();
      expect(Object.values(m)).not.toContain(null);
    }
    const second = msgs[1]!;
    expect(second.availcpu as number).toBeGreaterThanOrEqual(0);
    expect(second.availcpu as number).toBeLessThanOrEqual(100);
    expect(second.pagein as number).toBeGreaterThanOrEqual(0);
    expect(r.stderr).toMatch(/agent: host m, the whole machine \(\d+ CPUs/);
  });

  it('--machine with --pid is a one-line user error', () => {
    expectUserError(runCli('agent', '--machine', '--pid', '1', '--host', 'm'), /--pid and --machine/);
  });

  it('neither --pid nor --machine, and machine-only options without --machine, are user errors', () => {
    expectUserError(runCli('agent', '--host', 'm', '--samples', '1'), /--pid .* or --machine/);
    expectUserError(
      runCli('agent', '--host', 'm', '--pid', '1', '--net-iface', 'eth0', '--samples', '1'),
      /need --machine/,
    );
  });
});
