// The algorithm registry: names -> factories with typed, validated configs. The replay engine, the
// CLI and the contract test suite only ever reach algorithms through here.

import type { Algorithm, AlgorithmContext, AlgorithmState } from '../core/algorithm.ts';
import type { ParamSpecs } from '../core/config.ts';
import { validateConfig } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import { thresholdDefinition } from './baselines/threshold.ts';
import { zscoreDefinition } from './baselines/zscore.ts';
import { randomLocalizerDefinition, randomPredictorDefinition } from './baselines/random.ts';
import { prepareDefinition } from './prepare/predictor.ts';
import { ublDefinition } from './ubl/ubl.ts';
import { FCHAIN_FAMILY } from './fchain/family.ts';
import { DETECTOR_DEFINITIONS } from './detectors/index.ts';
import { baroPlusDefinition } from './own/baro-plus.ts';

export interface AlgorithmDefinition {
  name: string;
  kind: 'predictor' | 'localizer';
  summary: string;
  params: ParamSpecs;
  /** Builds a fresh instance from an already validated config. */
  create(config: Record<string, unknown>, ctx: AlgorithmContext): Algorithm;
  /** Rebuilds an instance from toJSON() output (same future outputs as the original). */
  load(state: AlgorithmState, ctx: AlgorithmContext): Algorithm;
}

const DEFINITIONS: readonly AlgorithmDefinition[] = [
  thresholdDefinition,
  zscoreDefinition,
  ublDefinition,
  prepareDefinition,
  ...FCHAIN_FAMILY,
  baroPlusDefinition,
  ...DETECTOR_DEFINITIONS,
  // The chance floor (evaluation.md v2): run in every default replay.
  randomPredictorDefinition,
  randomLocalizerDefinition,
];

export function listAlgorithms(): readonly AlgorithmDefinition[] {
  return DEFINITIONS;
}

export function getAlgorithm(name: string): AlgorithmDefinition {
  const def = DEFINITIONS.find((d) => d.name === name);
  if (!def) {
    throw new ConfigError(
      `unknown algorithm "${name}" (known: ${DEFINITIONS.map((d) => d.name).join(', ')})`,
    );
  }
  return def;
}

/**
 * Checks a per-algorithm config map (`--config`): an object whose keys name algorithms (a misspelt
 * name would otherwise leave that algorithm on its defaults without a word, issue 26) and whose
 * values are valid configs. Messages start with `origin` (the file), so the user knows where to look.
 */
export function checkConfigKeys(configs: unknown, origin: string): void {
  if (configs === undefined) return;
  if (typeof configs !== 'object' || configs === null || Array.isArray(configs))
    throw new ConfigError(`${origin}: expected an object keyed by algorithm name`);
  for (const [key, value] of Object.entries(configs)) {
    const def = DEFINITIONS.find((d) => d.name === key);
    if (!def) {
      throw new ConfigError(
        `${origin}: "${key.slice(0, 200)}" names no algorithm (known: ${DEFINITIONS.map((d) => d.name).join(', ')})`,
      );
    }
    try {
      resolveConfig(def, value);
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(`${origin}: ${err.message}`);
      throw err;
    }
  }
}

export function resolveConfig(def: AlgorithmDefinition, raw: unknown): Record<string, unknown> {
  return validateConfig(`algorithm ${def.name}`, def.params, raw);
}

export function createAlgorithm(name: string, rawConfig: unknown, ctx: AlgorithmContext): Algorithm {
  const def = getAlgorithm(name);
  return def.create(resolveConfig(def, rawConfig), ctx);
}

export function loadAlgorithm(state: AlgorithmState, ctx: AlgorithmContext): Algorithm {
  const def = getAlgorithm(state.algorithm);
  return def.load(state, ctx);
}
