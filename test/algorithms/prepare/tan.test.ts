// The TAN classifier: Chow-Liu structure learning on conditional mutual information, smoothing, and
// the per-attribute evidence used by cause inference.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.ts';
import {
  BayesClassifier,
  chowLiuTree,
  conditionalMutualInformation,
  type ClassifierOptions,
} from '../../../src/algorithms/prepare/tan.ts';

const S = 3;
const opts = (structure: 'tan' | 'naive-bayes'): ClassifierOptions => ({
  structure,
  states: S,
  laplace: 1,
  prior: 'empirical',
  noveltyMix: null,
  parentShrinkage: 5,
});

/**
 * Samples from a known tree-structured class-conditional distribution over 5 attributes:
 *   C -> X0;  X0 -> X1, X0 -> X2, X1 -> X3, X3 -> X4  (every attribute also depends on C).
 * A child copies its parent with probability 0.8 (else uniform), shifted by one state when abnormal.
 */
function treeSamples(n: number, seed: number) {
  const rng = createRng(seed);
  const parent = [-1, 0, 0, 1, 3];
  const d = parent.length;
  const states = new Int16Array(n * d);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.next() < 0.3 ? 1 : 0;
    labels[i] = c;
    for (let j = 0; j < d; j++) {
      const p = parent[j]!;
      let x: number;
      if (p < 0) x = c === 1 ? (rng.next() < 0.7 ? 2 : rng.int(S)) : rng.next() < 0.7 ? 0 : rng.int(S);
      else x = rng.next() < 0.8 ? (states[i * d + p]! + c) % S : rng.int(S);
      states[i * d + j] = x;
    }
  }
  return { states, labels, d, parent };
}

describe('Chow-Liu tree on I(X_i; X_j | C)', () => {
  it('recovers the tree of a hand-built distribution', () => {
    const { states, labels, d, parent } = treeSamples(4000, 3);
    const tan = BayesClassifier.train(opts('tan'), states, labels, d);
    // Rooted at attribute 0 like the generating tree, so the directed parents must match exactly.
    expect([...tan.parent]).toEqual(parent);
  });

  it('naive Bayes (ablation) has no attribute parents', () => {
    const { states, labels, d } = treeSamples(500, 4);
    expect([...BayesClassifier.train(opts('naive-bayes'), states, labels, d).parent]).toEqual([
      -1, -1, -1, -1, -1,
    ]);
  });

  it('spans the maximum-weight tree (Prim, deterministic ties)', () => {
    // Weights: a chain 0-1-2-3 is heaviest; 0-3 is light.
    const w: Record<string, number> = { '0,1': 5, '1,2': 4, '2,3': 3, '0,2': 1, '0,3': 0.5, '1,3': 1 };
    expect(chowLiuTree(4, (i, j) => w[`${i},${j}`]!)).toEqual([-1, 0, 1, 2]);
    expect(chowLiuTree(1, () => 0)).toEqual([-1]);
  });

  it('conditional mutual information: 0 for independent attributes, log S for copies', () => {
    const joint = new Float64Array(2 * S * S);
    // Within each class, X_j = X_i (uniform): I = log 3.
    for (let c = 0; c < 2; c++) for (let a = 0; a < S; a++) joint[(c * S + a) * S + a] = 10;
    expect(conditionalMutualInformation(joint, S)).toBeCloseTo(Math.log(S), 10);
    joint.fill(10); // product distribution
    expect(conditionalMutualInformation(joint, S)).toBeCloseTo(0, 12);
  });
});

describe('classifier evidence', () => {
  it('log-odds = log prior odds + the sum of per-attribute LLRs, and points at the abnormal states', () => {
    const { states, labels, d } = treeSamples(3000, 5);
    const tan = BayesClassifier.train(opts('tan'), states, labels, d);
    const normalLike = [0, 0, 0, 0, 0];
    const abnormalLike = [2, 0, 0, 1, 2]; // root 2, children = parent + 1 (mod 3)
    expect(tan.logOdds(abnormalLike)).toBeGreaterThan(0);
    expect(tan.logOdds(normalLike)).toBeLessThan(0);
    let sum = tan.logPriorOdds;
    for (let j = 0; j < d; j++) sum += tan.attributeLlr(abnormalLike, j);
    expect(tan.logOdds(abnormalLike)).toBeCloseTo(sum, 12);
    expect(tan.logPriorOdds).toBeCloseTo(Math.log(0.3 / 0.7), 1);
  });

  it('an attribute that never changed in training contributes nothing', () => {
    const n = 200;
    const states = new Int16Array(n * 2);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 4 === 0 ? 1 : 0;
      states[i * 2] = labels[i]! ? 2 : 0; // informative
      states[i * 2 + 1] = 1; // constant
    }
    const tan = BayesClassifier.train(opts('tan'), states, labels, 2);
    expect(tan.attributeLlr([0, 1], 1)).toBe(0);
    expect(tan.attributeLlr([2, 1], 1)).toBe(0);
    expect(tan.attributeLlr([2, 1], 0)).toBeGreaterThan(2);
  });

  it('round-trips through its counts', () => {
    const { states, labels, d } = treeSamples(300, 6);
    const tan = BayesClassifier.train(opts('tan'), states, labels, d);
    const copy = new BayesClassifier(opts('tan'), JSON.parse(JSON.stringify(tan.toJSON())));
    expect(copy.logOdds([1, 2, 0, 1, 2])).toBe(tan.logOdds([1, 2, 0, 1, 2]));
  });
});
