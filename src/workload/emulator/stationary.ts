// The long-run interaction mix a transition table implies under the navigator's semantics
// (navigator.ts), computed without simulation: the stationary distribution of the Markov chain whose
// state is (current page, back stack).
//
// The stack makes the chain larger than 27 states, but only part of it matters: Back is only ever
// drawn in a state whose Back probability is > 0, and popping stops at the first entry whose state
// has Back probability 0, so entries below the topmost such entry are never used again, and in a
// state with Back probability 0 the whole stack is irrelevant (the next forward move either clears
// it or pushes that state on top). Cutting those entries off gives an equivalent chain that is small
// for RUBiS's tables (hundreds to thousands of configurations). Sessions are independent and
// identically distributed (each starts at Home with an empty stack), so by the renewal-reward theorem
// the long-run share of a page is its expected visits per session over the expected session length;
// both come from propagating the exact distribution of a session's first 1000 requests (RUBiS's cap,
// which matters for the browsing mix, whose uncapped sessions average ~540 requests). Not modelled:
// Back forced by empty pages (that depends on the data, not the table).

import { INTERACTION_COUNT, INTERACTIONS, WRITE_INTERACTIONS, type Interaction } from '../interactions.ts';
import { DEFAULT_MAX_STACK, DEFAULT_MAX_TRANSITIONS, HOME } from './navigator.ts';
import { BACK, type TransitionTable } from './transitions.ts';

export interface StationaryMix {
  /** Long-run share of requests per interaction (sums to 1). */
  mix: Record<Interaction, number>;
  /** Mean requests per session (End of Session or the transition cap, whichever comes first). */
  meanSessionLength: number;
  /** Long-run share of requests to pages that write (WRITE_INTERACTIONS). */
  writeShare: number;
  /** Configurations (page, relevant back stack) of the chain. */
  configurations: number;
  /** Requests per session propagated (stops early once sessions have all ended). */
  iterations: number;
}

/** Effective probability of each destination under "first cumulative sum above u" selection. */
export function effectiveDistribution(column: readonly number[]): { dest: number[]; stay: number } {
  const dest = new Array<number>(column.length).fill(0);
  let cumulative = 0;
  for (let to = 0; to < column.length; to++) {
    const before = Math.min(cumulative, 1);
    cumulative += column[to]!;
    dest[to] = Math.min(cumulative, 1) - before;
  }
  return { dest, stay: Math.max(0, 1 - cumulative) };
}

interface Config {
  state: number;
  stack: number[];
}

export interface StationaryOptions {
  maxStack?: number;
  /** Requests per session at most (RUBiS: 1000). */
  maxTransitions?: number;
  /** Stop early once less than this probability mass is still in the session. */
  tolerance?: number;
  /** Refuse tables whose relevant chain is larger than this (a malformed table could explode it). */
  maxConfigurations?: number;
}

export function stationaryMix(table: TransitionTable, options: StationaryOptions = {}): StationaryMix {
  const maxStack = options.maxStack ?? DEFAULT_MAX_STACK;
  const maxTransitions = options.maxTransitions ?? DEFAULT_MAX_TRANSITIONS;
  const tolerance = options.tolerance ?? 1e-15;
  const maxConfigurations = options.maxConfigurations ?? 200_000;
  const zeroBack = (s: number): boolean => table.backProb[s] === 0;

  const canonical = (state: number, stack: number[]): Config => {
    if (zeroBack(state)) return { state, stack: [] };
    let cut = 0;
    for (let i = stack.length - 1; i >= 0; i--) {
      if (zeroBack(stack[i]!)) {
        cut = i;
        break;
      }
    }
    return { state, stack: stack.slice(cut) };
  };
  const key = (c: Config): string => `${c.state}:${c.stack.join(',')}`;

  const configs: Config[] = [];
  const index = new Map<string, number>();
  const intern = (c: Config): number => {
    const k = key(c);
    let i = index.get(k);
    if (i === undefined) {
      i = configs.length;
      if (i >= maxConfigurations) {
        throw new Error(`${table.file}: the back-stack chain exceeds ${maxConfigurations} configurations`);
      }
      configs.push(c);
      index.set(k, i);
    }
    return i;
  };
  // Sparse rows: for each configuration, successor indices and probabilities (End of Session has no
  // successor: its mass leaves the session).
  const succ: number[][] = [];
  const succP: number[][] = [];
  const distributions = table.prob.map((column) => effectiveDistribution(column));

  intern({ state: HOME, stack: [] });
  for (let i = 0; i < configs.length; i++) {
    const { state, stack } = configs[i]!;
    const { dest, stay } = distributions[state]!;
    const targets = new Map<number, number>();
    const add = (c: Config, p: number): void => {
      if (p <= 0) return;
      const j = intern(c);
      targets.set(j, (targets.get(j) ?? 0) + p);
    };
    const forward = (to: number, p: number): void => {
      const next = zeroBack(to) ? [state] : [...stack, state];
      add(canonical(to, next.length > maxStack ? next.slice(next.length - maxStack) : next), p);
    };
    for (let to = 0; to < INTERACTION_COUNT; to++) forward(to, dest[to]!);
    forward(state, stay);
    if (dest[BACK]! > 0) {
      if (stack.length === 0) add({ state: HOME, stack: [] }, dest[BACK]!);
      else add(canonical(stack[stack.length - 1]!, stack.slice(0, -1)), dest[BACK]!);
    }
    succ.push([...targets.keys()]);
    succP.push([...targets.values()]);
  }

  // Renewal-reward: sessions are independent and identically distributed (each starts at Home with
  // an empty stack), so the long-run share of a page is its expected visits per session over the
  // expected session length. Visits come from propagating the distribution of the first
  // `maxTransitions` requests; End of Session takes its mass out of the session.
  const n = configs.length;
  let dist = new Float64Array(n);
  dist[0] = 1;
  const visits = new Float64Array(n);
  let iterations = 0;
  for (let t = 0; t < maxTransitions; t++) {
    let alive = 0;
    for (let i = 0; i < n; i++) {
      visits[i]! += dist[i]!;
      alive += dist[i]!;
    }
    iterations = t + 1;
    if (alive < tolerance || t === maxTransitions - 1) break;
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const mass = dist[i]!;
      if (mass === 0) continue;
      const js = succ[i]!;
      const ps = succP[i]!;
      for (let k = 0; k < js.length; k++) next[js[k]!]! += mass * ps[k]!;
    }
    dist = next;
  }

  const byState = new Array<number>(INTERACTION_COUNT).fill(0);
  for (let i = 0; i < n; i++) byState[configs[i]!.state]! += visits[i]!;
  const total = byState.reduce((a, b) => a + b, 0);
  const mix = Object.fromEntries(INTERACTIONS.map((name, s) => [name, byState[s]! / total])) as Record<
    Interaction,
    number
  >;
  let writeShare = 0;
  for (const w of WRITE_INTERACTIONS) writeShare += mix[w];
  return {
    mix,
    meanSessionLength: total,
    writeShare,
    configurations: n,
    iterations,
  };
}
