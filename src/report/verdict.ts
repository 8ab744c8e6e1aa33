// The "best model" verdict that live mode reads: one predictor and one localizer, chosen from the
// pooled summary by the rules below (stated verbatim in the report and in the JSON file).

import type { SummaryRow } from './summary.ts';

/** The FPR bound of the predictor rule (UBL's headline operating points sit at FPR 1.7-4.7%). */
export const FPR_BOUND = 0.05;

export const PREDICTOR_RULE =
  `Predictor (scoring rules v2): among the predictors with at least one true positive and a pooled FPR ` +
  `(TP/FP/TN/FN summed over the runs, control runs included) <= ${FPR_BOUND}, the one with the highest pooled ` +
  `TPR; ties go to the longer mean lead time, then to the name in alphabetical order. A predictor without a ` +
  `true positive is never chosen. When none qualifies there is no best predictor: the highest J = TPR - FPR ` +
  `with a true positive is named as "does not meet the rule", and live mode asks for --model.`;

export const LOCALIZER_RULE =
  `Localizer: among the localizers (the algorithms scored without prediction metrics), the one with the highest mean AC@1 over the runs ` +
  `that have localization cases; ties go to the higher mean Avg@5, then to the shorter mean localization time, ` +
  `then to the name in alphabetical order.`;

export interface Choice {
  row: SummaryRow;
  /** False when the row is only named (no predictor qualifies): it is not chosen. */
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

/**
 * The best predictor by PREDICTOR_RULE. `meetsRule: false` = none qualifies: the row is the highest J
 * with a true positive, named but not chosen (best.json then has no predictor). Null: no predictor
 * with a true positive at all.
 */
export function choosePredictor(pooled: SummaryRow[]): Choice | null {
  const predictors = pooled.filter((r) => r.identity.kind === 'predictor' && r.prediction);
  const withTp = predictors.filter((r) => r.prediction!.tp >= 1);
  if (withTp.length === 0) return null;
  const eligible = withTp.filter((r) => r.prediction!.fpr !== null && r.prediction!.fpr <= FPR_BOUND);
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
      why: `${eligible.length} of ${predictors.length} predictor(s) have a true positive and FPR <= ${FPR_BOUND}; the highest TPR among them`,
    };
  }
  const best = [...withTp].sort((a, b) => desc(a.prediction!.j, b.prediction!.j) || byName(a, b))[0]!;
  return {
    row: best,
    meetsRule: false,
    why: `No predictor has a true positive and FPR <= ${FPR_BOUND} (${withTp.length} of ${predictors.length} have a true positive); the highest J among those with one`,
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
  const same = (a: SummaryRow): boolean =>
    a.localization!.ac1 === best.localization!.ac1 &&
    a.localization!.avg5 === best.localization!.avg5 &&
    a.localization!.timeS === best.localization!.timeS;
  const tied = candidates.filter((r) => r !== best && same(r));
  // A tie settled by name is said to be one (live mode needs a single localizer; the report's
  // headline card names the tie without choosing).
  const tie =
    tied.length > 0
      ? `; tied on AC@1, Avg@5 and time with ${tied.map((r) => r.identity.label).join(', ')}: taken by name, not by evidence`
      : '';
  return { row: best, meetsRule: true, why: `Highest AC@1 among ${candidates.length} localizer(s)${tie}` };
}
