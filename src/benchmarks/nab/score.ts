// NAB scores of one detector over a corpus: the threshold per profile (optimised, or given), the
// raw and normalised scores, and the counts behind them. Both optimisers are always evaluated (they
// cost one pass over the sorted rows per profile), so a report can show the published procedure
// and the global optimum side by side.

import { UserError } from '../../core/errors.ts';
import { optimizeThreshold, type NabOptimizer, NAB_OPTIMIZERS } from './optimizer.ts';
import { NAB_PROFILES, type NabProfileName } from './profiles.ts';
import {
  buildCorpus,
  countsAt,
  normalizeScore,
  rawScoreAt,
  thresholdCurve,
  type NabFileScores,
  type ScoredCorpus,
} from './scorer.ts';

export interface NabProfileResult {
  threshold: number;
  rawScore: number;
  /** Normalised NAB score: 0 = null detector, 100 = perfect. */
  score: number;
  detectedWindows: number;
  /** Detections (rows) outside every window. */
  falsePositives: number;
}

export interface NabScoreReport {
  detector: string;
  /** How the reported thresholds were chosen: an optimiser, or `given` thresholds. */
  thresholdRule: NabOptimizer | 'given';
  standard: number;
  reward_low_FP_rate: number;
  reward_low_FN_rate: number;
  profiles: Record<NabProfileName, NabProfileResult>;
  /** The same, under each optimiser. */
  byOptimizer: Record<NabOptimizer, Record<NabProfileName, NabProfileResult>>;
  corpus: { files: number; rows: number; scoredRows: number; windows: number };
}

export interface NabScoreOptions {
  optimizer?: NabOptimizer;
  /** Fixed thresholds per profile (NAB's score step with config/thresholds.json); overrides the optimiser. */
  thresholds?: Partial<Record<NabProfileName, number>>;
}

export function scoreNab(
  detector: string,
  files: readonly NabFileScores[],
  windowsByKey: ReadonlyMap<string, readonly [number, number][]>,
  opts: NabScoreOptions = {},
): NabScoreReport {
  const have = new Set(files.map((f) => f.key));
  const missing = [...windowsByKey.keys()].filter((k) => !have.has(k));
  if (missing.length > 0) {
    throw new UserError(
      `${detector}: no results for ${missing.length} labelled file(s), e.g. ${missing[0]} (NAB scores the whole corpus)`,
    );
  }
  const corpus = buildCorpus(files, windowsByKey);
  if (corpus.unopened.length > 0) {
    throw new UserError(`${detector}: window start matches no row: ${corpus.unopened[0]}`);
  }
  return scoreCorpus(detector, corpus, opts);
}

export function scoreCorpus(
  detector: string,
  corpus: ScoredCorpus,
  opts: NabScoreOptions = {},
): NabScoreReport {
  const optimizer = opts.optimizer ?? 'local';
  const byOptimizer = Object.fromEntries(NAB_OPTIMIZERS.map((o) => [o, {}])) as NabScoreReport['byOptimizer'];
  const given = {} as Record<NabProfileName, NabProfileResult>;
  for (const profile of NAB_PROFILES) {
    const curve = thresholdCurve(corpus, profile);
    const result = (threshold: number, raw: number): NabProfileResult => ({
      threshold,
      rawScore: raw,
      score: normalizeScore(raw, corpus.windowCount, profile),
      ...countsAt(corpus, threshold),
    });
    for (const o of NAB_OPTIMIZERS) {
      const choice = optimizeThreshold(curve, o);
      byOptimizer[o][profile.name] = result(choice.threshold, choice.raw);
    }
    const fixed = opts.thresholds?.[profile.name];
    if (fixed !== undefined) given[profile.name] = result(fixed, rawScoreAt(curve, fixed));
  }
  const useGiven = opts.thresholds !== undefined;
  if (useGiven) {
    const lacking = NAB_PROFILES.find((p) => given[p.name] === undefined);
    if (lacking) throw new UserError(`${detector}: no threshold given for profile ${lacking.name}`);
  }
  const profiles = useGiven ? given : byOptimizer[optimizer];
  return {
    detector,
    thresholdRule: useGiven ? 'given' : optimizer,
    standard: profiles.standard.score,
    reward_low_FP_rate: profiles.reward_low_FP_rate.score,
    reward_low_FN_rate: profiles.reward_low_FN_rate.score,
    profiles,
    byOptimizer,
    corpus: {
      files: corpus.files.length,
      rows: corpus.files.reduce((s, f) => s + f.rows, 0),
      scoredRows: corpus.score.length,
      windows: corpus.windowCount,
    },
  };
}

/** Thresholds for `detector` from a NAB config/thresholds.json (`{ det: { profile: { threshold } } }`). */
export function thresholdsFor(json: unknown, detector: string, file: string): Record<NabProfileName, number> {
  const entry = (json as Record<string, unknown> | null)?.[detector];
  if (typeof entry !== 'object' || entry === null)
    throw new UserError(`${file}: no thresholds for detector "${detector}"`);
  const out = {} as Record<NabProfileName, number>;
  for (const p of NAB_PROFILES) {
    const t = (entry as Record<string, { threshold?: unknown } | undefined>)[p.name]?.threshold;
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new UserError(`${file}: no numeric threshold for ${detector} / ${p.name}`);
    }
    out[p.name] = t;
  }
  return out;
}
