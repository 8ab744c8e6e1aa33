// Judging a performed action (live mode's online validation), as a pure decision: did the problem
// persist after the action had time to work, and if so, undo it and what to try next. The remedy's
// own validate() (PREPARE's) decides when it has one; otherwise an action that did not help is undone
// when it can be, and nothing else is tried.

import type { ActionRequest, Ranking, Remedy } from '../core/algorithm.ts';

export interface Evidence {
  /** Alarm times (wall ms) raised for the action's host. */
  hostAlarms: readonly number[];
  /** Whether the SLO is violated right now. */
  sloViolated: boolean;
  /** When the judgement is made (wall ms). */
  now: number;
  /** How far back an alarm still counts as the problem persisting (ms). */
  recentMs: number;
}

export interface Verdict {
  persists: boolean;
  rollback: boolean;
  outcome: 'kept' | 'rolled-back' | 'not-helping';
  next: ActionRequest | null;
}

export function judgeAction(
  e: Evidence,
  remedy: Pick<Remedy, 'validate'>,
  ranking: Ranking,
  tried: readonly ActionRequest[],
  reversible: boolean,
): Verdict {
  const persists = e.sloViolated || e.hostAlarms.some((t) => t >= e.now - e.recentMs);
  const step = remedy.validate?.(ranking, tried, persists);
  const undo = step ? step.undo : persists;
  const rollback = persists && undo && reversible;
  return {
    persists,
    rollback,
    outcome: rollback ? 'rolled-back' : persists ? 'not-helping' : 'kept',
    next: persists ? (step?.next ?? null) : null,
  };
}
