// The SLO effect of a fault (runner/experiment/effect.ts) on a hand-built timeline: violation
// seconds by latency, by failed requests and by silence during the fault (rules v2).

import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/dataset.ts';
import {
  describeEffect,
  faultEffect,
  injectionFootprint,
  normalViolationS,
  unmetCriteria,
  type FaultEffect,
} from '../../src/runner/experiment/effect.ts';
import { effectSummary, summaryPasses, type EffectRow } from '../../src/runner/experiment/effect-summary.ts';

const T0 = 1_800_000_000_000;

/** A dataset whose fault runs [10 s, 40 s) and whose SLO rows are given per second from 0. */
function dataset(rows: { mean: number; count: number; errors?: number }[], fault = true): Dataset {
  const n = rows.length;
  const col = (f: (r: (typeof rows)[number]) => number): Float64Array => Float64Array.from(rows, f);
  return {
    manifest: {
      format: 'foreshock-dataset/1',
      name: 't',
      source: { kind: 'test' },
      sampleIntervalMs: 1000,
      start: T0,
      end: T0 + n * 1000,
      hosts: [{ id: 'db' }],
      dependencies: [],
      metrics: ['availcpu'],
      slo: { signal: 'mean_latency_ms', threshold: 20 },
      phases: fault ? [] : [{ name: 'control', start: T0 + 10_000, end: T0 + 40_000 }],
      faults: fault
        ? [
            {
              id: 'f',
              type: 'cpuhog',
              host: 'db',
              start: T0 + 10_000,
              end: T0 + 40_000,
              metrics: [],
              params: {},
            },
          ]
        : [],
      actions: [],
    },
    metrics: {
      time: new Float64Array(0),
      host: new Int32Array(0),
      hosts: ['db'],
      metrics: ['availcpu'],
      columns: [new Float64Array(0)],
    },
    slo: {
      time: Float64Array.from(rows, (_, i) => T0 + i * 1000),
      columns: {
        mean_latency_ms: col((r) => r.mean),
        count: col((r) => r.count),
        errors: col((r) => r.errors ?? 0),
      },
    },
  } as Dataset;
}

const ok = { mean: 3, count: 10 };

describe('faultEffect', () => {
  it('counts latency, error and silent seconds in the fault phase only, and finds the sustained onset', () => {
    const rows: { mean: number; count: number; errors?: number }[] = Array.from({ length: 50 }, () => ({
      ...ok,
    }));
    rows[5] = { mean: 90, count: 10 }; // before the fault: not counted
    rows[15] = { mean: 25, count: 10 }; // first violation, 5 s in (a lone second)
    rows[20] = { mean: 4, count: 10, errors: 1 }; // a failed request violates
    rows[21] = { mean: NaN, count: 0 }; // no requests during the fault: violates
    rows[22] = { mean: 30, count: 10 }; // run 20-22: 3 s, sustained from 10 s in
    rows[30] = { mean: 19.9, count: 10 }; // under the threshold
    rows[45] = { mean: 80, count: 10 }; // after the fault: not counted
    const e = faultEffect(dataset(rows))!;
    expect(e).toEqual({
      firstViolationS: 5,
      sustainedOnsetS: 10,
      violationS: 4,
      phaseS: 30,
      longestRunS: 3,
      peakMs: 30,
      errors: 1,
      silentS: 1,
    });
    expect(describeEffect(e, false)).toMatch(/first violation 5 s, sustained onset 10 s, 4 violation s/);
  });

  it('a silent second outside a fault (a control run) does not violate', () => {
    const rows: { mean: number; count: number; errors?: number }[] = Array.from({ length: 50 }, () => ({
      ...ok,
    }));
    rows[12] = { mean: NaN, count: 0 };
    rows[13] = { mean: NaN, count: 0 };
    rows[14] = { mean: NaN, count: 0 };
    const e = faultEffect(dataset(rows, false))!;
    expect(e.violationS).toBe(0);
    expect(e.sustainedOnsetS).toBeNull();
    expect(e.silentS).toBe(0);
  });

  it('a gap in the SLO rows breaks a violation run', () => {
    const rows: { mean: number; count: number; errors?: number }[] = Array.from({ length: 50 }, () => ({
      ...ok,
    }));
    for (const i of [20, 21, 23, 24]) rows[i] = { mean: 50, count: 5 };
    const ds = dataset(rows);
    // Drop second 22's row: 20-21 and 23-24 are two runs of 2 s, neither sustained.
    const keep = [...ds.slo!.time.keys()].filter((i) => i !== 22);
    ds.slo = {
      time: Float64Array.from(keep, (i) => ds.slo!.time[i]!),
      columns: Object.fromEntries(
        Object.entries(ds.slo!.columns).map(([k, v]) => [k, Float64Array.from(keep, (i) => v[i]!)]),
      ),
    };
    const e = faultEffect(ds)!;
    expect(e.violationS).toBe(4);
    expect(e.longestRunS).toBe(2);
    expect(e.sustainedOnsetS).toBeNull();
  });
});

describe('injectionFootprint', () => {
  /** db's metrics each second of [0, 40): normal phase [0, 10), fault from 10 s. */
  function withMetrics(at: (s: number) => { pagein: number; freemem: number; availcpu: number }): Dataset {
    const ds = dataset(Array.from({ length: 40 }, () => ({ ...ok })));
    ds.manifest.phases = [{ name: 'normal', start: T0, end: T0 + 10_000 }];
    const n = 40;
    const rows = Array.from({ length: n }, (_, s) => at(s));
    ds.metrics = {
      time: Float64Array.from(rows, (_, s) => T0 + s * 1000),
      host: new Int32Array(n),
      hosts: ['db'],
      metrics: ['pagein', 'freemem', 'availcpu'],
      columns: [
        Float64Array.from(rows, (r) => r.pagein),
        Float64Array.from(rows, (r) => r.freemem),
        Float64Array.from(rows, (r) => r.availcpu),
      ],
    };
    return ds;
  }
  const calm = (s: number) => ({ pagein: 100 + (s % 3), freemem: 300 - (s % 2), availcpu: 80 + (s % 4) });

  it('is clean when the first 2 s of the fault stay in the normal range (the ramp may leave it later)', () => {
    const ds = withMetrics((s) => (s >= 13 ? { pagein: 9000, freemem: 10, availcpu: 0 } : calm(s)));
    expect(injectionFootprint(ds)).toEqual([]);
  });

  it("names each metric a fault program's start-up moved in the first 2 s", () => {
    const ds = withMetrics((s) => (s === 10 ? { pagein: 6600, freemem: 270, availcpu: 40 } : calm(s)));
    const lines = injectionFootprint(ds);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^db pagein 6600\.0 at \+0 s is above the normal bound 253\.0$/);
    expect(lines[1]).toMatch(/freemem 270\.0 .* below the normal bound 289\.0/);
    expect(lines[2]).toMatch(/availcpu 40\.0 .* below the normal bound 70\.0/);
  });
});

describe('bite criteria (issue 18, item 3)', () => {
  const bite: FaultEffect = {
    firstViolationS: 40,
    sustainedOnsetS: 60,
    violationS: 35,
    phaseS: 200,
    longestRunS: 12,
    peakMs: 90,
    errors: 0,
    silentS: 0,
  };

  it('a fault run bites with its first violation 15-150 s in, >= 20 violation s and a sustained run', () => {
    expect(unmetCriteria(bite, false)).toEqual([]);
    expect(unmetCriteria({ ...bite, firstViolationS: 3 }, false)).toEqual([
      'first violation 3 s in (want 15-150 s)',
    ]);
    expect(unmetCriteria({ ...bite, firstViolationS: 151 }, false)).toHaveLength(1);
    expect(unmetCriteria({ ...bite, violationS: 19 }, false)).toEqual(['19 violation s (want >= 20)']);
    expect(unmetCriteria({ ...bite, sustainedOnsetS: null }, false)).toEqual(['no sustained run']);
    expect(
      unmetCriteria({ ...bite, firstViolationS: null, sustainedOnsetS: null, violationS: 0 }, false),
    ).toHaveLength(3);
  });

  it('a control run is clean with no sustained run and at most 1 % violation seconds', () => {
    const quiet = { ...bite, firstViolationS: 50, sustainedOnsetS: null, violationS: 2, longestRunS: 1 };
    expect(unmetCriteria(quiet, true)).toEqual([]);
    expect(unmetCriteria({ ...quiet, violationS: 3 }, true)).toEqual([
      '1.5 % violation seconds (at most 1 %)',
    ]);
    expect(unmetCriteria({ ...quiet, sustainedOnsetS: 50 }, true)).toEqual([
      'a sustained violation run 50 s in',
    ]);
  });

  it('a fault type passes with 4 of 5 bites and no footprint; a control type only when every run is clean', () => {
    const row = (kind: string, unmet: string[] = [], footprint: string[] = []): EffectRow => ({
      dataset: kind,
      kind,
      host: 'db',
      effect: bite,
      normalViolationS: 0,
      footprint,
      unmet,
    });
    const rows = [
      ...Array.from({ length: 4 }, () => row('memleak')),
      row('memleak', ['no sustained run']),
      ...Array.from({ length: 3 }, () => row('cpuhog')),
      row('cpuhog', [], ['db pagein ...']),
      row('cpuhog', ['no violation']),
      row('control'),
      row('control', ['a sustained violation run 9 s in']),
    ];
    const summary = effectSummary(rows);
    expect(summary).toEqual([
      { kind: 'control', ok: 1, runs: 2 },
      { kind: 'cpuhog', ok: 3, runs: 5 },
      { kind: 'memleak', ok: 4, runs: 5 },
    ]);
    expect(summary.map(summaryPasses)).toEqual([false, false, true]);
  });

  it('normalViolationS counts latency and error seconds of the normal phase only', () => {
    const rows: { mean: number; count: number; errors?: number }[] = Array.from({ length: 50 }, () => ({
      ...ok,
    }));
    rows[2] = { mean: 25, count: 10 };
    rows[3] = { mean: 4, count: 10, errors: 2 };
    rows[4] = { mean: NaN, count: 0 }; // no requests: not a violation outside a fault
    rows[15] = { mean: 90, count: 10 }; // in the fault phase
    const ds = dataset(rows);
    ds.manifest.phases = [{ name: 'normal', start: T0, end: T0 + 10_000 }];
    expect(normalViolationS(ds)).toBe(2);
  });
});
