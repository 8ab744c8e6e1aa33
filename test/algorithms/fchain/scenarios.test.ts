// FChain and its baselines on scenarios with known answers (see scenarios.ts):
//   1. a db fault propagating to its callers (app, web);
//   2. back-pressure: an app fault that shows on its callee (db), against the call direction;
//   3. two concurrent independent faults;
//   4. a workload surge on every host, no culprit;
// plus an unknown topology (inferred from the data) and a run through the replay engine.
import { describe, expect, it } from 'vitest';
import { runReplayJob } from '../../../src/runner/replay-job.ts';
import { synthesize } from '../../../src/sim/synth/index.ts';
import { NOTE_EXTERNAL, NOTE_INFERRED } from '../../../src/algorithms/fchain/index.ts';
import { NOT_VALIDATED } from '../../../src/algorithms/fchain/validation.ts';
import {
  abnormalHosts,
  at,
  handBuilt,
  HAND_TRAIN,
  localizeAt,
  mergeSystems,
  withSurge,
} from './scenarios.ts';

const hand = (ds: ReturnType<typeof handBuilt>, name: string) =>
  localizeAt(ds, name, { at: at(350), train: HAND_TRAIN });

describe('1. a db fault propagating to its callers', () => {
  // db's memory drains from 300 s; app (its caller) slows 15 s later, web (app's caller) 15 s after that.
  const ds = handBuilt([
    { host: 'db', metric: 'freemem', at: 300, slope: -40, max: 3000 },
    { host: 'app', metric: 'load1', at: 315, slope: 0.2, max: 2 },
    { host: 'app', metric: 'availcpu', at: 315, step: -10 },
    { host: 'web', metric: 'load1', at: 330, slope: 0.2, max: 2 },
    { host: 'web', metric: 'availcpu', at: 330, step: -10 },
  ]);

  it('fchain pinpoints db only; app and web are abnormal but filtered as victims', () => {
    const r = hand(ds, 'fchain');
    expect(r.pinpointed).toEqual(['db']);
    expect(r.entries.map((e) => e.host)).toEqual(['db', 'app', 'web']); // onset order
    expect(abnormalHosts(r)).toEqual(['db', 'app', 'web']);
    expect(r.entries[0]!.metric).toBe('freemem');
    expect(r.note).toBe(NOT_VALIDATED);
  });

  it('the z-score floor blames the caller that changed most (web)', () => {
    expect(hand(ds, 'zscore').entries[0]!.host).toBe('web');
  });

  it.each([1, 2, 3])('synthetic web -> app -> db memory leak (seed %i): db is the only culprit', (seed) => {
    const r = localizeAt(synthesize({ hosts: 3, fault: 'memleak', seed, durationS: 900 }), 'fchain');
    expect(r.pinpointed).toEqual(['db-0']);
    expect(r.entries[0]).toMatchObject({ host: 'db-0', metric: 'freemem' });
  });
});

describe('2. back-pressure against the call direction', () => {
  // app (the culprit) gets a CPU hog at 300 s; db, its callee, receives fewer requests from 315 s (a
  // bigger change than app's own), web waits on app from 330 s.
  const ds = handBuilt([
    { host: 'app', metric: 'availcpu', at: 300, slope: -10, max: 50 },
    { host: 'db', metric: 'availcpu', at: 315, step: 25 },
    { host: 'db', metric: 'diskwrite', at: 315, step: -300 },
    { host: 'web', metric: 'load1', at: 330, slope: 0.2, max: 2 },
  ]);

  it('fchain pinpoints app; db changed abnormally but is a victim through the callee edge', () => {
    const r = hand(ds, 'fchain');
    expect(r.pinpointed).toEqual(['app']);
    expect(abnormalHosts(r)).toContain('db');
    expect(r.entries[0]!.host).toBe('app');
  });

  it('the topology-only baseline is fooled: it blames the most downstream abnormal host, db', () => {
    expect(hand(ds, 'topology').pinpointed).toEqual(['db']);
  });

  it.each([
    ['cpuhog', 1],
    ['memleak', 2],
    ['diskhog', 3],
  ] as const)('synthetic %s on app-0 (seed %i): app-0 is pinpointed, its callees are not', (fault, seed) => {
    const r = localizeAt(synthesize({ hosts: 5, fault, seed, durationS: 900, faultHost: 'app-0' }), 'fchain');
    expect(r.pinpointed).toEqual(['app-0']);
  });
});

describe('3. two concurrent independent faults', () => {
  it('fchain pinpoints both hosts that changed within the concurrency gap, even on one call path', () => {
    const ds = handBuilt([
      { host: 'app', metric: 'availcpu', at: 300, step: -40 },
      { host: 'db', metric: 'freemem', at: 300, step: -2000 },
      { host: 'web', metric: 'load1', at: 320, slope: 0.2, max: 2 },
      { host: 'web', metric: 'availcpu', at: 320, step: -10 },
    ]);
    const r = hand(ds, 'fchain');
    expect([...r.pinpointed].sort()).toEqual(['app', 'db']);
    expect(abnormalHosts(r)).toContain('web');
    // PAL orders by onset only and names one culprit.
    expect(hand(ds, 'pal').pinpointed).toHaveLength(1);
  });

  // Two systems side by side, a memory leak in one and a CPU hog in the other, injected together.
  const merged = mergeSystems(
    synthesize({ hosts: 5, fault: 'memleak', seed: 1, durationS: 900 }),
    synthesize({ hosts: 5, fault: 'cpuhog', seed: 2, durationS: 900 }),
  );
  const culprits = merged.manifest.faults.map((f) => f.host).sort();
  const when = merged.manifest.faults[0]!.start + 60_000;

  it('fchain pinpoints both culprits of two unconnected systems', () => {
    expect(culprits).toEqual(['a.db-0', 'b.db-1']);
    const r = localizeAt(merged, 'fchain', { at: when });
    expect([...r.pinpointed].sort()).toEqual(culprits);
    expect(
      r.entries
        .slice(0, 2)
        .map((e) => e.host)
        .sort(),
    ).toEqual(culprits);
    expect(localizeAt(merged, 'pal', { at: when }).pinpointed).toHaveLength(1);
  });

  it('without a topology fchain infers one from the data, says so, and still pinpoints both', () => {
    const r = localizeAt(merged, 'fchain', { at: when, edges: 'none' });
    expect(r.note).toContain(NOTE_INFERRED);
    for (const c of culprits) expect(r.pinpointed).toContain(c);
  });
});

describe('4. a workload surge with no culprit', () => {
  const control = synthesize({ hosts: 5, fault: 'none', seed: 2, durationS: 900 });
  const surgeAt = control.manifest.start + 600_000;

  it('fchain reports an external cause and pinpoints nobody', () => {
    const r = localizeAt(withSurge(control, surgeAt, 1.5), 'fchain', { at: surgeAt + 30_000 });
    expect(r.pinpointed).toEqual([]);
    expect(r.note).toContain(NOTE_EXTERNAL);
    expect(abnormalHosts(r).length).toBeGreaterThanOrEqual(4);
    // the baselines blame somebody
    expect(
      localizeAt(withSurge(control, surgeAt, 1.5), 'pal', { at: surgeAt + 30_000 }).pinpointed,
    ).toHaveLength(1);
  });

  it('the same run without the surge: no external cause', () => {
    const r = localizeAt(control, 'fchain', { at: surgeAt + 30_000 });
    expect(r.note ?? '').not.toContain(NOTE_EXTERNAL);
  });

  it('a fault that reaches every host of a small system is not taken for a workload change', () => {
    for (const seed of [1, 2, 3]) {
      const r = localizeAt(
        synthesize({ hosts: 3, fault: 'cpuhog', seed: seed + 10, durationS: 900 }),
        'fchain',
      );
      expect(r.note ?? '').not.toContain(NOTE_EXTERNAL);
    }
  });
});

describe('through the replay engine', () => {
  it('localizes at the SLO onset, marks the answer "not validated" and scores it', () => {
    const ds = synthesize({ hosts: 5, fault: 'diskfill', seed: 1, durationS: 900 });
    const results = runReplayJob(ds, null, { algorithms: ['fchain'], fix: false });
    const fchain = results.algorithms.fchain!;
    expect(fchain.localizations.length).toBeGreaterThan(0);
    const first = fchain.localizations[0]!;
    expect(first.trigger.kind).toBe('slo');
    expect(first.note).toContain(NOT_VALIDATED);
    expect(first.pinpointed).toEqual([ds.manifest.faults[0]!.host]);
    expect(fchain.metrics.localization!.ac1).toBe(1);
    expect(fchain.metrics.localization!.recall).toBe(1);
  });
});
