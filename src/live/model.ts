// Which model live mode runs, and what it is trained on.
//
// --model best: the newest `<reports>/*.best.json` (the comparison report's verdict, docs/reports.md)
//   names a predictor and a localizer with their configs. --model <name>: that predictor with its
//   defaults (--config overrides), localized by its own cause inference unless --localizer says.
// Training: recorded datasets (--train, repeatable). From each, the samples of its normal phase and,
//   for a run without faults, every phase but the warm-up; SLO feedback as in replay.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AlgorithmContext, Localizer, Predictor, Sample, TrainingData } from '../core/algorithm.ts';
import type { Dataset } from '../core/dataset.ts';
import { UserError } from '../core/errors.ts';
import { getAlgorithm, listAlgorithms, resolveConfig } from '../algorithms/registry.ts';
import { readDataset } from '../data/dataset-io.ts';
import { trainingData } from '../sim/samples.ts';

export interface ModelChoice {
  predictor: { algorithm: string; config: unknown };
  /** null: the predictor's own cause inference. */
  localizer: { algorithm: string; config: unknown } | null;
  /** Where the choice came from, for logs and live.json. */
  source: string;
}

interface BestFile {
  format?: string;
  scoringRules?: number;
  predictor?: { algorithm?: string; config?: unknown; meetsRule?: boolean } | null;
  noPredictor?: { why?: string } | null;
  localizer?: { algorithm?: string; config?: unknown } | null;
}

/** The newest *.best.json in `reportsDir`, or null. */
export function latestBestFile(reportsDir: string): string | null {
  if (!existsSync(reportsDir)) return null;
  const files = readdirSync(reportsDir)
    .filter((f) => f.endsWith('.best.json'))
    .map((f) => path.join(reportsDir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs || (a < b ? -1 : 1));
  return files[0] ?? null;
}

export function chooseModel(o: {
  model: string;
  localizer?: string;
  reportsDir: string;
  configs?: Record<string, unknown>;
}): ModelChoice {
  const localizerOf = (fallback: ModelChoice['localizer']): ModelChoice['localizer'] => {
    if (o.localizer === undefined) return fallback;
    if (o.localizer === 'own') return null;
    const def = getAlgorithm(o.localizer);
    if (def.kind !== 'localizer')
      throw new UserError(
        `--localizer ${o.localizer} is a ${def.kind}; localizers: ${names('localizer')}, or own`,
      );
    return { algorithm: def.name, config: o.configs?.[def.name] };
  };
  if (o.model === 'best') {
    const file = latestBestFile(o.reportsDir);
    if (!file)
      throw new UserError(
        `--model best: no comparison report names a best model yet (no *.best.json in ${o.reportsDir}); ` +
          'run `npm run experiment -- <name>` first, or pass --model <predictor>',
      );
    let best: BestFile;
    try {
      best = JSON.parse(readFileSync(file, 'utf8')) as BestFile;
    } catch (err) {
      throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
    }
    if (typeof best.scoringRules !== 'number' || best.scoringRules < 2)
      throw new UserError(
        `${file}: written under scoring rules version 1 (its verdict can name a predictor without a true positive); ` +
          'rebuild the report with `foreshock report`, or pass --model <predictor>',
      );
    const p = best.predictor;
    if (!p || typeof p.algorithm !== 'string' || p.meetsRule === false)
      throw new UserError(
        `${file}: no predictor meets the best-model rule${best.noPredictor?.why ? ` (${best.noPredictor.why})` : ''}; pass --model <predictor>`,
      );
    const l = best.localizer && typeof best.localizer.algorithm === 'string' ? best.localizer : null;
    return {
      predictor: { algorithm: getAlgorithm(p.algorithm).name, config: p.config },
      localizer: localizerOf(l ? { algorithm: getAlgorithm(l.algorithm!).name, config: l.config } : null),
      source: file,
    };
  }
  const def = getAlgorithm(o.model);
  if (def.kind !== 'predictor')
    throw new UserError(
      `--model ${o.model} is a ${def.kind}; live mode needs a predictor: ${names('predictor')}`,
    );
  return {
    predictor: { algorithm: def.name, config: o.configs?.[def.name] },
    localizer: localizerOf(null),
    source: `--model ${def.name}`,
  };
}

function names(kind: 'predictor' | 'localizer'): string {
  return listAlgorithms()
    .filter((d) => d.kind === kind)
    .map((d) => d.name)
    .join(', ');
}

export interface TrainedModel {
  predictor: Predictor;
  localizer: Localizer | null;
  metrics: string[];
  hosts: string[];
  edges: [string, string][];
  trainingSamples: number;
  /** What the model was fitted on: the replay of the live run (results.json) fits on the same. */
  training: TrainingData;
  /** Resolved configs, for live.json and the replay of the live run. */
  configs: Record<string, unknown>;
}

/** The samples a recorded run offers for training (see the header), with their SLO labels. */
export function trainingPart(ds: Dataset, metrics: readonly string[]): TrainingData {
  const m = ds.manifest;
  const normal = m.phases.find((p) => p.name === 'normal');
  const warm = m.phases.find((p) => p.name === 'warm-up');
  const period =
    m.faults.length === 0
      ? { start: warm ? warm.end : m.start, end: m.end }
      : normal
        ? { start: normal.start, end: normal.end }
        : null;
  if (!period)
    throw new UserError(`training dataset ${m.name}: it has faults but no normal phase to train on`);
  return trainingData(ds, metrics, period);
}

export function trainModel(choice: ModelChoice, trainDirs: readonly string[], seed: number): TrainedModel {
  if (trainDirs.length === 0)
    throw new UserError('live mode needs recorded datasets to train on: --train <dataset dir> (repeatable)');
  const datasets = trainDirs.map((d) => readDataset(d)).sort((a, b) => a.manifest.start - b.manifest.start);
  const first = datasets[0]!;
  const metrics = [...first.metrics.metrics];
  const hosts = [...new Set(datasets.flatMap((d) => d.metrics.hosts))].sort();
  const samples: Sample[] = [];
  let violations: Set<number> | null = null;
  for (const ds of datasets) {
    const part = trainingPart(ds, metrics);
    const lastTime = samples.length > 0 ? samples[samples.length - 1]!.time : -Infinity;
    if (part.samples.length > 0 && part.samples[0]!.time <= lastTime)
      throw new UserError(
        `training dataset ${ds.manifest.name} overlaps in time with another --train dataset`,
      );
    samples.push(...part.samples);
    if (part.sloViolations) {
      violations ??= new Set();
      for (const t of part.sloViolations) violations.add(t);
    }
  }
  if (samples.length === 0) throw new UserError(`the --train datasets hold no samples to train on`);
  const ctx: AlgorithmContext = { metrics, hosts, sampleIntervalMs: 1000, seed };
  const training: TrainingData = { samples, sloViolations: violations };
  const pdef = getAlgorithm(choice.predictor.algorithm);
  const pconfig = resolveConfig(pdef, choice.predictor.config);
  const predictor = pdef.create(pconfig, ctx) as Predictor;
  predictor.fit?.(training);
  const configs: Record<string, unknown> = { [pdef.name]: pconfig };
  let localizer: Localizer | null = null;
  if (choice.localizer) {
    const ldef = getAlgorithm(choice.localizer.algorithm);
    const lconfig = resolveConfig(ldef, choice.localizer.config);
    localizer = ldef.create(lconfig, ctx) as Localizer;
    localizer.fit?.(training);
    configs[ldef.name] = lconfig;
  }
  return {
    predictor,
    localizer,
    metrics,
    hosts,
    edges: first.manifest.dependencies,
    trainingSamples: samples.length,
    training,
    configs,
  };
}
