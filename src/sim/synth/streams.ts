// Independent random streams for the synthetic generator.
//
// Every consumer (the workload, the topology, one host's noise, ...) draws from its own stream named by a
// label, derived from a *fresh* root generator each time: `createRng(seed).fork(label)`. Forking from one
// shared root would make a stream depend on how many forks came before it; this way a stream depends only
// on (seed, label), so adding a host or a new consumer never changes the numbers anyone else draws.

import { createRng, type Rng } from '../../core/rng.ts';

export function stream(seed: number, label: string): Rng {
  return createRng(seed).fork(label);
}
