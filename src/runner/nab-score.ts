// The NAB detector contract: stream one `timestamp,value` series through a registered predictor
// and emit `timestamp,value,anomaly_score` with scores in [0, 1] (NAB's expected detector output,
// spec/benchmarks.md). The first `trainRows` rows (default: NAB's probationary period,
// min(floor(0.15 N), 750)) are given to fit() and scored 0; NAB ignores them when scoring.

import type { Predictor, Sample } from '../core/algorithm.ts';
import { UserError } from '../core/errors.ts';
import { getAlgorithm, resolveConfig } from '../algorithms/registry.ts';

export function probationaryRows(n: number): number {
  return Math.min(Math.floor(0.15 * n), 750);
}

/**
 * Scores a series row by row (repeated timestamps stay separate rows, as in NAB's own outputs).
 * Returns one score per row; rows before `trainRows` score 0.
 */
export function scoreSeries(
  rows: readonly { time: number; value: number }[],
  algorithm: string,
  config: unknown,
  trainRows?: number,
): number[] {
  const def = getAlgorithm(algorithm);
  if (def.kind !== 'predictor')
    throw new UserError(`algorithm ${algorithm} is a ${def.kind}; score needs a predictor`);
  const n = rows.length;
  const train = trainRows ?? probationaryRows(n);
  if (!Number.isInteger(train) || train < 0 || train > n) {
    throw new UserError(`--train-rows must be an integer between 0 and ${n}, got ${train}`);
  }
  const ctx = { metrics: ['value'], hosts: [SERIES_HOST], sampleIntervalMs: medianStep(rows), seed: 0 };
  const predictor = def.create(resolveConfig(def, config), ctx) as Predictor;
  const scores: number[] = [];
  const training: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const sample: Sample = {
      time: rows[i]!.time,
      host: SERIES_HOST,
      values: Float64Array.of(rows[i]!.value),
    };
    if (i < train) {
      training.push(sample);
      scores.push(0);
      if (i === train - 1) predictor.fit?.({ samples: training, sloViolations: null });
      continue;
    }
    const p = predictor.score(sample);
    predictor.learn(sample);
    scores.push(p.score);
  }
  return scores;
}

const SERIES_HOST = 'series';

function medianStep(rows: readonly { time: number }[]): number {
  const steps: number[] = [];
  for (let i = 1; i < rows.length; i++)
    if (rows[i]!.time > rows[i - 1]!.time) steps.push(rows[i]!.time - rows[i - 1]!.time);
  steps.sort((a, b) => a - b);
  return steps[Math.floor((steps.length - 1) / 2)] ?? 1000;
}

/** NAB detector output: the input's timestamp and value text, then the score. */
export function formatNabCsv(
  rows: readonly { timestampText: string; valueText: string }[],
  scores: readonly number[],
): string {
  const lines = ['timestamp,value,anomaly_score'];
  rows.forEach((r, i) => lines.push(`${r.timestampText},${r.valueText},${scores[i]}`));
  return `${lines.join('\n')}\n`;
}
