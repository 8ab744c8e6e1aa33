// Live mode's online validation as a pure decision (src/live/validation.ts).
import { describe, expect, it } from 'vitest';
import type { ActionRequest, Ranking, RemedyStep } from '../../src/core/algorithm.ts';
import { judgeAction } from '../../src/live/validation.ts';

const ranking: Ranking = { entries: [{ host: 'db', metric: 'availcpu', score: 1 }], pinpointed: ['db'] };
const scale: ActionRequest = { type: 'scale-cpu', host: 'db', reason: 'x' };
const restart: ActionRequest = { type: 'restart', host: 'db', reason: 'y' };
const evidence = (alarms: number[], slo = false) => ({
  hostAlarms: alarms,
  sloViolated: slo,
  now: 100_000,
  recentMs: 5000,
});
const noRemedyValidation = {};

describe('judgeAction', () => {
  it('keeps an action after which the host stopped alarming and the SLO holds', () => {
    expect(judgeAction(evidence([90_000, 94_999]), noRemedyValidation, ranking, [scale], true)).toEqual({
      persists: false,
      rollback: false,
      outcome: 'kept',
      next: null,
    });
  });

  it('rolls back a reversible action when the host still alarms, or the SLO is still violated', () => {
    expect(judgeAction(evidence([95_000]), noRemedyValidation, ranking, [scale], true).outcome).toBe(
      'rolled-back',
    );
    expect(judgeAction(evidence([], true), noRemedyValidation, ranking, [scale], true)).toMatchObject({
      persists: true,
      rollback: true,
    });
  });

  it('cannot roll back what is not reversible: it did not help, and that is all', () => {
    expect(judgeAction(evidence([99_000]), noRemedyValidation, ranking, [restart], false)).toEqual({
      persists: true,
      rollback: false,
      outcome: 'not-helping',
      next: null,
    });
  });

  it("follows the remedy's own validation: its undo and its next action, only while the problem persists", () => {
    const calls: { tried: readonly ActionRequest[]; persists: boolean }[] = [];
    const remedy = {
      validate: (_r: Ranking, tried: readonly ActionRequest[], persists: boolean): RemedyStep => {
        calls.push({ tried, persists });
        return { undo: false, next: restart };
      },
    };
    const v = judgeAction(evidence([99_000]), remedy, ranking, [scale], true);
    expect(v).toEqual({ persists: true, rollback: false, outcome: 'not-helping', next: restart });
    expect(calls).toEqual([{ tried: [scale], persists: true }]);
    expect(judgeAction(evidence([]), remedy, ranking, [scale], true).next).toBeNull();
  });
});
