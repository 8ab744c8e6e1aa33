// Integrated faulty-component pinpointing (algorithms.md §3.1 step 5, §3.3):
//   1. external-cause check: (nearly) every host changed abnormally at about the same time and the
//      same way (see externalCause): a workload change, no culprit;
//   2. sort the abnormal hosts by onset: the propagation chain; the earliest is faulty, and so is
//      every host within the concurrency gap of it (concurrent independent faults);
//   3. dependency filter: a later abnormal host that a dependency path links (either direction) to
//      a pinpointed host is a propagation victim; one with no such path is an independent fault
//      and is pinpointed too.

import type { Relation } from './dependencies.ts';

export interface HostOnset {
  host: string;
  /** Onset time (ms). */
  onset: number;
  /** The metric that gave the onset. */
  metric: string;
  /** Largest error / expected-error ratio over the host's metrics (a tie-breaker). */
  ratio: number;
  /** Direction (+1 / -1) of each abnormal metric's change. */
  directions: ReadonlyMap<string, number>;
}

export interface PinpointOptions {
  concurrencyMs: number;
  externalShare: number;
  externalSpreadMs: number;
}

export interface PinpointResult {
  /** Abnormal hosts in onset order (the propagation chain). */
  chain: HostOnset[];
  pinpointed: string[];
  /** Set when the external-cause check fired: the shared (metric, direction). */
  external: { metric: string; direction: number } | null;
}

export function pinpoint(
  abnormal: readonly HostOnset[],
  totalHosts: number,
  relation: Relation,
  opts: PinpointOptions,
): PinpointResult {
  const chain = [...abnormal].sort(
    (a, b) => a.onset - b.onset || b.ratio - a.ratio || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0),
  );
  if (chain.length === 0) return { chain, pinpointed: [], external: null };
  const external = externalCause(chain, totalHosts, opts);
  if (external) return { chain, pinpointed: [], external };

  const first = chain[0]!.onset;
  const pinpointed: string[] = [];
  for (const c of chain) {
    if (c.onset - first <= opts.concurrencyMs) pinpointed.push(c.host);
    else if (!pinpointed.some((f) => relation.related(f, c.host))) pinpointed.push(c.host);
  }
  return { chain, pinpointed, external: null };
}

/**
 * The external-cause check: the hosts whose onsets lie within externalSpreadS of the earliest one
 * changed together; when they are at least externalShare of all hosts (and two or more), no metric
 * moved up on one of them and down on another, and one (metric, direction) is shared by more than
 * half of them, it is a workload change. Returns that (metric, direction), else null.
 */
export function externalCause(
  chain: readonly HostOnset[],
  totalHosts: number,
  opts: PinpointOptions,
): { metric: string; direction: number } | null {
  if (chain.length === 0) return null;
  const first = chain[0]!.onset;
  const together = chain.filter((h) => h.onset - first <= opts.externalSpreadMs);
  if (together.length < 2 || together.length < opts.externalShare * totalHosts) return null;
  const votes = new Map<string, { up: number; down: number }>();
  for (const h of together) {
    for (const [metric, direction] of h.directions) {
      let v = votes.get(metric);
      if (!v) votes.set(metric, (v = { up: 0, down: 0 }));
      if (direction > 0) v.up++;
      else if (direction < 0) v.down++;
    }
  }
  let best: { metric: string; direction: number; count: number } | null = null;
  for (const metric of [...votes.keys()].sort()) {
    const v = votes.get(metric)!;
    if (v.up > 0 && v.down > 0) return null; // one host up, another down: not one shared trend
    const count = Math.max(v.up, v.down);
    if (!best || count > best.count) best = { metric, direction: v.up > 0 ? 1 : -1, count };
  }
  if (!best || best.count * 2 <= together.length) return null;
  return { metric: best.metric, direction: best.direction };
}
