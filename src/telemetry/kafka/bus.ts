// The telemetry Bus (../bus.ts) over Apache Kafka with kafkajs. Same interface as InMemoryBus, so
// the agent, aggregator and recorder do not know which one they talk to; the differences are the
// ones a network brings, and they are explicit:
// - publish() queues; a single drain loop sends the queue in order with one awaited sendBatch per
//   round (never a fire-and-forget send). flush() waits for the queue and rejects with the first
//   failure since the last flush; close() flushes. send() is publish() you can await.
// - Messages are keyed by host (stats: `host`, responsetime: `client`, aggregate: the topic), so one
//   host's messages land in one partition and keep their order. The partitioner is set explicitly.
// - Every subscribe() is its own consumer in a fresh group (broadcast, like InMemoryBus), starting
//   at the end of the topic: await ready() before publishing what it must see. ready() gives up
//   after readyTimeoutMs (a consumer kafkajs keeps restarting would otherwise hang its caller).
//   subscribeGroup() joins a named group instead (shared work, committed offsets, fromBeginning).
// - Topics are created with the admin client when the bus connects, before anything is produced.
// - Errors are ForeshockErrors whose `retriable` says whether trying again can help.

import { randomUUID } from 'node:crypto';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Consumer,
  type ISocketFactory,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import { ForeshockError, UserError } from '../../core/errors.ts';
import { TOPICS, type Bus, type Handler, type TopicMessages, type Unsubscribe } from '../bus.ts';
import { wrapKafkaError } from './errors.ts';

export interface KafkaBusLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface KafkaBusOptions {
  brokers: string[];
  clientId?: string;
  /** Where kafkajs's warnings and errors and handler failures go (default: stderr, one line each). */
  logger?: KafkaBusLogger;
  /** Topics created up front (default: the seed's three). Existing topics are left as they are. */
  topics?: readonly string[];
  /** kafkajs retry policy (default: kafkajs's, 5 retries from 300 ms). Tests shorten it. */
  retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number };
  connectionTimeoutMs?: number;
  /** The message key (same key, same partition, same order). Default: the host, see the header. */
  keyOf?: (topic: string, msg: object) => string;
  /** Prefix of the fresh group ids subscribe() makes (default: `<clientId>-sub`). */
  groupPrefix?: string;
  /** How long ready() waits for the consumers to join before it rejects (default 30 s). */
  readyTimeoutMs?: number;
  /** How kafkajs opens broker connections (default TCP; tunnel-socket.ts: through an SSH bastion). */
  socketFactory?: ISocketFactory;
}

/** ready()'s default wait: a fresh group on a local broker joins in well under a second. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;

export interface GroupSubscription {
  groupId: string;
  /** Read from the topic's start, if the group has no committed offset (a Kafka rule). */
  fromBeginning?: boolean;
  /** Without fromBeginning: start at the end as of this call rather than as of the join (default true). */
  pinEnd?: boolean;
}

const stderrLogger: KafkaBusLogger = {
  warn: (m) => process.stderr.write(`kafka: ${m}\n`),
  error: (m) => process.stderr.write(`kafka: ${m}\n`),
};

export function defaultKeyOf(topic: string, msg: object): string {
  const m = msg as { host?: unknown; client?: unknown };
  if (topic === 'stats' && typeof m.host === 'string') return m.host;
  if (topic === 'responsetime' && typeof m.client === 'string') return m.client;
  return topic;
}

/** One subscription's join, and whether it has completed (for ready()'s timeout message). */
interface Join {
  promise: Promise<void>;
  what: string;
  joined: boolean;
}

interface Pending {
  topic: string;
  key: string;
  value: string;
  done: (err?: unknown) => void;
}

export class KafkaBus<M extends object = TopicMessages> implements Bus<M> {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  private firstError: ForeshockError | null = null;
  private closed = false;
  private readonly consumers = new Set<Consumer>();
  private readonly joins = new Set<Join>();

  private constructor(
    private readonly kafka: Kafka,
    private readonly producer: Producer,
    private readonly options: Required<
      Pick<KafkaBusOptions, 'brokers' | 'clientId' | 'logger' | 'keyOf' | 'readyTimeoutMs'>
    > & {
      groupPrefix: string;
    },
  ) {}

  /** Connects the producer and creates the topics; throws a ForeshockError when it cannot. */
  static async connect<M extends object = TopicMessages>(options: KafkaBusOptions): Promise<KafkaBus<M>> {
    const clientId = options.clientId ?? 'foreshock';
    const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    if (!(readyTimeoutMs > 0) || !Number.isFinite(readyTimeoutMs))
      throw new UserError(`kafka: readyTimeoutMs must be a positive number of ms (got ${readyTimeoutMs})`);
    const logger = options.logger ?? stderrLogger;
    const kafka = new Kafka({
      clientId,
      brokers: options.brokers,
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.socketFactory ? { socketFactory: options.socketFactory } : {}),
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }: LogEntry) => {
          const line = `${log.message}${log.error ? `: ${String(log.error)}` : ''}`;
          if (level === logLevel.ERROR) logger.error(line);
          else logger.warn(line);
        },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      // Only the missing ones: asking for an existing topic makes kafkajs log "Topic creation errors".
      const existing = new Set(await admin.listTopics());
      const missing = (options.topics ?? TOPICS).filter((t) => !existing.has(t));
      if (missing.length > 0)
        await admin.createTopics({
          topics: missing.map((topic) => ({
            topic,
            numPartitions: 1,
            replicationFactor: 1,
          })),
          waitForLeaders: true,
        });
    } catch (err) {
      throw wrapKafkaError(err, 'creating topics', options.brokers);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    // DefaultPartitioner is Java's murmur2 partitioner: the same key maps to the same partition as
    // a Java producer would pick (kafkajs warns when none is named).
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    try {
      await producer.connect();
    } catch (err) {
      throw wrapKafkaError(err, 'connecting the producer', options.brokers);
    }
    return new KafkaBus<M>(kafka, producer, {
      brokers: options.brokers,
      clientId,
      logger,
      keyOf: options.keyOf ?? defaultKeyOf,
      groupPrefix: options.groupPrefix ?? `${clientId}-sub`,
      readyTimeoutMs,
    });
  }

  publish<T extends keyof M & string>(topic: T, msg: M[T]): void {
    this.send(topic, msg).catch((err: unknown) => {
      this.firstError ??= err as ForeshockError;
    });
  }

  /** publish() that resolves once the broker acknowledged the message (or rejects, wrapped). */
  send<T extends keyof M & string>(topic: T, msg: M[T]): Promise<void> {
    if (this.closed) {
      return Promise.reject(
        new ForeshockError(`kafka: publish on "${topic}" after close`, { retriable: false }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        topic,
        key: this.options.keyOf(topic, msg as object),
        value: JSON.stringify(msg),
        done: (err) => (err === undefined ? resolve() : reject(err)),
      });
      this.startDrain();
    });
  }

  /**
   * Starts the drain loop unless it runs. A sender awaiting its message resumes (and may queue the
   * next one) before the loop's promise settles, so the loop is restarted when it ends with work
   * left: `for (...) await bus.send(...)` would otherwise hang on its second message.
   */
  private startDrain(): void {
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
      if (this.queue.length > 0) this.startDrain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.queue.length);
      const byTopic = new Map<string, { key: string; value: string }[]>();
      for (const p of batch) {
        const list = byTopic.get(p.topic) ?? [];
        list.push({ key: p.key, value: p.value });
        byTopic.set(p.topic, list);
      }
      try {
        await this.producer.sendBatch({
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        for (const p of batch) p.done();
      } catch (err) {
        const wrapped = wrapKafkaError(err, `sending ${batch.length} message(s)`, this.options.brokers);
        for (const p of batch) p.done(wrapped);
      }
    }
  }

  /** Waits for every queued message; rejects with the first publish() failure since the last flush. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
    const err = this.firstError;
    this.firstError = null;
    if (err) throw err;
  }

  subscribe<T extends keyof M & string>(topic: T, handler: Handler<M[T]>): Unsubscribe {
    return this.subscribeGroup(topic, handler, {
      groupId: `${this.options.groupPrefix}-${topic}-${randomUUID()}`,
      fromBeginning: false,
      pinEnd: true,
    });
  }

  /** A consumer in the named group; see the header. Await ready() before relying on it. */
  subscribeGroup<T extends keyof M & string>(
    topic: T,
    handler: Handler<M[T]>,
    group: GroupSubscription,
  ): Unsubscribe {
    if (this.closed)
      throw new ForeshockError(`kafka: subscribe to "${topic}" after close`, { retriable: false });
    const consumer = this.kafka.consumer({ groupId: group.groupId });
    this.consumers.add(consumer);
    const { logger, brokers } = this.options;
    const join = (async () => {
      const joined = new Promise<void>((resolve, reject) => {
        consumer.on(consumer.events.GROUP_JOIN, () => resolve());
        // A crash kafkajs will not restart from ends the subscription: say so rather than hang.
        consumer.on(consumer.events.CRASH, (e) => {
          if (!e.payload.restart) reject(e.payload.error);
        });
      });
      // A fresh group starting "at the end" resolves the end lazily, at its first fetch, after the
      // join: messages sent in between would be lost. Pin the end as of now, seek there on join.
      let ends: { partition: number; offset: string }[] = [];
      if (group.fromBeginning !== true) {
        const admin = this.kafka.admin();
        await admin.connect();
        try {
          ends = await admin.fetchTopicOffsets(topic);
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      }
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: group.fromBeginning ?? false });
      await consumer.run({
        // Handlers are synchronous and meant to be quick (buffer if not): a slow eachMessage would
        // miss heartbeats and make the group rebalance.
        eachMessage: async ({ message }) => {
          try {
            handler(JSON.parse(message.value?.toString() ?? 'null') as M[T]);
          } catch (err) {
            logger.error(`a "${topic}" handler threw: ${(err as Error)?.message ?? String(err)}`);
          }
        },
      });
      await joined;
      if (group.pinEnd !== false)
        for (const e of ends) consumer.seek({ topic, partition: e.partition, offset: e.offset });
    })().catch((err: unknown) => {
      throw wrapKafkaError(err, `subscribing to "${topic}" (group ${group.groupId})`, brokers);
    });
    const entry: Join = { promise: join, what: `"${topic}" (group ${group.groupId})`, joined: false };
    join.then(
      () => {
        entry.joined = true;
      },
      () => undefined,
    );
    this.joins.add(entry);
    return () => {
      this.consumers.delete(consumer);
      void consumer.disconnect().catch(() => undefined);
    };
  }

  /**
   * Resolves when every consumer made so far has joined its group; rejects with the first join's
   * failure, or after `timeoutMs` (default: the readyTimeoutMs option) with a retriable
   * ForeshockError naming the brokers and the subscriptions that had not joined. A timeout does
   * not cancel the joins: a later ready() can still succeed.
   */
  async ready(timeoutMs = this.options.readyTimeoutMs): Promise<void> {
    const joins = [...this.joins];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const waiting = joins.filter((j) => !j.joined).map((j) => j.what);
        reject(
          new ForeshockError(
            `kafka: consumers not ready within ${timeoutMs} ms (${this.options.brokers.join(',')}): ` +
              `${waiting.length} of ${joins.length} had not joined their group: ${waiting.join(', ')}; ` +
              'retrying may help once the broker is reachable (is it running? `foreshock kafka status`)',
            { retriable: true },
          ),
        );
      }, timeoutMs);
    });
    try {
      await Promise.race([Promise.all(joins.map((j) => j.promise)), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await Promise.all([...this.consumers].map((c) => c.disconnect().catch(() => undefined)));
      this.consumers.clear();
      await this.producer.disconnect().catch(() => undefined);
    }
  }
}

/** The factory the architecture asks for: dependencies (logger, clientId, brokers) injected. */
export function createKafkaBus<M extends object = TopicMessages>(
  options: KafkaBusOptions,
): Promise<KafkaBus<M>> {
  return KafkaBus.connect<M>(options);
}
