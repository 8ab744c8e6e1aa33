// FChain and the baselines it is compared with, as one list for the registry.

import { histogramDefinition } from '../baselines/histogram.ts';
import { palDefinition } from '../baselines/pal.ts';
import { topologyDefinition } from '../baselines/topology.ts';
import type { AlgorithmDefinition } from '../registry.ts';
import { fchainDefinition } from './index.ts';

export const FCHAIN_FAMILY: readonly AlgorithmDefinition[] = [
  fchainDefinition,
  palDefinition,
  histogramDefinition,
  topologyDefinition,
];
