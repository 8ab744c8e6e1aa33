// `foreshock runs [dir]`: one row per results directory: dataset, fault type, date, config hash and
// the three headline numbers, chosen by the headline card's gates (src/report/headline.ts): the
// lead of the predictor with a true positive, FPR <= 0.05 and J above the random floor (highest TPR);
// the time to name the culprit first of the localizer above chance (fastest); the most violation
// seconds a fix saved. The chance floors are never the answer.

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { isoTime } from '../core/time.ts';
import type { AlgorithmResult } from '../core/results.ts';
import { FLOOR_LOCALIZER, FLOOR_PREDICTOR } from './headline.ts';
import { RESULTS_FILE } from './inputs.ts';
import { findResultsDirs, readRunFile, shownPath, type RunFile } from './run-files.ts';
import type { PlainTable } from './table-export.ts';
import { FPR_BOUND } from './verdict.ts';

export interface HeadlineNumbers {
  lead: { algorithm: string; s: number; possibleS: number | null; tied: number } | null;
  culpritFirst: { algorithm: string; s: number; tied: number } | null;
  saved: { algorithm: string; s: number; ofS: number | null; tied: number } | null;
}

/** How many others share the first one's key: a tie is reported as a tie, not settled by name. */
function othersTied<T>(sorted: T[], key: (x: T) => unknown): number {
  return sorted.length === 0 ? 0 : sorted.filter((x) => key(x) === key(sorted[0]!)).length - 1;
}

const floor = (name: string): boolean => name === FLOOR_PREDICTOR || name === FLOOR_LOCALIZER;

export function headlineNumbers(algorithms: Record<string, AlgorithmResult>): HeadlineNumbers {
  const entries = Object.entries(algorithms);
  const randomJ = algorithms[FLOOR_PREDICTOR]?.metrics.prediction?.j ?? null;
  const predictors = entries
    .filter(([n, r]) => {
      const p = r.metrics.prediction;
      return (
        !floor(n) &&
        p &&
        p.tp >= 1 &&
        p.fpr !== null &&
        p.fpr <= FPR_BOUND &&
        p.leadTimeS.mean !== null &&
        (randomJ === null || (p.j ?? -Infinity) > randomJ)
      );
    })
    .sort(
      ([an, a], [bn, b]) =>
        (b.metrics.prediction!.tpr ?? 0) - (a.metrics.prediction!.tpr ?? 0) ||
        b.metrics.prediction!.leadTimeS.mean! - a.metrics.prediction!.leadTimeS.mean! ||
        (an < bn ? -1 : 1),
    );
  const localizers = entries
    .filter(([n, r]) => {
      const l = r.metrics.localization;
      return (
        !floor(n) &&
        !r.metrics.prediction &&
        l &&
        l.ttlS !== null &&
        l.ac1 !== null &&
        l.ac1 > (l.chance?.ac1 ?? 0)
      );
    })
    .sort(
      ([an, a], [bn, b]) =>
        a.metrics.localization!.ttlS! - b.metrics.localization!.ttlS! || (an < bn ? -1 : 1),
    );
  const fixes = entries
    .filter(([n, r]) => !floor(n) && (r.metrics.fix?.violationSecondsSaved ?? 0) > 0)
    .sort(
      ([an, a], [bn, b]) =>
        b.metrics.fix!.violationSecondsSaved! - a.metrics.fix!.violationSecondsSaved! || (an < bn ? -1 : 1),
    );
  const p = predictors[0];
  const l = localizers[0];
  const f = fixes[0];
  return {
    lead: p
      ? {
          algorithm: p[0],
          s: p[1].metrics.prediction!.leadTimeS.mean!,
          possibleS: p[1].metrics.prediction!.leadTimeS.maxPossible,
          tied: othersTied(
            predictors,
            ([, r]) => `${r.metrics.prediction!.tpr}/${r.metrics.prediction!.leadTimeS.mean}`,
          ),
        }
      : null,
    culpritFirst: l
      ? {
          algorithm: l[0],
          s: l[1].metrics.localization!.ttlS!,
          tied: othersTied(localizers, ([, r]) => r.metrics.localization!.ttlS),
        }
      : null,
    saved: f
      ? {
          algorithm: f[0],
          s: f[1].metrics.fix!.violationSecondsSaved!,
          ofS: f[1].metrics.fix!.episodeViolationSeconds ?? null,
          tied: othersTied(fixes, ([, r]) => r.metrics.fix!.violationSecondsSaved),
        }
      : null,
  };
}

const secs = (v: number): string => `${Number(v.toFixed(1))} s`;
const who = (x: { algorithm: string; tied: number }): string =>
  x.tied > 0 ? `${x.algorithm} and ${x.tied} tied` : x.algorithm;

/** The date of a run: the dataset's start when its manifest is found, else when results.json was written. */
function runDate(run: RunFile): string {
  if (run.manifest) return isoTime(run.manifest.start).slice(0, 10);
  return `${isoTime(statSync(join(run.dir, RESULTS_FILE)).mtimeMs).slice(0, 10)} (written)`;
}

export function runsTable(runs: RunFile[]): PlainTable {
  return {
    headers: [
      'results',
      'dataset',
      'fault',
      'date',
      'config',
      'algorithms',
      'lead before onset (of max)',
      'culprit named first',
      'violation s saved (of)',
    ],
    rows: runs.map((run) => {
      const h = headlineNumbers(run.results.algorithms);
      return [
        shownPath(run.dir),
        run.results.dataset,
        run.faultType,
        runDate(run),
        run.configHash,
        String(Object.keys(run.results.algorithms).length),
        h.lead
          ? `${secs(h.lead.s)}${h.lead.possibleS !== null ? ` of ${secs(h.lead.possibleS)}` : ''} (${who(h.lead)})`
          : 'none qualifies',
        h.culpritFirst ? `${secs(h.culpritFirst.s)} (${who(h.culpritFirst)})` : 'none above chance',
        h.saved
          ? `${Math.round(h.saved.s)}${h.saved.ofS !== null ? ` of ${Math.round(h.saved.ofS)}` : ''} (${who(h.saved)})`
          : 'none',
      ];
    }),
  };
}

export function indexRuns(root: string): { runs: RunFile[]; table: PlainTable } {
  const runs = findResultsDirs(root).map((dir) => readRunFile(dir));
  return { runs, table: runsTable(runs) };
}
