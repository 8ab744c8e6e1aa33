import { describe, expect, it } from 'vitest';
import {
  availCpuPercent,
  counterRate,
  deriveMetrics,
  emptySample,
  freeMemMiB,
  INITIAL_LOAD,
  loadStep,
  nextLoad,
  type RawSample,
} from '../../src/telemetry/agent/index.ts';
import {
  parseBlockStat,
  parseKeyValues,
  parseNetDev,
  parsePressureSomeAvg10,
  parseProcStat,
} from '../../src/telemetry/agent/procfs.ts';

describe('agent pure formulas', () => {
  it('counterRate: delta over dt, null on reset, missing value or dt <= 0', () => {
    expect(counterRate(100, 350, 2)).toBe(125);
    expect(counterRate(350, 100, 1)).toBeNull();
    expect(counterRate(null, 100, 1)).toBeNull();
    expect(counterRate(1, 2, 0)).toBeNull();
  });

  it('availCpuPercent: 0.25 core used of 0.5 allotted is 50 %, clamped to [0, 100]', () => {
    // 0.5 cpu-s in 2 s = 0.25 cores; of 0.5 cores -> half used.
    expect(availCpuPercent(10, 10.5, 2, 0.5)).toBeCloseTo(50, 10);
    expect(availCpuPercent(10, 13, 1, 2)).toBe(0);
    expect(availCpuPercent(10, 10, 1, 1)).toBe(100);
    expect(availCpuPercent(10, 11, 1, null)).toBeNull();
  });

  it('freeMemMiB: limit minus usage in MiB, never negative', () => {
    expect(freeMemMiB(256 * 2 ** 20, 1024 * 2 ** 20)).toBe(768);
    expect(freeMemMiB(2 * 2 ** 20, 2 ** 20)).toBe(0);
    expect(freeMemMiB(null, 1)).toBeNull();
  });

  it('loadStep: the kernel formula, e.g. 60 s of n=2 from 0 with a 60 s window gives 2(1-1/e)', () => {
    expect(loadStep(0, 2, 60, 60)).toBeCloseTo(2 * (1 - Math.exp(-1)), 12);
    // Stepping 60 times by 1 s is the same as one 60 s step (the decay composes).
    let l = 0;
    for (let i = 0; i < 60; i++) l = loadStep(l, 2, 1, 60);
    expect(l).toBeCloseTo(2 * (1 - Math.exp(-1)), 12);
    expect(loadStep(null, 3, 1, 60)).toBe(3);
    // 1 s step from 4 with n = 0, 5-minute window: 4 e^(-1/300).
    expect(loadStep(4, 0, 1, 300)).toBeCloseTo(4 * Math.exp(-1 / 300), 12);
  });
});

describe('deriveMetrics', () => {
  const sample = (monoMs: number, over: Partial<RawSample>): RawSample => ({
    ...emptySample(monoMs),
    ...over,
  });

  it('first interval: gauges only, rates null, load starts at the count', () => {
    const { metrics, load } = deriveMetrics(
      undefined,
      sample(0, {
        cpuSeconds: 5,
        cpuCores: 1,
        memUsedBytes: 2 ** 20,
        memLimitBytes: 3 * 2 ** 20,
        runnableTasks: 2,
      }),
      INITIAL_LOAD,
    );
    expect(metrics.availcpu).toBeNull();
    expect(metrics.pagein).toBeNull();
    expect(metrics.freemem).toBe(2);
    expect(metrics.load1).toBe(2);
    expect(load).toEqual({ load1: 2, load5: 2, raw1: 0, raw5: 0, ageS: 0 });
    expect(metrics.netin).toBeNull();
  });

  it('second interval: rates per second, KiB/s for bytes, load decays toward the count', () => {
    const a = sample(1000, {
      cpuSeconds: 5,
      cpuCores: 2,
      pageinCount: 10,
      pageoutCount: 0,
      diskReadBytes: 0,
      netOutBytes: 1024,
      freeDiskBytes: 10 * 2 ** 20,
      runnableTasks: 0,
      cpuPressure: 1.5,
    });
    const b = sample(3000, {
      cpuSeconds: 6,
      cpuCores: 2,
      pageinCount: 30,
      pageoutCount: 8,
      diskReadBytes: 4096,
      netOutBytes: 5120,
      freeDiskBytes: 10 * 2 ** 20,
      runnableTasks: 4,
      cpuPressure: 2.5,
    });
    // An agent 100 s old whose counts were all 1: raw averages 1 - e^(-100/window), published 1.
    const old = {
      load1: 1,
      load5: 1,
      raw1: 1 - Math.exp(-100 / 60),
      raw5: 1 - Math.exp(-100 / 300),
      ageS: 100,
    };
    const { metrics } = deriveMetrics(a, b, old);
    // 1 cpu-s in 2 s = 0.5 core of 2 -> 75 % left.
    expect(metrics.availcpu).toBeCloseTo(75, 10);
    expect(metrics.pagein).toBe(10);
    expect(metrics.pageout).toBe(4);
    expect(metrics.diskread).toBe(2);
    expect(metrics.netout).toBe(2);
    expect(metrics.diskwrite).toBeNull();
    expect(metrics.freedisk).toBe(10);
    expect(metrics.cpu_pressure).toBe(2.5);
    const d1 = Math.exp(-2 / 60);
    const d5 = Math.exp(-2 / 300);
    expect(metrics.load1).toBeCloseTo((old.raw1 * d1 + 4 * (1 - d1)) / (1 - Math.exp(-102 / 60)), 12);
    expect(metrics.load5).toBeCloseTo((old.raw5 * d5 + 4 * (1 - d5)) / (1 - Math.exp(-102 / 300)), 12);
  });

  it('the load average does not decay from its first count: it is the damped mean from the start', () => {
    // A start-up blip (n = 1 in the first second), then an idle host (n = 0): the kernel formula
    // started at the first count would still show load5 = 0.67 after 120 s; corrected, ~0.01.
    let load = INITIAL_LOAD;
    load = nextLoad(load, 1, 0);
    load = nextLoad(load, 1, 1);
    for (let i = 0; i < 120; i++) load = nextLoad(load, 0, 1);
    expect(load.load5!).toBeLessThan(0.02);
    let kernel: number | null = null;
    kernel = loadStep(kernel, 1, 1, 300);
    for (let i = 0; i < 120; i++) kernel = loadStep(kernel, 0, 1, 300);
    expect(kernel).toBeGreaterThan(0.6);
    // A steady count is published as that count from the first seconds on (no ramp from 0 either).
    let steady = INITIAL_LOAD;
    for (let i = 0; i < 5; i++) steady = nextLoad(steady, 3, 1);
    expect(steady.load5!).toBeCloseTo(3, 12);
    expect(steady.load1!).toBeCloseTo(3, 12);
  });
});

describe('procfs text parsers', () => {
  it('parseProcStat counts fields after the last ")" (a comm with spaces and parens)', () => {
    // Fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const st = parseProcStat('42 (a b) c)) D 1 42 42 0 -1 0 111 0 7 0 250 50 0 0 20 0 3 0');
    expect(st).toEqual({ state: 'D', minflt: 111, majflt: 7, ticks: 300 });
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('parseKeyValues reads both `key: n kB` and `key n` lines', () => {
    const kv = parseKeyValues('Name:\tnode\nVmRSS:\t  2048 kB\n');
    expect(kv.get('VmRSS')).toBe(2048);
    expect(kv.has('Name')).toBe(false);
    expect(parseKeyValues('pgpgin 12\npgpgout 3\n').get('pgpgout')).toBe(3);
  });

  it('PSI, block stat and net dev', () => {
    expect(
      parsePressureSomeAvg10(
        'some avg10=3.25 avg60=1.00 avg300=0.10 total=99\nfull avg10=9.00 avg60=0 avg300=0 total=1\n',
      ),
    ).toBe(3.25);
    expect(parsePressureSomeAvg10(null)).toBeNull();
    expect(parseBlockStat('  10 0 8 5 20 0 16 7 0 0 0')).toEqual({
      readBytes: 8 * 512,
      writeBytes: 16 * 512,
    });
    const dev =
      'Inter-|   Receive\n face |bytes packets errs drop fifo frame compressed multicast|bytes\n' +
      '    lo: 100 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0\n  veth0: 5000 9 0 0 0 0 0 0 7000 8 0 0 0 0 0 0\n';
    expect(parseNetDev(dev, 'veth0')).toEqual({ inBytes: 5000, outBytes: 7000 });
    expect(parseNetDev(dev, 'eth9')).toBeNull();
  });
});
