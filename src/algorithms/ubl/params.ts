// UBL's parameters (Dean, Nguyen, Gu, ICAC'12), each with the paper section it comes from
// (../shared/spec/algorithms.md §1). Where the paper leaves a choice open, the entry says
// "reconstruction: ..." and why this value.
//
// The Gaussian "height" (Table 2: 7/10/13) is never defined in the paper. Our reading (a
// reconstruction, docs/ubl.md has the reasoning and the alternatives we measured): N is the Gaussian
// density whose peak is 1/height, N(d) = exp(-pi d^2 / h^2) / h (sigma = h / sqrt(2 pi)). Evidence:
// (1) Fig. 1's toy example uses N = 1/4, a fraction, not 1; (2) in Table 2 the height-10 row equals the
// radius-4 row, i.e. 10 is the default, and the peak of a Gaussian density with sigma = 4 (the radius)
// is 1/(4 sqrt(2 pi)) = 0.0997, i.e. 1/10; (3) height as a plain amplitude (N(0) = 10) would make Eq. 1
// overshoot (N L = 7 > 1). Measured: amplitude 1 (the winner moves 70% of the way each time) leaves a
// noisy map on which 10-40% of normal samples land on "anomalous" neurons.

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
  gaussianHeight: {
    type: 'number',
    default: 10,
    min: 1,
    doc: 'h of the Gaussian neighbourhood N(d) = exp(-pi d^2 / h^2) / h (peak 1/h, sigma = h / sqrt(2 pi)), truncated at `radius`',
    source:
      'UBL §III-A (Gaussian N) and Table 2 (height 7/10/13, 10 = default per algorithms.md §1.3); the functional form is a reconstruction (see the header of params.ts)',
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
  untrainedNeurons: {
    type: 'enum',
    default: 'area',
    values: ['area', 'anomalous', 'excluded'],
    doc: "neurons that win no training sample: 'area' = judged by area size only, threshold over all neurons (the paper); 'anomalous' = always anomalous, same threshold; 'excluded' = always anomalous and the percentile taken over the trained neurons only",
    source:
      "UBL §III-B (threshold over all neurons' area sizes = 'area', the default); the other two are a reconstruction from UBL's premise that normal samples map to dense, trained regions (§III-B, algorithms.md §1.4): a neuron no normal sample maps to is not a normal region. See docs/ubl.md for the measurements",
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
      'UBL §III-A (incremental updates, cost given per 30 new samples); default off is a foreshock choice: measured on synthetic control runs, batches of 30 raise the false-alarm rate (FPR 0.037 -> 0.320), see docs/ubl.md',
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
