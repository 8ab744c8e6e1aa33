// The three times of proactive fault management per algorithm, as grouped bars: prediction lead
// (mean lead time before the SLO-violation onset), time to localize (the fault's start to the first
// ranking with the culprit first: not the trigger-to-ranking delay, which is the SLO confirmation
// time for every localizer) and fix time (fix request to SLO recovery). A time that does not apply
// or was not reached shows "n/a".

import { CHART_CONFIG, VL_SCHEMA, type VlSpec } from './render.ts';

export const TIME_MEASURES = ['prediction lead (mean)', 'time to localize', 'fix'] as const;
export type TimeMeasure = (typeof TIME_MEASURES)[number];
const MEASURE_COLORS = ['#4c78a8', '#f58518', '#54a24b'];

export interface TimeBar {
  algorithm: string;
  measure: TimeMeasure;
  /** Seconds; null = not applicable or never reached. */
  value: number | null;
}

/** `compact`: a narrower, shorter chart with the legend on top (the headline card's, beside its table). */
export function timesSpec(bars: TimeBar[], algorithms: string[], title?: string, compact = false): VlSpec {
  const values = bars.map((b) => ({
    algorithm: b.algorithm,
    measure: b.measure,
    seconds: b.value,
    x: b.value ?? 0,
    label: b.value === null ? 'n/a' : `${Number(b.value.toFixed(1))} s`,
  }));
  const y = {
    field: 'algorithm',
    type: 'nominal',
    scale: { domain: algorithms },
    axis: { title: 'algorithm', labelLimit: 160 },
  };
  const yOffset = { field: 'measure', type: 'nominal', scale: { domain: [...TIME_MEASURES] } };
  // An explicit domain: with every time n/a (a control run) a data-driven one would be empty.
  const max = Math.max(0, ...bars.map((b) => b.value ?? 0));
  const x = {
    field: 'x',
    type: 'quantitative',
    scale: { domain: [0, max > 0 ? max : 1], zero: true, nice: true },
    axis: { title: 'seconds', tickCount: 8, grid: true },
  };
  return {
    $schema: VL_SCHEMA,
    config: CHART_CONFIG,
    ...(title ? { title: { text: title, limit: 700 } } : {}),
    width: compact ? 300 : 560,
    height: { step: compact ? 10 : 14 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          yOffset,
          x: { ...x, field: 'seconds' },
          color: {
            field: 'measure',
            type: 'nominal',
            scale: { domain: [...TIME_MEASURES], range: MEASURE_COLORS },
            legend: compact ? { title: null, orient: 'top' } : { title: null },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9, baseline: 'middle' },
        encoding: { y, yOffset, x, text: { field: 'label' } },
      },
    ],
  };
}
