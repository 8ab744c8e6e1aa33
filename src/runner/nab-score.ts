// The NAB detector contract: stream one `timestamp,value` series through a registered predictor
// and emit `timestamp,value,anomaly_score` with scores in [0, 1] (NAB's expected detector output,
// spec/benchmarks.md). The first `trainRows` rows (default: NAB's probationary period,
// min(floor(0.15 N), 750)) are given to fit() and scored 0; NAB ignores them when scoring.

import type { Predictor } from '../core/algorithm.ts';
import type { Dataset } from '../core/dataset.ts';
import { UserError } from '../core/errors.ts';
import { getAlgorithm, resolveConfig } from '../algorithms/registry.ts';
import { sampleAt } from '../sim/samples.ts';

export function probationaryRows(n: number): number {
  return Math.min(Math.floor(0.15 * n), 750);
}

export interface ScoredRow {
  time: number;
  value: number;
  score: number;
}

export function scoreSeries(
  dataset: Dataset,
  algorithm: string,
  config: unknown,
  trainRows?: number,
): ScoredRow[] {
  const def = getAlgorithm(algorithm);
  if (def.kind !== 'predictor')
    throw new UserError(`algorithm ${algorithm} is a ${def.kind}; score needs a predictor`);
  const table = dataset.metrics;
  const n = table.time.length;
  const train = trainRows ?? probationaryRows(n);
  if (!Number.isInteger(train) || train < 0 || train > n) {
    throw new UserError(`--train-rows must be an integer between 0 and ${n}, got ${train}`);
  }
  const predictor = def.create(resolveConfig(def, config), {
    metrics: table.metrics,
    hosts: table.hosts,
    sampleIntervalMs: dataset.manifest.sampleIntervalMs,
    seed: 0,
  }) as Predictor;
  const columns = table.columns;
  const out: ScoredRow[] = [];
  const training = [];
  for (let i = 0; i < n; i++) {
    const sample = sampleAt(table, columns, i);
    if (i < train) {
      training.push(sample);
      out.push({ time: sample.time, value: sample.values[0]!, score: 0 });
      if (i === train - 1) predictor.fit?.({ samples: training, sloViolations: null });
      continue;
    }
    const p = predictor.score(sample);
    predictor.learn(sample);
    out.push({ time: sample.time, value: sample.values[0]!, score: p.score });
  }
  return out;
}

/** NAB's timestamp style: `YYYY-MM-DD HH:MM:SS` (UTC). */
export function nabTimestamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '');
}

export function formatNabCsv(rows: readonly ScoredRow[]): string {
  const lines = ['timestamp,value,anomaly_score'];
  for (const r of rows) lines.push(`${nabTimestamp(r.time)},${r.value},${r.score}`);
  return `${lines.join('\n')}\n`;
}
