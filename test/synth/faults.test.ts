// Behaviour of the injected faults on a 5-host topology (web-0 -> app-0/app-1 -> db-0/db-1) with fixed
// seeds: the culprit's culprit metrics move first and most, the SLO breaks tens of seconds after the
// injection and stays broken until the fault ends, callers react later and less, callees see less load.

import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/dataset.ts';
import { synthesize, type SynthFaultType } from '../../src/sim/synth/index.ts';
import { firstDeviation, mean, meanSd, secondOf, series, violated, violationOnset } from './helpers.ts';

const SEED = 1;
const FAULTS: Exclude<SynthFaultType, 'none'>[] = ['memleak', 'cpuhog', 'diskhog', 'diskfill'];

interface Run {
  ds: Dataset;
  host: string;
  start: number;
  end: number;
}

function run(fault: Exclude<SynthFaultType, 'none'>, seed = SEED, faultHost?: string): Run {
  const ds = synthesize({ hosts: 5, fault, seed, ...(faultHost ? { faultHost } : {}) });
  const f = ds.manifest.faults[0];
  if (!f) throw new Error('no fault');
  return { ds, host: f.host, start: secondOf(ds, f.start), end: secondOf(ds, f.end) };
}

/** Direct callers of a host, from manifest.dependencies. */
function callersOf(ds: Dataset, host: string): string[] {
  return ds.manifest.dependencies.filter(([, callee]) => callee === host).map(([caller]) => caller);
}

const runs = new Map(FAULTS.map((f) => [f, run(f)]));
const get = (f: Exclude<SynthFaultType, 'none'>): Run => runs.get(f) as Run;

describe('synthetic faults: the culprit', () => {
  it('memleak: freemem collapses, paging and load rise, CPU is not the cause', () => {
    const { ds, host, start, end } = get('memleak');
    const free = series(ds, host, 'freemem');
    const pre = meanSd(free, start - 600, start);
    expect(free[end - 1]).toBeLessThan(0.1 * pre.mean);
    expect(firstDeviation(free, start - 600, start, end)).toBeLessThan(start + 40);
    expect(mean(series(ds, host, 'pagein'), end - 60, end)).toBeGreaterThan(
      20 * mean(series(ds, host, 'pagein'), start - 600, start),
    );
    expect(mean(series(ds, host, 'pageout'), end - 60, end)).toBeGreaterThan(
      20 * mean(series(ds, host, 'pageout'), start - 600, start),
    );
    expect(mean(series(ds, host, 'load1'), end - 60, end)).toBeGreaterThan(
      3 * mean(series(ds, host, 'load1'), start - 600, start),
    );
    // CPU-quiet: availcpu does not fall (a stalled service uses less CPU, reclaim a little more).
    expect(mean(series(ds, host, 'availcpu'), end - 60, end)).toBeGreaterThan(
      mean(series(ds, host, 'availcpu'), start - 600, start) - 5,
    );
  });

  it('cpuhog: availcpu ramps down at ~1 %/s per thread, load1 rises', () => {
    const { ds, host, start, end } = get('cpuhog');
    const cpu = series(ds, host, 'availcpu');
    const pre = mean(cpu, start - 600, start);
    expect(mean(cpu, start + 10, start + 15)).toBeLessThan(pre - 10);
    expect(mean(cpu, start + 10, start + 15)).toBeGreaterThan(pre - 40);
    expect(mean(cpu, end - 60, end)).toBeLessThan(10);
    expect(mean(series(ds, host, 'load1'), end - 60, end)).toBeGreaterThan(
      3 * mean(series(ds, host, 'load1'), start - 600, start),
    );
  });

  it('diskhog: diskwrite jumps at once, availcpu dips, load rises', () => {
    const { ds, host, start, end } = get('diskhog');
    const w = series(ds, host, 'diskwrite');
    const pre = mean(w, start - 600, start);
    expect(mean(w, start + 5, start + 10)).toBeGreaterThan(50 * pre);
    expect(firstDeviation(w, start - 600, start, end)).toBeLessThanOrEqual(start + 2);
    const cpu = series(ds, host, 'availcpu');
    // Before the service backs up: the hog's own CPU and iowait only ("a bit").
    const dip = mean(cpu, start - 600, start) - mean(cpu, start + 5, start + 20);
    expect(dip).toBeGreaterThan(3);
    expect(dip).toBeLessThan(25);
    expect(mean(series(ds, host, 'load1'), end - 60, end)).toBeGreaterThan(
      3 * mean(series(ds, host, 'load1'), start - 600, start),
    );
  });

  it('diskfill: freedisk drops fast to (nearly) nothing', () => {
    const { ds, host, start, end } = get('diskfill');
    const d = series(ds, host, 'freedisk');
    const pre = mean(d, start - 600, start);
    expect(d[start + 10]).toBeLessThan(pre - 500);
    expect(d[end - 1]).toBeLessThan(0.05 * pre);
    // After the fault the filler's file is removed.
    expect(d[d.length - 1]).toBeGreaterThan(0.9 * pre);
  });

  it('the culprit metrics recorded in the manifest are the ones that moved', () => {
    for (const f of FAULTS) {
      const { ds, host, start, end } = get(f);
      const metrics = ds.manifest.faults[0]?.metrics ?? [];
      expect(metrics.length, f).toBeGreaterThan(0);
      for (const m of metrics) {
        expect(
          firstDeviation(series(ds, host, m), start - 600, start, end),
          `${f} ${m}`,
        ).toBeGreaterThanOrEqual(start);
      }
    }
  });
});

describe('synthetic faults: SLO', () => {
  it.each(FAULTS)(
    '%s: violation onset tens of seconds after the start, lasting until the fault ends',
    (f) => {
      for (const seed of [SEED, 2, 3]) {
        const { ds, start, end } = seed === SEED ? get(f) : run(f, seed);
        const onset = violationOnset(ds, start);
        expect(onset, `${f} seed ${seed}`).toBeGreaterThanOrEqual(start + 20);
        expect(onset, `${f} seed ${seed}`).toBeLessThanOrEqual(start + 120);
        expect(onset).toBeLessThan(end);
        // No sustained violation before the onset; every second from the onset to the fault end violates.
        expect(violationOnset(ds, 0)).toBe(onset);
        let held = 0;
        for (let t = onset; t < end; t++) held += violated(ds, t) ? 1 : 0;
        expect(held / (end - onset), `${f} seed ${seed}`).toBeGreaterThanOrEqual(0.98);
        // The service recovers after the fault (within a few seconds).
        expect(violationOnset(ds, end + 15)).toBe(-1);
      }
    },
  );

  it('control runs violate the SLO in well under 1 % of the seconds and never for 3 s in a row', () => {
    let total = 0;
    let bad = 0;
    for (const [hosts, seed] of [
      [5, 1],
      [5, 2],
      [8, 3],
      [12, 4],
    ] as const) {
      const ds = synthesize({ hosts, fault: 'none', seed });
      const sig = ds.slo?.columns.mean_latency_ms as Float64Array;
      total += sig.length;
      for (let t = 0; t < sig.length; t++) bad += violated(ds, t) ? 1 : 0;
      expect(violationOnset(ds, 0)).toBe(-1);
    }
    expect(bad / total).toBeLessThan(0.01);
  });

  it('errors appear when the culprit falls behind', () => {
    const { ds, start, end } = get('memleak');
    const errors = ds.slo?.columns.errors as Float64Array;
    expect(mean(errors, start - 600, start)).toBe(0);
    expect(mean(errors, end - 60, end)).toBeGreaterThan(0);
  });
});

describe('synthetic faults: propagation', () => {
  it.each(FAULTS)('%s: callers of the culprit change later and less than the culprit', (f) => {
    const { ds, host, start, end } = get(f);
    const callers = callersOf(ds, host);
    expect(callers.length).toBeGreaterThan(0);
    const culpritMetrics = ds.manifest.faults[0]?.metrics ?? [];
    const firstCulprit = Math.min(
      ...culpritMetrics
        .map((m) => firstDeviation(series(ds, host, m), start - 600, start, end))
        .filter((t) => t >= 0),
    );
    const culpritLoad = series(ds, host, 'load1');
    const culpritRise = mean(culpritLoad, end - 60, end) - mean(culpritLoad, start - 600, start);
    for (const caller of callers) {
      const load = series(ds, caller, 'load1');
      const firstCaller = firstDeviation(load, start - 600, start, end, 6, 5, 0.05);
      expect(firstCaller, `${f} ${caller}`).toBeGreaterThan(firstCulprit);
      const rise = mean(load, end - 60, end) - mean(load, start - 600, start);
      expect(rise, `${f} ${caller}`).toBeGreaterThan(0.1); // it does react (threads waiting on the culprit)
      expect(rise, `${f} ${caller}`).toBeLessThan(culpritRise);
    }
  });

  it('back-pressure: a struggling app host sends its db less work', () => {
    const { ds, host, start, end } = run('cpuhog', SEED, 'app-0');
    expect(host).toBe('app-0');
    const callees = ds.manifest.dependencies.filter(([a]) => a === host).map(([, b]) => b);
    expect(callees.length).toBeGreaterThan(0);
    for (const callee of callees) {
      const cpu = series(ds, callee, 'availcpu');
      const pre = mean(cpu, start - 600, start);
      const during = mean(cpu, end - 60, end);
      expect(during, callee).toBeGreaterThan(pre + 5); // less work -> more idle CPU
      const culpritDrop = pre - mean(series(ds, host, 'availcpu'), end - 60, end);
      expect(during - pre).toBeLessThan(culpritDrop); // visible, but smaller than the culprit's change
      // ... and later than the culprit's own change.
      const first = firstDeviation(cpu, start - 600, start, end, 4, 10);
      expect(first).toBeGreaterThan(
        firstDeviation(series(ds, host, 'availcpu'), start - 600, start, end, 4, 10),
      );
    }
  });
});
