// The main job's answer in one line: what failed, when the SLO broke, which predictor saw it coming
// and how early, which localizer named the culprit and how fast, and what a fix would have saved.
// Every number comes from the scored results (rules v2) and the recording; nothing is invented:
// a part with nothing to report says so ("no predictor alarmed before it").

import type { Dataset } from '../../core/dataset.ts';
import type { AlgorithmResult, ReplayResults } from '../../core/results.ts';
import { FPR_BOUND } from '../../report/verdict.ts';
import type { FaultEffect } from './effect.ts';

const WHAT: Record<string, string> = {
  memleak: 'leaked memory',
  cpuhog: 'had a CPU hog',
  diskhog: 'had a disk hog',
  diskfill: 'had its disk filled',
  netloss: 'lost packets',
};

const s = (x: number): string => `${x.toFixed(x < 10 ? 1 : 0)} s`;

/** The best-model rule (report/verdict.ts) on this one run: a true positive, FPR <= FPR_BOUND, highest TPR, then lead. */
function bestPredictor(results: ReplayResults): [string, AlgorithmResult] | null {
  const ok = Object.entries(results.algorithms).filter(([, r]) => {
    const p = r.metrics.prediction;
    return p && p.tp > 0 && p.fpr !== null && p.fpr <= FPR_BOUND && p.episodes.some((e) => e.leadS !== null);
  });
  ok.sort(
    ([an, a], [bn, b]) =>
      (b.metrics.prediction!.tpr ?? 0) - (a.metrics.prediction!.tpr ?? 0) ||
      (b.metrics.prediction!.leadTimeS.mean ?? 0) - (a.metrics.prediction!.leadTimeS.mean ?? 0) ||
      (an < bn ? -1 : 1),
  );
  return ok[0] ?? null;
}

export function answerLine(ds: Dataset, results: ReplayResults, effect: FaultEffect | null): string {
  const fault = ds.manifest.faults[0];
  if (!fault) {
    const fa = Object.entries(results.algorithms)
      .filter(([, r]) => r.metrics.prediction)
      .map(([n, r]) => `${n} ${r.metrics.prediction!.falseAlarmsPerHour?.toFixed(1) ?? 'n/a'}/h`);
    return `control run: no fault; ${effect?.violationS ?? 0} violation s; false alarms: ${fa.join(', ')}`;
  }
  const parts = [`${fault.host} ${WHAT[fault.type] ?? `had a ${fault.type}`}`];
  if (!effect || effect.firstViolationS === null) {
    parts.push('the SLO held: nothing to predict');
    return parts.join('; ');
  }
  parts.push(`first SLO violation ${s(effect.firstViolationS)} after the start`);
  const p = bestPredictor(results);
  if (p) {
    const ep = p[1].metrics.prediction!.episodes.find((e) => e.leadS !== null)!;
    const pm = p[1].metrics.prediction!;
    parts.push(
      `${p[0]} alarmed ${s(ep.leadS!)} before the onset (TPR ${pm.tpr!.toFixed(2)}, FPR ${pm.fpr!.toFixed(3)})`,
    );
  } else parts.push(`no predictor alarmed before it with FPR <= ${FPR_BOUND}`);
  const locs = Object.entries(results.algorithms)
    .filter(
      ([, r]) => !r.metrics.prediction && r.metrics.localization?.ac1 !== null && r.metrics.localization,
    )
    .sort(
      ([an, a], [bn, b]) =>
        (b.metrics.localization!.ac1 ?? 0) - (a.metrics.localization!.ac1 ?? 0) || (an < bn ? -1 : 1),
    );
  const loc = locs[0];
  if (loc && loc[1].metrics.localization!.ac1! > 0) {
    const l = loc[1].metrics.localization!;
    parts.push(
      `${loc[0]} named ${fault.host} first in ${l.timeS === null ? 'n/a' : s(l.timeS)} (AC@1 ${l.ac1!.toFixed(2)}, chance ${l.chance.ac1?.toFixed(2) ?? 'n/a'})`,
    );
  } else parts.push(`no localizer named ${fault.host} first`);
  const fixes = Object.entries(results.algorithms)
    .filter(([, r]) => r.metrics.fix && r.metrics.fix.violationSecondsSaved !== null)
    .sort(([, a], [, b]) => b.metrics.fix!.violationSecondsSaved! - a.metrics.fix!.violationSecondsSaved!);
  const fix = fixes[0];
  if (fix && fix[1].metrics.fix!.violationSecondsSaved! > 0) {
    const f = fix[1].metrics.fix!;
    const type = fix[1].actions[0]?.type ?? 'its action';
    parts.push(
      `${type} (${fix[0]}, ${f.fixTimeSource ?? 'modelled'}) ${f.fixTimeSource === 'measured' ? 'saved' : 'would have saved'} ${f.violationSecondsSaved} of ${f.episodeViolationSeconds ?? effect.violationS} violation s`,
    );
  } else parts.push('no fix saved violation seconds');
  return parts.join('; ');
}
