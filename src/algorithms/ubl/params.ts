// UBL's parameters (Dean, Nguyen, Gu, ICAC'12), each with the paper section it comes from
// (../shared/spec/algorithms.md §1). Where the paper leaves a choice open, the entry says
// "reconstruction: ..." and why this value.
//
// The paper's Table 2 also varies a Gaussian "height" (7/10/13) that it never defines. It is not a
// parameter here: read as an amplitude on N(d), any height above 1/L = 1.43 would make Eq. 1 overshoot
// (W would move past the input), so the neighbourhood function keeps amplitude 1 (N(0) = 1, the winner
// moves by L) and only its width (`sigma`) and cut-off (`radius`) are parameters. See docs/ubl.md.

import type { ConfigOf, ParamSpecs } from '../../core/config.ts';

export const UBL_PARAMS = {
  mapSize: {
    type: 'integer',
    default: 32,
    min: 2,
    max: 200,
    doc: 'side of the square SOM lattice (32 = 32x32 = 1024 neurons per host)',
    source: 'UBL §III-A (32x32 map); Table 2 sensitivity 25/32/40 (algorithms.md §1.3)',
  },
  radius: {
    type: 'number',
    default: 4,
    min: 0,
    doc: 'neighbourhood radius in lattice units: neurons within this Euclidean lattice distance of the winner are updated',
    source: 'UBL §III-A (radius 4); Table 2 sensitivity 3/4/5 (algorithms.md §1.3)',
  },
  sigma: {
    type: 'number',
    default: 4,
    min: 0.01,
    doc: 'width of the Gaussian neighbourhood N(d) = exp(-d^2 / (2 sigma^2)), truncated at `radius`',
    source:
      'reconstruction: UBL §III-A says N is a Gaussian but gives no width; sigma 4 as in the [S-reimpl] Python reimplementations (algorithms.md §1.10)',
  },
  learningRate: {
    type: 'number',
    default: 0.7,
    min: 0,
    max: 1,
    doc: 'constant learning coefficient L(t) of Eq. 1',
    source: 'UBL §III-A, Eq. 1 (L constant 0.7, algorithms.md §1.3)',
  },
  epochs: {
    type: 'integer',
    default: 10,
    min: 1,
    doc: 'passes over the training vectors (each vector updates the map this many times)',
    source: 'UBL §III-A (each input vector is applied 10 times); order as in algorithms.md §1.10 pseudocode',
  },
  folds: {
    type: 'integer',
    default: 3,
    min: 2,
    max: 10,
    doc: 'K of the K-fold cross-validation; one randomly initialised map per fold, the best by Eq. 2 is kept',
    source:
      'UBL §III-A (3-fold CV over 3 random maps, Eq. 2); contiguous folds in time order are a reconstruction (the paper does not say how it splits)',
  },
  smoothing: {
    type: 'integer',
    default: 5,
    min: 1,
    max: 100,
    doc: 'k of the k-point moving average (1 = UBL-NS, 5 = UBL-5PtS, 50 = UBL-50Pt)',
    source: 'UBL §III-A pre-processing and §IV variants (algorithms.md §1.2); 5 as in the §1.10 pseudocode',
  },
  percentile: {
    type: 'number',
    default: 85,
    min: 1,
    max: 99.9,
    doc: "alarm threshold: this percentile of all neurons' neighbourhood area sizes (sweep 70..98 for ROC)",
    source: 'UBL §III-B (85th percentile; ROC 70th..98th, algorithms.md §1.4)',
  },
  consecutive: {
    type: 'integer',
    default: 3,
    min: 1,
    doc: 'anomalous samples in a row before the alarm fires',
    source: 'UBL §III-B (alarm after 3 consecutive anomalous samples, algorithms.md §1.4)',
  },
  votes: {
    type: 'integer',
    default: 5,
    min: 1,
    doc: 'Q: nearest normal neurons that vote for the metric with the largest weight difference',
    source: 'UBL §III-C (Q = 5, algorithms.md §1.5)',
  },
  sloFeedback: {
    type: 'boolean',
    default: true,
    doc: 'train only on samples whose time is not an SLO-violation second (when the training data has SLO labels)',
    source: 'UBL §III-A (normal training data selected by SLO feedback, algorithms.md §1.3)',
  },
  incrementalBatch: {
    type: 'integer',
    default: 0,
    min: 0,
    doc: 'learn(): update the map with every this many samples judged normal, then recompute area sizes and threshold (0 = off)',
    source:
      'UBL §III-A (incremental updates, measured per 30 new samples); default off: reconstruction, see docs/ubl.md (online updates absorb slow faults such as a memory leak)',
  },
  warmupSamples: {
    type: 'integer',
    default: 300,
    min: 0,
    doc: 'a host never seen in training is bootstrapped from its first this many samples seen by learn() (0 = never; it then scores 0)',
    source: 'reconstruction: foreshock choice (the paper trains every VM offline first)',
  },
} satisfies ParamSpecs;

export type UblConfig = ConfigOf<typeof UBL_PARAMS>;
