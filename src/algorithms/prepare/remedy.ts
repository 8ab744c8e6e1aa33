// PREPARE's prevention actuation with online validation (spec §2.5):
//   1. the implicated resource of the top-ranked host selects the action: CPU -> raise the CPU cap
//      (scale-cpu), memory -> raise the memory allocation (scale-memory, configurable);
//   2. when the host's CPU/memory scaling has been tried (or the resource is something else, e.g.
//      disk), migrate the VM (lastResort);
//   3. online validation: if the SLO trend or the alerts persist after an action, the inference was
//      wrong: undo the action and try the next-ranked resource, up to maxAttempts actions.
// Candidates follow the ranking: hosts in order (pinpointed ones first), and per host its metrics in
// ranking order that carry evidence for "abnormal" (score > 0; the first one in any case). Pure: it
// decides from the ranking and what was tried; the engine (replay) or an actuator (live) acts.

import type { ActionRequest, Ranking, Remedy, RemedyStep } from '../../core/algorithm.ts';
import { RESOURCE_PATTERNS, ruleAction, type RemedyRule } from '../baselines/rule-remedy.ts';

export interface PrepareRemedyOptions {
  memoryAction: string;
  /** Action after a host's resources were tried; "none" = no such step. */
  lastResort: string;
  maxAttempts: number;
  validationMs: number;
}

export function createPrepareRemedy(o: PrepareRemedyOptions): Remedy {
  const rules: RemedyRule[] = [
    { pattern: RESOURCE_PATTERNS.cpu, action: 'scale-cpu' },
    { pattern: RESOURCE_PATTERNS.memory, action: o.memoryAction },
  ];

  function candidates(ranking: Ranking): ActionRequest[] {
    const hosts = [...new Set([...ranking.pinpointed, ...ranking.entries.map((e) => e.host)])];
    const out: ActionRequest[] = [];
    const add = (type: string, host: string, reason: string): void => {
      if (!out.some((a) => a.host === host && a.type === type)) out.push({ type, host, reason });
    };
    for (const host of hosts) {
      const entries = ranking.entries.filter((e) => e.host === host);
      entries.forEach((e, i) => {
        if (e.metric === null || (i > 0 && !(e.score > 0))) return;
        const type = ruleAction(e.metric, rules) ?? (o.lastResort === 'none' ? undefined : o.lastResort);
        if (type !== undefined) add(type, host, `${host}/${e.metric} implicated`);
      });
      if (o.lastResort !== 'none') add(o.lastResort, host, `${host}: local resources tried`);
    }
    return out;
  }

  return {
    validationDelayMs: o.validationMs,
    choose(ranking: Ranking): ActionRequest | null {
      return candidates(ranking)[0] ?? null;
    },
    validate(ranking: Ranking, tried: readonly ActionRequest[], persists: boolean): RemedyStep {
      if (!persists) return { undo: false, next: null };
      const next =
        tried.length >= o.maxAttempts
          ? null
          : (candidates(ranking).find((c) => !tried.some((t) => t.host === c.host && t.type === c.type)) ??
            null);
      return { undo: true, next };
    },
  };
}
