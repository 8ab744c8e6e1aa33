// ROC space: TPR against FPR. Without a threshold sweep each algorithm has one operating point per
// fault type (its configured threshold); with sweep results (--roc) each algorithm also gets a curve.

import { CHART_CONFIG, VL_SCHEMA, type VlSpec } from './render.ts';

export interface RocPoint {
  algorithm: string;
  faultType: string;
  tpr: number;
  fpr: number;
}

export interface RocCurvePoint {
  /** The curve's label (algorithm, and fault type or source where known). */
  curve: string;
  tpr: number;
  fpr: number;
  /** Drawing order along the curve (the FPR). */
  order: number;
}

export function rocSpec(points: RocPoint[], curves: RocCurvePoint[]): VlSpec {
  const axis = (title: string): Record<string, unknown> => ({
    title,
    tickCount: 5,
    grid: true,
    format: '.0%',
  });
  const x = { field: 'fpr', type: 'quantitative', scale: { domain: [0, 1], nice: false }, axis: axis('FPR') };
  const y = { field: 'tpr', type: 'quantitative', scale: { domain: [0, 1], nice: false }, axis: axis('TPR') };
  const layer: VlSpec[] = [
    {
      data: {
        values: [
          { fpr: 0, tpr: 0 },
          { fpr: 1, tpr: 1 },
        ],
      },
      mark: { type: 'line', color: '#bbbbbb', strokeDash: [4, 4] },
      encoding: { x, y },
    },
  ];
  if (curves.length > 0) {
    layer.push({
      data: { values: curves },
      mark: { type: 'line', point: { size: 20 }, strokeWidth: 1.5 },
      encoding: {
        x,
        y,
        order: { field: 'order', type: 'quantitative' },
        strokeDash: { field: 'curve', type: 'nominal', legend: { title: 'sweep curve' } },
        color: { value: '#555555' },
      },
    });
  }
  layer.push({
    data: { values: points },
    mark: { type: 'point', filled: true, size: 90, opacity: 0.9 },
    encoding: {
      x,
      y,
      color: { field: 'algorithm', type: 'nominal', legend: { title: 'algorithm' } },
      shape: { field: 'faultType', type: 'nominal', legend: { title: 'fault type' } },
    },
  });
  return {
    $schema: VL_SCHEMA,
    config: {
      ...CHART_CONFIG,
      legend: { ...CHART_CONFIG.legend, orient: 'right', direction: 'vertical', columns: 1 },
    },
    width: 320,
    height: 320,
    layer,
  };
}
