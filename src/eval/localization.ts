// Localization scoring, rules version 2 (../shared/spec/evaluation.md "Localization"); RCAEval AC@k /
// Avg@k, FChain precision/recall.
//
// - Cases: one per failing fault episode (an onset), or one per fault episode when `allFaults` (the
//   localizations were asked for at given times, not at SLO onsets or alarms).
// - A localization belongs to the episode whose window [start, end) holds its trigger time, else to
//   none. A case's answer is its first localization (by time, input order on ties); none = a miss.
// - Rankings are read over the scored hosts only, duplicates removed in ranking order.
// - AC@k = share of cases whose culprit is in the top k; Avg@5 = mean of AC@1..AC@5; chance AC@k = k/N
//   (N scored hosts, capped at 1). All null with no case, never 0.
// - precision = correct pinpointed hosts / pinpointed hosts over all localizations (a host is correct when
//   the localization belongs to a case whose culprit it is); recall = share of cases some localization
//   of which pinpointed the culprit. Both null with no case.
// - timeS = mean over answered cases of (answer time - trigger time + computeMs) / 1000.
// - ttlS = mean over cases of (the first localization with the culprit first) - f.start.

import type { LocalizationMetrics, LocalizationRecord } from '../core/results.ts';
import { episodeAt, type Episode, type GroundTruth } from './ground-truth.ts';
import { mean, ratio } from './util.ts';

export interface LocalizationScope {
  /** Every fault episode is a case, not only the failing ones (explicit localization times). */
  allFaults?: boolean;
}

/** Index into the case list of the case a localization belongs to, or -1. */
function caseOf(loc: LocalizationRecord, truth: GroundTruth, cases: Episode[]): number {
  const trigger = loc.trigger.time;
  if (!Number.isFinite(loc.time) || !Number.isFinite(trigger)) return -1;
  const k = episodeAt(truth, trigger);
  return k < 0 ? -1 : cases.indexOf(truth.episodes[k] as Episode);
}

export function scoreLocalization(
  locs: readonly LocalizationRecord[],
  truth: GroundTruth,
  scope: LocalizationScope = {},
): LocalizationMetrics {
  const cases = truth.episodes.filter((e) => scope.allFaults === true || e.onset !== null);
  const scored = new Set(truth.scoredHosts);
  const n = truth.scoredHosts.length;
  const mapped = locs.map((loc) => caseOf(loc, truth, cases));
  const hostsOf = (loc: LocalizationRecord): string[] => [
    ...new Set(loc.ranking.map((e) => e.host).filter((h) => scored.has(h))),
  ];

  const order = locs.map((_, i) => i).filter((i) => (mapped[i] as number) >= 0);
  order.sort((a, b) => (locs[a] as LocalizationRecord).time - (locs[b] as LocalizationRecord).time || a - b);
  const first: (LocalizationRecord | null)[] = cases.map(() => null);
  const ttl: (number | null)[] = cases.map(() => null);
  for (const i of order) {
    const k = mapped[i] as number;
    const loc = locs[i] as LocalizationRecord;
    const ep = cases[k] as Episode;
    if (first[k] === null) first[k] = loc;
    if (ttl[k] === null && hostsOf(loc)[0] === ep.fault.host) ttl[k] = (loc.time - ep.fault.start) / 1000;
  }

  let pinpointed = 0;
  let correct = 0;
  const recalled = cases.map(() => false);
  locs.forEach((loc, i) => {
    const k = mapped[i] as number;
    const culprit = k >= 0 ? (cases[k] as Episode).fault.host : null;
    for (const host of new Set(loc.pinpointed)) {
      if (!scored.has(host)) continue;
      pinpointed++;
      if (host === culprit) {
        correct++;
        recalled[k] = true;
      }
    }
  });

  const hits = [0, 0, 0, 0, 0]; // hits[k-1] = cases with the culprit in the top k
  const times: number[] = [];
  cases.forEach((ep, k) => {
    const loc = first[k] ?? null;
    if (loc === null) return;
    const rank = hostsOf(loc).indexOf(ep.fault.host);
    if (rank >= 0) for (let j = rank; j < hits.length; j++) hits[j] = (hits[j] as number) + 1;
    const computeMs = loc.computeMs !== null && Number.isFinite(loc.computeMs) ? loc.computeMs : 0;
    times.push((loc.time - loc.trigger.time + computeMs) / 1000);
  });

  const none = cases.length === 0;
  const acs = hits.map((h) => ratio(h, cases.length));
  const chanceAt = (k: number): number | null => (none || n === 0 ? null : Math.min(1, k / n));
  return {
    cases: cases.length,
    hosts: n,
    ac1: acs[0] ?? null,
    ac3: acs[2] ?? null,
    avg5: none ? null : mean(acs.map((a) => a ?? 0)),
    chance: {
      ac1: chanceAt(1),
      ac3: chanceAt(3),
      avg5: none || n === 0 ? null : mean([1, 2, 3, 4, 5].map((k) => Math.min(1, k / n))),
    },
    precision: none ? null : ratio(correct, pinpointed),
    recall: none ? null : ratio(recalled.filter((r) => r).length, cases.length),
    timeS: mean(times),
    ttlS: mean(ttl.filter((x): x is number => x !== null)),
  };
}
