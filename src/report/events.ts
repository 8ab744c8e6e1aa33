// The events a timeline shows, in chart coordinates (seconds since the run's start): fault windows,
// SLO-violation intervals, each algorithm's alarm runs, its localizations and its fix actions.
// Alarms become runs (alarms closer than one chart bucket merge) so a report stays small however
// often an algorithm fires. A localization is marked "culprit first" when its top-ranked host is the
// host of a fault active at that time (from the fault's start to its end plus the pending window
// W); that is a reading aid only, the scores come from src/eval.

import type { Dataset } from '../core/dataset.ts';
import type { ReportResults } from './inputs.ts';
import { mergeTimes, relS, sloSeries, sloStepMs, type Interval } from './downsample.ts';

/** Legend entries (and their colors) shared by every timeline chart. */
export const EVENT_KINDS = [
  'fault window',
  'SLO violated',
  'alarm',
  'localized: culprit first',
  'localized: other host first',
  'localization',
  'fix (effective)',
  'fix (no effect)',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const EVENT_COLORS: Record<EventKind, string> = {
  'fault window': '#f2a93b',
  'SLO violated': '#e45756',
  alarm: '#4c78a8',
  'localized: culprit first': '#2e8b57',
  'localized: other host first': '#b279a2',
  localization: '#555555',
  'fix (effective)': '#17becf',
  'fix (no effect)': '#9e9e9e',
};

export interface SpanDatum {
  start: number;
  end: number;
  kind: EventKind;
  label: string;
}
export interface AlarmRunDatum {
  start: number;
  end: number;
  algorithm: string;
  kind: 'alarm';
}
export interface MarkDatum {
  t: number;
  algorithm: string;
  kind: EventKind;
  host: string;
}
export interface FixDatum {
  start: number;
  end: number;
  algorithm: string;
  kind: EventKind;
  label: string;
}

export interface TimelineFrame {
  /** Epoch ms of x = 0. */
  originMs: number;
  /** x domain is [0, spanS]. */
  spanS: number;
  bucketMs: number;
  sampleIntervalMs: number;
}

export interface ExperimentEvents {
  algorithms: string[];
  faults: SpanDatum[];
  violations: SpanDatum[];
  /** Per host (null = every host), the alarm runs of each algorithm. */
  alarmRuns(host: string | null): AlarmRunDatum[];
  localizations(host: string | null): MarkDatum[];
  fixes(host: string | null): FixDatum[];
}

function pendingWindowMs(results: ReportResults): number {
  const s = (results.scoring as { pendingWindowS?: unknown } | null)?.pendingWindowS;
  return typeof s === 'number' && Number.isFinite(s) ? s * 1000 : 50_000;
}

export function experimentEvents(
  results: ReportResults,
  dataset: Dataset | null,
  frame: TimelineFrame,
): ExperimentEvents {
  const { originMs, bucketMs, sampleIntervalMs } = frame;
  const algorithms = Object.keys(results.algorithms);
  const faultRecords = dataset?.manifest.faults ?? [];
  const faults: SpanDatum[] = faultRecords.map((f) => ({
    start: relS(f.start, originMs),
    end: relS(f.end, originMs),
    kind: 'fault window',
    label: `${f.type} on ${f.host}`,
  }));
  const slo = dataset ? sloSeries(dataset) : null;
  const violations: SpanDatum[] = slo
    ? mergeTimes(slo.violated, bucketMs, sloStepMs(slo.times)).map((iv: Interval) => ({
        start: relS(iv.start, originMs),
        end: relS(iv.end, originMs),
        kind: 'SLO violated',
        label: 'SLO violated',
      }))
    : [];
  const w = pendingWindowMs(results);
  const culpritsAt = (time: number): Set<string> | null =>
    dataset
      ? new Set(faultRecords.filter((f) => f.start <= time && time <= f.end + w).map((f) => f.host))
      : null;

  return {
    algorithms,
    faults,
    violations,
    alarmRuns(host) {
      return algorithms.flatMap((algorithm) => {
        const times = results.algorithms[algorithm]!.alarms.filter((a) => host === null || a.host === host)
          .map((a) => a.time)
          .sort((a, b) => a - b);
        return mergeTimes(times, bucketMs, sampleIntervalMs).map((iv) => ({
          start: relS(iv.start, originMs),
          end: relS(iv.end, originMs),
          algorithm,
          kind: 'alarm' as const,
        }));
      });
    },
    localizations(host) {
      return algorithms.flatMap((algorithm) =>
        results.algorithms[algorithm]!.localizations.flatMap((loc) => {
          const top = loc.ranking[0]?.host;
          if (top === undefined || (host !== null && top !== host)) return [];
          const culprits = culpritsAt(loc.trigger.time);
          const kind: EventKind = culprits
            ? culprits.has(top)
              ? 'localized: culprit first'
              : 'localized: other host first'
            : 'localization';
          return [{ t: relS(loc.time, originMs), algorithm, kind, host: top }];
        }),
      );
    },
    fixes(host) {
      return algorithms.flatMap((algorithm) =>
        results.algorithms[algorithm]!.actions.filter((a) => host === null || a.host === host).map((a) => ({
          start: relS(a.requested, originMs),
          end: relS(a.completed, originMs),
          algorithm,
          kind: (a.effective ? 'fix (effective)' : 'fix (no effect)') as EventKind,
          label: `${a.type} on ${a.host}`,
        })),
      );
    },
  };
}

/** The frame of an experiment's timelines: the dataset's span, else the span of its events. */
export function timelineFrame(
  results: ReportResults,
  dataset: Dataset | null,
  chooseBucket: (spanMs: number, intervalMs: number) => number,
): TimelineFrame {
  if (dataset) {
    const m = dataset.manifest;
    const spanMs = Math.max(m.end - m.start, m.sampleIntervalMs);
    return {
      originMs: m.start,
      spanS: spanMs / 1000,
      bucketMs: chooseBucket(spanMs, m.sampleIntervalMs),
      sampleIntervalMs: m.sampleIntervalMs,
    };
  }
  const scoring = results.scoring as { scoredPeriod?: { start?: unknown; end?: unknown } } | null;
  const times: number[] = [];
  for (const a of Object.values(results.algorithms)) {
    for (const x of a.alarms) times.push(x.time);
    for (const x of a.localizations) times.push(x.time, x.trigger.time);
    for (const x of a.actions) times.push(x.requested, x.completed);
  }
  const p = scoring?.scoredPeriod;
  if (typeof p?.start === 'number') times.push(p.start);
  if (typeof p?.end === 'number') times.push(p.end);
  // A loop, not Math.min(...times): an event list can be longer than the argument limit.
  let start = Infinity;
  let end = -Infinity;
  for (const t of times) {
    if (t < start) start = t;
    if (t > end) end = t;
  }
  if (times.length === 0) [start, end] = [0, 1000];
  const spanMs = Math.max(end - start, 1000);
  return {
    originMs: start,
    spanS: spanMs / 1000,
    bucketMs: chooseBucket(spanMs, 1000),
    sampleIntervalMs: 1000,
  };
}
