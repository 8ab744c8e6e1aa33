// The "best model" verdict that live mode reads: one predictor and one localizer, chosen from the
// pooled summary by the rules below (stated verbatim in the report and in the JSON file).

import type { SummaryRow } from './summary.ts';

/** The FPR bound of the predictor rule (UBL's headline operating points sit at FPR 1.7-4.7%). */
export const FPR_BOUND = 0.05;

export const PREDICTOR_RULE =
  `Predictor: among the predictors whose FPR over all runs pooled (TP/FP/TN/FN summed, control runs included) ` +
  `is <= ${FPR_BOUND}, the one with the highest pooled TPR; ties go to the longer mean lead time, then to the ` +
  `name in alphabetical order. When no predictor meets the FPR bound, the highest TPR - FPR (Youden's J) is ` +
  `chosen instead and marked as not meeting the rule.`;

export const LOCALIZER_RULE =
  `Localizer: among the localizers (the algorithms scored without prediction metrics), the one with the highest mean AC@1 over the runs ` +
  `that have localization cases; ties go to the higher mean Avg@5, then to the shorter mean localization time, ` +
  `then to the name in alphabetical order.`;

export interface Choice {
  row: SummaryRow;
  /** False when the choice is a fallback (no predictor met the FPR bound). */
  meetsRule: boolean;
  why: string;
}

const byName = (a: SummaryRow, b: SummaryRow): number =>
  a.identity.label < b.identity.label ? -1 : a.identity.label > b.identity.label ? 1 : 0;
/** Descending, with null last. */
const desc = (a: number | null, b: number | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : b - a;
const asc = (a: number | null, b: number | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b;

export function choosePredictor(pooled: SummaryRow[]): Choice | null {
  const candidates = pooled.filter(
    (r) => r.identity.kind === 'predictor' && r.prediction && r.prediction.fpr !== null,
  );
  if (candidates.length === 0) return null;
  const eligible = candidates.filter((r) => r.prediction!.fpr! <= FPR_BOUND);
  if (eligible.length > 0) {
    const best = [...eligible].sort(
      (a, b) =>
        desc(a.prediction!.tpr, b.prediction!.tpr) ||
        desc(a.prediction!.leadMeanS, b.prediction!.leadMeanS) ||
        byName(a, b),
    )[0]!;
    return {
      row: best,
      meetsRule: true,
      why: `${eligible.length} of ${candidates.length} predictor(s) meet FPR <= ${FPR_BOUND}; the highest TPR among them`,
    };
  }
  const j = (r: SummaryRow): number | null =>
    r.prediction!.tpr === null ? null : r.prediction!.tpr - r.prediction!.fpr!;
  const best = [...candidates].sort((a, b) => desc(j(a), j(b)) || byName(a, b))[0]!;
  return {
    row: best,
    meetsRule: false,
    why: `No predictor meets FPR <= ${FPR_BOUND}; fallback: highest TPR - FPR`,
  };
}

export function chooseLocalizer(pooled: SummaryRow[]): Choice | null {
  const candidates = pooled.filter(
    (r) => r.identity.kind === 'localizer' && r.localization && r.localization.ac1 !== null,
  );
  if (candidates.length === 0) return null;
  const best = [...candidates].sort(
    (a, b) =>
      desc(a.localization!.ac1, b.localization!.ac1) ||
      desc(a.localization!.avg5, b.localization!.avg5) ||
      asc(a.localization!.timeS, b.localization!.timeS) ||
      byName(a, b),
  )[0]!;
  return { row: best, meetsRule: true, why: `Highest AC@1 among ${candidates.length} localizer(s)` };
}
