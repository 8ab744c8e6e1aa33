// Fix scoring: evaluation.md "Fix" (fix time; violation time saved, PREPARE's measure of prevention);
// algorithms.md §5 (mitigation: SLO-violation time with vs without prevention, AIOpsLab TTM).
//
// Per fault episode:
// - Effective actions = actions with faultId === fault.id and effective === true (the fix model says they
//   resolve the fault). tc = the earliest completion among them; the action completing at tc is the
//   episode's action (earliest requested on a tie). The fault is taken to be gone from tc on.
// - Violation seconds without action = the episode's violation seconds (ground truth); with the pipeline's
//   actions = those before tc (all of them without an effective action). saved = without - with. An action
//   completing before the onset saves all of them (prevention); one completing after the natural recovery
//   saves none. Seconds = slo rows x sampleIntervalMs / 1000 (= the row count for 1 s slo rows).
// - Fix time (from localization to SLO recovery; action.requested is the localization time) =
//   (min(tc, recovery ?? tc) - action.requested) / 1000. An episode whose SLO had already recovered
//   naturally when the action was requested (recovery < requested) has no fix time: nothing was left to fix.
// fixTimeS = mean over the episodes with a fix time (null if none). violationSecondsSaved = sum over episodes,
// null when the dataset has no SLO ground truth or there are no episodes. byActionType[type] = { count: all
// actions of that type, violationSecondsSaved: saved summed over episodes whose action has that type };
// omitted when the dataset has no SLO ground truth (there is nothing to save and 0 would mislead).

import type { ActionResult, FixMetrics, LocalizationRecord } from '../core/results.ts';
import type { GroundTruth } from './ground-truth.ts';
import type { ScoringParams } from './params.ts';
import { lowerBound, mean } from './util.ts';

/**
 * `_localizations` is accepted for a stable call shape; it is not needed because every ActionResult carries
 * its localization time as `requested`. `_params` likewise (the episodes already carry onset and recovery).
 */
export function scoreFix(
  actions: readonly ActionResult[],
  _localizations: readonly LocalizationRecord[],
  truth: GroundTruth,
  _params: ScoringParams,
): FixMetrics {
  const rowS = truth.sampleIntervalMs / 1000;
  const byType = new Map<string, { count: number; violationSecondsSaved: number }>();
  const entry = (type: string): { count: number; violationSecondsSaved: number } => {
    let e = byType.get(type);
    if (e === undefined) byType.set(type, (e = { count: 0, violationSecondsSaved: 0 }));
    return e;
  };
  for (const a of actions) entry(a.type).count++;

  let saved = 0;
  const fixTimes: number[] = [];
  for (const ep of truth.episodes) {
    let action: ActionResult | null = null;
    for (const a of actions) {
      if (a.faultId !== ep.fault.id || a.effective !== true || !Number.isFinite(a.completed)) continue;
      if (
        action === null ||
        a.completed < action.completed ||
        (a.completed === action.completed && a.requested < action.requested)
      ) {
        action = a;
      }
    }
    if (action === null) continue;
    const tc = action.completed;
    const without = ep.violationTimes.length;
    const withAction = lowerBound(ep.violationTimes, tc);
    const episodeSaved = (without - withAction) * rowS;
    saved += episodeSaved;
    entry(action.type).violationSecondsSaved += episodeSaved;
    const recovered = Math.min(tc, ep.recovery ?? tc);
    if (Number.isFinite(action.requested) && recovered >= action.requested) {
      fixTimes.push((recovered - action.requested) / 1000);
    }
  }

  const scored = truth.hasSlo && truth.episodes.length > 0;
  const out: FixMetrics = { fixTimeS: mean(fixTimes), violationSecondsSaved: scored ? saved : null };
  if (truth.hasSlo) out.byActionType = Object.fromEntries(byType);
  return out;
}
