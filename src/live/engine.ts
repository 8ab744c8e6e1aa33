// The live pipeline: the same algorithm objects replay uses (a Predictor, a Localizer or the
// predictor's own cause inference, a Remedy), fed one message at a time instead of a recorded table.
//
//   stats message --dedupe (host, second)--> Sample --predictor.score/learn--> alarm
//   alarm (debounced per host by the pending window: a host's alarms trigger again only W after its
//     last trigger; replay debounces globally, but live mode must not let one host's false alarm
//     silence a real one elsewhere) --> trigger --(every host's sample of that second is in,
//     or the caller's tick says it waited long enough)--> localizer over the history --> ranking
//     --> remedy.choose --> action request (the caller performs it, or prints it in a dry run)
//   aggregate row --> SLO state; `minDurationS` violating seconds in a row = an onset (scoring's rule)
//
// No clock and no I/O here: the caller passes `receivedAt` (wall ms) with each message and calls
// tick(now); everything the engine decides is a function of the messages and those times, so a test
// can drive it with made-up times. Delivery is at-least-once (Kafka after a reconnect): a host's
// sample for a second already seen, or older than its latest, is dropped and counted.

import type {
  ActionRequest,
  Localizer,
  Predictor,
  Ranking,
  Remedy,
  Sample,
  Topology,
  Trigger,
} from '../core/algorithm.ts';
import { observedViolation } from '../core/dataset.ts';
import type { LocalizationRecord } from '../core/results.ts';
import type { AggregateMessage, StatsMessage } from '../telemetry/bus.ts';
import { causeInference } from '../sim/replay.ts';

export interface LiveEngineConfig {
  metrics: readonly string[];
  /** Hosts the model knows (a localization waits for all of them, up to `triggerWaitMs`). */
  hosts: readonly string[];
  edges: [string, string][];
  /** SLO threshold on the per-second mean latency, ms (violated when mean >= threshold). */
  sloMs: number;
  /** Violating seconds in a row that make an onset (scoring's minDurationS). */
  minDurationS: number;
  /** After a host's alarm triggered a localization, its alarms do not trigger another for this long. */
  pendingWindowMs: number;
  /** How long a trigger waits for the other hosts' samples of its second (wall ms). */
  triggerWaitMs: number;
  /** History kept for the localizer (ms); at least its lookback. */
  historyMs: number;
}

export interface LiveAlarm {
  /** The sample's second (epoch ms), as in a recorded dataset. */
  time: number;
  /** When the host took the sample (the stats message's own time). */
  sampledAt: number;
  host: string;
  score: number;
  /** Wall time the alarm was raised (the message's receivedAt; the caller adds scoring time). */
  raisedAt: number;
}

export interface LiveLocalization {
  record: LocalizationRecord;
  ranking: Ranking;
  /** The remedy's choice, null when it has none (or there is no remedy). */
  request: ActionRequest | null;
}

export interface SampleOutcome {
  accepted: boolean;
  sample: Sample | null;
  alarm: LiveAlarm | null;
  score: number | null;
}

export interface SloOutcome {
  violated: boolean;
  /** The first violating second of a run that just reached minDurationS, else null. */
  onset: number | null;
}

const MAX_DROPPED = 1000;

interface PendingTrigger {
  trigger: Trigger;
  createdAt: number;
}

export class LiveEngine {
  readonly counters = { samples: 0, duplicates: 0, outOfOrder: 0, unknownHost: 0 };
  /** The first MAX_DROPPED samples dropped as duplicates or out of order. */
  readonly dropped: { host: string; time: number; reason: 'duplicate' | 'out-of-order' }[] = [];
  private readonly lastTime = new Map<string, number>();
  private readonly lastScore = new Map<string, number>();
  private readonly history: Sample[] = [];
  private pending: PendingTrigger[] = [];
  /** Per host: its alarms trigger no localization before this time (the pending window). */
  private readonly quietUntil = new Map<string, number>();
  private sloQuietUntil = -Infinity;
  /** Alarms and onsets before this time (a warm-up) are reported but trigger nothing. */
  private triggersFrom = -Infinity;
  private violatedRun = 0;
  private runStart = 0;

  constructor(
    private readonly predictor: Predictor,
    private readonly localizer: Localizer | null,
    private readonly remedy: Remedy | null,
    private readonly config: LiveEngineConfig,
  ) {}

  /** One `stats` message. Scores it unless it is a duplicate or older than the host's latest. */
  onStats(msg: StatsMessage, receivedAt: number): SampleOutcome {
    const host = msg.host;
    const second = Math.floor(msg.time / 1000) * 1000;
    const last = this.lastTime.get(host);
    if (last !== undefined && second <= last) {
      if (second === last) this.counters.duplicates++;
      else this.counters.outOfOrder++;
      // Kept (bounded) so a comparison with the recording can tell where the two streams differ: the
      // recorder's aggregator keeps the last sample of a host-second, live mode the first.
      if (this.dropped.length < MAX_DROPPED)
        this.dropped.push({ host, time: second, reason: second === last ? 'duplicate' : 'out-of-order' });
      return { accepted: false, sample: null, alarm: null, score: null };
    }
    if (!this.config.hosts.includes(host)) this.counters.unknownHost++;
    this.lastTime.set(host, second);
    const values = new Float64Array(this.config.metrics.length);
    this.config.metrics.forEach((m, k) => {
      const v = msg[m];
      values[k] = typeof v === 'number' && Number.isFinite(v) ? v : NaN;
    });
    const sample: Sample = { time: second, host, values };
    this.counters.samples++;
    this.remember(sample);
    const p = this.predictor.score(sample);
    this.predictor.learn(sample);
    this.lastScore.set(host, p.score);
    let alarm: LiveAlarm | null = null;
    if (p.anomalous) {
      alarm = { time: second, sampledAt: msg.time, host, score: p.score, raisedAt: receivedAt };
      if (second >= this.triggersFrom && second >= (this.quietUntil.get(host) ?? -Infinity)) {
        this.pending.push({ trigger: { kind: 'alarm', time: second, host }, createdAt: receivedAt });
        this.quietUntil.set(host, second + this.config.pendingWindowMs);
      }
    }
    return { accepted: true, sample, alarm, score: p.score };
  }

  /** One `aggregate` row: SLO state, and an onset once a violation lasted minDurationS seconds. */
  onAggregate(row: AggregateMessage): SloOutcome {
    const violated =
      row.count > 0 &&
      observedViolation(row.mean, row.count, row.errors ?? 0, {
        signal: 'mean',
        threshold: this.config.sloMs,
      });
    if (!violated) {
      this.violatedRun = 0;
      return { violated, onset: null };
    }
    if (this.violatedRun === 0) this.runStart = row.timestamp;
    this.violatedRun++;
    return { violated, onset: this.violatedRun === this.config.minDurationS ? this.runStart : null };
  }

  /** An SLO-violation onset triggers a localization too (unless an alarm just did). */
  triggerOnSlo(onset: number, receivedAt: number): void {
    if (onset < this.sloQuietUntil || onset < this.triggersFrom) return;
    this.pending.push({ trigger: { kind: 'slo', time: onset, host: null }, createdAt: receivedAt });
    this.sloQuietUntil = onset + this.config.pendingWindowMs;
  }

  /**
   * Localizes the triggers that are ready: every host has a sample at or after the trigger's
   * second, or `triggerWaitMs` passed since it was raised (a silent host must not stall the loop).
   */
  tick(now: number): LiveLocalization[] {
    const out: LiveLocalization[] = [];
    this.pending = this.pending.filter((p) => {
      const complete = this.config.hosts.every((h) => (this.lastTime.get(h) ?? -Infinity) >= p.trigger.time);
      if (!complete && now - p.createdAt < this.config.triggerWaitMs) return true;
      out.push(this.localize(p.trigger));
      return false;
    });
    return out;
  }

  /** Alarms (by sample time) and SLO onsets before `time` trigger no localization: a warm-up. */
  holdTriggersUntil(time: number): void {
    this.triggersFrom = time;
  }

  /** Whether the latest aggregate row violated the SLO. */
  sloViolatedNow(): boolean {
    return this.violatedRun > 0;
  }

  /** Hosts' latest predictor scores (the status page and validation read them). */
  scores(): ReadonlyMap<string, number> {
    return this.lastScore;
  }

  private localize(trigger: Trigger): LiveLocalization {
    const now = Math.max(trigger.time, ...this.lastTime.values());
    let ranking: Ranking;
    if (this.localizer) {
      const start = now - this.localizer.lookbackMs;
      const samples = this.history.filter((s) => s.time >= start && s.time <= now);
      const topology: Topology = { hosts: [...this.config.hosts], edges: this.config.edges };
      ranking = this.localizer.localize({ start, end: now, samples }, trigger, topology);
    } else {
      ranking = this.predictor.rankCauses?.() ?? causeInference(this.predictor, this.lastScore);
    }
    const record: LocalizationRecord = {
      time: now,
      trigger: { kind: trigger.kind, time: trigger.time, host: trigger.host },
      ranking: ranking.entries.map((e) => ({ host: e.host, metric: e.metric, score: e.score })),
      pinpointed: [...ranking.pinpointed],
      computeMs: null,
    };
    if (ranking.note !== undefined) record.note = ranking.note;
    const clean: Ranking = { entries: record.ranking, pinpointed: record.pinpointed };
    return { record, ranking: clean, request: this.remedy?.choose(clean) ?? null };
  }

  /** Keeps samples in time order (hosts interleave) for the last historyMs. */
  private remember(sample: Sample): void {
    const h = this.history;
    let i = h.length;
    while (i > 0 && h[i - 1]!.time > sample.time) i--;
    h.splice(i, 0, sample);
    const cut = h[h.length - 1]!.time - this.config.historyMs;
    let drop = 0;
    while (drop < h.length && h[drop]!.time < cut) drop++;
    if (drop > 0) h.splice(0, drop);
  }
}
