// A Kafka consumer for live mode that survives a broker restart: one kafkajs consumer in its own
// group, subscribed to every topic, committing offsets (at-least-once: the caller deduplicates),
// replaced by a new consumer in the same group whenever kafkajs gives up on it, until stop().
//
//   const live = await startLiveConsumer({ brokers, groupId: 'live-1', topics: ['stats'], onMessage });
//   await live.ready();        // joined its group once
//   ...
//   await live.stop();
//
// What a broker restart does to a kafkajs 2.2.4 consumer (measured; test/telemetry/kafka-restart.test.ts):
// - A short outage (shorter than the retry budget) is ridden out inside kafkajs: requests are
//   retried, the member keeps its id, and fetching resumes within about one retry interval of the
//   broker being back. The consumer stays 'running' meanwhile (the logger shows the errors).
// - A longer outage exhausts the retries and the consumer CRASHes (a retriable error: kafkajs would
//   restart it itself, as a new group member). We make that restart ourselves instead (see
//   restartOnFailure below) so stop() can always account for, and end, everything in flight.
// - The restarted broker reloads the group with the old, dead member in it. A new member's join then
//   waits until the coordinator gives up on the old one: its session timeout (kafkajs: 30 s) or the
//   group's rebalance timeout (kafkajs: 60 s), whichever comes first. Hence the short rebalance
//   timeout below: the group has one member (ours), nobody else needs time to rejoin.
// - A group with no committed offset that starts "at the end" resolves the end lazily at its first
//   fetch, again after every re-creation: what was produced while it was away would be skipped.
//   So the end is pinned once (at the first successful start) and sought to on every join, for each
//   partition nothing was delivered from yet; seeking commits it (autoCommit).

import {
  Kafka,
  logLevel,
  type Consumer,
  type ConsumerCrashEvent,
  type ConsumerGroupJoinEvent,
  type ISocketFactory,
  type LogEntry,
  type RetryOptions,
} from 'kafkajs';
import { ForeshockError, UserError } from '../../core/errors.ts';

export type LiveConsumerState = 'connecting' | 'running' | 'reconnecting' | 'stopped';

export interface LiveConsumerLogger {
  warn(m: string): void;
  error(m: string): void;
}

export interface LiveConsumerOptions {
  brokers: string[];
  /** Its own consumer group: committed offsets survive a restart of the consumer. */
  groupId: string;
  /** E.g. ['stats', 'aggregate']. They must exist (the consumer does not create topics). */
  topics: string[];
  /**
   * Where to start when the group has no committed offset for a partition: its beginning, or
   * (default) its end as of the first successful start, which later reconnects keep.
   */
  fromBeginning?: boolean;
  /** Each message's value, parsed as JSON. Synchronous and quick; a throw is logged, not retried. */
  onMessage: (topic: string, value: unknown) => void;
  /** 'connecting' once, 'running' on (re)joining the group, 'reconnecting' with the reason, 'stopped'. */
  onState?: (state: LiveConsumerState, detail?: string) => void;
  /** kafkajs's warnings and errors, at most one line per distinct message per 5 s (default: stderr). */
  logger?: LiveConsumerLogger;
  /**
   * kafkajs retry policy for each consumer (default LIVE_RETRY: 8 retries, 100 ms doubling to 1 s,
   * about 5.5 s before a consumer gives up and is replaced). The cap is also how long after the broker
   * is back a waiting retry can take to notice.
   */
  retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number };
  /** Pause between a consumer giving up and its replacement starting (default 1000). */
  reconnectDelayMs?: number;
  /**
   * How long the group coordinator waits for members to rejoin (default 3000). It bounds how long a
   * replacement waits for the dead member a broker restart leaves in the group (see the header).
   */
  rebalanceTimeoutMs?: number;
  /** Session timeout (default 10 000; the broker's minimum is 6000 unless configured otherwise). */
  sessionTimeoutMs?: number;
  /** How long ready() waits by default (30 000). */
  readyTimeoutMs?: number;
  /**
   * How long stop() waits for kafkajs to wind down before giving up on it (default 10 000). With the
   * broker down, a start in progress cannot be cancelled, only waited out: up to the retry budget.
   */
  stopTimeoutMs?: number;
  clientId?: string;
  connectionTimeoutMs?: number;
  /** How kafkajs opens broker connections (default TCP; tunnel-socket.ts: through an SSH bastion). */
  socketFactory?: ISocketFactory;
}

export interface LiveConsumer {
  /**
   * Resolves once the consumer has joined its group for the first time; rejects after `timeoutMs`
   * (default readyTimeoutMs) with a retriable ForeshockError naming the brokers and the group.
   */
  ready(timeoutMs?: number): Promise<void>;
  /**
   * Leaves the group and disconnects; idempotent. Leaves no timers or sockets behind, unless kafkajs
   * took longer than stopTimeoutMs to wind down (it then finishes on its own; a warning says so).
   */
  stop(): Promise<void>;
  /** How many times consumption broke down and a new consumer was started. */
  restarts(): number;
}

/** The default retry policy (see LiveConsumerOptions.retry); factor and multiplier are kafkajs's. */
export const LIVE_RETRY: Required<
  Pick<RetryOptions, 'retries' | 'initialRetryTime' | 'maxRetryTime' | 'factor' | 'multiplier'>
> = {
  retries: 8,
  initialRetryTime: 100,
  maxRetryTime: 1000,
  // kafkajs's own values, spelled out: its defaults change under NODE_ENV=test (vitest sets it).
  factor: 0.2,
  multiplier: 2,
};

/** One line per distinct message (digits ignored) per this many ms. */
export const LOG_WINDOW_MS = 5000;

const stderrLogger: LiveConsumerLogger = {
  warn: (m) => process.stderr.write(`kafka: ${m}\n`),
  error: (m) => process.stderr.write(`kafka: ${m}\n`),
};

/**
 * Passes a line through unless the same message (numbers aside: retry counts and delays vary) went
 * through less than `windowMs` ago; the next line that passes says how many were held back. No
 * timers: what is held back when the consumer stops is summarised by flush().
 */
export class RateLimitedLog {
  private readonly seen = new Map<
    string,
    { at: number; held: number; level: 'warn' | 'error'; last: string }
  >();

  constructor(
    private readonly logger: LiveConsumerLogger,
    private readonly windowMs = LOG_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  write(level: 'warn' | 'error', line: string): void {
    const key = `${level} ${line.replace(/\d+/g, '#')}`;
    const t = this.now();
    const entry = this.seen.get(key);
    if (entry && t - entry.at < this.windowMs) {
      entry.held++;
      entry.last = line;
      return;
    }
    const held = entry?.held ?? 0;
    if (this.seen.size > 200) {
      // Bounded: forget the quiet ones (their held counts are lost, the lines were alike anyway).
      for (const [k, e] of this.seen) if (t - e.at >= this.windowMs) this.seen.delete(k);
    }
    this.seen.set(key, { at: t, held: 0, level, last: line });
    this.logger[level](held > 0 ? `${line} (and ${held} more like it before)` : line);
  }

  /** One summary line per message that was held back since it last went through. */
  flush(): void {
    for (const e of this.seen.values()) {
      if (e.held > 0) this.logger[e.level](`${e.last} (repeated ${e.held} more time(s))`);
    }
    this.seen.clear();
  }
}

function positiveMs(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0))
    throw new UserError(
      `kafka live consumer: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number of ms (got ${v})`,
    );
  return v;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The root cause's message: kafkajs wraps a refused connection in a retry error or two. */
function innermost(err: unknown): string {
  let cur: unknown = err;
  for (let i = 0; i < 8; i++) {
    const next =
      (cur as { originalError?: unknown; cause?: unknown } | null)?.originalError ??
      (cur as { cause?: unknown } | null)?.cause;
    if (!next || typeof next !== 'object') break;
    cur = next;
  }
  return errorText(cur);
}

/** One kafkajs consumer's life: from creation to its crash (or stop()). */
interface Generation {
  consumer: Consumer;
  /** Set once it crashed, failed to start, or was told to stop: its events no longer count. */
  over: boolean;
  /**
   * The start-up chain (pin, connect, subscribe, run: run() returns once kafkajs has joined the
   * group or handled the crash). Settles only when nothing of the start is in flight any more.
   */
  started: Promise<void>;
}

export async function startLiveConsumer(o: LiveConsumerOptions): Promise<LiveConsumer> {
  if (o.brokers.length === 0) throw new UserError('kafka live consumer: no brokers given');
  if (o.topics.length === 0) throw new UserError('kafka live consumer: no topics given');
  if (o.groupId.trim() === '') throw new UserError('kafka live consumer: groupId is empty');
  const reconnectDelayMs = positiveMs('reconnectDelayMs', o.reconnectDelayMs, 1000, true);
  const rebalanceTimeout = positiveMs('rebalanceTimeoutMs', o.rebalanceTimeoutMs, 3000);
  const sessionTimeout = positiveMs('sessionTimeoutMs', o.sessionTimeoutMs, 10_000);
  const readyTimeoutMs = positiveMs('readyTimeoutMs', o.readyTimeoutMs, 30_000);
  const stopTimeoutMs = positiveMs('stopTimeoutMs', o.stopTimeoutMs, 10_000);
  // Only the fields given: `{ retries: undefined }` must not erase a default.
  const retry = { ...LIVE_RETRY };
  for (const k of ['retries', 'initialRetryTime', 'maxRetryTime'] as const) {
    const v = o.retry?.[k];
    if (v === undefined) continue;
    if (!Number.isFinite(v) || v < 0)
      throw new UserError(`kafka live consumer: retry.${k} must be a non-negative number (got ${v})`);
    retry[k] = v;
  }
  const { brokers, groupId, topics } = o;
  const fromBeginning = o.fromBeginning ?? false;
  const where = `${brokers.join(',')}, group ${groupId}`;
  const log = new RateLimitedLog(o.logger ?? stderrLogger);

  const logCreator =
    () =>
    ({ level, log: entry }: LogEntry): void => {
      const line = `${entry.message}${entry.error ? `: ${String(entry.error)}` : ''}`;
      log.write(level === logLevel.ERROR ? 'error' : 'warn', `live consumer (${groupId}): ${line}`);
    };
  const client = (policy: RetryOptions): Kafka =>
    new Kafka({
      clientId: o.clientId ?? 'foreshock-live',
      brokers,
      connectionTimeout: o.connectionTimeoutMs ?? 3000,
      // The client's policy is the cluster's (metadata, connections); consumers get it too, below.
      retry: policy,
      ...(o.socketFactory ? { socketFactory: o.socketFactory } : {}),
      logLevel: logLevel.WARN,
      logCreator,
    });
  const kafka = client(retry);
  // Pinning the ends is one quick look-up, retried by the reconnect loop anyway: a short budget, so
  // a stop() while the broker is down does not wait out the consumer's whole retry budget for it.
  const adminKafka = client({ ...retry, retries: Math.min(retry.retries, 3) });

  let state: LiveConsumerState | null = null;
  const setState = (next: LiveConsumerState, detail?: string): void => {
    // 'reconnecting' repeats with each new reason; the others only report a change.
    if (next === state && next !== 'reconnecting') return;
    state = next;
    try {
      o.onState?.(next, detail);
    } catch (err) {
      log.write('error', `live consumer (${groupId}): onState threw: ${errorText(err)}`);
    }
  };

  let stopped = false;
  let restartCount = 0;
  let lastReason = '';
  let joinedOnce = false;
  const joinWaiters = new Set<{ resolve: () => void; reject: (e: unknown) => void }>();
  let reconnectTimer: NodeJS.Timeout | null = null;
  // Partitions of "start at the end" without a committed offset -> that end, pinned once.
  let pinned: Map<string, string> | null = fromBeginning ? new Map() : null;
  // Partitions something was delivered from: their committed offset is past the pinned end already.
  const delivered = new Set<string>();
  const tp = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

  const pinEnds = async (): Promise<Map<string, string>> => {
    const admin = adminKafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId, topics });
      const ends = new Map<string, string>();
      for (const { topic, partitions } of committed) {
        const missing = partitions.filter((p) => Number(p.offset) < 0);
        if (missing.length === 0) continue;
        const high = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.offset]));
        for (const p of missing) {
          const end = high.get(p.partition);
          if (end !== undefined) ends.set(tp(topic, p.partition), end);
        }
      }
      return ends;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };

  const scheduleReplacement = (reason: string): void => {
    if (stopped || reconnectTimer) return;
    restartCount++;
    lastReason = reason;
    setState('reconnecting', reason);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      launch();
    }, reconnectDelayMs);
  };

  // Every generation not yet known to be finished (kafkajs disconnected it, or we did): stop() ends them.
  const generations = new Set<Generation>();

  const handleJoin = (gen: Generation, e: ConsumerGroupJoinEvent): void => {
    if (gen.over || stopped) return;
    for (const [topic, partitions] of Object.entries(e.payload.memberAssignment)) {
      for (const partition of partitions) {
        const end = pinned?.get(tp(topic, partition));
        if (end === undefined || delivered.has(tp(topic, partition))) continue;
        try {
          gen.consumer.seek({ topic, partition, offset: end });
        } catch (err) {
          log.write(
            'error',
            `live consumer (${groupId}): seeking ${topic}/${partition} to ${end}: ${errorText(err)}`,
          );
        }
      }
    }
    joinedOnce = true;
    for (const w of joinWaiters) w.resolve();
    joinWaiters.clear();
    setState('running');
  };

  const onMessage = (topic: string, raw: Buffer | null): void => {
    let value: unknown;
    try {
      value = JSON.parse(raw?.toString() ?? 'null');
    } catch (err) {
      log.write('error', `live consumer (${groupId}): a "${topic}" message is not JSON: ${errorText(err)}`);
      return;
    }
    try {
      o.onMessage(topic, value);
    } catch (err) {
      log.write('error', `live consumer (${groupId}): onMessage threw on "${topic}": ${errorText(err)}`);
    }
  };

  function launch(): void {
    if (stopped) return;
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout,
      rebalanceTimeout,
      heartbeatInterval: Math.min(3000, Math.floor(sessionTimeout / 3)),
      // Short long-polls: disconnecting waits for the fetch in flight.
      maxWaitTimeInMs: 1000,
      allowAutoTopicCreation: false,
      retry: {
        ...retry,
        // kafkajs would restart a crashed consumer itself, on the same object, after a delay: a
        // restart stop() could neither see nor cancel once it has begun. We start a new one instead.
        restartOnFailure: async () => false,
      },
    });
    const gen: Generation = { consumer, over: false, started: Promise.resolve() };
    generations.add(gen);
    consumer.on(consumer.events.GROUP_JOIN, (e: ConsumerGroupJoinEvent) => handleJoin(gen, e));
    consumer.on(consumer.events.CRASH, (e: ConsumerCrashEvent) => {
      // kafkajs has disconnected it before saying so, and will not restart it (restartOnFailure).
      generations.delete(gen);
      if (gen.over) return;
      gen.over = true;
      scheduleReplacement(`consumer crashed: ${innermost(e.payload.error)}`);
    });
    gen.started = (async () => {
      // After each step: if stop() (or a crash) ended this generation meanwhile, undo the step.
      const abandoned = async (): Promise<boolean> => {
        if (!gen.over) return false;
        await consumer.disconnect().catch(() => undefined);
        return true;
      };
      try {
        pinned ??= await pinEnds();
        if (await abandoned()) return;
        await consumer.connect();
        if (await abandoned()) return;
        await consumer.subscribe({ topics, fromBeginning });
        if (await abandoned()) return;
        await consumer.run({
          eachMessage: async ({ topic, partition, message }) => {
            delivered.add(tp(topic, partition));
            onMessage(topic, message.value);
          },
        });
        // A join that completed after stop() (it was in flight): leave again.
        await abandoned();
      } catch (err) {
        // Failed before kafkajs's own crash handling took over (pinning, connect, subscribe).
        const wasOver = gen.over;
        gen.over = true;
        await consumer.disconnect().catch(() => undefined);
        generations.delete(gen);
        if (!wasOver) scheduleReplacement(`could not start the consumer: ${innermost(err)}`);
      }
    })();
  }

  /** Ends a generation and waits until nothing of it is in flight; false if `deadline` came first. */
  const stopGeneration = async (gen: Generation, deadline: number): Promise<boolean> => {
    gen.over = true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
    });
    // disconnect() stops a running consumer; a start still retrying (broker down) is not cancelled
    // by it, so also wait for the start-up chain, which disconnects again when it gets through.
    const done = (async () => {
      await gen.consumer.disconnect().catch(() => undefined);
      await gen.started;
      generations.delete(gen);
      return true as const;
    })();
    try {
      return await Promise.race([done, late]);
    } finally {
      clearTimeout(timer);
    }
  };

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      const deadline = Date.now() + stopTimeoutMs;
      const results = await Promise.all([...generations].map((g) => stopGeneration(g, deadline)));
      if (results.includes(false)) {
        log.write(
          'warn',
          `live consumer (${groupId}): kafkajs did not wind down within ${stopTimeoutMs} ms; left to finish on its own`,
        );
      }
      const err = new ForeshockError(`kafka live consumer (${where}) stopped before it joined its group`, {
        retriable: false,
      });
      for (const w of joinWaiters) w.reject(err);
      joinWaiters.clear();
      log.flush();
      setState('stopped');
    })();
    return stopping;
  };

  const ready = (timeoutMs = readyTimeoutMs): Promise<void> => {
    if (joinedOnce) return Promise.resolve();
    if (stopped)
      return Promise.reject(
        new ForeshockError(`kafka live consumer (${where}) was stopped`, { retriable: false }),
      );
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        joinWaiters.delete(waiter);
        reject(
          new ForeshockError(
            `kafka live consumer not ready within ${timeoutMs} ms (${where}): it had not joined its group` +
              `${lastReason ? ` (last failure: ${lastReason})` : ''}; ` +
              'retrying may help once the broker is reachable (is it running? `foreshock kafka status`)',
            { retriable: true },
          ),
        );
      }, timeoutMs);
      joinWaiters.add(waiter);
    });
  };

  setState('connecting');
  launch();
  return { ready, stop, restarts: () => restartCount };
}
