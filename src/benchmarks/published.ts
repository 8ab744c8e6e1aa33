// Published scores of peer detectors, for the leaderboards. Numbers are copied from the cited
// sources (see ../shared/spec/benchmarks.md and ../shared/data/reference_results.json); protocols
// differ between SMD papers, so SMD numbers are context, not a like-for-like ranking.

export interface PublishedNabRow {
  name: string;
  standard: number;
  reward_low_FP_rate: number;
  reward_low_FN_rate: number;
  note?: string;
}

export const NAB_SCOREBOARD_SOURCE =
  'numenta/NAB README.md @ ea702d75 ("as of NAB v1.0"), normalised: null = 0, perfect = 100';

/** The NAB README scoreboard (standard / reward_low_FP_rate / reward_low_FN_rate). */
export const NAB_PUBLISHED: readonly PublishedNabRow[] = [
  { name: 'Perfect', standard: 100, reward_low_FP_rate: 100, reward_low_FN_rate: 100 },
  { name: 'ARTime', standard: 74.9, reward_low_FP_rate: 65.1, reward_low_FN_rate: 80.4 },
  {
    name: 'Numenta HTM (NuPIC 1.0)',
    standard: 70.5,
    reward_low_FP_rate: 62.6,
    reward_low_FN_rate: 75.2,
    note: 'best seed; range over seeds 70.5-69.7 / 62.6-61.7 / 75.2-74.2',
  },
  {
    name: 'Numenta HTM (NuPIC 0.5.6, paper run)',
    standard: 70.1,
    reward_low_FP_rate: 63.1,
    reward_low_FN_rate: 74.3,
    note: 'the outputs in ../shared/data/NAB/results/numenta',
  },
  { name: 'CAD OSE', standard: 69.9, reward_low_FP_rate: 67.0, reward_low_FN_rate: 73.2 },
  { name: 'nab-comportex', standard: 64.6, reward_low_FP_rate: 58.8, reward_low_FN_rate: 69.6 },
  { name: 'NumentaTM HTM', standard: 64.6, reward_low_FP_rate: 56.7, reward_low_FN_rate: 69.2 },
  { name: 'earthgecko Skyline', standard: 58.2, reward_low_FP_rate: 46.2, reward_low_FN_rate: 63.9 },
  { name: 'KNN CAD', standard: 58.0, reward_low_FP_rate: 43.4, reward_low_FN_rate: 64.8 },
  {
    name: 'HTM Java',
    standard: 56.8,
    reward_low_FP_rate: 50.7,
    reward_low_FN_rate: 61.4,
    note: 'final_results.json says 65.55 / 53.26 / 70.42',
  },
  { name: 'Relative Entropy', standard: 54.6, reward_low_FP_rate: 47.6, reward_low_FN_rate: 58.8 },
  {
    name: 'Numenta HTM, no likelihood',
    standard: 53.62,
    reward_low_FP_rate: 34.15,
    reward_low_FN_rate: 61.89,
  },
  { name: 'Random Cut Forest (AWS)', standard: 51.7, reward_low_FP_rate: 38.4, reward_low_FN_rate: 59.7 },
  { name: 'Twitter ADVec', standard: 47.1, reward_low_FP_rate: 33.6, reward_low_FN_rate: 53.5 },
  { name: 'Windowed Gaussian', standard: 39.6, reward_low_FP_rate: 20.9, reward_low_FN_rate: 47.4 },
  { name: 'Etsy Skyline', standard: 35.7, reward_low_FP_rate: 27.1, reward_low_FN_rate: 44.5 },
  { name: 'Bayesian Changepoint', standard: 17.7, reward_low_FP_rate: 3.2, reward_low_FN_rate: 32.2 },
  { name: 'EXPoSE', standard: 16.4, reward_low_FP_rate: 3.2, reward_low_FN_rate: 26.9 },
  {
    name: 'Random',
    standard: 11.0,
    reward_low_FP_rate: 1.2,
    reward_low_FN_rate: 19.5,
    note: 'mean over seeds',
  },
  { name: 'Null', standard: 0, reward_low_FP_rate: 0, reward_low_FN_rate: 0 },
];

export interface PublishedSmdRow {
  name: string;
  /** Point-adjusted F1 in [0, 1]. */
  f1PointAdjusted: number;
  precision?: number;
  recall?: number;
  source: string;
}

const AT = 'Anomaly Transformer (Xu et al., ICLR 2022) Table 1, point-adjusted';

export const SMD_PUBLISHED: readonly PublishedSmdRow[] = [
  { name: 'Anomaly Transformer', precision: 0.894, recall: 0.9545, f1PointAdjusted: 0.9233, source: AT },
  { name: 'TranAD', f1PointAdjusted: 0.9605, source: 'TranAD (Tuli et al., VLDB 2022) Table 2' },
  { name: 'USAD', f1PointAdjusted: 0.9495, source: 'TranAD (VLDB 2022) Table 2' },
  {
    name: 'DCdetector',
    precision: 0.8359,
    recall: 0.911,
    f1PointAdjusted: 0.8718,
    source: 'DCdetector (KDD 2023)',
  },
  { name: 'OmniAnomaly', precision: 0.8368, recall: 0.8682, f1PointAdjusted: 0.8522, source: AT },
  { name: 'LSTM-VAE', precision: 0.7576, recall: 0.9008, f1PointAdjusted: 0.823, source: AT },
  { name: 'OCSVM', precision: 0.4434, recall: 0.7672, f1PointAdjusted: 0.5619, source: AT },
  { name: 'IsolationForest', precision: 0.4231, recall: 0.7329, f1PointAdjusted: 0.5364, source: AT },
];

export const SMD_PUBLISHED_CAVEAT =
  'Published SMD numbers use all 28 machines, point adjustment and label-informed thresholds, with protocols that differ between papers; they are context, not a like-for-like ranking. OmniAnomaly (KDD 2019) reports interpretation HitRate@150% up to 0.89.';
