// Validation of a localization against fixes that were really executed in the recorded run.
// FChain (and any localizer) marks an answer "not validated" when it could not check it itself;
// replay and `foreshock rca` then look for a scale-up recorded on a pinpointed host after the
// localization and judge it on the recorded SLO (src/algorithms/fchain/validation.ts holds the
// rule). A recording without executed actions leaves the answer as it is.

import type { Ranking } from '../core/algorithm.ts';
import type { Dataset } from '../core/dataset.ts';
import { NOT_VALIDATED, validateWithRecording } from '../algorithms/fchain/validation.ts';

/** Runs the recorded-action validation on an answer that asks for it (its note says "not validated"). */
export function validateIfRecorded(ranking: Ranking, time: number, ds: Dataset): Ranking {
  if (ds.manifest.actions.length === 0 || !ranking.note?.includes(NOT_VALIDATED)) return ranking;
  const spec = ds.manifest.slo;
  const column = spec && ds.slo ? ds.slo.columns[spec.signal] : undefined;
  const slo = column && ds.slo ? { times: ds.slo.time, values: column } : null;
  const outcome = validateWithRecording(ranking.pinpointed, time, ds.manifest.actions, slo);
  const rest = ranking.note
    .split('; ')
    .filter((p) => p !== NOT_VALIDATED)
    .concat(outcome.note === '' ? [] : [outcome.note]);
  const out: Ranking = { entries: ranking.entries, pinpointed: outcome.kept };
  if (rest.length > 0) out.note = rest.join('; ');
  return out;
}
