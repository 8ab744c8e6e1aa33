import { describe, expect, it } from 'vitest';
import { DATASET_FORMAT, SLO_COLUMNS, type Dataset } from '../../src/core/dataset.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { checkManifest } from '../../src/data/manifest.ts';
import {
  SYNTH_FAULT_TYPES,
  SYNTH_METRICS,
  synthesize,
  type SynthOptions,
} from '../../src/sim/synth/index.ts';

const METRICS = ['availcpu', 'freemem', 'pagein', 'pageout', 'freedisk', 'load1', 'load5', 'diskwrite'];

function bytes(a: Float64Array | Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function expectIdentical(a: Dataset, b: Dataset): void {
  expect(a.manifest).toEqual(b.manifest);
  expect(a.metrics.hosts).toEqual(b.metrics.hosts);
  expect(bytes(a.metrics.time).equals(bytes(b.metrics.time))).toBe(true);
  expect(bytes(a.metrics.host).equals(bytes(b.metrics.host))).toBe(true);
  a.metrics.columns.forEach((col, m) => {
    expect(bytes(col).equals(bytes(b.metrics.columns[m] as Float64Array)), a.metrics.metrics[m]).toBe(true);
  });
  expect(bytes(a.slo?.time ?? new Float64Array()).equals(bytes(b.slo?.time ?? new Float64Array()))).toBe(
    true,
  );
  for (const [k, col] of Object.entries(a.slo?.columns ?? {})) {
    expect(bytes(col).equals(bytes(b.slo?.columns[k] ?? new Float64Array())), k).toBe(true);
  }
}

describe('synthesize: determinism', () => {
  it('same options give byte-identical datasets', () => {
    for (const fault of SYNTH_FAULT_TYPES) {
      const opts: SynthOptions = { hosts: 6, fault, seed: 11, durationS: 400 };
      expectIdentical(synthesize(opts), synthesize(opts));
    }
  });

  it('a different seed gives different data', () => {
    const a = synthesize({ hosts: 5, fault: 'memleak', seed: 1, durationS: 300 });
    const b = synthesize({ hosts: 5, fault: 'memleak', seed: 2, durationS: 300 });
    a.metrics.columns.forEach((col, m) => {
      expect(bytes(col).equals(bytes(b.metrics.columns[m] as Float64Array))).toBe(false);
    });
    const la = a.slo?.columns.mean_latency_ms as Float64Array;
    const lb = b.slo?.columns.mean_latency_ms as Float64Array;
    expect(bytes(la).equals(bytes(lb))).toBe(false);
  });
});

describe('synthesize: table shape and value ranges', () => {
  const runs = SYNTH_FAULT_TYPES.map((fault) => synthesize({ hosts: 7, fault, seed: 3, durationS: 900 }));

  it('rows are sorted by (time, host) with no duplicates, every host every second', () => {
    for (const ds of runs) {
      const { time, host, hosts } = ds.metrics;
      expect(time.length).toBe(7 * 900);
      expect(hosts).toEqual([...hosts].sort());
      for (let r = 1; r < time.length; r++) {
        const dt = (time[r] as number) - (time[r - 1] as number);
        expect(dt === 0 ? (host[r] as number) > (host[r - 1] as number) : dt === 1000).toBe(true);
      }
      expect(time[0]).toBe(ds.manifest.start);
      expect(time[time.length - 1]).toBe(ds.manifest.end - 1000);
    }
  });

  it('metric values are finite and within their valid ranges', () => {
    for (const ds of runs) {
      expect(ds.metrics.metrics).toEqual(METRICS);
      ds.metrics.columns.forEach((col, m) => {
        const name = METRICS[m];
        let lo = Infinity;
        let hi = -Infinity;
        let nonFinite = 0;
        for (const v of col) {
          if (!Number.isFinite(v)) nonFinite++;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        expect(nonFinite, name).toBe(0);
        expect(lo, name).toBeGreaterThanOrEqual(0);
        if (name === 'availcpu') expect(hi).toBeLessThanOrEqual(100);
        expect(hi, name).toBeGreaterThan(lo); // not a constant
      });
    }
  });

  it('availcpu and load1 move with the request load (cross-metric coupling)', () => {
    const ds = runs[4] as Dataset; // control run
    const n = ds.metrics.hosts.length;
    const h = ds.metrics.hosts.indexOf('db-0');
    const count = ds.slo?.columns.count as Float64Array;
    const cpu = ds.metrics.columns[0] as Float64Array;
    const x: number[] = [];
    const y: number[] = [];
    for (let t = 0; t < count.length; t++) {
      x.push(count[t] as number);
      y.push(cpu[t * n + h] as number);
    }
    expect(correlation(x, y)).toBeLessThan(-0.5);
  });

  it('slo table: standard columns, one row per second, consistent counts', () => {
    for (const ds of runs) {
      const slo = ds.slo;
      expect(slo).not.toBeNull();
      if (!slo) return;
      expect(Object.keys(slo.columns).sort()).toEqual([...SLO_COLUMNS].sort());
      expect(slo.time.length).toBe(900);
      const c = slo.columns;
      for (let t = 0; t < 900; t++) {
        const count = c.count?.[t] as number;
        expect(Number.isInteger(count) && count > 0).toBe(true);
        const errors = c.errors?.[t] as number;
        const violations = c.violations?.[t] as number;
        expect(errors).toBeGreaterThanOrEqual(0);
        expect(errors).toBeLessThanOrEqual(violations);
        expect(violations).toBeLessThanOrEqual(count);
        const mean = c.mean_latency_ms?.[t] as number;
        const p95 = c.p95_latency_ms?.[t] as number;
        const max = c.max_latency_ms?.[t] as number;
        expect(mean).toBeGreaterThan(0);
        expect(p95).toBeLessThanOrEqual(max);
        expect(mean).toBeLessThanOrEqual(max);
        if (mean >= 100) expect(violations).toBeGreaterThan(0);
      }
    }
  });
});

describe('synthesize: manifest', () => {
  it('describes the run and passes the dataset manifest checker', () => {
    const ds = synthesize({ hosts: 5, fault: 'diskhog', seed: 8 });
    const m = ds.manifest;
    expect(checkManifest(JSON.parse(JSON.stringify(m)), 'manifest.json')).toEqual(m);
    expect(m.format).toBe(DATASET_FORMAT);
    expect(m.name).toBe('synth-diskhog-5h-s8');
    expect(m.source.kind).toBe('synthetic');
    expect(m.source.detail).toContain('fault=diskhog');
    expect(m.sampleIntervalMs).toBe(1000);
    expect(m.start).toBe(1767225600000);
    expect(m.end).toBe(m.start + 1800 * 1000);
    expect(m.metrics).toEqual(METRICS);
    expect(SYNTH_METRICS).toEqual(METRICS);
    expect(m.hosts.map((h) => h.id)).toEqual(ds.metrics.hosts);
    expect(new Set(m.hosts.map((h) => h.role))).toEqual(new Set(['web', 'app', 'db']));
    expect(m.slo).toEqual({ signal: 'mean_latency_ms', threshold: 100 });
    expect(m.actions).toEqual([]);
    expect(m.seed).toBe(8);
    const f = m.faults[0];
    expect(m.faults).toHaveLength(1);
    expect(f?.id).toBe('f1');
    expect(f?.type).toBe('diskhog');
    expect(f?.host.startsWith('db-')).toBe(true);
    expect(f?.start).toBe(m.start + 1080 * 1000);
    expect(f?.end).toBe(m.start + 1620 * 1000);
    expect(f?.metrics).toContain('diskwrite');
    expect(f?.params?.writeMiBps).toBeGreaterThan(100);
    expect(m.phases).toEqual([
      { name: 'normal', start: m.start, end: m.start + 720 * 1000 },
      { name: 'pre-fault', start: m.start + 720 * 1000, end: f?.start },
      { name: 'fault', start: f?.start, end: f?.end },
      { name: 'recovery', start: f?.end, end: m.end },
    ]);
  });

  it('control run: no faults, normal then control phases', () => {
    const m = synthesize({
      hosts: 4,
      fault: 'none',
      seed: 2,
      durationS: 1000,
      startMs: 5000,
      name: 'ctl',
    }).manifest;
    expect(m.name).toBe('ctl');
    expect(m.faults).toEqual([]);
    expect(m.phases).toEqual([
      { name: 'normal', start: 5000, end: 5000 + 400_000 },
      { name: 'control', start: 5000 + 400_000, end: 5000 + 1_000_000 },
    ]);
  });

  it('honours faultHost, faultStartS, faultDurationS and sloThresholdMs', () => {
    const m = synthesize({
      hosts: 5,
      fault: 'cpuhog',
      seed: 2,
      durationS: 600,
      faultHost: 'app-1',
      faultStartS: 100,
      faultDurationS: 500,
      sloThresholdMs: 70,
    }).manifest;
    expect(m.faults[0]).toMatchObject({ host: 'app-1', start: m.start + 100_000, end: m.end });
    expect(m.slo?.threshold).toBe(70);
    expect(m.phases.map((p) => p.name)).toEqual(['normal', 'pre-fault', 'fault']);
    expect(m.phases[0]!.end).toBe(m.start + 67_000);
  });

  it('the default fault host is a db host and depends on the seed', () => {
    const hosts = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const f = synthesize({ hosts: 20, fault: 'memleak', seed, durationS: 60 }).manifest.faults[0];
      expect(f?.host.startsWith('db-')).toBe(true);
      hosts.add(f?.host ?? '');
    }
    expect(hosts.size).toBeGreaterThan(1);
  });
});

describe('synthesize: option validation', () => {
  const base: SynthOptions = { hosts: 5, fault: 'memleak', seed: 1 };
  const cases: [Partial<SynthOptions> & Record<string, unknown>, string][] = [
    [{ hosts: 1 }, 'hosts'],
    [{ hosts: 2.5 }, 'hosts'],
    [{ hosts: Number.NaN }, 'hosts'],
    [{ hosts: 100_000, durationS: 3600 }, 'hosts'],
    [{ fault: 'netsplit' as never }, 'fault'],
    [{ seed: Number.NaN }, 'seed'],
    [{ seed: 0.5 }, 'seed'],
    [{ durationS: 5 }, 'durationS'],
    [{ durationS: 100.5 }, 'durationS'],
    [{ startMs: -1 }, 'startMs'],
    [{ faultHost: 'db-9' }, 'faultHost'],
    [{ faultHost: '' }, 'faultHost'],
    [{ faultStartS: 1800 }, 'faultStartS'],
    [{ faultStartS: -3 }, 'faultStartS'],
    [{ faultStartS: 1000, faultDurationS: 900 }, 'faultDurationS'],
    [{ faultDurationS: 0 }, 'faultDurationS'],
    [{ sloThresholdMs: 0 }, 'sloThresholdMs'],
    [{ sloThresholdMs: Number.POSITIVE_INFINITY }, 'sloThresholdMs'],
    [{ name: ' ' }, 'name'],
  ];
  it.each(cases)('%o -> ConfigError naming %s', (patch, option) => {
    let error: unknown;
    try {
      synthesize({ ...base, ...patch } as SynthOptions);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith(`${option}:`)).toBe(true);
    expect(message).not.toContain('\n');
  });
});

function correlation(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}
