// The streaming detectors written for the external benchmarks (NAB, SMD); see docs/benchmarks.md.
import type { AlgorithmDefinition } from '../registry.ts';
import { ensembleDefinition } from './ensemble.ts';
import { matrixProfileDefinition } from './matrix-profile.ts';
import { windowedGaussianDefinition } from './windowed-gaussian.ts';

export const DETECTOR_DEFINITIONS: readonly AlgorithmDefinition[] = [
  windowedGaussianDefinition,
  matrixProfileDefinition,
  ensembleDefinition,
];
