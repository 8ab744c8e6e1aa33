// Timeline charts: per experiment an overview (the SLO signal, then every algorithm's alarms,
// localizations and fixes on any host), and per host one panel per metric (bucket min-max band and
// mean line) above that host's events. Every panel shades the fault windows and the SLO-violation
// intervals, on one x axis: seconds since the run's start.

import { withUnit } from '../units.ts';
import type { Bucket } from '../downsample.ts';
import {
  EVENT_COLORS,
  EVENT_KINDS,
  type AlarmRunDatum,
  type FixDatum,
  type MarkDatum,
  type SpanDatum,
  type TimelineFrame,
} from '../events.ts';
import { CHART_CONFIG, VL_SCHEMA, type VlSpec } from './render.ts';

export const TIMELINE_WIDTH = 720;
const METRIC_PANEL_HEIGHT = 42;
const EVENT_ROW_HEIGHT = 18;
const SLO_PANEL_HEIGHT = 90;

export interface TimelineEvents {
  algorithms: string[];
  faults: SpanDatum[];
  violations: SpanDatum[];
  alarmRuns: AlarmRunDatum[];
  localizations: MarkDatum[];
  fixes: FixDatum[];
}

export interface SeriesPanel {
  title: string;
  buckets: Bucket[];
  /** A horizontal reference line (the SLO threshold). */
  threshold?: number;
  height?: number;
}

const color = {
  field: 'kind',
  type: 'nominal',
  scale: { domain: [...EVENT_KINDS], range: EVENT_KINDS.map((k) => EVENT_COLORS[k]) },
  legend: { title: null },
};

function xDef(
  frame: TimelineFrame,
  field: string,
  axis: boolean,
  originLabel: string,
): Record<string, unknown> {
  return {
    field,
    type: 'quantitative',
    scale: { domain: [0, frame.spanS], nice: false, zero: false },
    axis: axis
      ? { title: `seconds since ${originLabel}`, tickCount: 10, grid: true }
      : { title: null, labels: false, ticks: false, domain: false, grid: true, tickCount: 10 },
  };
}

function backgroundLayers(frame: TimelineFrame, axis: boolean, originLabel: string): VlSpec[] {
  return (['violations', 'faults'] as const).map((name) => ({
    data: { name },
    mark: { type: 'rect', opacity: name === 'faults' ? 0.22 : 0.16, clip: true },
    encoding: {
      x: xDef(frame, 'start', axis, originLabel),
      x2: { field: 'end' },
      color,
    },
  }));
}

/** y-axis ticks: SI prefixes for large values (12k), vega's default tick format otherwise. */
function yAxisFormat(buckets: Bucket[]): Record<string, string> {
  let max = 0;
  for (const b of buckets) max = Math.max(max, Math.abs(b.lo), Math.abs(b.hi));
  return max >= 10_000 ? { format: '.3~s' } : {};
}

function seriesPanel(
  panel: SeriesPanel,
  dataName: string,
  frame: TimelineFrame,
  originLabel: string,
): VlSpec {
  const y = {
    type: 'quantitative',
    scale: { zero: false, nice: true },
    axis: { title: null, ...yAxisFormat(panel.buckets), tickCount: 3, labelLimit: 60 },
  };
  const layers: VlSpec[] = [
    ...backgroundLayers(frame, false, originLabel),
    {
      data: { name: dataName },
      mark: { type: 'area', color: '#9ecae1', opacity: 0.7, clip: true },
      encoding: { x: xDef(frame, 't', false, originLabel), y: { ...y, field: 'lo' }, y2: { field: 'hi' } },
    },
    {
      data: { name: dataName },
      mark: { type: 'line', color: '#08519c', strokeWidth: 1, clip: true },
      encoding: { x: xDef(frame, 't', false, originLabel), y: { ...y, field: 'm' } },
    },
  ];
  if (panel.threshold !== undefined) {
    layers.push({
      data: { values: [{ threshold: panel.threshold }] },
      mark: { type: 'rule', color: EVENT_COLORS['SLO violated'], strokeDash: [4, 3] },
      encoding: { y: { ...y, field: 'threshold' } },
    });
  }
  return {
    title: { text: panel.title, limit: TIMELINE_WIDTH },
    width: TIMELINE_WIDTH,
    height: panel.height ?? METRIC_PANEL_HEIGHT,
    layer: layers,
  };
}

function eventsPanel(
  events: TimelineEvents,
  frame: TimelineFrame,
  originLabel: string,
  title: string,
): VlSpec {
  const x = (field: string): Record<string, unknown> => xDef(frame, field, true, originLabel);
  const y = {
    field: 'algorithm',
    type: 'nominal',
    scale: { domain: events.algorithms },
    axis: { title: null, labelLimit: 120 },
  };
  return {
    title: { text: title, limit: TIMELINE_WIDTH },
    width: TIMELINE_WIDTH,
    height: Math.max(1, events.algorithms.length) * EVENT_ROW_HEIGHT,
    layer: [
      ...backgroundLayers(frame, true, originLabel),
      {
        data: { name: 'alarms' },
        mark: { type: 'rect', clip: true },
        encoding: { x: x('start'), x2: { field: 'end' }, y, color },
      },
      {
        data: { name: 'fixes' },
        mark: { type: 'rule', strokeWidth: 2, clip: true },
        encoding: { x: x('start'), x2: { field: 'end' }, y, color },
      },
      {
        data: { name: 'fixes' },
        mark: { type: 'point', shape: 'diamond', filled: true, size: 60, opacity: 1, clip: true },
        encoding: { x: x('end'), y, color },
      },
      {
        data: { name: 'localizations' },
        mark: { type: 'point', shape: 'triangle-down', filled: true, size: 70, opacity: 1, clip: true },
        encoding: { x: x('t'), y, color },
      },
    ],
  };
}

function timelineSpec(
  panels: SeriesPanel[],
  events: TimelineEvents,
  frame: TimelineFrame,
  originLabel: string,
  eventsTitle: string,
): VlSpec {
  const datasets: Record<string, unknown[]> = {
    faults: events.faults,
    violations: events.violations,
    alarms: events.alarmRuns,
    localizations: events.localizations,
    fixes: events.fixes,
  };
  panels.forEach((p, i) => (datasets[`series${i}`] = p.buckets));
  return {
    $schema: VL_SCHEMA,
    config: CHART_CONFIG,
    datasets,
    spacing: 6,
    vconcat: [
      ...panels.map((p, i) => seriesPanel(p, `series${i}`, frame, originLabel)),
      eventsPanel(events, frame, originLabel, eventsTitle),
    ],
    resolve: { scale: { x: 'shared', y: 'independent', color: 'shared' } },
  };
}

/** The experiment overview: the SLO signal (if the dataset has one) above every algorithm's events. */
export function overviewSpec(
  slo: { signal: string; threshold: number; buckets: Bucket[] } | null,
  events: TimelineEvents,
  frame: TimelineFrame,
  originLabel: string,
): VlSpec {
  const panels: SeriesPanel[] = slo
    ? [
        {
          title: `SLO signal ${withUnit(slo.signal)}, violated at >= ${slo.threshold} (dashed line)`,
          buckets: slo.buckets,
          threshold: slo.threshold,
          height: SLO_PANEL_HEIGHT,
        },
      ]
    : [];
  return timelineSpec(panels, events, frame, originLabel, 'events on any host, per algorithm');
}

/** One host: a panel per metric, then the host's events (alarms on it, rankings with it first, fixes on it). */
export function hostTimelineSpec(
  metrics: { metric: string; buckets: Bucket[] }[],
  events: TimelineEvents,
  frame: TimelineFrame,
  originLabel: string,
): VlSpec {
  return timelineSpec(
    metrics.map((m) => ({ title: withUnit(m.metric), buckets: m.buckets })),
    events,
    frame,
    originLabel,
    "this host's events: alarms on it, rankings with it first, fixes on it",
  );
}
