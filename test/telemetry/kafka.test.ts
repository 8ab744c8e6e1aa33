// KafkaBus against a real Apache Kafka broker (KRaft) started once for this file by
// startKafkaBroker() and always stopped in afterAll. Skips (one line) only when the broker's jars
// are not installed and cannot be fetched (no Maven, Java or network).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForeshockError } from '../../src/core/errors.ts';
import type {
  AggregateMessage,
  ResponseTimeMessage,
  StatsMessage,
  TopicMessages,
} from '../../src/telemetry/bus.ts';
import { clusterId, startKafkaBroker, type KafkaBroker } from '../../src/telemetry/kafka/broker.ts';
import { createKafkaBus, type KafkaBus } from '../../src/telemetry/kafka/bus.ts';
import { collectingLogger, kafkaLibOrSkip } from '../helpers/kafka.ts';
import { until } from '../helpers/until.ts';

const lib = kafkaLibOrSkip('kafka tests');

const quietLogger = collectingLogger();

describe.skipIf(lib === null)('KafkaBus on a real broker', () => {
  let broker: KafkaBroker | undefined;
  let bus: KafkaBus<TopicMessages>;

  beforeAll(async () => {
    broker = await startKafkaBroker({ lib: lib! });
    bus = await createKafkaBus({ brokers: broker.brokers, clientId: 'foreshock-test', logger: quietLogger });
  }, 90_000);

  afterAll(async () => {
    await bus?.close().catch(() => undefined);
    await broker?.stop();
  }, 30_000);

  it('round-trips all three topics, in order per host', async () => {
    const got = {
      stats: [] as StatsMessage[],
      responsetime: [] as ResponseTimeMessage[],
      aggregate: [] as AggregateMessage[],
    };
    bus.subscribe('stats', (m) => got.stats.push(m));
    bus.subscribe('responsetime', (m) => got.responsetime.push(m));
    bus.subscribe('aggregate', (m) => got.aggregate.push(m));
    await bus.ready();
    for (let t = 0; t < 20; t++) {
      for (const host of ['web', 'db']) bus.publish('stats', { time: t, host, cpu: t * 1.5, mem: 40 });
      bus.publish('responsetime', {
        start: t,
        end: t + 5,
        latencyMs: 5 + t,
        interaction: 'ViewItem',
        ok: true,
        status: 200,
        client: `c${t % 2}`,
      });
      bus.publish('aggregate', {
        timestamp: t,
        count: 1,
        summation: 5,
        mean: 5,
        max: 5,
        violations: 0,
        cpu: 1,
        mem: 2,
      });
    }
    await bus.flush();
    await until(
      () => got.stats.length === 40 && got.responsetime.length === 20 && got.aggregate.length === 20,
      'all messages',
    );
    for (const host of ['web', 'db']) {
      expect(got.stats.filter((m) => m.host === host).map((m) => m.time)).toEqual([...Array(20).keys()]);
    }
    expect(got.stats[3]).toEqual({ time: 1, host: 'db', cpu: 1.5, mem: 40 });
    for (const c of ['c0', 'c1']) {
      const times = got.responsetime.filter((m) => m.client === c).map((m) => m.start);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(times).toHaveLength(10);
    }
    expect(got.aggregate.map((m) => m.timestamp)).toEqual([...Array(20).keys()]);
  }, 30_000);

  it('a new consumer group with fromBeginning reads what was published before it joined', async () => {
    const seen: number[] = [];
    // The stats topic already holds the 40 messages of the previous test plus these.
    await bus.send('stats', { time: 100, host: 'late', cpu: 1, mem: 1 });
    bus.subscribeGroup('stats', (m) => seen.push(m.time), { groupId: 'history-reader', fromBeginning: true });
    await bus.ready();
    await until(() => seen.includes(100), 'the late message');
    expect(seen.length).toBeGreaterThanOrEqual(41);
    expect(seen.slice(0, 2)).toEqual([0, 0]);
  }, 30_000);

  it('send() awaited in a loop: each message is acknowledged (the drain restarts for the next one)', async () => {
    const seen: number[] = [];
    bus.subscribeGroup('stats', (m) => m.host === 'loop' && seen.push(m.time), { groupId: 'send-loop' });
    await bus.ready();
    for (let i = 0; i < 5; i++) await bus.send('stats', { time: 200 + i, host: 'loop', cpu: 1, mem: 1 });
    await until(() => seen.length === 5, 'the five looped sends');
    expect(seen).toEqual([200, 201, 202, 203, 204]);
  }, 30_000);

  it('after the broker stops, sending fails and ready() times out, with retriable errors that say so', async () => {
    await bus.close();
    const dead = await createKafkaBus({
      brokers: broker!.brokers,
      clientId: 'foreshock-test-dead',
      logger: quietLogger,
      retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 },
      connectionTimeoutMs: 500,
    });
    // Connected while the broker is up; after it stops, its consumer's join retries for ~2 s
    // (300 + 600 + 1200 ms) before failing, so a 400 ms ready() times out first.
    const slow = await createKafkaBus({
      brokers: broker!.brokers,
      clientId: 'foreshock-test-slow',
      logger: quietLogger,
      retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 1200 },
      connectionTimeoutMs: 500,
      readyTimeoutMs: 400,
    });
    await broker!.stop();
    const err = await dead.send('stats', { time: 1, host: 'web', cpu: 1, mem: 1 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ForeshockError);
    expect((err as ForeshockError).retriable).toBe(true);
    expect((err as Error).message).toMatch(
      /^kafka: sending 1 message\(s\) failed \(127\.0\.0\.1:\d+\).*retrying may help/,
    );
    await dead.close().catch(() => undefined);
    const refused = await createKafkaBus({
      brokers: broker!.brokers,
      logger: quietLogger,
      retry: { retries: 0 },
      connectionTimeoutMs: 500,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((refused as ForeshockError).retriable).toBe(true);
    expect((refused as Error).message).toMatch(/creating topics failed/);

    slow.subscribeGroup('stats', () => undefined, { groupId: 'never-joins' });
    const started = Date.now();
    const timedOut = await slow.ready().then(
      () => null,
      (e: unknown) => e,
    );
    // The configured timeout (400 ms) applies, not the 30 s default: a bound 10x above it.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(timedOut).toBeInstanceOf(ForeshockError);
    expect((timedOut as ForeshockError).retriable).toBe(true);
    expect((timedOut as Error).message).toMatch(
      /^kafka: consumers not ready within 400 ms \(127\.0\.0\.1:\d+\): 1 of 1 had not joined their group: "stats" \(group never-joins\); retrying may help/,
    );
    // The timeout does not cancel the join: waiting longer gets its own failure (and lets the
    // consumer's retries finish inside this test).
    const failed = await slow.ready(10_000).then(
      () => null,
      (e: unknown) => e,
    );
    expect((failed as Error).message).toMatch(/subscribing to "stats" \(group never-joins\) failed/);
    await slow.close().catch(() => undefined);
  }, 30_000);
});

describe('clusterId', () => {
  it('never starts with "-" (the storage tool would take it for an option)', () => {
    // 0xf8 as first byte encodes to '-' in base64url: the first draw must be rejected.
    const draws = ['f8000000-0000-0000-0000-000000000000', '01000000-0000-0000-0000-000000000000'];
    const id = clusterId(() => draws.shift()!);
    expect(id.startsWith('-')).toBe(false);
    expect(id).toBe(Buffer.from('01000000000000000000000000000000', 'hex').toString('base64url'));
    for (let i = 0; i < 2000; i++) expect(clusterId().startsWith('-')).toBe(false);
  });
});
