// The headline card: the answer in words and numbers, first in the report and printed at the end of
// every `replay` and `experiment`. Per algorithm: "alarmed X s before the violation (of Y possible),
// named <culprit> first in Z s, fixed in W s, N of M violation seconds saved", each beside its chance
// floor (J = TPR - FPR against 0, AC@1 against 1/N, and the seeded `random` / `random-localizer` runs).
// A banner says when there was nothing to predict. The verdict names an algorithm only on positive
// evidence (a predictor with a true positive inside the FPR bound; a localizer that named the culprit
// first more often than chance) and names ties as ties instead of choosing by name.
// Pure: built from summary rows (src/report/summary.ts), no I/O; the HTML and the terminal render it.

import type { ExperimentInput } from './inputs.ts';
import { faultTypeOf } from './inputs.ts';
import { modeLabel, summarize, type SummaryRow } from './summary.ts';
import { FPR_BOUND } from './verdict.ts';

/** The seeded chance floors every default replay runs (evaluation.md v2 "Chance"). */
export const FLOOR_PREDICTOR = 'random';
export const FLOOR_LOCALIZER = 'random-localizer';

export interface HeadlineNumbers {
  /** Mean lead to the onset over the caught episodes, and its maximum possible (mean o - f.start). */
  leadS: number | null;
  leadPossibleS: number | null;
  failingEpisodes: number | null;
  missedEpisodes: number | null;
  tp: number | null;
  fp: number | null;
  j: number | null;
  /** Time to localize: first answer with the culprit first, minus the fault start. */
  ttlS: number | null;
  ac1: number | null;
  chanceAc1: number | null;
  cases: number | null;
  fixS: number | null;
  fixSource: string | null;
  savedS: number | null;
  violationS: number | null;
}

export interface HeadlineRow {
  algorithm: string;
  kind: 'predictor' | 'localizer';
  /** True for the chance floors (`random`, `random-localizer`). */
  floor: boolean;
  numbers: HeadlineNumbers;
  /** The three parts in words (each one sentence fragment), and the chance comparison. */
  predicted: string;
  localized: string;
  fixed: string;
  chance: string;
}

export interface HeadlineCard {
  title: string;
  runs: number;
  /** Red banner text: nothing to predict (no violation in any fault phase), or null. */
  banner: string | null;
  rows: HeadlineRow[];
  /** Verdict sentences: one for predictors, one for localizers. */
  verdict: { predictor: string; localizer: string };
}

export interface HeadlineInput {
  title: string;
  runs: number;
  /** Fault types of the runs ("control" = no fault, "unknown" = dataset not available). */
  faultTypes: string[];
  /** Culprit hosts named by the datasets' faults, in order, distinct. */
  culprits: string[];
  /** One row per algorithm over all runs (summary.pooled). */
  rows: SummaryRow[];
}

const s = (v: number): string => `${Number(v.toFixed(v < 10 ? 1 : 0))} s`;
const r2 = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(2));
const isFloor = (row: SummaryRow): boolean =>
  row.identity.name === FLOOR_PREDICTOR || row.identity.name === FLOOR_LOCALIZER;

function culpritText(culprits: string[]): string {
  if (culprits.length === 0) return 'the culprit';
  if (culprits.length === 1) return culprits[0]!;
  return `the culprit (${culprits.join(', ')})`;
}

function numbersOf(row: SummaryRow): HeadlineNumbers {
  const p = row.prediction;
  const l = row.localization;
  const f = row.fix;
  return {
    leadS: p?.leadMeanS ?? null,
    leadPossibleS: p?.leadMaxPossibleS ?? null,
    failingEpisodes: p ? p.failingEpisodes : null,
    missedEpisodes: p ? p.missedEpisodes : null,
    tp: p ? p.tp : null,
    fp: p ? p.fp : null,
    j: p?.j ?? null,
    ttlS: l?.ttlS ?? null,
    ac1: l?.ac1 ?? null,
    chanceAc1: l?.chanceAc1 ?? null,
    cases: l ? l.cases : null,
    fixS: f?.fixTimeS ?? null,
    fixSource: f?.fixTimeSource ?? null,
    savedS: f?.violationSecondsSaved ?? null,
    violationS: f?.episodeViolationSeconds ?? null,
  };
}

function predictedText(n: HeadlineNumbers, kind: string, nothing: boolean): string {
  if (kind !== 'predictor') return 'does not predict (a localizer)';
  if (nothing || !n.failingEpisodes) return 'nothing to predict';
  const episodes =
    n.failingEpisodes > 1
      ? ` in ${n.failingEpisodes - n.missedEpisodes!} of ${n.failingEpisodes} episodes`
      : '';
  if (n.leadS === null)
    return `missed the violation (${n.missedEpisodes} of ${n.failingEpisodes} episode(s) without an alarm first)`;
  return `alarmed ${s(n.leadS)} before the violation (of ${n.leadPossibleS === null ? 'n/a' : s(n.leadPossibleS)} possible)${episodes}`;
}

function localizedText(n: HeadlineNumbers, culprits: string[]): string {
  if (!n.cases) return 'no localization case';
  if (n.ttlS === null) return `never named ${culpritText(culprits)} first`;
  return `named ${culpritText(culprits)} first in ${s(n.ttlS)}`;
}

function fixedText(n: HeadlineNumbers): string {
  const saved =
    n.savedS !== null && n.violationS !== null && n.violationS > 0
      ? `${Math.round(n.savedS)} of ${Math.round(n.violationS)} violation seconds saved`
      : null;
  const fix =
    n.fixS !== null
      ? `fixed in ${s(n.fixS)}${n.fixSource ? ` (${n.fixSource})` : ''}`
      : 'no fix restored the SLO';
  return saved ? `${fix}, ${saved}` : fix;
}

function chanceText(n: HeadlineNumbers, kind: string): string {
  const parts: string[] = [];
  if (kind === 'predictor') parts.push(`J ${r2(n.j)} (chance 0; TP ${n.tp ?? 'n/a'}, FP ${n.fp ?? 'n/a'})`);
  if (n.cases) parts.push(`AC@1 ${r2(n.ac1)} (chance ${r2(n.chanceAc1)})`);
  return parts.join('; ');
}

/** Rows that tie with the first on every key, in the order given. */
function tiedWithFirst<T>(sorted: T[], same: (a: T, b: T) => boolean): T[] {
  return sorted.filter((x) => same(x, sorted[0]!));
}

const names = (rows: SummaryRow[]): string => rows.map((r) => modeLabel(r)).join(', ');

function predictorVerdict(rows: SummaryRow[], nothing: boolean): string {
  const predictors = rows.filter((r) => r.identity.kind === 'predictor' && r.prediction);
  if (predictors.length === 0) return 'Predictor: none in these results.';
  if (nothing) return 'Predictor: no verdict: there was no violation to predict.';
  const floor = rows.find((r) => r.identity.name === FLOOR_PREDICTOR)?.prediction ?? null;
  const eligible = predictors.filter(
    (r) =>
      !isFloor(r) &&
      r.prediction!.tp >= 1 &&
      r.prediction!.fpr !== null &&
      r.prediction!.fpr <= FPR_BOUND &&
      // Positive evidence: better than the seeded random predictor of the same runs, when it ran.
      (floor?.j === null || floor?.j === undefined || (r.prediction!.j ?? -Infinity) > floor.j),
  );
  if (eligible.length === 0) {
    const withTp = predictors.filter((r) => !isFloor(r) && r.prediction!.tp >= 1);
    return (
      `Predictor: no verdict: none of ${predictors.filter((r) => !isFloor(r)).length} has a true positive with FPR <= ${FPR_BOUND}` +
      (floor?.j !== null && floor?.j !== undefined ? ` and J above the random floor (${r2(floor.j)})` : '') +
      (withTp.length === 0 ? '; none has a true positive at all.' : '.')
    );
  }
  const key = (r: SummaryRow): [number, number] => [r.prediction!.tpr ?? 0, r.prediction!.leadMeanS ?? -1];
  const sorted = [...eligible].sort((a, b) => key(b)[0] - key(a)[0] || key(b)[1] - key(a)[1]);
  const tied = tiedWithFirst(sorted, (a, b) => key(a)[0] === key(b)[0] && key(a)[1] === key(b)[1]);
  const p = sorted[0]!.prediction!;
  const evidence = `TPR ${r2(p.tpr)}, FPR ${r2(p.fpr)}, J ${r2(p.j)}, lead ${p.leadMeanS === null ? 'n/a' : s(p.leadMeanS)}`;
  if (tied.length > 1)
    return `Predictor: a tie between ${names(tied)} (${evidence} each); these runs do not separate them.`;
  return `Predictor: ${modeLabel(sorted[0]!)} (${evidence}; TP >= 1, FPR <= ${FPR_BOUND}, above the random floor${floor?.j !== null && floor?.j !== undefined ? ` J ${r2(floor.j)}` : ''}).`;
}

function localizerVerdict(rows: SummaryRow[], culprits: string[]): string {
  const localizers = rows.filter(
    (r) =>
      r.identity.kind === 'localizer' && r.localization?.ac1 !== null && r.localization?.ac1 !== undefined,
  );
  if (localizers.length === 0) return 'Localizer: no verdict: no localizer has a localization case.';
  const key = (r: SummaryRow): [number, number, number] => [
    r.localization!.ac1!,
    r.localization!.avg5 ?? 0,
    r.localization!.ttlS ?? Infinity,
  ];
  const sorted = [...localizers].sort(
    (a, b) => key(b)[0] - key(a)[0] || key(b)[1] - key(a)[1] || key(a)[2] - key(b)[2],
  );
  const best = sorted[0]!;
  const chance = best.localization!.chanceAc1;
  if (best.localization!.ac1! === 0 || (chance !== null && best.localization!.ac1! <= chance))
    return `Localizer: no verdict: the best AC@1 is ${r2(best.localization!.ac1)}, not above chance (${r2(chance)}).`;
  const tied = tiedWithFirst(
    sorted,
    (a, b) => key(a)[0] === key(b)[0] && key(a)[1] === key(b)[1] && key(a)[2] === key(b)[2],
  );
  const l = best.localization!;
  const evidence = `AC@1 ${r2(l.ac1)} (chance ${r2(chance)}), Avg@5 ${r2(l.avg5)}, named ${culpritText(culprits)} first in ${l.ttlS === null ? 'n/a' : s(l.ttlS)}`;
  if (tied.length > 1) {
    const floorTied = tied.some(isFloor);
    return (
      `Localizer: a tie between ${names(tied)} (${evidence} each)` +
      (floorTied ? '; the random floor is among them, so ' : '; ') +
      'these runs do not separate them.'
    );
  }
  if (isFloor(best)) return `Localizer: no verdict: the random floor ranks first (${evidence}).`;
  return `Localizer: ${modeLabel(best)} (${evidence}).`;
}

/** The card from pooled summary rows. Predictors first, then localizers, the chance floors last in each. */
export function buildHeadline(input: HeadlineInput): HeadlineCard {
  const predictors = input.rows.filter((r) => r.identity.kind === 'predictor' && r.prediction);
  const failing = predictors.reduce((a, r) => Math.max(a, r.prediction!.failingEpisodes), 0);
  const localizationCases = input.rows.reduce((a, r) => Math.max(a, r.localization?.cases ?? 0), 0);
  const known = input.faultTypes.filter((t) => t !== 'unknown');
  const allControl = known.length > 0 && known.every((t) => t === 'control');
  const nothing = predictors.length > 0 ? failing === 0 : localizationCases === 0;
  const banner = !nothing
    ? null
    : allControl
      ? `Nothing to predict: ${input.runs > 1 ? 'these are control runs' : 'this is a control run'} (no fault). Every alarm is a false alarm; lead times, localization and fixes do not apply.`
      : `Nothing to predict: no SLO violation in the fault phase${input.runs > 1 ? ' of any run' : ''}. The fault had no SLO effect, so every alarm counts as a false alarm and no lead time, localization or fix can be scored.`;
  const order = (r: SummaryRow): number => (r.identity.kind === 'predictor' ? 0 : 2) + (isFloor(r) ? 1 : 0);
  const rows = [...input.rows]
    .map((r, i) => ({ r, i }))
    .sort((a, b) => order(a.r) - order(b.r) || a.i - b.i)
    .map(({ r }): HeadlineRow => {
      const n = numbersOf(r);
      return {
        algorithm: modeLabel(r),
        kind: r.identity.kind,
        floor: isFloor(r),
        numbers: n,
        predicted: predictedText(n, r.identity.kind, nothing),
        localized: localizedText(n, input.culprits),
        fixed: fixedText(n),
        chance: chanceText(n, r.identity.kind),
      };
    });
  return {
    title: input.title,
    runs: input.runs,
    banner,
    rows,
    verdict: {
      predictor: predictorVerdict(input.rows, nothing),
      localizer: nothing
        ? 'Localizer: no verdict: there was no violation to localize.'
        : localizerVerdict(input.rows, input.culprits),
    },
  };
}

/** "synth-memleak-5h-s1 (memleak)"; several datasets are counted. */
export function headlineTitle(experiments: ExperimentInput[]): string {
  const datasets = [...new Set(experiments.map((e) => e.results.dataset))];
  const types = [...new Set(experiments.map((e) => faultTypeOf(e.dataset)))];
  const what = datasets.length === 1 ? datasets[0]! : `${datasets.length} datasets`;
  return `${what} (${types.join(', ')})${experiments.length > 1 ? `, ${experiments.length} runs` : ''}`;
}

/** The card for experiments as the report and the CLI load them. */
export function headlineFor(
  experiments: ExperimentInput[],
  title = headlineTitle(experiments),
): HeadlineCard {
  const culprits = [
    ...new Set(experiments.flatMap((e) => (e.dataset ? e.dataset.manifest.faults.map((f) => f.host) : []))),
  ];
  return buildHeadline({
    title,
    runs: experiments.length,
    faultTypes: experiments.map((e) => faultTypeOf(e.dataset)),
    culprits,
    rows: summarize(experiments).pooled,
  });
}

/** The row's name as shown: a chance floor is tagged `[chance]` (the random predictor's mode already says so). */
export function rowLabel(r: HeadlineRow): string {
  return r.floor && !r.algorithm.includes('[chance]') ? `${r.algorithm} [chance]` : r.algorithm;
}

/** The card for the terminal: a banner, one line per algorithm, the verdict. */
export function headlineLines(card: HeadlineCard): string[] {
  const label = rowLabel;
  const width = Math.max(9, ...card.rows.map((r) => label(r).length));
  const lines = [`headline: ${card.title}`];
  if (card.banner) lines.push(`!! ${card.banner}`);
  for (const r of card.rows) {
    const name = label(r).padEnd(width);
    const parts = r.kind === 'predictor' ? [r.predicted, r.localized, r.fixed] : [r.localized, r.fixed];
    lines.push(`  ${name}  ${parts.join('; ')}${r.chance ? ` | ${r.chance}` : ''}`);
  }
  lines.push(`verdict: ${card.verdict.predictor}`, `verdict: ${card.verdict.localizer}`);
  return lines;
}
