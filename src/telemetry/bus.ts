// The telemetry bus: `publish(topic, msg)` / `subscribe(topic, handler)`, as the architecture names
// it. Topic names follow the seed project (../shared/spec/seed.md): `stats` (host metrics),
// `responsetime` (one message per timed request) and `aggregate` (a per-second join of the two).
// This file holds the interface, the message shapes and the in-memory implementation (the embedded
// default and the one tests use); a Kafka implementation of the same interface comes with the
// testbed issue.

/** The seed's three topics. */
export const TOPICS = ['stats', 'responsetime', 'aggregate'] as const;
export type Topic = (typeof TOPICS)[number];

/**
 * One request of the client emulator, timed at completion (the seed stamped it after the next think
 * time, ~7 s late: see seed.md's defect list). Times are epoch ms; latency is measured on a
 * monotonic clock, so it is not exactly `end - start` when the wall clock steps.
 */
export interface ResponseTimeMessage {
  /** Wall time the request was sent (epoch ms). */
  start: number;
  /** Wall time the full response body had been read, or the request failed (epoch ms). */
  end: number;
  latencyMs: number;
  /** The RUBiS interaction (page) requested, e.g. `ViewItem`. */
  interaction: string;
  /** HTTP 200 and a complete body. */
  ok: boolean;
  /** HTTP status, or 0 when no response arrived (connection refused, reset, timeout). */
  status: number;
  /** Which client (emulator instance) sent it. */
  client: string;
}

/** Host metrics, one message per host and second (the seed sent `"<epoch_s>,<cpu%>,<mem%>"`). */
export interface StatsMessage {
  time: number;
  host: string;
  [metric: string]: number | string;
}

/** The seed's per-second join of response times and host stats. */
export interface AggregateMessage {
  timestamp: number;
  count: number;
  summation: number;
  mean: number;
  max: number;
  violations: number;
  /** Failed requests of the second (ok = false); absent in the seed's rows. */
  errors?: number;
  cpu: number;
  mem: number;
}

export interface TopicMessages {
  stats: StatsMessage;
  responsetime: ResponseTimeMessage;
  aggregate: AggregateMessage;
}

export type Handler<M> = (msg: M) => void;
export type Unsubscribe = () => void;

export interface Bus<M extends object = TopicMessages> {
  /** Delivers `msg` to every current subscriber of `topic`. Kafka's implementation may buffer. */
  publish<T extends keyof M & string>(topic: T, msg: M[T]): void;
  subscribe<T extends keyof M & string>(topic: T, handler: Handler<M[T]>): Unsubscribe;
  /** Flushes and releases resources; publishing after close is an error. */
  close(): Promise<void>;
}

export interface InMemoryBusOptions {
  /**
   * Called when a handler throws. The publisher is never the one to pay for a broken consumer, and
   * the other subscribers still get the message. Default: write one line to stderr.
   */
  onHandlerError?: (err: unknown, topic: string) => void;
}

/**
 * Synchronous in-process bus: `publish` calls each subscriber of the topic in subscription order
 * before it returns. Messages are passed by reference: handlers must not mutate them.
 */
export class InMemoryBus<M extends object = TopicMessages> implements Bus<M> {
  private readonly handlers = new Map<string, Set<Handler<never>>>();
  private closed = false;
  private readonly onHandlerError: (err: unknown, topic: string) => void;

  constructor(options: InMemoryBusOptions = {}) {
    this.onHandlerError =
      options.onHandlerError ??
      ((err, topic) =>
        process.stderr.write(`bus: a "${topic}" handler threw: ${(err as Error)?.message ?? String(err)}\n`));
  }

  publish<T extends keyof M & string>(topic: T, msg: M[T]): void {
    if (this.closed) throw new Error(`bus: publish on "${topic}" after close`);
    const set = this.handlers.get(topic);
    if (!set) return;
    // A snapshot, so a handler that (un)subscribes does not change this delivery.
    for (const handler of [...set] as Handler<M[T]>[]) {
      try {
        handler(msg);
      } catch (err) {
        this.onHandlerError(err, topic);
      }
    }
  }

  subscribe<T extends keyof M & string>(topic: T, handler: Handler<M[T]>): Unsubscribe {
    let set = this.handlers.get(topic);
    if (!set) {
      set = new Set();
      this.handlers.set(topic, set);
    }
    const entry = handler as Handler<never>;
    set.add(entry);
    return () => void set.delete(entry);
  }

  /** Number of subscribers of a topic (for tests and diagnostics). */
  subscriberCount(topic: keyof M & string): number {
    return this.handlers.get(topic)?.size ?? 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
  }
}
