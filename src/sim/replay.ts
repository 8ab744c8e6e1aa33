// The replay engine: drives one algorithm through a recorded run on a virtual clock.
//
//   samples (time order) --> predictor.score/learn --> alarms
//   SLO stream / alarms / explicit times --> triggers --> localizer (or the predictor's own
//   cause inference) --> ranking --> remedy --> action, whose latency comes from the fix model
//   [--> online validation: once the action's outcome is known, the remedy may undo it and try the
//    next candidate, each attempt one more action record (remedies with validate() only)]
//
// Virtual time is the samples' time: nothing here reads a wall clock. Cost is measured only when
// the caller injects a clock, and then kept apart from everything that must be reproducible.
// Triggers fire only once the data that defines them has been seen (an SLO onset is known after
// `sloConfirmS` violating seconds), and a localizer sees only samples up to the firing time.

import type {
  ActionRequest,
  Algorithm,
  Predictor,
  Ranking,
  Remedy,
  Topology,
  Trigger,
  TriggerKind,
  Window,
} from '../core/algorithm.ts';
import { observedViolation, type Dataset, type FaultRecord } from '../core/dataset.ts';
import { InternalError } from '../core/errors.ts';
import { createRng } from '../core/rng.ts';
import type { ActionResult, AlarmRecord, LocalizationRecord } from '../core/results.ts';
import { drawLatencyMs, resolvesFault, type FixModel } from './fix-model.ts';
import { validateIfRecorded } from './recorded-validation.ts';
import { lowerBound } from '../core/stats.ts';
import { columnOrder, sampleAt, samplesBetween } from './samples.ts';

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
  /**
   * Violating seconds in a row after which the pipeline treats an SLO violation as confirmed and
   * localizes (a pipeline timing: scoring's minDurationS does not change it).
   */
  sloConfirmS: number;
  /** After an alarm starts a localization, alarms do not trigger another one for this long. */
  localizeDebounceMs: number;
  /** The fix model aims an action at the latest fault started before its trigger, up to this long after its end. */
  faultGraceMs: number;
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

/**
 * An action taken by a remedy with online validation: the ActionResult fields (requested = the
 * localization time, so fix time counts the failed attempts too) plus the attempt's own history.
 */
export interface ValidatedAction extends ActionResult {
  /** 1 = the remedy's first choice for the localization, 2 = the first retry, ... */
  attempt: number;
  /** When this attempt was started (= requested for attempt 1); completed = issued + latency. */
  issued: number;
  reason: string;
  /** When validation undid it (the SLO trend / alerts persisted); null = kept or not judged. */
  undone: number | null;
}

/** One localization's sequence of validated attempts. */
interface Chain {
  ranking: Ranking;
  requested: number;
  fault: FaultRecord | null;
  tried: ActionRequest[];
  last: ValidatedAction;
  /** When the last attempt's outcome is judged. */
  due: number;
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
  const slo = sloStream(dataset, period, config.sloConfirmS);

  const alarms: AlarmRecord[] = [];
  const localizations: LocalizationRecord[] = [];
  const actions: ActionResult[] = [];
  const lastScore = new Map<string, number>();
  const scheduledKind: TriggerKind = config.trigger.kind === 'alarm' ? 'alarm' : 'explicit';
  const scheduled =
    config.trigger.kind === 'slo' ? [] : [...(config.trigger.times ?? [])].sort((a, b) => a - b);
  let scheduledNext = 0;
  let pending: PendingTrigger[] = [];
  /** Validation chains whose last attempt has not been judged yet, in the order they were opened. */
  let chains: Chain[] = [];
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
          quietUntil = t + config.localizeDebounceMs;
        }
      }
    }
    // Fire triggers once every host's sample of this time has been seen.
    const endOfTime = i + 1 >= last || table.time[i + 1]! !== t;
    // Judge the attempts whose outcome is known; a chain stays open while it starts another attempt.
    if (endOfTime && chains.length > 0) chains = chains.filter((c) => c.due > t || validate(c, t));
    if (endOfTime && pending.length > 0) {
      for (const trigger of pending) {
        const loc = localizeAt(t, trigger);
        localizations.push(loc.record);
        act(loc.record, loc.ranking);
      }
      pending = [];
    }
    if (config.onProgress && (i - first) % PROGRESS_EVERY === 0) config.onProgress(i - first, last - first);
  }
  config.onProgress?.(last - first, last - first);

  function localizeAt(
    now: number,
    trigger: PendingTrigger,
  ): { record: LocalizationRecord; ranking: Ranking } {
    const t0 = clock?.();
    let ranking: Ranking;
    if (algorithm.kind === 'localizer') {
      const window: Window = {
        start: now - algorithm.lookbackMs,
        end: now,
        samples: samplesBetween(table, columns, now - algorithm.lookbackMs, now + 1),
      };
      // An answer the localizer could not validate itself is checked against fixes executed in the
      // recording (FChain's online validation, replay side); without such fixes it stays as it is.
      ranking = validateIfRecorded(algorithm.localize(window, trigger as Trigger, topology), now, dataset);
    } else {
      ranking = algorithm.rankCauses?.() ?? causeInference(algorithm, lastScore);
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
    return { record, ranking: { entries: record.ranking, pinpointed: record.pinpointed } };
  }

  /** One fix at a time per host: a host with a running action or an unjudged attempt takes no other. */
  function busy(host: string, now: number): boolean {
    return (
      actions.some((a) => a.host === host && a.completed > now) || chains.some((c) => c.last.host === host)
    );
  }

  function act(loc: LocalizationRecord, ranking: Ranking): void {
    const remedy = config.remedy;
    if (!remedy) return;
    const request = remedy.choose(ranking);
    if (!request || busy(request.host, loc.time)) return;
    const fault = faultFor(dataset.manifest.faults, loc.trigger.time, config.faultGraceMs);
    const completed = loc.time + drawLatencyMs(config.fixModel, request.type, rng);
    const action: ActionResult = {
      type: request.type,
      host: request.host,
      requested: loc.time,
      completed,
      effective: resolves(fault, request),
      faultId: fault?.id ?? null,
      source: 'modelled',
    };
    if (!remedy.validate) {
      actions.push(action);
      return;
    }
    const first: ValidatedAction = {
      ...action,
      attempt: 1,
      issued: loc.time,
      reason: request.reason,
      undone: null,
    };
    actions.push(first);
    chains.push({
      ranking,
      requested: loc.time,
      fault,
      tried: [request],
      last: first,
      due: completed + (remedy.validationDelayMs ?? 0),
    });
  }

  function resolves(fault: FaultRecord | null, request: ActionRequest): boolean {
    return (
      fault !== null &&
      fault.host === request.host &&
      resolvesFault(config.fixModel, fault.type, request.type)
    );
  }

  /**
   * Online validation of a chain's last attempt at virtual time `now`. The replay counterfactual: the
   * SLO trend persists when a fault was active and the attempt did not resolve it (with no fault there
   * is no trend to persist). Returns true while the chain goes on (a next attempt was started).
   */
  function validate(chain: Chain, now: number): boolean {
    const remedy = config.remedy!;
    const persists = chain.fault !== null && !chain.last.effective;
    const step = remedy.validate!(chain.ranking, chain.tried, persists);
    if (step.undo) chain.last.undone = now;
    const next = step.next;
    if (!next || actions.some((a) => a.host === next.host && a.completed > now)) return false;
    if (chains.some((c) => c !== chain && c.last.host === next.host)) return false;
    const completed = now + drawLatencyMs(config.fixModel, next.type, rng);
    const attempt: ValidatedAction = {
      type: next.type,
      host: next.host,
      requested: chain.requested,
      completed,
      effective: resolves(chain.fault, next),
      faultId: chain.fault?.id ?? null,
      source: 'modelled',
      attempt: chain.tried.length + 1,
      issued: now,
      reason: next.reason,
      undone: null,
    };
    actions.push(attempt);
    chain.tried.push(next);
    chain.last = attempt;
    chain.due = completed + (remedy.validationDelayMs ?? 0);
    return true;
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
/** The ranking a predictor without rankCauses() gives: hosts by latest score, each with its top explain() metric (live mode uses it too). */
export function causeInference(predictor: Predictor, lastScore: ReadonlyMap<string, number>): Ranking {
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
 * second of the run) when a run reaches `minDurationS` (ReplayConfig.sloConfirmS) seconds.
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
      const count = slo.columns.count;
      const errors = slo.columns.errors;
      const out: PendingTrigger[] = [];
      while (j < slo.time.length && slo.time[j]! <= t && slo.time[j]! < period.end) {
        const time = slo.time[j]!;
        if (observedViolation(signal[j]!, count ? count[j]! : 0, errors ? errors[j]! : 0, spec)) {
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
