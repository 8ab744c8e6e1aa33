// The chance floor: the random predictor alarms each second with probability p (one host per second),
// the random localizer ranks the hosts uniformly; both seeded.
import { describe, expect, it } from 'vitest';
import type { Localizer, Predictor } from '../../src/core/algorithm.ts';
import { createAlgorithm } from '../../src/algorithms/registry.ts';

const hosts = ['web', 'db', 'app', 'cache'];
const ctx = (seed: number) => ({ metrics: ['cpu'], hosts, sampleIntervalMs: 1000, seed });
const T0 = 1_700_000_000_000;

function alarmSeconds(p: Predictor, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let alarmed = 0;
    for (const host of hosts) {
      const sample = { time: T0 + i * 1000, host, values: new Float64Array([1]) };
      const r = p.score(sample);
      p.learn(sample);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
      if (r.anomalous) alarmed++;
    }
    expect(alarmed).toBeLessThanOrEqual(1); // at most one host alarms in a second
    if (alarmed > 0) out.push(i);
  }
  return out;
}

describe('random predictor', () => {
  it('alarms in about p of the seconds, the same seconds for the same seed', () => {
    const a = alarmSeconds(createAlgorithm('random', undefined, ctx(1)) as Predictor, 20_000);
    expect(a.length / 20_000).toBeGreaterThan(0.045);
    expect(a.length / 20_000).toBeLessThan(0.055);
    expect(alarmSeconds(createAlgorithm('random', undefined, ctx(1)) as Predictor, 20_000)).toEqual(a);
    expect(alarmSeconds(createAlgorithm('random', undefined, ctx(2)) as Predictor, 20_000)).not.toEqual(a);
    const often = alarmSeconds(createAlgorithm('random', { p: 0.5 }, ctx(1)) as Predictor, 4000);
    expect(often.length / 4000).toBeGreaterThan(0.47);
    expect(often.length / 4000).toBeLessThan(0.53);
  });
});

describe('random localizer', () => {
  it('puts each host first about 1/N of the time', () => {
    const l = createAlgorithm('random-localizer', undefined, ctx(3)) as Localizer;
    const first = new Map<string, number>();
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const t = T0 + i * 1000;
      const samples = hosts.map((host) => ({ time: t - 1000, host, values: new Float64Array([1]) }));
      const r = l.localize(
        { start: t - 10_000, end: t, samples },
        { kind: 'slo', time: t, host: null },
        {
          hosts,
          edges: [],
        },
      );
      expect([...r.entries.map((e) => e.host)].sort()).toEqual([...hosts].sort());
      first.set(r.entries[0]!.host, (first.get(r.entries[0]!.host) ?? 0) + 1);
    }
    for (const h of hosts) {
      expect(first.get(h)! / n).toBeGreaterThan(0.22);
      expect(first.get(h)! / n).toBeLessThan(0.28);
    }
  });
});
