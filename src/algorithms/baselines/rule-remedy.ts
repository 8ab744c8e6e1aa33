// Baseline remedy: picks a fix from the culprit metric's resource, the way PREPARE maps a
// resource to an action (§2.5 of spec/algorithms.md: CPU -> scale CPU, memory -> scale memory or
// restart, otherwise move the service to a fresh host). The mapping is data, so a study can swap it.

import type { ActionRequest, Ranking, Remedy } from '../../core/algorithm.ts';

export interface RemedyRule {
  /** Metric names matching this pattern choose `action`. */
  pattern: RegExp;
  action: string;
}

/** Which resource a metric measures, by name (shared with PREPARE's remedy). */
export const RESOURCE_PATTERNS = {
  cpu: /cpu|load/i,
  memory: /mem|page|swap/i,
  disk: /disk|io/i,
} as const;

export const DEFAULT_REMEDY_RULES: readonly RemedyRule[] = [
  { pattern: RESOURCE_PATTERNS.cpu, action: 'scale-cpu' },
  // A leak comes back after scaling; a restart resets the leaking process (the seed's planned fix).
  { pattern: RESOURCE_PATTERNS.memory, action: 'restart' },
  { pattern: RESOURCE_PATTERNS.disk, action: 'replace-host' },
];

/** When the ranking names no metric, or no rule matches, restart the culprit's service. */
export const FALLBACK_ACTION = 'restart';

/** The action of the first rule matching `metric`, or undefined. */
export function ruleAction(metric: string, rules: readonly RemedyRule[]): string | undefined {
  return rules.find((r) => r.pattern.test(metric))?.action;
}

export function createRuleRemedy(rules: readonly RemedyRule[] = DEFAULT_REMEDY_RULES): Remedy {
  return {
    choose(ranking: Ranking): ActionRequest | null {
      const host = ranking.pinpointed[0] ?? ranking.entries[0]?.host;
      if (host === undefined) return null;
      const top = ranking.entries.find((e) => e.host === host);
      const metric = top?.metric ?? null;
      const type = (metric === null ? undefined : ruleAction(metric, rules)) ?? FALLBACK_ACTION;
      return {
        type,
        host,
        reason: metric === null ? `host ${host} ranked first` : `${host}/${metric} ranked first`,
      };
    },
  };
}
