// Hand-made leaderboards in the shape `foreshock bench nab|smd` writes (src/benchmarks/leaderboard.ts),
// deliberately out of order (the report ranks them itself), with a detector whose name is a script.
import type { NabLeaderboard, SmdLeaderboard } from '../../src/benchmarks/leaderboard.ts';

export const EVIL_DETECTOR = '<script>x</script>';

export function nabBoard(): NabLeaderboard {
  return {
    benchmark: 'NAB',
    corpus: 'NAB v1.1, 58 files, 116 windows',
    publishedSource: 'numenta/NAB README.md @ ea702d75',
    entries: [
      {
        name: 'Windowed Gaussian',
        origin: 'published',
        standard: 39.6,
        reward_low_FP_rate: 20.9,
        reward_low_FN_rate: 47.4,
      },
      {
        name: 'foreshock likelihood-ensemble',
        origin: 'foreshock',
        standard: 71.366,
        reward_low_FP_rate: 64.661,
        reward_low_FN_rate: 75.452,
        thresholdRule: 'local',
        note: 'thresholds 0.5 / 0.6 / 0.5',
      },
      {
        name: 'ARTime',
        origin: 'published',
        standard: 74.9,
        reward_low_FP_rate: 65.1,
        reward_low_FN_rate: 80.4,
      },
      {
        name: EVIL_DETECTOR,
        origin: 'published',
        standard: 50,
        reward_low_FP_rate: 40,
        reward_low_FN_rate: 55,
      },
      {
        name: 'foreshock windowed-gaussian',
        origin: 'foreshock',
        standard: 61.562,
        reward_low_FP_rate: 57.06,
        reward_low_FN_rate: 64.6,
        thresholdRule: 'local',
      },
      {
        name: 'Numenta HTM (NuPIC 1.0)',
        origin: 'published',
        standard: 70.5,
        reward_low_FP_rate: 62.6,
        reward_low_FN_rate: 75.2,
      },
      { name: 'Null', origin: 'published', standard: 0, reward_low_FP_rate: 0, reward_low_FN_rate: 0 },
    ],
  };
}

/** The NAB names in leaderboard order (standard score, highest first). */
export const NAB_ORDER = [
  'ARTime',
  'foreshock likelihood-ensemble',
  'Numenta HTM (NuPIC 1.0)',
  'foreshock windowed-gaussian',
  EVIL_DETECTOR,
  'Windowed Gaussian',
  'Null',
];

export function smdBoard(): SmdLeaderboard {
  return {
    benchmark: 'SMD',
    machines: ['machine-1-1', 'machine-1-6'],
    caveat: 'foreshock rows: mean over the machines listed. Published numbers are context.',
    entries: [
      {
        name: 'OmniAnomaly',
        origin: 'published',
        f1PointAdjusted: 0.8522,
        source: 'Anomaly Transformer Table 1',
      },
      {
        name: 'foreshock threshold',
        origin: 'foreshock',
        f1PointAdjusted: 0.971,
        f1: 0.392,
        hitRate100: 0.487,
        hitRate150: 0.697,
      },
      { name: 'TranAD', origin: 'published', f1PointAdjusted: 0.9605, source: 'TranAD Table 2' },
      {
        name: 'foreshock windowed-gaussian',
        origin: 'foreshock',
        f1PointAdjusted: 0.953,
        f1: 0.287,
        hitRate100: null,
        hitRate150: 0.58,
      },
    ],
  };
}

export const SMD_ORDER = ['foreshock threshold', 'TranAD', 'foreshock windowed-gaussian', 'OmniAnomaly'];
