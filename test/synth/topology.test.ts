import { describe, expect, it } from 'vitest';
import { buildTopology, influenceOf, tierSizes } from '../../src/sim/synth/topology.ts';
import { stream } from '../../src/sim/synth/streams.ts';

const idsOf = (n: number, seed = 1): string[] => buildTopology(n, seed).ids;
const edgesOf = (n: number, seed = 1): string[][] => {
  const t = buildTopology(n, seed);
  return t.edges.map(([a, b]) => [t.ids[a] ?? '', t.ids[b] ?? '']);
};

describe('synthetic topology', () => {
  it('2 hosts: web-0 -> db-0', () => {
    expect(idsOf(2)).toEqual(['db-0', 'web-0']);
    expect(edgesOf(2)).toEqual([['web-0', 'db-0']]);
  });

  it('3 hosts: web-0 -> app-0 -> db-0', () => {
    expect(edgesOf(3)).toEqual([
      ['app-0', 'db-0'],
      ['web-0', 'app-0'],
    ]);
    expect(buildTopology(3, 9).roles).toEqual(['app', 'db', 'web']);
  });

  it('tier sizes add up and keep every tier non-empty from 3 hosts on', () => {
    for (let n = 2; n <= 60; n++) {
      const s = tierSizes(n);
      expect(s.web + s.app + s.db).toBe(n);
      expect(s.web).toBeGreaterThanOrEqual(1);
      expect(s.db).toBeGreaterThanOrEqual(1);
      if (n >= 3) expect(s.app).toBeGreaterThanOrEqual(1);
    }
  });

  it('large topologies: zero-padded sorted unique ids, a layered DAG, everything reachable from a web host', () => {
    const t = buildTopology(1000, 3);
    expect(t.ids).toHaveLength(1000);
    expect(t.ids).toContain('app-007');
    expect([...t.ids].sort()).toEqual(t.ids);
    expect(new Set(t.ids).size).toBe(1000);
    const tier = { web: 0, app: 1, db: 2 } as const;
    for (const [a, b] of t.edges) expect(tier[t.roles[b] ?? 'web']).toBe(tier[t.roles[a] ?? 'web'] + 1);
    // Reachability by BFS from all web hosts.
    const seen = new Set<number>();
    const queue = t.ids.map((_, h) => h).filter((h) => t.roles[h] === 'web');
    for (const h of queue) seen.add(h);
    while (queue.length > 0) {
      const h = queue.shift() as number;
      for (const e of t.out[h] ?? []) {
        const c = t.edges[e]?.[1] as number;
        if (seen.has(c)) continue;
        seen.add(c);
        queue.push(c);
      }
    }
    expect(seen.size).toBe(1000);
    // Fan-out exists, weights are normalised per caller, visits sum to 1 per tier.
    expect(t.out.some((o) => o.length > 1)).toBe(true);
    for (const o of t.out) {
      if (o.length === 0) continue;
      expect(o.reduce((s, e) => s + (t.weights[e] ?? 0), 0)).toBeCloseTo(1, 12);
    }
    for (const role of ['web', 'app', 'db'] as const) {
      let s = 0;
      t.roles.forEach((r, h) => (s += r === role ? (t.visits[h] ?? 0) : 0));
      expect(s).toBeCloseTo(1, 9);
    }
  });

  it('is deterministic by seed and varies with it', () => {
    expect(edgesOf(40, 5)).toEqual(edgesOf(40, 5));
    expect(edgesOf(40, 5)).not.toEqual(edgesOf(40, 6));
  });

  it('influence: reach for callers, via and hop counts for callees', () => {
    const t = buildTopology(3, 1); // web-0 -> app-0 -> db-0
    const app = t.ids.indexOf('app-0');
    const db = t.ids.indexOf('db-0');
    const web = t.ids.indexOf('web-0');
    const inf = influenceOf(t, app);
    expect(inf.upHops[web]).toBe(1);
    expect(inf.downHops[db]).toBe(1);
    expect(inf.upHops[db]).toBe(-1);
    expect(inf.downHops[web]).toBe(-1);
    expect(inf.reach[web]).toBeCloseTo(1);
    expect(inf.via[db]).toBeCloseTo(1);
    expect(influenceOf(t, db).upHops[web]).toBe(2);
  });

  it('random streams depend only on (seed, label)', () => {
    const a = stream(4, 'host:db-0:noise').next();
    stream(4, 'something-else').next();
    expect(stream(4, 'host:db-0:noise').next()).toBe(a);
    expect(stream(5, 'host:db-0:noise').next()).not.toBe(a);
  });
});
