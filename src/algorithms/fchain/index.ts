// FChain's registry entry. See localizer.ts for the pipeline and docs/fchain.md for the user guide.

import type { AlgorithmDefinition } from '../registry.ts';
import { FChainLocalizer } from './localizer.ts';
import { FCHAIN_PARAMS, type FChainConfig } from './params.ts';

export { FChainLocalizer, NOTE_EXTERNAL, NOTE_INFERRED, NOTE_NO_CHANGE } from './localizer.ts';
export { FCHAIN_PARAMS, type FChainConfig } from './params.ts';

export const fchainDefinition: AlgorithmDefinition = {
  name: 'fchain',
  kind: 'localizer',
  summary:
    "FChain (ICDCS'13): abnormal change-point onsets per host, onset order + dependency filter, external-cause check",
  params: FCHAIN_PARAMS,
  create: (config, ctx) => new FChainLocalizer(config as FChainConfig, ctx),
  load: (state, ctx) =>
    new FChainLocalizer(
      state.config as FChainConfig,
      ctx,
      state.state as ConstructorParameters<typeof FChainLocalizer>[2],
    ),
};
