// FChain's parameters. Sources follow ../shared/spec/algorithms.md §3: [C-2nd] = confirmed by a
// secondary source quoting the paper, [S-reimpl] = from the student reimplementation
// (chrono-rca-lab/microservice-blackbox-rca), not checked against the paper, [R] = reconstruction.
// Every value a reimplementation or we chose is marked "reconstruction: ..." so a study can vary it.

import type { ConfigOf, ParamSpecs } from '../../core/config.ts';

export const FCHAIN_PARAMS = {
  lookBackS: {
    type: 'integer',
    default: 100,
    min: 10,
    doc: 'look-back window W before the trigger in which change points are searched (s)',
    source:
      'reconstruction: W = 100 s from the FChain reimplementation (algorithms.md §3.1 step 2, [S-reimpl])',
  },
  minLookBackSamples: {
    type: 'integer',
    default: 10,
    min: 2,
    doc: 'the look-back window holds at least this many samples: W = max(lookBackS, minLookBackSamples x the sample interval); at 1 s lookBackS decides, at 60 s this does',
    source:
      'reconstruction: foreshock deviation (issue 20): the paper samples every 1 s (algorithms.md §3.1 step 1, [C-2nd]); at 60 s W = 100 s held 2 samples and no change point was ever found (docs/localization.md)',
  },
  minHistorySamples: {
    type: 'integer',
    default: 10,
    min: 0,
    doc: "CUSUM sees at least this many samples before the look-back window's trigger part: where the recording is shorter, the host's latest training samples are put in front (0 = off)",
    source:
      'foreshock deviation (issue 20): a Nezha case holds 3 samples before its fault at 60 s; a permutation test on 7 samples cannot reach 95 % (its CUSUM range ties under rotation)',
  },
  warmupS: {
    type: 'integer',
    default: 100,
    min: 0,
    doc: 'extra history before the look-back window: updates the normal-fluctuation model, gives change points near the window start their burst context, and is the normal data for dependency inference (s)',
    source: 'reconstruction: foreshock choice (the paper keeps an online model per metric; §3.1 step 1)',
  },
  minWarmupSamples: {
    type: 'integer',
    default: 10,
    min: 0,
    doc: 'the warm-up history holds at least this many samples (as minLookBackSamples)',
    source: 'reconstruction: foreshock deviation (issue 20), as minLookBackSamples',
  },
  bins: {
    type: 'integer',
    default: 40,
    min: 2,
    max: 1000,
    doc: 'value bins M of the discretized Markov normal-fluctuation model',
    source:
      'reconstruction: M = 40 (the reimplementation also uses 100; algorithms.md §3.1 step 4a, [S-reimpl])',
  },
  bootstrap: {
    type: 'integer',
    default: 100,
    min: 10,
    max: 10000,
    doc: 'bootstrap permutations per CUSUM change-point test (a test that cannot reach the confidence stops early)',
    source:
      'reconstruction: Taylor-style CUSUM + bootstrap (algorithms.md §3.1 step 3, [R]); 100 bounds the cost',
  },
  confidence: {
    type: 'number',
    default: 0.95,
    min: 0.5,
    max: 1,
    doc: 'bootstrap confidence a CUSUM change point needs (share of permutations with a smaller CUSUM range)',
    source:
      "reconstruction: Taylor's change-point analysis reports 90-99 %; 0.95 (was 0.99, a foreshock deviation, issue 20): a window of 7 samples (60 s data) can reach at most 1 - 1/35 = 0.971, so 0.99 found no change point there; on the 1 s synthetic cases 0.95 and 0.99 gave the same scores (docs/fchain.md)",
  },
  minSegmentS: {
    type: 'integer',
    default: 10,
    min: 2,
    doc: 'both sides of a change point keep at least this many seconds (shorter segments are not split further)',
    source:
      'reconstruction: foreshock choice; 10 s was as accurate as 5 s on synthetic runs at about half the cost (docs/fchain.md)',
  },
  maxChangePoints: {
    type: 'integer',
    default: 12,
    min: 1,
    doc: 'most change points kept per metric (binary segmentation stops there; bounds the cost on ramps)',
    source: 'reconstruction: foreshock choice (bounds the cost for the 1,000-host goal)',
  },
  burstHalfWindowS: {
    type: 'integer',
    default: 20,
    min: 2,
    doc: 'Q: the burst signal is taken over [c - Q, c + Q] around a change point c (s)',
    source: 'reconstruction: Q = 20 (algorithms.md §3.1 step 4b, [S-reimpl])',
  },
  burstKeepFraction: {
    type: 'number',
    default: 0.9,
    min: 0.01,
    max: 0.99,
    doc: 'share of FFT frequencies kept as the burst signal (the highest ones; the lowest, with DC, are dropped)',
    source: 'reconstruction: top 90 % of frequencies (algorithms.md §3.1 step 4b, [S-reimpl])',
  },
  burstPercentile: {
    type: 'number',
    default: 0.9,
    min: 0.5,
    max: 1,
    doc: "the expected prediction error is this quantile of the burst signal's magnitude",
    source: 'reconstruction: 90th percentile (algorithms.md §3.1 step 4b, [S-reimpl])',
  },
  minErrorOfRange: {
    type: 'number',
    default: 0.5,
    min: 0,
    doc: "an abnormal change point must also miss the prediction by this share of the metric's normal range (the spread of its training and warm-up data; 0 = off)",
    source:
      'reconstruction: foreshock addition; without it, normal drift past a short training range (free disk filling with logs, 5-minute load averages) passes the burst test on every host (ablation in docs/fchain.md)',
  },
  tangentTolerance: {
    type: 'number',
    default: 0.1,
    min: 0,
    doc: 'tangent rollback: move the onset back to the previous change point while the two tangent angles differ by less than this (rad, on the window-normalised series)',
    source:
      'FChain tangent rollback "< 0.1" (algorithms.md §3.0, [C-2nd]); the unit (angle of the normalised series) is a reconstruction',
  },
  concurrencyS: {
    type: 'number',
    default: 2,
    min: 0,
    doc: 'hosts whose onset is within this many seconds of the earliest one are concurrent independent faults',
    source: 'reconstruction: 2 s (algorithms.md §3.1 step 5c, [S-reimpl])',
  },
  externalShare: {
    type: 'number',
    default: 0.8,
    min: 0.01,
    max: 1,
    doc: 'external-cause check: share of all hosts that must change abnormally together (within externalSpreadS), with no metric moving up on one and down on another, and one metric direction shared by most of them',
    source:
      'reconstruction: "all components change with the same trend" (algorithms.md §3.1 step 5e, [S-reimpl]); 0.8 instead of all, because a surge need not push every host out of its normal range',
  },
  externalSpreadS: {
    type: 'number',
    default: 10,
    min: 0,
    doc: 'external-cause check: hosts whose onsets lie within this many seconds of the earliest one changed together (a workload change hits every tier at once; a fault propagates hop by hop)',
    source:
      'reconstruction: foreshock addition to §3.1 step 5e, so a fault that reaches every host of a small system is not taken for a workload change',
  },
  inferCorrelation: {
    type: 'number',
    default: 0.3,
    min: 0,
    max: 1,
    doc: 'topology unknown: two hosts depend on each other when the second-to-second changes of at least two of their metrics correlate this much (|Pearson r|) in the normal data before the look-back window',
    source:
      'reconstruction: black-box dependency discovery (algorithms.md §3.1 step 5d, [R]); correlated changes instead of network traffic; 0.3 chosen on two merged synthetic systems (docs/fchain.md)',
  },
} satisfies ParamSpecs;

export type FChainConfig = ConfigOf<typeof FCHAIN_PARAMS>;
