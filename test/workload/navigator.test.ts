// The session walk (navigator) against the transition tables: exact semantics on small synthetic
// tables, and over 100,000 simulated transitions the interaction mix matches the table's
// stationary distribution (computed without simulation) within a stated tolerance.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.ts';
import { Navigator, type Step } from '../../src/workload/emulator/navigator.ts';
import {
  effectiveDistribution,
  stationaryMix,
  type StationaryMix,
} from '../../src/workload/emulator/stationary.ts';
import {
  BACK,
  END,
  parseTransitionTable,
  readTransitionTable,
  type TransitionTable,
} from '../../src/workload/emulator/transitions.ts';
import { INTERACTIONS, INTERACTION_INDEX as I } from '../../src/workload/interactions.ts';
import { HAVE_RUBIS, RUBIS, rubisTitle, tableText } from './helpers.ts';

/** A table where every column is given by `col(from)` as [destination, probability] pairs. */
function synthetic(col: (from: number) => [number, number][]): TransitionTable {
  return parseTransitionTable(
    tableText((from, to) => col(from).find(([d]) => d === to)?.[1] ?? 0),
    'synthetic.txt',
  );
}

/** A generator whose next() returns the given values in turn. */
function scripted(values: number[]): ReturnType<typeof createRng> {
  const rng = createRng(1);
  let i = 0;
  return { ...rng, next: () => values[i++ % values.length]! };
}

function simulate(table: TransitionTable, transitions: number, seed: number): number[] {
  const nav = new Navigator(table, createRng(seed));
  const counts = new Array<number>(INTERACTIONS.length).fill(0);
  counts[nav.state]!++;
  for (let i = 1; i < transitions; i++) counts[nav.next().state]!++;
  return counts.map((c) => c / transitions);
}

function maxDeviation(share: number[], expected: StationaryMix): { dev: number; at: string } {
  let dev = 0;
  let at = '';
  INTERACTIONS.forEach((name, i) => {
    const d = Math.abs(share[i]! - expected.mix[name]);
    if (d > dev) {
      dev = d;
      at = name;
    }
  });
  return { dev, at };
}

describe('navigator semantics', () => {
  it('walks destinations in file order and takes the first cumulative sum above u', () => {
    // Home: Register 0.3, Browse 0.5, Sell 0.4 (sums to 1.2: Sell is reachable only for u in [0.8, 1)).
    const t = synthetic((from) =>
      from === I.Home
        ? [
            [I.Register, 0.3],
            [I.Browse, 0.5],
            [I.Sell, 0.4],
          ]
        : [[END, 1]],
    );
    const pick = (u: number): number => new Navigator(t, scripted([u])).next().state;
    expect(pick(0)).toBe(I.Register);
    expect(pick(0.2999)).toBe(I.Register);
    expect(pick(0.3)).toBe(I.Browse);
    expect(pick(0.7999)).toBe(I.Browse);
    expect(pick(0.8)).toBe(I.Sell);
    expect(effectiveDistribution(t.prob[I.Home]!).dest[I.Sell]).toBeCloseTo(0.2, 12);
  });

  it('stays on the page with the residual of a column summing below 1', () => {
    const t = synthetic((from) => (from === I.Home ? [[I.Browse, 0.6]] : [[END, 1]]));
    const nav = new Navigator(t, scripted([0.7]));
    const step = nav.next();
    expect(step).toMatchObject({ state: I.Home, kind: 'stay' });
    expect(effectiveDistribution(t.prob[I.Home]!).stay).toBeCloseTo(0.4, 12);
  });

  it('keeps a back stack, clears it on entering a state without Back, and goes Home on an empty stack', () => {
    // Home -> SearchItemsInCategory (no Back) -> ViewItem (Back 0.5) -> ViewUserInfo (Back 1).
    const t = synthetic((from) => {
      if (from === I.Home) return [[I.SearchItemsInCategory, 1]];
      if (from === I.SearchItemsInCategory) return [[I.ViewItem, 1]];
      if (from === I.ViewItem)
        return [
          [I.ViewUserInfo, 0.5],
          [BACK, 0.5],
        ];
      if (from === I.ViewUserInfo) return [[BACK, 1]];
      return [[END, 1]];
    });
    // u = 0.1 everywhere: ViewItem picks ViewUserInfo; then Back, Back.
    const nav = new Navigator<string>(t, scripted([0.1, 0.1, 0.1, 0.9, 0.9]));
    expect(nav.next('/home').state).toBe(I.SearchItemsInCategory);
    expect(nav.stackDepth).toBe(1); // cleared (no Back), then Home pushed
    expect(nav.next('/search').state).toBe(I.ViewItem);
    expect(nav.stackDepth).toBe(2);
    expect(nav.next('/item').state).toBe(I.ViewUserInfo);
    const back1 = nav.next('/user');
    expect(back1).toMatchObject({ state: I.ViewItem, kind: 'back', payload: '/item' });
    const back2 = nav.next('/item');
    expect(back2).toMatchObject({ state: I.SearchItemsInCategory, kind: 'back', payload: '/search' });
    // Forced back (an empty page) from Search returns to where it came from: Home.
    expect(nav.back()).toMatchObject({ state: I.Home, payload: '/home' });
    // And with nothing left, Back goes Home.
    expect(nav.back()).toMatchObject({ state: I.Home, payload: undefined });
  });

  it('ends a session at End of Session or after maxTransitions requests', () => {
    const loop = synthetic((from) =>
      from === I.Home ? [[I.Browse, 1]] : from === I.Browse ? [[I.Home, 1]] : [[END, 1]],
    );
    const nav = new Navigator(loop, createRng(3), { maxTransitions: 5 });
    const steps: Step<undefined>[] = [];
    for (let i = 0; i < 5; i++) steps.push(nav.next());
    expect(steps.map((s) => s.kind)).toEqual(['forward', 'forward', 'forward', 'forward', 'new-session']);
    expect(steps[4]).toMatchObject({ state: I.Home, endedBy: 'max-transitions' });
    const ends = synthetic((from) => (from === I.Home ? [[END, 1]] : [[END, 1]]));
    expect(new Navigator(ends, createRng(1)).next()).toMatchObject({
      kind: 'new-session',
      endedBy: 'end-of-session',
    });
  });

  it('is deterministic by seed', () => {
    if (!HAVE_RUBIS) return;
    const t = readTransitionTable(path.join(RUBIS, 'default_transitions.txt'));
    expect(simulate(t, 2000, 7)).toEqual(simulate(t, 2000, 7));
    expect(simulate(t, 2000, 7)).not.toEqual(simulate(t, 2000, 8));
  });
});

describe.skipIf(!HAVE_RUBIS)(rubisTitle('interaction mix vs. the stationary distribution'), () => {
  const bidding = HAVE_RUBIS ? readTransitionTable(path.join(RUBIS, 'default_transitions.txt')) : null;
  const browsing = HAVE_RUBIS ? readTransitionTable(path.join(RUBIS, 'browse_only_transitions.txt')) : null;
  const bidMix = bidding ? stationaryMix(bidding) : null;
  const browseMix = browsing ? stationaryMix(browsing) : null;

  // Tolerances (absolute difference of each interaction's share, 100,000 transitions). Bidding
  // sessions average ~51 requests, so 100k transitions are ~2,000 independent sessions and the
  // largest deviation seen over seeds 1-4 is 0.0034: tolerance 0.01. Browsing sessions average
  // ~450 requests (only ~220 sessions in 100k transitions; the category/region choice holds for a
  // whole session), largest deviation seen 0.014: tolerance 0.03. At 2,000,000 transitions both
  // fall to ~0.002.
  const BIDDING_TOLERANCE = 0.01;
  const BROWSING_TOLERANCE = 0.03;

  it('matches the bidding mix within 0.01 per interaction', () => {
    const { dev, at } = maxDeviation(simulate(bidding!, 100_000, 1), bidMix!);
    expect(dev, `largest deviation at ${at}`).toBeLessThan(BIDDING_TOLERANCE);
  });

  it('matches the browsing mix within 0.03 per interaction', () => {
    const { dev, at } = maxDeviation(simulate(browsing!, 100_000, 1), browseMix!);
    expect(dev, `largest deviation at ${at}`).toBeLessThan(BROWSING_TOLERANCE);
  });

  it('tells the two mixes apart (the comparison can fail)', () => {
    expect(maxDeviation(simulate(bidding!, 100_000, 1), browseMix!).dev).toBeGreaterThan(BROWSING_TOLERANCE);
    expect(maxDeviation(simulate(browsing!, 100_000, 1), bidMix!).dev).toBeGreaterThan(BROWSING_TOLERANCE);
  });

  it("reproduces the spec's mix facts: bidding ~9% writes and ~52 requests per session", () => {
    expect(bidMix!.writeShare).toBeGreaterThan(0.085);
    expect(bidMix!.writeShare).toBeLessThan(0.1);
    expect(bidMix!.meanSessionLength).toBeGreaterThan(48);
    expect(bidMix!.meanSessionLength).toBeLessThan(56);
    const sum = Object.values(bidMix!.mix).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 12);
  });

  it("reproduces the spec's mix facts: browsing is read-only, ~34% SearchItemsInCategory, ~35% ViewItem", () => {
    expect(browseMix!.writeShare).toBe(0);
    expect(browseMix!.mix.SearchItemsInCategory).toBeGreaterThan(0.32);
    expect(browseMix!.mix.SearchItemsInCategory).toBeLessThan(0.36);
    expect(browseMix!.mix.ViewItem).toBeGreaterThan(0.33);
    expect(browseMix!.mix.ViewItem).toBeLessThan(0.37);
    // The 1000-transition cap shortens browsing sessions (uncapped they would average ~540).
    expect(browseMix!.meanSessionLength).toBeLessThan(500);
    expect(browseMix!.meanSessionLength).toBeGreaterThan(400);
  });
});
