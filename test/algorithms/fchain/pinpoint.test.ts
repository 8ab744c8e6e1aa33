// FChain's integrated pinpointing (onset order, concurrency gap, dependency filter in both
// directions, external-cause check), dependency relations (known and inferred) and online
// validation, on hand-made inputs with known answers.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.ts';
import { InferredTopology, KnownTopology } from '../../../src/algorithms/fchain/dependencies.ts';
import {
  externalCause,
  pinpoint,
  type HostOnset,
  type PinpointOptions,
} from '../../../src/algorithms/fchain/pinpoint.ts';
import {
  NOT_VALIDATED,
  sloImproved,
  validateWithRecording,
} from '../../../src/algorithms/fchain/validation.ts';

const OPTS: PinpointOptions = { concurrencyMs: 2000, externalShare: 0.8, externalSpreadMs: 10_000 };
const CHAIN = new KnownTopology([
  ['web', 'app'],
  ['app', 'db'],
]);

function onset(host: string, s: number, dirs: Record<string, number> = { availcpu: -1 }): HostOnset {
  return {
    host,
    onset: s * 1000,
    metric: Object.keys(dirs)[0]!,
    ratio: 1,
    directions: new Map(Object.entries(dirs)),
  };
}

describe('pinpoint', () => {
  it('blames the earliest host; later hosts on a dependency path are victims', () => {
    const r = pinpoint([onset('web', 40), onset('db', 0), onset('app', 20)], 3, CHAIN, OPTS);
    expect(r.chain.map((c) => c.host)).toEqual(['db', 'app', 'web']);
    expect(r.pinpointed).toEqual(['db']);
    expect(r.external).toBeNull();
  });

  it('treats a callee that changed later as a victim too (back-pressure, against the call direction)', () => {
    expect(pinpoint([onset('app', 0), onset('db', 20)], 3, CHAIN, OPTS).pinpointed).toEqual(['app']);
  });

  it('pinpoints every host within the concurrency gap of the first', () => {
    const r = pinpoint([onset('db', 0), onset('app', 2), onset('web', 30)], 3, CHAIN, OPTS);
    expect(r.pinpointed).toEqual(['db', 'app']);
    expect(pinpoint([onset('db', 0), onset('app', 2.5)], 3, CHAIN, OPTS).pinpointed).toEqual(['db']);
  });

  it('pinpoints a later host with no dependency path to any culprit as an independent fault', () => {
    const topo = new KnownTopology([
      ['web', 'app'],
      ['app', 'db'],
      ['web2', 'db2'],
    ]);
    const r = pinpoint(
      [onset('db', 0), onset('web', 30), onset('db2', 40), onset('web2', 50)],
      5,
      topo,
      OPTS,
    );
    expect(r.pinpointed).toEqual(['db', 'db2']);
  });

  it('sees two callees of one caller as unrelated (no directed path between siblings)', () => {
    const topo = new KnownTopology([
      ['app', 'db1'],
      ['app', 'db2'],
    ]);
    expect(topo.related('db1', 'db2')).toBe(false);
    expect(topo.related('db1', 'app')).toBe(true);
    expect(topo.reaches('app', 'db2')).toBe(true);
    expect(topo.reaches('db2', 'app')).toBe(false);
  });

  it('returns nothing for no abnormal host', () => {
    expect(pinpoint([], 3, CHAIN, OPTS)).toEqual({ chain: [], pinpointed: [], external: null });
  });
});

describe('external-cause check', () => {
  const together = [
    onset('web', 0, { availcpu: -1, pagein: 1 }),
    onset('app', 1, { availcpu: -1 }),
    onset('db', 3, { availcpu: -1, diskwrite: 1 }),
  ];

  it('reports a workload change when the hosts changed together and the same way', () => {
    const r = pinpoint(together, 3, CHAIN, OPTS);
    expect(r.external).toEqual({ metric: 'availcpu', direction: -1 });
    expect(r.pinpointed).toEqual([]);
  });

  it('does not when the changes are spread out in time (propagation)', () => {
    const spread = [together[0]!, together[1]!, { ...together[2]!, onset: 30_000 }];
    expect(externalCause(spread, 3, OPTS)).toBeNull();
  });

  it('does not when too few hosts changed', () => {
    expect(externalCause(together.slice(0, 2), 3, OPTS)).toBeNull();
    expect(externalCause(together, 5, OPTS)).toBeNull();
  });

  it('does not when a metric went up on one host and down on another', () => {
    const mixed = [...together.slice(0, 2), onset('db', 3, { availcpu: 1 })];
    expect(externalCause(mixed, 3, OPTS)).toBeNull();
  });
});

describe('inferred dependencies', () => {
  // a and b follow the same request stream; c has its own; all three drift the same way.
  const rng = createRng(4);
  const n = 120;
  const load = Float64Array.from({ length: n }, () => rng.normal());
  const own = Float64Array.from({ length: n }, () => rng.normal());
  const series = (driver: Float64Array, k: number) => {
    const cpu = new Float64Array(n);
    const net = new Float64Array(n);
    const disk = new Float64Array(n);
    let cl = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      cl += driver[i]! * k + 0.3 * rng.normal();
      nl += driver[i]! * 2 * k + 0.3 * rng.normal();
      cpu[i] = 50 + cl;
      net[i] = 100 + nl;
      disk[i] = 1000 - 0.5 * i + 0.01 * rng.normal(); // a shared trend: not a dependency
    }
    return [cpu, net, disk];
  };
  const data: Record<string, Float64Array[]> = { a: series(load, 1), b: series(load, 3), c: series(own, 1) };
  const topo = new InferredTopology((h) => data[h], 0, n, 0.3);

  it('relates hosts whose metrics change together, not hosts that merely share a trend', () => {
    expect(topo.related('a', 'b')).toBe(true);
    expect(topo.related('a', 'c')).toBe(false);
    expect(topo.related('b', 'c')).toBe(false);
    expect(topo.correlation('a', 'b')).toBeGreaterThan(0.8);
  });

  it('infers nothing from too little normal data', () => {
    const short = new InferredTopology((h) => data[h], 0, 10, 0.3);
    expect(short.related('a', 'b')).toBe(false);
  });
});

describe('online validation', () => {
  const slo = {
    times: Array.from({ length: 200 }, (_, i) => i * 1000),
    // latency 200 ms until 100 s, 50 ms after (the scale-up of db at 95 s helped)
    values: Array.from({ length: 200 }, (_, i) => (i < 100 ? 200 : 50)),
  };

  it('keeps a host whose scale-up improved the SLO and drops one whose did not', () => {
    const actions = [
      { type: 'scale-cpu', host: 'db', requested: 95_000, completed: 100_000 },
      { type: 'scale-memory', host: 'app', requested: 30_000, completed: 31_000 },
    ];
    const out = validateWithRecording(['db', 'app'], 20_000, actions, slo);
    expect(out.validated).toEqual(['db']);
    expect(out.dropped).toEqual(['app']);
    expect(out.kept).toEqual(['db']);
    expect(out.note).toMatch(/validated: db/);
    expect(out.note).toMatch(/dropped by validation: app/);
    expect(out.note).not.toMatch(NOT_VALIDATED);
  });

  it('marks hosts without a recorded scale-up (or a run without SLO data) "not validated"', () => {
    const restart = [{ type: 'restart', host: 'db', requested: 95_000, completed: 100_000 }];
    for (const out of [
      validateWithRecording(['db'], 20_000, restart, slo),
      validateWithRecording(['db'], 20_000, [], slo),
      validateWithRecording(['db'], 20_000, [{ ...restart[0]!, type: 'scale-cpu' }], null),
    ]) {
      expect(out.kept).toEqual(['db']);
      expect(out.notValidated).toEqual(['db']);
      expect(out.note).toBe(NOT_VALIDATED);
    }
  });

  it('ignores actions before the localization or beyond the horizon', () => {
    const early = [{ type: 'scale-cpu', host: 'db', requested: 10_000, completed: 11_000 }];
    expect(validateWithRecording(['db'], 20_000, early, slo).notValidated).toEqual(['db']);
  });

  it('judges improvement by the mean SLO signal', () => {
    expect(sloImproved([100, 100], [80, 85], 0.1)).toBe(true);
    expect(sloImproved([100, 100], [95, 95], 0.1)).toBe(false);
    expect(sloImproved([], [1], 0.1)).toBe(false);
  });
});
