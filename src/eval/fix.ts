// Fix scoring, rules version 2 (../shared/spec/evaluation.md "Fix").
//
// - Every action is `measured` (executed on a stack, times recorded) or `modelled` (replay drew its
//   latency from the fix model); an action without `source` (results before v2) is modelled.
// - An episode's action: among the effective actions aimed at its fault (faultId, effective: the fix model
//   says it resolves the fault), the one completing first (tc; the earliest requested on a tie).
// - Counterfactual SLO: a modelled action restores the SLO from tc on (the recorded SLO before tc); a
//   measured action's effect is what was recorded.
// - Fix time = action request to SLO recovery: the first slo second at or after the request from which the
//   counterfactual SLO holds for minDurationS; only for actions requested at or after the onset. Mean over the episodes that have one, labelled with the
//   source of those actions (measured, modelled or mixed).
// - Violation seconds saved = the whole episode's violation seconds without actions minus with them (for a
//   modelled action: its violation seconds at or after tc). An action completing at or before the onset
//   is a prevention.
// - Unnecessary actions (falseActions): no fault of the action's host active at the request (control
//   runs, a host that is not the culprit, no fault active). Disruption: restarts and host replacements
//   make their host unavailable for the action's latency (completed - requested).

import type { ActionResult, FixMetrics } from '../core/results.ts';
import type { GroundTruth } from './ground-truth.ts';
import type { ScoringParams } from './params.ts';
import { lowerBound, mean } from './util.ts';

const DISRUPTIVE = /^(restart|replace)/;

export function sourceOf(a: ActionResult): 'measured' | 'modelled' {
  return a.source === 'measured' ? 'measured' : 'modelled';
}

/** First slo second >= from at which the SLO (violations before `restoredAt` only) holds for minDurMs. */
function recoveryAfter(
  truth: GroundTruth,
  from: number,
  restoredAt: number,
  minDurMs: number,
): number | null {
  const { sloTimes: times, sloViolated } = truth;
  const n = times.length;
  const violated = (k: number): boolean => sloViolated[k] === 1 && (times[k] as number) < restoredAt;
  let j = lowerBound(times, from);
  while (j < n) {
    if (violated(j)) {
      j++;
      continue;
    }
    let k = j + 1;
    while (k < n && !violated(k)) k++;
    if (k === n || (times[k] as number) >= (times[j] as number) + minDurMs) return times[j] as number;
    j = k;
  }
  return Number.isFinite(restoredAt) && restoredAt >= from && restoredAt <= truth.period.end
    ? restoredAt
    : null;
}

export function scoreFix(
  actions: readonly ActionResult[],
  truth: GroundTruth,
  params: ScoringParams,
): FixMetrics {
  const rowS = truth.sampleIntervalMs / 1000;
  const minDurMs = params.minDurationS * 1000;
  const byType = new Map<string, { count: number; violationSecondsSaved: number }>();
  const entry = (type: string): { count: number; violationSecondsSaved: number } => {
    let e = byType.get(type);
    if (e === undefined) byType.set(type, (e = { count: 0, violationSecondsSaved: 0 }));
    return e;
  };
  let measured = 0;
  let falseActions = 0;
  let disruptionS = 0;
  for (const a of actions) {
    entry(a.type).count++;
    if (sourceOf(a) === 'measured') measured++;
    const needed = truth.episodes.some(
      (ep) => ep.fault.host === a.host && ep.fault.start <= a.requested && a.requested < ep.fault.end,
    );
    if (!needed) {
      falseActions++;
      if (DISRUPTIVE.test(a.type) && Number.isFinite(a.completed) && Number.isFinite(a.requested))
        disruptionS += (a.completed - a.requested) / 1000;
    }
  }

  let saved = 0;
  let episodeSeconds = 0;
  let preventions = 0;
  const fixTimes: number[] = [];
  const fixSources = new Set<string>();
  for (const ep of truth.episodes) {
    episodeSeconds += ep.violationTimes.length * rowS;
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
    const modelled = sourceOf(action) === 'modelled';
    const tc = action.completed;
    if (modelled) {
      const episodeSaved = (ep.violationTimes.length - lowerBound(ep.violationTimes, tc)) * rowS;
      saved += episodeSaved;
      entry(action.type).violationSecondsSaved += episodeSaved;
      if (ep.onset !== null && tc <= ep.onset) preventions++;
    }
    // Fix time needs an SLO broken when the action was asked for (a prevention has none).
    if (Number.isFinite(action.requested) && ep.onset !== null && action.requested >= ep.onset) {
      const recovered = recoveryAfter(truth, action.requested, modelled ? tc : Infinity, minDurMs);
      if (recovered !== null) {
        fixTimes.push((recovered - action.requested) / 1000);
        fixSources.add(sourceOf(action));
      }
    }
  }

  const scored = truth.hasSlo && truth.episodes.length > 0;
  const out: FixMetrics = {
    actions: actions.length,
    measured,
    modelled: actions.length - measured,
    fixTimeS: mean(fixTimes),
    fixTimeSource:
      fixSources.size === 0
        ? null
        : fixSources.size > 1
          ? 'mixed'
          : ([...fixSources][0] as 'measured' | 'modelled'),
    violationSecondsSaved: scored ? saved : null,
    episodeViolationSeconds: scored ? episodeSeconds : null,
    preventions,
    falseActions,
    falseActionDisruptionS: disruptionS,
  };
  if (truth.hasSlo) out.byActionType = Object.fromEntries(byType);
  return out;
}
