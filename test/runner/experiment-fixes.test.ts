// performFix: the runner's live fix, driven by a fake session's aggregate rows (no stack needed).

import { describe, expect, it } from 'vitest';
import type { ActiveFault } from '../../src/faults/injector.ts';
import { performFix } from '../../src/runner/experiment/fixes.ts';
import { validateExperimentSpec } from '../../src/runner/experiment/spec.ts';
import type { StackSession } from '../../src/stack/session.ts';
import type { AggregateMessage } from '../../src/telemetry/bus.ts';

const spec = validateExperimentSpec(
  {
    name: 'x',
    workload: { mix: 'bidding', users: 10, scale: 0.01 },
    target: 'db',
    fault: { type: 'memleak' },
    phases: { warmupS: 0, normalS: 10, faultS: 60, recoveryS: 0 },
    slo: { latencyMs: 20 },
    pendingWindowS: 50,
    fix: { action: 'restart', afterViolationS: 3 },
  },
  'local',
  'x.json',
);

function fakes(): {
  session: StackSession;
  emit: (mean: number) => void;
  fault: ActiveFault;
  reverts: () => number;
  raised: string[];
} {
  const subs = new Set<(r: AggregateMessage) => void>();
  let reverts = 0;
  const raised: string[] = [];
  const session = {
    raiseLimit: async (host: string, resource: string) => void raised.push(`${host}:${resource}`),
    onAggregate: (cb: (r: AggregateMessage) => void) => {
      subs.add(cb);
      return () => subs.delete(cb);
    },
  } as unknown as StackSession;
  const fault: ActiveFault = {
    id: 'f',
    host: 'db',
    pid: 1,
    startedAt: Date.now(),
    expiresAt: Date.now() + 60_000,
    armed: false,
    confirm: async () => Date.now(),
    revert: async () => void reverts++,
  };
  const emit = (mean: number): void => {
    for (const f of [...subs])
      f({ timestamp: 0, count: 5, summation: mean * 5, mean, max: mean, violations: 0, cpu: 0, mem: 0 });
  };
  return { session, emit, fault, reverts: () => reverts, raised };
}

describe('performFix', () => {
  it('restarts after afterViolationS violating seconds in a row and records requested/completed', async () => {
    const f = fakes();
    const p = performFix(f.session, spec, f.fault, () => undefined);
    f.emit(30);
    f.emit(30);
    f.emit(5); // the streak breaks
    f.emit(30);
    f.emit(30);
    expect(f.reverts()).toBe(0);
    f.emit(30);
    const actions = await p;
    expect(f.reverts()).toBe(1);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ type: 'restart', host: 'db' });
    expect(actions[0]!.completed).toBeGreaterThanOrEqual(actions[0]!.requested);
    f.emit(30); // no second fix
    expect(f.reverts()).toBe(1);
  });

  it('does nothing when the fault phase ends without a violation', async () => {
    const f = fakes();
    const p = performFix(f.session, spec, { ...f.fault, expiresAt: Date.now() + 50 }, () => undefined);
    f.emit(5);
    expect(await p).toEqual([]);
    expect(f.reverts()).toBe(0);
  });

  it('raise-limit doubles the memory limit of the target for a memleak (and does not end the fault)', async () => {
    const f = fakes();
    const raiseSpec = { ...spec, fix: { action: 'raise-limit' as const, afterViolationS: 2 } };
    const p = performFix(f.session, raiseSpec, f.fault, () => undefined);
    f.emit(30);
    f.emit(30);
    const actions = await p;
    expect(f.raised).toEqual(['db:memory']);
    expect(f.reverts()).toBe(0);
    expect(actions[0]).toMatchObject({ type: 'raise-limit', host: 'db' });
  });
});
