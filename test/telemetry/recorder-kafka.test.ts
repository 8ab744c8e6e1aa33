// The recorder through a real Kafka broker (startKafkaBroker): stats and aggregate arrive as JSON,
// so an empty second's NaN latency statistics come back as null and must still be recorded as
// missing. Skips (one line) only when the broker's jars are not installed and cannot be fetched.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../../src/data/dataset-io.ts';
import { Aggregator } from '../../src/telemetry/aggregator.ts';
import { InMemoryBus, type TopicMessages } from '../../src/telemetry/bus.ts';
import { startKafkaBroker, type KafkaBroker } from '../../src/telemetry/kafka/broker.ts';
import { createKafkaBus, type KafkaBus } from '../../src/telemetry/kafka/bus.ts';
import { Recorder } from '../../src/telemetry/recorder.ts';
import { kafkaLibOrSkip, quietLogger as quiet } from '../helpers/kafka.ts';
import { until } from '../helpers/until.ts';

const lib = kafkaLibOrSkip('recorder kafka test');
const T0 = 1_764_583_200_000;

describe.skipIf(lib === null)('Recorder on a real broker', () => {
  let broker: KafkaBroker | undefined;
  const buses: KafkaBus<TopicMessages>[] = [];
  const out = join(mkdtempSync(join(tmpdir(), 'foreshock-reck-')), 'run');

  beforeAll(async () => {
    broker = await startKafkaBroker({ lib: lib! });
  }, 90_000);

  afterAll(async () => {
    for (const b of buses) await b.close().catch(() => undefined);
    await broker?.stop();
    rmSync(join(out, '..'), { recursive: true, force: true });
  }, 30_000);

  it('records 5 seconds published over Kafka into a dataset with every second', async () => {
    const rec = await createKafkaBus({ brokers: broker!.brokers, clientId: 'rec', logger: quiet });
    const pub = await createKafkaBus({ brokers: broker!.brokers, clientId: 'pub', logger: quiet });
    buses.push(rec, pub);
    const recorder = new Recorder(rec, { out, sloThresholdMs: 100, flushIntervalMs: 0 });
    recorder.start();
    // The aggregator reads Kafka through counting handlers, so the test knows when it has seen
    // everything before it advances the virtual clock (no race with the consumers).
    const local = new InMemoryBus();
    let now = T0;
    const agg = new Aggregator(local, {
      now: () => now,
      sloThresholdMs: 100,
      lateDelayMs: 0,
      startMs: T0,
      publish: false,
      onRow: (row) => rec.publish('aggregate', row),
    });
    agg.start();
    let seen = 0;
    rec.subscribe('stats', (m) => (seen++, local.publish('stats', m)));
    rec.subscribe('responsetime', (m) => (seen++, local.publish('responsetime', m)));
    await rec.ready();

    let sent = 0;
    for (let s = 0; s < 5; s++) {
      const t = T0 + s * 1000;
      for (const host of ['web', 'db'])
        pub.publish('stats', { time: t, host, availcpu: 60 + s, freemem: 500 });
      sent += 2;
      if (s === 2) continue; // an empty second
      pub.publish('responsetime', {
        start: t,
        end: t + 10,
        latencyMs: 80,
        interaction: 'Home',
        ok: true,
        status: 200,
        client: 'c',
      });
      pub.publish('responsetime', {
        start: t,
        end: t + 20,
        latencyMs: 120,
        interaction: 'Home',
        ok: true,
        status: 200,
        client: 'c',
      });
      sent += 2;
    }
    await pub.flush();
    await until(() => seen === sent, 'the aggregator to see every message', 20_000);
    now = T0 + 5000;
    agg.tick();
    await rec.flush();
    await until(
      () => recorder.counters.aggregate === 5 && recorder.counters.stats === 10,
      'the recorder',
      20_000,
    );
    const summary = await recorder.stop();
    expect(summary.seconds).toBe(5);

    const ds = readDataset(out);
    expect(Array.from(ds.slo!.time)).toEqual([0, 1, 2, 3, 4].map((s) => T0 + s * 1000));
    expect(Array.from(ds.slo!.columns['count']!)).toEqual([2, 2, 0, 2, 2]);
    expect(Array.from(ds.slo!.columns['violations']!)).toEqual([1, 1, 0, 1, 1]);
    expect(ds.slo!.columns['mean_latency_ms']![0]).toBe(100);
    expect(Number.isNaN(ds.slo!.columns['mean_latency_ms']![2]!)).toBe(true);
    expect(ds.metrics.time.length).toBe(10);
    expect(ds.metrics.hosts.slice().sort()).toEqual(['db', 'web']);
  }, 60_000);
});
