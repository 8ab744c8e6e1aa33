// Localization scoring (FChain, UBL/PREPARE cause inference, any localizer): evaluation.md "Localization";
// algorithms.md §4.2 (RCAEval AC@k / Avg@k) and §5.
//
// - Mapping: a localization (with a finite time and trigger time) belongs to the fault episode whose fault satisfies
//   fault.start <= loc.trigger.time < max(fault.end, recovery ?? fault.end) + W (the latest fault.start when
//   several match; the later episode on a tie), else to none.
// - Cases = the episodes (faults in the scored period). A case's ranking is the first localization (by
//   loc.time, input order on ties) mapped to it; its host order = the ranking entries' hosts, duplicates
//   removed.
// - AC@k (RCAEval, benchmark/evaluation.py) = share of cases whose fault.host is in the top k hosts; a case
//   without a localization is a miss. ac1, ac3; avg5 = Avg@5 = mean of AC@1..AC@5.
// - precision (FChain, component level) = correct pinpointed hosts / all pinpointed hosts over ALL
//   localizations (each localization's pinpointed set, duplicates removed). A pinpointed host is correct iff
//   the localization maps to an episode whose fault.host equals it; an unmapped localization's pinpointed
//   hosts are all wrong. Null only when nothing was pinpointed.
// - recall = share of cases where some localization mapped to the case pinpointed the culprit.
// - timeS (evaluation.md "Localization time") = mean over cases with a localization of
//   ((loc.time - loc.trigger.time) + (loc.computeMs ?? 0)) / 1000 for the case's ranking localization.
// All metrics except precision are null when there are no cases.

import type { LocalizationMetrics, LocalizationRecord } from '../core/results.ts';
import type { Episode, GroundTruth } from './ground-truth.ts';
import type { ScoringParams } from './params.ts';
import { mean, ratio } from './util.ts';

/** Index into truth.episodes of the episode a localization belongs to, or -1. */
export function mapLocalization(loc: LocalizationRecord, truth: GroundTruth, params: ScoringParams): number {
  const windowMs = params.pendingWindowS * 1000;
  const trigger = loc.trigger.time;
  let best = -1;
  if (!Number.isFinite(loc.time) || !Number.isFinite(trigger)) return best;
  truth.episodes.forEach((ep, k) => {
    const { fault } = ep;
    const until = Math.max(fault.end, ep.recovery ?? fault.end) + windowMs;
    if (!(fault.start <= trigger && trigger < until)) return;
    if (best < 0 || fault.start >= (truth.episodes[best] as Episode).fault.start) best = k;
  });
  return best;
}

export function scoreLocalization(
  locs: readonly LocalizationRecord[],
  truth: GroundTruth,
  params: ScoringParams,
): LocalizationMetrics {
  const cases = truth.episodes;
  const mapped = locs.map((loc) => mapLocalization(loc, truth, params));

  // The first localization (by time) of each case.
  const first: (LocalizationRecord | null)[] = cases.map(() => null);
  const timeOf = (i: number): number => (locs[i] as LocalizationRecord).time;
  const order = locs.map((_, i) => i).filter((i) => (mapped[i] as number) >= 0); // mapped => finite time
  order.sort((a, b) => timeOf(a) - timeOf(b) || a - b);
  for (const i of order) {
    const k = mapped[i] as number;
    if (k >= 0 && first[k] === null) first[k] = locs[i] as LocalizationRecord;
  }

  let pinpointed = 0;
  let correct = 0;
  const recalled = cases.map(() => false);
  locs.forEach((loc, i) => {
    const k = mapped[i] as number;
    const culprit = k >= 0 ? (cases[k] as Episode).fault.host : null;
    for (const host of new Set(loc.pinpointed)) {
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
    const hosts = [...new Set(loc.ranking.map((e) => e.host))];
    const rank = hosts.indexOf(ep.fault.host);
    if (rank >= 0) for (let j = rank; j < hits.length; j++) hits[j] = (hits[j] as number) + 1;
    const computeMs = loc.computeMs !== null && Number.isFinite(loc.computeMs) ? loc.computeMs : 0;
    times.push((loc.time - loc.trigger.time + computeMs) / 1000);
  });

  const acs = hits.map((h) => ratio(h, cases.length));
  const avg5 = cases.length === 0 ? null : mean(acs.map((a) => a ?? 0));
  return {
    ac1: acs[0] ?? null,
    ac3: acs[2] ?? null,
    avg5,
    precision: ratio(correct, pinpointed),
    recall: ratio(recalled.filter((r) => r).length, cases.length),
    timeS: mean(times),
  };
}
