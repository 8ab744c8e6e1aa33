// The replay engine: drives one algorithm through a recorded run on a virtual clock.
//
//   samples (time order) --> predictor.score/learn --> alarms
//   SLO stream / alarms / explicit times --> triggers --> localizer (or the predictor's own
//   cause inference) --> ranking --> remedy --> action, whose latency comes from the fix model
//
// Virtual time is the samples' time: nothing here reads a wall clock. Cost is measured only when
// the caller injects a clock, and then kept apart from everything that must be reproducible.
// Triggers fire only once the data that defines them has been seen (an SLO onset is known after
// `minDurationS` violating seconds), and a localizer sees only samples up to the firing time.

import type {
  Algorithm,
  Predictor,
  Ranking,
  Remedy,
  Topology,
  Trigger,
  TriggerKind,
  Window,
} from '../core/algorithm.ts';
import type { Dataset, FaultRecord } from '../core/dataset.ts';
import { InternalError } from '../core/errors.ts';
import { createRng } from '../core/rng.ts';
import type { ActionResult, AlarmRecord, LocalizationRecord } from '../core/results.ts';
import { drawLatencyMs, resolvesFault, type FixModel } from './fix-model.ts';
import { columnOrder, lowerBound, sampleAt, samplesBetween } from './samples.ts';

/**
 * slo: at each SLO-violation onset (default). alarm: at the algorithm's own alarms, or, for a
 * localizer, at `times` (another predictor's alarms, see debounceAlarms). explicit: at given times.
 */
export type TriggerMode =
  | { kind: 'slo' }
  | { kind: 'alarm'; times?: number[]; source?: string }
  | { kind: 'explicit'; times: number[] };

export interface ReplayConfig {
  trigger: TriggerMode;
  /** Violating seconds in a row that make an SLO-violation onset (scoring's minDurationS). */
  minDurationS: number;
  /** After a localization, alarms do not trigger another one for this long; also the grace after a fault's end. */
  pendingWindowMs: number;
  remedy: Remedy | null;
  fixModel: FixModel;
  seed: number;
  /** Wall clock in ms, injected only to measure cost; absent = cost fields stay null. */
  clock?: () => number;
  onProgress?: (done: number, total: number) => void;
}

export interface Timeline {
  alarms: AlarmRecord[];
  localizations: LocalizationRecord[];
  actions: ActionResult[];
  samplesScored: number;
  /** Total time in score()+learn(), when a clock was injected. */
  scoreMs: number | null;
}

interface PendingTrigger {
  kind: TriggerKind;
  time: number;
  host: string | null;
}

const PROGRESS_EVERY = 50_000;

export function replay(
  dataset: Dataset,
  algorithm: Algorithm,
  period: { start: number; end: number },
  name: string,
  config: ReplayConfig,
): Timeline {
  const table = dataset.metrics;
  const metrics = table.metrics;
  const columns = columnOrder(table, metrics, `dataset ${dataset.manifest.name}`);
  const topology: Topology = { hosts: table.hosts, edges: dataset.manifest.dependencies };
  const predictor = algorithm.kind === 'predictor' ? algorithm : null;
  const clock = config.clock;
  const rng = createRng(config.seed).fork(`fix:${name}`);
  const slo = sloStream(dataset, period, config.minDurationS);

  const alarms: AlarmRecord[] = [];
  const localizations: LocalizationRecord[] = [];
  const actions: ActionResult[] = [];
  const lastScore = new Map<string, number>();
  const scheduledKind: TriggerKind = config.trigger.kind === 'alarm' ? 'alarm' : 'explicit';
  const scheduled =
    config.trigger.kind === 'slo' ? [] : [...(config.trigger.times ?? [])].sort((a, b) => a - b);
  let scheduledNext = 0;
  let pending: PendingTrigger[] = [];
  let quietUntil = -Infinity;
  let scoreMs = 0;

  const first = lowerBound(table.time, period.start);
  const last = lowerBound(table.time, period.end);
  for (let i = first; i < last; i++) {
    const t = table.time[i]!;
    if (config.trigger.kind === 'slo') pending.push(...slo.advanceTo(t));
    while (scheduledNext < scheduled.length && scheduled[scheduledNext]! <= t) {
      pending.push({ kind: scheduledKind, time: scheduled[scheduledNext++]!, host: null });
    }
    if (predictor) {
      const sample = sampleAt(table, columns, i);
      const t0 = clock?.();
      const p = predictor.score(sample);
      predictor.learn(sample);
      if (clock) scoreMs += clock() - t0!;
      if (!(p.score >= 0 && p.score <= 1)) {
        throw new InternalError(
          `algorithm ${name}: score ${p.score} outside [0, 1] at ${t} on ${sample.host}`,
        );
      }
      lastScore.set(sample.host, p.score);
      if (p.anomalous) {
        alarms.push({ time: t, host: sample.host, score: p.score });
        if (config.trigger.kind === 'alarm' && !config.trigger.times && t >= quietUntil) {
          pending.push({ kind: 'alarm', time: t, host: sample.host });
          quietUntil = t + config.pendingWindowMs;
        }
      }
    }
    // Fire triggers once every host's sample of this time has been seen.
    const endOfTime = i + 1 >= last || table.time[i + 1]! !== t;
    if (endOfTime && pending.length > 0) {
      for (const trigger of pending) {
        const loc = localizeAt(t, trigger);
        if (!loc) continue;
        localizations.push(loc);
        const action = chooseAction(loc);
        if (action) actions.push(action);
      }
      pending = [];
    }
    if (config.onProgress && (i - first) % PROGRESS_EVERY === 0) config.onProgress(i - first, last - first);
  }
  config.onProgress?.(last - first, last - first);

  function localizeAt(now: number, trigger: PendingTrigger): LocalizationRecord | null {
    const t0 = clock?.();
    let ranking: Ranking;
    if (algorithm.kind === 'localizer') {
      const window: Window = {
        start: now - algorithm.lookbackMs,
        end: now,
        samples: samplesBetween(table, columns, now - algorithm.lookbackMs, now + 1),
      };
      ranking = algorithm.localize(window, trigger as Trigger, topology);
    } else {
      ranking = causeInference(algorithm, lastScore);
    }
    const computeMs = clock ? clock() - t0! : null;
    for (const e of ranking.entries) {
      if (!Number.isFinite(e.score))
        throw new InternalError(`algorithm ${name}: ranking score ${e.score} for ${e.host}`);
    }
    const record: LocalizationRecord = {
      time: now,
      trigger: { kind: trigger.kind, time: trigger.time, host: trigger.host },
      ranking: ranking.entries.map((e) => ({ host: e.host, metric: e.metric, score: e.score })),
      pinpointed: [...ranking.pinpointed],
      computeMs,
    };
    if (ranking.note !== undefined) record.note = ranking.note;
    return record;
  }

  function chooseAction(loc: LocalizationRecord): ActionResult | null {
    if (!config.remedy) return null;
    const request = config.remedy.choose({ entries: loc.ranking, pinpointed: loc.pinpointed });
    if (!request) return null;
    // One fix at a time per host: a second request while the first is still running is dropped.
    if (actions.some((a) => a.host === request.host && a.completed > loc.time)) return null;
    const fault = faultFor(dataset.manifest.faults, loc.trigger.time, config.pendingWindowMs);
    const completed = loc.time + drawLatencyMs(config.fixModel, request.type, rng);
    return {
      type: request.type,
      host: request.host,
      requested: loc.time,
      completed,
      effective:
        fault !== null &&
        fault.host === request.host &&
        resolvesFault(config.fixModel, fault.type, request.type),
      faultId: fault?.id ?? null,
    };
  }

  return { alarms, localizations, actions, samplesScored: last - first, scoreMs: clock ? scoreMs : null };
}

/** Alarm times that start a localization: the first alarm after `quietMs` without one triggering. */
export function debounceAlarms(alarms: readonly { time: number }[], quietMs: number): number[] {
  const out: number[] = [];
  let quietUntil = -Infinity;
  for (const a of alarms) {
    if (a.time >= quietUntil) {
      out.push(a.time);
      quietUntil = a.time + quietMs;
    }
  }
  return out;
}

/**
 * A predictor's own cause inference: hosts ranked by their latest anomaly score, each with the
 * metric its explain() ranks first (metric null when the predictor cannot explain).
 */
function causeInference(predictor: Predictor, lastScore: Map<string, number>): Ranking {
  const hosts = [...lastScore.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const entries = hosts.map(([host, score]) => ({
    host,
    metric: predictor.explain?.(host)[0]?.metric ?? null,
    score,
  }));
  return { entries, pinpointed: entries.length > 0 && entries[0]!.score > 0 ? [entries[0]!.host] : [] };
}

/** The fault an action taken for a trigger at `t` is aimed at: the latest one active at t (with grace). */
export function faultFor(faults: readonly FaultRecord[], t: number, graceMs: number): FaultRecord | null {
  let best: FaultRecord | null = null;
  for (const f of faults) {
    if (f.start <= t && t < f.end + graceMs && (!best || f.start > best.start)) best = f;
  }
  return best;
}

/**
 * Online SLO-onset detection over the slo table: yields a trigger (time = the first violating
 * second of the run) when a run reaches `minDurationS` seconds, i.e. when the onset is known.
 */
function sloStream(dataset: Dataset, period: { start: number; end: number }, minDurationS: number) {
  const spec = dataset.manifest.slo;
  const slo = dataset.slo;
  const interval = dataset.manifest.sampleIntervalMs;
  const needRows = Math.max(1, Math.ceil((minDurationS * 1000) / interval));
  let j = slo ? lowerBound(slo.time, period.start) : 0;
  let runStart = NaN;
  let runLen = 0;
  let prevTime = -Infinity;
  return {
    advanceTo(t: number): PendingTrigger[] {
      if (!slo || !spec) return [];
      const signal = slo.columns[spec.signal]!;
      const out: PendingTrigger[] = [];
      while (j < slo.time.length && slo.time[j]! <= t && slo.time[j]! < period.end) {
        const time = slo.time[j]!;
        if (signal[j]! >= spec.threshold) {
          const contiguous = runLen > 0 && time - prevTime <= 1.5 * interval;
          if (contiguous) runLen++;
          else {
            runStart = time;
            runLen = 1;
          }
          if (runLen === needRows) out.push({ kind: 'slo', time: runStart, host: null });
        } else {
          runLen = 0;
        }
        prevTime = time;
        j++;
      }
      return out;
    },
  };
}
