// PREPARE's prevention: the remedy's candidate order and online validation, and the replay engine's
// validation loop (undo + next-ranked resource, each attempt one action record, fix metrics from the
// localization time).
import { describe, expect, it } from 'vitest';
import type { Predictor, Ranking, Sample } from '../../../src/core/algorithm.ts';
import { createRuleRemedy } from '../../../src/algorithms/baselines/rule-remedy.ts';
import { createPrepareRemedy } from '../../../src/algorithms/prepare/remedy.ts';
import { evaluate } from '../../../src/eval/index.ts';
import { DEFAULT_FIX_MODEL } from '../../../src/sim/fix-model.ts';
import { replay, type ReplayConfig, type ValidatedAction } from '../../../src/sim/replay.ts';
import { T0, tinyDataset } from '../../helpers/tiny-dataset.ts';

const s = (sec: number): number => T0 + sec * 1000;

const remedy = createPrepareRemedy({
  memoryAction: 'scale-memory',
  lastResort: 'migrate',
  maxAttempts: 3,
  validationMs: 5000,
});

/** db's load (a CPU metric) ranks above its free memory, then web. */
const ranking: Ranking = {
  entries: [
    { host: 'db', metric: 'load1', score: 3 },
    { host: 'db', metric: 'freemem', score: 2 },
    { host: 'db', metric: 'availcpu', score: 1 },
    { host: 'db', metric: 'diskwrite', score: -1 },
    { host: 'web', metric: 'freemem', score: 0.5 },
  ],
  pinpointed: ['db'],
};

describe('PREPARE remedy', () => {
  it('maps the top implicated resource to an action: CPU -> scale-cpu, memory -> scale-memory', () => {
    expect(remedy.choose(ranking)).toMatchObject({ type: 'scale-cpu', host: 'db' });
    const mem: Ranking = { entries: [{ host: 'db', metric: 'pagein', score: 1 }], pinpointed: ['db'] };
    expect(remedy.choose(mem)).toMatchObject({ type: 'scale-memory', host: 'db' });
    const disk: Ranking = { entries: [{ host: 'db', metric: 'diskwrite', score: 1 }], pinpointed: [] };
    expect(remedy.choose(disk)).toMatchObject({ type: 'migrate', host: 'db' });
    expect(remedy.choose({ entries: [], pinpointed: [] })).toBeNull();
  });

  it('validation: keeps an action that worked; otherwise undoes it and tries the next-ranked resource', () => {
    const first = remedy.choose(ranking)!;
    expect(remedy.validate!(ranking, [first], false)).toEqual({ undo: false, next: null });
    const step = remedy.validate!(ranking, [first], true);
    expect(step.undo).toBe(true);
    expect(step.next).toMatchObject({ type: 'scale-memory', host: 'db' });
    // availcpu maps to scale-cpu again (already tried); diskwrite has no evidence: next is migration.
    const third = remedy.validate!(ranking, [first, step.next!], true);
    expect(third.next).toMatchObject({ type: 'migrate', host: 'db' });
    // maxAttempts = 3: after three, stop (but still undo the failed one).
    expect(remedy.validate!(ranking, [first, step.next!, third.next!], true)).toEqual({
      undo: true,
      next: null,
    });
  });

  it('moves to the next host once the first host is exhausted', () => {
    const r = createPrepareRemedy({
      memoryAction: 'restart',
      lastResort: 'none',
      maxAttempts: 9,
      validationMs: 0,
    });
    const tried = [r.choose(ranking)!];
    tried.push(r.validate!(ranking, tried, true).next!);
    expect(tried.map((a) => a.type)).toEqual(['scale-cpu', 'restart']);
    expect(r.validate!(ranking, tried, true).next).toMatchObject({ type: 'restart', host: 'web' });
  });
});

//                     0         1         2         3         4
//                     01234567890123456789012345678901234567890123456789
const SLO_PATTERN = '....................XXXXXXXXXXXXXXXXXXXXXX........';

/** A predictor that alarms on db at the given seconds and ranks db's load1 (CPU) over its freemem. */
function scriptedPrepare(alarmSeconds: number[], withRemedy = true): Predictor {
  const at = new Set(alarmSeconds.map(s));
  const p: Predictor = {
    kind: 'predictor',
    score: (x: Sample) =>
      x.host === 'db' && at.has(x.time) ? { score: 0.9, anomalous: true } : { score: 0.1, anomalous: false },
    learn: () => {},
    rankCauses: () => ranking,
    toJSON: () => ({ algorithm: 'scripted', config: null, state: null }),
  };
  if (withRemedy) p.remedy = () => remedy;
  return p;
}

describe('replay: online validation loop', () => {
  const data = tinyDataset({
    seconds: 50,
    slo: SLO_PATTERN,
    faults: [{ id: 'f1', type: 'memleak', host: 'db', start: s(10), end: s(45) }],
  });
  const period = { start: s(0), end: s(50) };
  const base: ReplayConfig = {
    trigger: { kind: 'alarm' },
    sloConfirmS: 3,
    localizeDebounceMs: 30_000,
    faultGraceMs: 60_000,
    remedy,
    fixModel: DEFAULT_FIX_MODEL,
    seed: 1,
  };
  const scoring = {
    pendingWindowS: 30,
    minDurationS: 3,
    recoveryGraceS: 60,
    gapS: 3,
    hosts: 'under-test' as const,
  };

  it('undoes the ineffective first action and takes the next-ranked resource, before the violation', () => {
    const t = replay(data, scriptedPrepare([12]), period, 'p', base);
    expect(t.localizations).toHaveLength(1);
    expect(t.localizations[0]!.ranking[0]).toEqual({ host: 'db', metric: 'load1', score: 3 });
    const [first, second] = t.actions as ValidatedAction[];
    expect(t.actions).toHaveLength(2);
    // Attempt 1: CPU scaling does not resolve a memory leak (fix model) -> undone after validation.
    expect(first).toMatchObject({
      type: 'scale-cpu',
      host: 'db',
      requested: s(12),
      issued: s(12),
      effective: false,
      faultId: 'f1',
      attempt: 1,
    });
    expect(first!.completed - first!.issued).toBeLessThanOrEqual(1000);
    // Judged 5 s after completion, at the next sample time.
    expect(first!.undone).toBe(Math.ceil((first!.completed + 5000) / 1000) * 1000);
    // Attempt 2: memory scaling, started when attempt 1 was undone; requested stays the localization time.
    expect(second).toMatchObject({
      type: 'scale-memory',
      host: 'db',
      requested: s(12),
      effective: true,
      attempt: 2,
      undone: null,
    });
    expect(second!.issued).toBe(first!.undone);
    // The fix metrics see it: completed before the onset (s(20)) = every violation second prevented, a
    // prevention; no fix time (rules v2: the SLO was not broken when the action was asked for).
    const ev = evaluate(data, period, t, scoring, { predicts: true, localizes: true });
    expect(second!.completed).toBeLessThan(s(20));
    expect(ev.fix!.violationSecondsSaved).toBe(22);
    expect(ev.fix!.preventions).toBe(1);
    expect(ev.fix!.fixTimeS).toBeNull();
  });

  it('a remedy without validation takes one action per localization, with the plain fields only', () => {
    const t = replay(data, scriptedPrepare([12], false), period, 'p', {
      ...base,
      remedy: createRuleRemedy(),
    });
    expect(t.actions).toHaveLength(1);
    expect(Object.keys(t.actions[0]!)).toEqual([
      'type',
      'host',
      'requested',
      'completed',
      'effective',
      'faultId',
      'source',
    ]);
    expect(t.actions[0]).toMatchObject({ type: 'scale-cpu', effective: false, source: 'modelled' });
    expect(
      evaluate(data, period, t, scoring, { predicts: true, localizes: true }).fix!.violationSecondsSaved,
    ).toBe(0);
  });

  it('keeps an action taken on a false alarm (no fault: no SLO trend to persist)', () => {
    const t = replay(data, scriptedPrepare([2]), { start: s(0), end: s(9) }, 'p', base);
    expect(t.actions).toHaveLength(1);
    expect(t.actions[0]).toMatchObject({ type: 'scale-cpu', faultId: null, effective: false, undone: null });
  });

  it('a host with an attempt under validation takes no other action', () => {
    // Two alarms 1 s apart with a 0 s quiet window: the second localization finds db busy.
    const t = replay(data, scriptedPrepare([12, 13]), period, 'p', { ...base, localizeDebounceMs: 0 });
    expect(t.localizations).toHaveLength(2);
    expect((t.actions as ValidatedAction[]).map((a) => a.attempt)).toEqual([1, 2]);
  });

  it('validates every attempt: a cpuhog on db is fixed by the third attempt, after two undos', () => {
    // Ranking load1 (cpu), freemem (memory): scale-cpu resolves a cpuhog, so make it a disk fault
    // that only migration resolves: scale-cpu, scale-memory, then migrate.
    const disk = tinyDataset({
      seconds: 50,
      slo: SLO_PATTERN,
      faults: [{ id: 'f1', type: 'diskhog', host: 'db', start: s(10), end: s(45) }],
    });
    const t = replay(disk, scriptedPrepare([12]), period, 'p', base);
    const steps = t.actions as ValidatedAction[];
    expect(steps.map((a) => [a.type, a.attempt, a.effective])).toEqual([
      ['scale-cpu', 1, false],
      ['scale-memory', 2, false],
      ['migrate', 3, true],
    ]);
    expect(steps[0]!.undone).not.toBeNull();
    expect(steps[1]!.undone).toBe(steps[2]!.issued);
    expect(steps[2]!.undone).toBeNull();
  });

  it('a host is free again once its chain is closed', () => {
    // False alarms at 2 s and 30 s (no fault active at either): both get an action on db.
    const quiet = tinyDataset({ seconds: 50 });
    const t = replay(quiet, scriptedPrepare([2, 30]), period, 'p', { ...base, localizeDebounceMs: 10_000 });
    expect(t.localizations).toHaveLength(2);
    expect(t.actions.map((a) => a.requested)).toEqual([s(2), s(30)]);
  });

  it('drops the chain when the replay ends before the outcome is known', () => {
    const t = replay(data, scriptedPrepare([12]), { start: s(0), end: s(14) }, 'p', base);
    expect(t.actions).toHaveLength(1);
    expect(t.actions[0]).toMatchObject({ attempt: 1, undone: null });
  });
});
