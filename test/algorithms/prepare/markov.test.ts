// Markov attribute-value prediction: transition estimates, multi-step distributions against
// hand-computed chains, the precomputed look-ahead table, and what the second order buys.
import { describe, expect, it } from 'vitest';
import { MarkovChain, MarkovCounter, type MarkovOptions } from '../../../src/algorithms/prepare/markov.ts';

/** Counts as the flat tuples MarkovChain takes: first = [b, c, n...], second = [a, b, c, n...]. */
function chainFrom(
  opts: MarkovOptions,
  second: [number, number, number, number][],
  first: [number, number, number][],
  horizon = 1,
  how: 'mode' | 'mean' = 'mode',
) {
  return new MarkovChain(opts, { first: first.flat(), second: second.flat() }, horizon, how);
}

describe('first-order chain', () => {
  // P = [[.5 .5 0] [0 .5 .5] [.5 0 .5]] from counts, no smoothing.
  const opts: MarkovOptions = { order: 1, states: 3, alpha: 0, prior: 'uniform' };
  const first: [number, number, number][] = [
    [0, 0, 1],
    [0, 1, 1],
    [1, 1, 1],
    [1, 2, 1],
    [2, 0, 1],
    [2, 2, 1],
  ];

  it('estimates transitions from counts', () => {
    const chain = chainFrom(opts, [], first);
    expect(chain.transition(-1, 0, 0)).toBe(0.5);
    expect(chain.transition(-1, 0, 2)).toBe(0);
    expect(chain.transition(-1, 2, 0)).toBe(0.5);
  });

  it('matches P^k by hand: 2 steps from 0 = [.25 .5 .25], 3 steps = [.25 .375 .375]', () => {
    const chain = chainFrom(opts, [], first);
    const two = chain.distribution(-1, 0, 2);
    const three = chain.distribution(-1, 0, 3);
    [0.25, 0.5, 0.25].forEach((p, c) => expect(two[c]).toBeCloseTo(p, 12));
    [0.25, 0.375, 0.375].forEach((p, c) => expect(three[c]).toBeCloseTo(p, 12));
  });

  it('smoothing: alpha pseudo-counts spread like the prior row (persist = on the same state)', () => {
    const persist = chainFrom({ ...opts, alpha: 2, prior: 'persist' }, [], first);
    // Row 0: counts (1, 1, 0) + 2 on state 0 -> (3, 1, 0) / 4.
    expect(persist.transition(-1, 0, 0)).toBeCloseTo(0.75, 12);
    const uniform = chainFrom({ ...opts, alpha: 3, prior: 'uniform' }, [], first);
    expect(uniform.transition(-1, 0, 2)).toBeCloseTo(1 / 5, 12);
  });
});

describe('second-order (2-dependent) chain', () => {
  // P(c | a, b), S = 2: (0,0) -> [.9 .1], (0,1) -> [.2 .8], (1,0) -> [.7 .3], (1,1) -> [.4 .6].
  const opts: MarkovOptions = { order: 2, states: 2, alpha: 0, prior: 'persist' };
  const second: [number, number, number, number][] = [
    [0, 0, 0, 9],
    [0, 0, 1, 1],
    [0, 1, 0, 2],
    [0, 1, 1, 8],
    [1, 0, 0, 7],
    [1, 0, 1, 3],
    [1, 1, 0, 4],
    [1, 1, 1, 6],
  ];
  const first: [number, number, number][] = [
    [0, 0, 16],
    [0, 1, 4],
    [1, 0, 6],
    [1, 1, 14],
  ];

  it('matches the pair-state chain by hand', () => {
    const chain = chainFrom(opts, second, first);
    // From (s_t-1, s_t) = (0, 1): step 1 -> (1,0) .2, (1,1) .8; step 2 -> P(0) = .2*.7 + .8*.4 = .46.
    const two = chain.distribution(0, 1, 2);
    expect(two[0]).toBeCloseTo(0.46, 12);
    expect(two[1]).toBeCloseTo(0.54, 12);
    // Step 3: pairs (0,0) .14, (0,1) .06, (1,0) .32, (1,1) .48 -> P(0) = .126 + .012 + .224 + .192.
    const three = chain.distribution(0, 1, 3);
    expect(three[0]).toBeCloseTo(0.554, 12);
    expect(three[1]).toBeCloseTo(0.446, 12);
  });

  it('the precomputed look-ahead table agrees with forward propagation for every start pair', () => {
    for (const horizon of [1, 2, 3, 7]) {
      const chain = chainFrom(opts, second, first, horizon);
      for (let a = 0; a < 2; a++) {
        for (let b = 0; b < 2; b++) {
          const dist = chain.distribution(a, b, horizon);
          expect(chain.predict(a, b)).toBe(dist[1]! > dist[0]! ? 1 : 0);
        }
      }
    }
    // The mode from (0, 1) is 1 two steps ahead and 0 three steps ahead (hand computation above).
    expect(chainFrom(opts, second, first, 2).predict(0, 1)).toBe(1);
    expect(chainFrom(opts, second, first, 3).predict(0, 1)).toBe(0);
  });

  it('a pair never seen in training backs off to the first-order row', () => {
    const chain = chainFrom({ ...opts, alpha: 1 }, [[0, 0, 0, 5]], first);
    expect(chain.transition(1, 1, 0)).toBeCloseTo(chain.transition(-1, 1, 0), 12);
    // A seen pair mixes its counts with alpha x the first-order row: (5 + 1 * P1(0|0)) / 6.
    expect(chain.transition(0, 0, 0)).toBeCloseTo((5 + (16 + 1) / 21) / 6, 12);
  });
});

describe('trend: what the second order adds', () => {
  /** A triangle wave 0 1 2 3 4 3 2 1 0 1 ...: at state 2 the next state depends on the direction. */
  function counted(order: 1 | 2): MarkovChain {
    const opts: MarkovOptions = { order, states: 5, alpha: 0.1, prior: 'persist' };
    const counter = new MarkovCounter(opts);
    const wave = [0, 1, 2, 3, 4, 3, 2, 1];
    const seq = Array.from({ length: 400 }, (_, i) => wave[i % wave.length]!);
    for (let i = 1; i < seq.length; i++) counter.add(i >= 2 ? seq[i - 2]! : -1, seq[i - 1]!, seq[i]!);
    return new MarkovChain(opts, counter.toState(), 2, 'mode');
  }

  it('order 2 tells rising from falling at the same level; order 1 cannot', () => {
    const second = counted(2);
    expect(second.predict(1, 2)).toBe(4); // rising: 2 -> 3 -> 4
    expect(second.predict(3, 2)).toBe(0); // falling: 2 -> 1 -> 0
    const first = counted(1);
    expect(first.predict(1, 2)).toBe(first.predict(3, 2));
  });

  it('horizon 0 predicts the current state; "mean" rounds the expected state', () => {
    const opts: MarkovOptions = { order: 1, states: 3, alpha: 0, prior: 'uniform' };
    const chain0 = new MarkovChain(opts, { first: [0, 2, 1, 1, 2, 1, 2, 2, 1], second: [] }, 0, 'mode');
    expect(chain0.predict(-1, 1)).toBe(1);
    // From 0: 1 step -> state 2 surely; the mean of a point mass is that state.
    const chain1 = new MarkovChain(
      opts,
      { first: [0, 2, 1, 1, 0, 1, 1, 2, 1, 2, 2, 1], second: [] },
      1,
      'mean',
    );
    expect(chain1.predict(-1, 0)).toBe(2);
    // From 1: .5 on 0, .5 on 2 -> mean 1.
    expect(chain1.predict(-1, 1)).toBe(1);
  });
});
