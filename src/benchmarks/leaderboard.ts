// Leaderboards: foreshock's detectors beside the published peers, as JSON (and as a text table for
// the terminal). NAB rows of foreshock carry the threshold rule; the published NAB scoreboard was
// produced with NAB's local threshold search (optimizer.ts), so `local` is the like-for-like column
// and `sweep` the global optimum under one threshold.

import type { NabOptimizer } from './nab/optimizer.ts';
import type { NabScoreReport } from './nab/score.ts';
import { NAB_PUBLISHED, NAB_SCOREBOARD_SOURCE, SMD_PUBLISHED, SMD_PUBLISHED_CAVEAT } from './published.ts';
import type { SmdSummary } from './smd/runner.ts';

export interface NabLeaderboardEntry {
  name: string;
  origin: 'foreshock' | 'published';
  standard: number;
  reward_low_FP_rate: number;
  reward_low_FN_rate: number;
  thresholdRule?: NabOptimizer | 'given';
  note?: string;
}

export interface NabLeaderboard {
  benchmark: 'NAB';
  corpus: string;
  publishedSource: string;
  entries: NabLeaderboardEntry[];
}

export function nabLeaderboard(
  ours: readonly NabScoreReport[],
  optimizer: NabOptimizer = 'local',
): NabLeaderboard {
  const entries: NabLeaderboardEntry[] = [];
  for (const r of ours) {
    const scores = r.thresholdRule === 'given' ? r.profiles : r.byOptimizer[optimizer];
    entries.push({
      name: `foreshock ${r.detector}`,
      origin: 'foreshock',
      standard: round3(scores.standard.score),
      reward_low_FP_rate: round3(scores.reward_low_FP_rate.score),
      reward_low_FN_rate: round3(scores.reward_low_FN_rate.score),
      thresholdRule: r.thresholdRule === 'given' ? 'given' : optimizer,
      note: `thresholds ${fmtThresholds(scores)}; global optimum (sweep) ${round3(r.byOptimizer.sweep.standard.score)} / ${round3(r.byOptimizer.sweep.reward_low_FP_rate.score)} / ${round3(r.byOptimizer.sweep.reward_low_FN_rate.score)}`,
    });
  }
  for (const p of NAB_PUBLISHED) entries.push({ ...p, origin: 'published' });
  entries.sort((a, b) => b.standard - a.standard || (a.origin === 'foreshock' ? -1 : 1));
  return {
    benchmark: 'NAB',
    corpus: 'NAB v1.1, 58 files, 116 windows',
    publishedSource: NAB_SCOREBOARD_SOURCE,
    entries,
  };
}

function fmtThresholds(p: NabScoreReport['profiles']): string {
  return [p.standard, p.reward_low_FP_rate, p.reward_low_FN_rate]
    .map((x) => x.threshold.toPrecision(6))
    .join(' / ');
}

export interface SmdLeaderboardEntry {
  name: string;
  origin: 'foreshock' | 'published';
  f1PointAdjusted: number;
  f1?: number;
  hitRate100?: number | null;
  hitRate150?: number | null;
  source?: string;
}

export interface SmdLeaderboard {
  benchmark: 'SMD';
  machines: string[];
  caveat: string;
  entries: SmdLeaderboardEntry[];
}

export function smdLeaderboard(ours: readonly SmdSummary[], machines: string[]): SmdLeaderboard {
  const entries: SmdLeaderboardEntry[] = ours.map((s) => ({
    name: `foreshock ${s.algorithm}`,
    origin: 'foreshock',
    f1PointAdjusted: round3(s.mean.f1PointAdjusted),
    f1: round3(s.mean.f1),
    hitRate100: s.mean.hitRate100 === null ? null : round3(s.mean.hitRate100),
    hitRate150: s.mean.hitRate150 === null ? null : round3(s.mean.hitRate150),
  }));
  for (const p of SMD_PUBLISHED) {
    entries.push({ name: p.name, origin: 'published', f1PointAdjusted: p.f1PointAdjusted, source: p.source });
  }
  entries.sort((a, b) => b.f1PointAdjusted - a.f1PointAdjusted);
  return {
    benchmark: 'SMD',
    machines,
    caveat: `foreshock rows: mean over the machines listed, best-F1 thresholds per machine. ${SMD_PUBLISHED_CAVEAT}`,
    entries,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Fixed-width text table: first column left-aligned, the rest right-aligned. */
export function textTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    )
    .join('\n');
}
