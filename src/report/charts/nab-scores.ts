// The NAB leaderboard as horizontal bars: the standard-profile score of every detector, in
// leaderboard order (highest first), foreshock's detectors in their own colour among the published
// peers. NAB scores are normalised (null detector 0, perfect 100) and can go below 0.

import { CHART_CONFIG, VL_SCHEMA, type VlSpec } from './render.ts';

export interface NabBar {
  /** The axis label; unique within one chart (the caller numbers repeated names). */
  detector: string;
  origin: 'foreshock' | 'published';
  standard: number;
}

const ORIGINS = ['foreshock', 'published'];
const ORIGIN_COLORS = ['#e4572e', '#9aa5b1'];

export function nabScoresSpec(bars: NabBar[]): VlSpec {
  const values = bars.map((b) => ({ ...b, label: String(Math.round(b.standard * 10) / 10) }));
  // Explicit domains: the order is the leaderboard's, and the x range always shows 0 and 100.
  const low = Math.min(0, ...bars.map((b) => b.standard));
  const high = Math.max(100, ...bars.map((b) => b.standard));
  const y = {
    field: 'detector',
    type: 'nominal',
    scale: { domain: bars.map((b) => b.detector) },
    axis: { title: null, labelLimit: 340 },
  };
  const x = {
    field: 'standard',
    type: 'quantitative',
    scale: { domain: [low, high], nice: false, zero: true },
    axis: { title: 'NAB score, standard profile (null = 0, perfect = 100)', tickCount: 10, grid: true },
  };
  return {
    $schema: VL_SCHEMA,
    config: CHART_CONFIG,
    width: 520,
    height: { step: 16 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          x,
          color: {
            field: 'origin',
            type: 'nominal',
            scale: { domain: ORIGINS, range: ORIGIN_COLORS },
            legend: { title: null },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9, baseline: 'middle' },
        encoding: { y, x, text: { field: 'label' } },
      },
    ],
  };
}
