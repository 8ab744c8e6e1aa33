// PREPARE's parameters. The full paper (ICDCS'12) was not available: only the structure is confirmed
// (Markov attribute-value prediction + TAN classifier, cause inference, prevention actuation; §2.0 of
// spec/algorithms.md). Every value below that the spec marks [R] says "reconstruction" in its source,
// and where the spec names alternatives they are selectable here (the ablations of issue 4).

import type { ConfigOf, ParamSpecs } from '../../core/config.ts';

export const PREPARE_PARAMS = {
  bins: {
    type: 'integer',
    default: 20,
    min: 2,
    max: 200,
    doc: 'M: equal-width value bins per metric over the training range (Markov states and TAN attribute values)',
    source:
      'reconstruction: spec §2.2 step 1 (M not recovered; "the Gu group\'s PRESS work uses tens of bins"); 20 keeps the M^2 x M chain learnable from ~10^3 training samples',
  },
  outOfRange: {
    type: 'enum',
    default: 'auto',
    values: ['auto', 'clamp', 'extra-bins'],
    doc: 'values outside the training range: clamp into the edge bins, or map them to one extra bin below and one above (M + 2 states); auto = clamp when trained on SLO labels, extra bins in novelty mode (where leaving the training range is the evidence)',
    source:
      'reconstruction: spec §2.2 step 1 only says "equal-width over its observed range"; clamp is the plain reading',
  },
  rangeMargin: {
    type: 'number',
    default: 1,
    min: 0,
    doc: 'with extra bins: a value counts as out of range only beyond the training range widened by rangeMargin x (max - min) on each side (values in that slack go to the edge bins)',
    source:
      "foreshock choice, as the threshold baseline's margin: a metric that drifts slowly (free disk) must not leave its training range at once",
  },
  minRelativeRange: {
    type: 'number',
    default: 0.01,
    min: 0,
    doc: "with extra bins: floor of the range used for the slack, as a fraction of the metric's median magnitude (a nearly flat training metric)",
    source: "foreshock choice, as the threshold baseline's minRelativeRange",
  },
  markovOrder: {
    type: 'integer',
    default: 2,
    min: 1,
    max: 2,
    doc: "Markov chain order per metric: 2 = P(s_t | s_t-1, s_t-2) (PREPARE), 1 = P(s_t | s_t-1) (ablation: the ICDE'09 predecessor)",
    source: 'spec §2.2 step 2 [C-2nd structure]; 1 = ablation requested by issue 4',
  },
  markovSmoothing: {
    type: 'number',
    default: 1,
    min: 0,
    doc: 'alpha: pseudo-count mass of the prior of each transition row; a second-order row backs off to the first-order row of its last state, a first-order row to `markovPrior`',
    source:
      'reconstruction: spec §2.2 step 2 says "from transition counts"; the smoothing scheme is not recovered',
  },
  markovPrior: {
    type: 'enum',
    default: 'persist',
    values: ['persist', 'uniform'],
    doc: 'prior of a first-order row: "persist" (a state seen rarely or never in training is expected to stay) or "uniform"',
    source:
      'reconstruction: not in the spec; "persist" keeps a never-seen state from being predicted to jump anywhere at random',
  },
  horizonSteps: {
    type: 'integer',
    default: 10,
    min: 0,
    // Building the look-ahead table costs L x M^3 x (non-zero row entries) per chain.
    max: 300,
    doc: "L: look-ahead in samples; the classifier sees each metric's predicted state L samples ahead (0 = classify the current state)",
    source:
      'reconstruction: spec §2.2 step 4 ("the prediction horizon L gives the lead time"; value not recovered); 10 samples = 10 s at 1 s sampling, the scaling latency (<1 s) plus a margin',
  },
  predictedState: {
    type: 'enum',
    default: 'mode',
    values: ['mode', 'mean'],
    doc: 'how the look-ahead distribution becomes one attribute value: its most likely bin, or its expected bin (rounded)',
    source: 'spec §2.2 step 2: "take the most likely bin (or the expected value)" [R]',
  },
  classifier: {
    type: 'enum',
    default: 'tan',
    values: ['tan', 'naive-bayes'],
    doc: 'per-host classifier: tree-augmented naive Bayes (Chow-Liu tree on I(m_i; m_j | C)) or naive Bayes (ablation)',
    source:
      "spec §2.2 step 3 [C-2nd: TAN]; naive Bayes = the ICDE'09 predecessor, ablation requested by issue 4",
  },
  laplace: {
    type: 'number',
    default: 1,
    min: 0.001,
    doc: 'Laplace pseudo-count added to every cell of the class-conditional marginals P(x_j | C) (the tables TAN rows shrink towards)',
    source: 'reconstruction: Laplace smoothing (issue 4); the value 1 is the textbook choice',
  },
  parentShrinkage: {
    type: 'number',
    default: 5,
    min: 0,
    doc: 'TAN only: N0 of the parameter smoothing that shrinks P(x_j | x_parent, C) towards P(x_j | C) (weight N0 / (n(x_parent, C) + N0))',
    source:
      'reconstruction: PREPARE\'s smoothing is not recovered; Friedman, Geiger & Goldszmidt, "Bayesian Network Classifiers" (1997), smoothed TAN with N0 = 5',
  },
  classPrior: {
    type: 'enum',
    default: 'empirical',
    values: ['empirical', 'balanced'],
    doc: 'P(C) from the training labels (Laplace-smoothed), or equal priors (the log-odds is then the likelihood ratio alone)',
    source:
      'reconstruction: spec §2.2 step 4 compares P(abn|x) with P(norm|x), which implies the empirical prior',
  },
  threshold: {
    type: 'number',
    default: 0,
    doc: 'log-odds threshold (fixed mode) or offset over the calibrated per-host threshold (normal-quantile mode): a prediction is abnormal when log P(abn|x) - log P(norm|x) exceeds it; sweep it for ROC',
    source: 'spec §2.2 step 4 (fixed 0 = the MAP decision; "sweeping that threshold gives ROC curves")',
  },
  thresholdMode: {
    type: 'enum',
    default: 'normal-quantile',
    values: ['normal-quantile', 'fixed'],
    doc: "how each host's log-odds threshold is set. fixed: log-odds > threshold (threshold 0 = the MAP decision). normal-quantile: log-odds > q + threshold, q = the normalQuantile of the host's log-odds over its normal training samples (replayed through the online pipeline), i.e. a per-host operating point with a chosen false-alarm rate on history",
    source:
      "reconstruction: spec §2.2 step 4 gives the log-odds threshold but not its value; per-host calibration because one host's log-odds scale differs from another's by tens of nats (docs/prepare.md)",
  },
  normalQuantile: {
    type: 'number',
    default: 0.999,
    min: 0.5,
    max: 1,
    doc: "thresholdMode normal-quantile: the share of a host's normal training samples whose log-odds stay at or under its threshold (1 - the per-host false-alarm budget on history)",
    source:
      'reconstruction: 0.1% per host, because the service-level false-alarm rate adds up over hosts (5 hosts x 0.1% ~ 0.5% of sample times before the filter); 0.99 and 0.995 in docs/prepare.md',
  },
  calibrationWindowS: {
    type: 'number',
    default: 50,
    min: 0,
    doc: 'thresholdMode normal-quantile: training samples followed by an SLO violation within this many seconds are not counted as normal for the calibration (an alarm there would be a true prediction)',
    source:
      "UBL Eq. 5 pending window W (spec §1.8; evaluation.md default 50 s, the seed project's window): the same notion of a false alarm as the evaluation",
  },
  alarmFilter: {
    type: 'boolean',
    default: true,
    doc: 'raise an alarm only when k of the last W predictions of the host were abnormal; false = every abnormal prediction alarms (ablation)',
    source: 'spec §2.3 [R]; false = ablation requested by issue 4',
  },
  filterK: {
    type: 'integer',
    default: 3,
    min: 1,
    doc: 'k of the k-of-W alarm filter',
    source:
      'reconstruction: spec §2.3 ((k, W) not retrieved); 3 = UBL\'s confirmed "3 consecutive anomalous samples" (§1.4)',
  },
  filterW: {
    type: 'integer',
    default: 5,
    min: 1,
    max: 1000,
    doc: 'W of the k-of-W alarm filter (successive predictions of the same host)',
    source:
      'reconstruction: spec §2.3 ((k, W) not retrieved); 3 of 5 tolerates one or two normal predictions inside a rise',
  },
  unlabeled: {
    type: 'enum',
    default: 'novelty',
    values: ['novelty', 'error'],
    doc: 'training data without SLO violations (no SLO, or none violated): "novelty" learns the normal class only (naive Bayes, equal priors, abnormal class per noveltyMix); "error" refuses to train',
    source:
      'foreshock choice: PREPARE is supervised (spec §2.2 step 3); novelty is a documented degradation so it still runs on unlabelled data (NAB, SMD train sets)',
  },
  noveltyMix: {
    type: 'number',
    default: 0.5,
    min: 0.01,
    max: 1,
    doc: 'novelty mode only: the abnormal class is "normal behaviour, or with this probability any state" per attribute, (1 - e) P(x | norm) + e / S',
    source:
      'foreshock choice (a contamination model): typical values then cost little evidence and a value never seen in training counts strongly',
  },
  warmupSamples: {
    type: 'integer',
    default: 300,
    min: 10,
    doc: 'samples per host used to train that host in novelty mode when fit() gave it no training samples',
    source: 'foreshock choice (same fallback as the threshold baseline)',
  },
  memoryAction: {
    type: 'enum',
    default: 'scale-memory',
    values: ['scale-memory', 'restart', 'migrate'],
    doc: 'prevention action for an implicated memory metric (mem, page, swap)',
    source: 'spec §2.5 step 1: "increase the memory allocation (balloon driver)"',
  },
  lastResort: {
    type: 'enum',
    default: 'migrate',
    values: ['migrate', 'replace-host', 'none'],
    doc: 'action tried on a host after its implicated CPU/memory resources (and for any other resource, e.g. disk)',
    source: 'spec §2.5 step 2: live migration when the local host cannot help',
  },
  maxAttempts: {
    type: 'integer',
    default: 3,
    min: 1,
    max: 20,
    doc: 'actions tried per localization by online validation (each failed one is undone before the next)',
    source:
      'reconstruction: spec §2.5 step 3 (undo and try the next-ranked resource; the limit is not recovered)',
  },
  validationS: {
    type: 'number',
    default: 5,
    min: 0,
    doc: 'seconds after an action completes before online validation judges whether the SLO trend / alerts persist',
    source:
      'reconstruction: spec §2.5 step 3 (timing not recovered); 5 s = one window of the default 3-of-5 filter at 1 s sampling',
  },
} satisfies ParamSpecs;

export type PrepareConfig = ConfigOf<typeof PREPARE_PARAMS>;
