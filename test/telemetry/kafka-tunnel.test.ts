// kafkajs through tunnelSocketFactory (the AWS stack's Kafka through the SSH bastion). Here the
// "tunnel" is a TCP connection opened asynchronously after a delay, against a real broker on
// loopback: what is checked is that every broker connection kafkajs makes goes through the opener,
// that bytes written before the tunnel is open are not lost, and that an opener that fails makes
// the bus fail instead of hanging. Skips (one line) when the broker's jars are not available.

import net from 'node:net';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ForeshockError } from '../../src/core/errors.ts';
import type { StatsMessage } from '../../src/telemetry/bus.ts';
import { createKafkaBus } from '../../src/telemetry/kafka/bus.ts';
import { tunnelSocketFactory } from '../../src/telemetry/kafka/tunnel-socket.ts';
import { kafkaLibOrSkip, quietLogger as quiet, useKafkaBroker } from '../helpers/kafka.ts';
import { until } from '../helpers/until.ts';

const lib = kafkaLibOrSkip('kafka tunnel tests');

describe.skipIf(lib === null)('kafkajs through a tunnel socket factory', () => {
  const broker = useKafkaBroker(lib);

  it('sends every connection through the opener, and round-trips messages', async () => {
    const opened: string[] = [];
    const sockets: net.Socket[] = [];
    const open = (host: string, port: number): Promise<Duplex> =>
      new Promise((resolve, reject) => {
        opened.push(`${host}:${port}`);
        // Open late: kafkajs writes its first request before the tunnel exists.
        setTimeout(() => {
          const s = net.connect({ host, port }, () => resolve(s));
          sockets.push(s);
          s.once('error', reject);
        }, 40);
      });
    const bus = await createKafkaBus({
      brokers: broker().brokers,
      clientId: 'foreshock-tunnel-test',
      socketFactory: tunnelSocketFactory(open),
      logger: quiet,
    });
    try {
      const got: StatsMessage[] = [];
      bus.subscribe('stats', (m) => got.push(m));
      await bus.ready();
      for (let i = 0; i < 5; i++) {
        await bus.send('stats', { host: 'db', time: 1000 + i, availcpu: i });
      }
      await until(() => got.length >= 5, 'five stats messages back', 20_000);
      expect(got.map((m) => m.time)).toEqual([1000, 1001, 1002, 1003, 1004]);
      // Admin, producer and the subscription's consumer all came through the opener, to the broker.
      expect(opened.length).toBeGreaterThanOrEqual(3);
      expect(new Set(opened)).toEqual(new Set(broker().brokers));
    } finally {
      await bus.close();
      for (const s of sockets) s.destroy();
    }
  }, 60_000);

  it('fails (retriably) when the tunnel cannot be opened, instead of hanging', async () => {
    let attempts = 0;
    const open = (): Promise<Duplex> => {
      attempts++;
      return Promise.reject(new Error('bastion refused the channel'));
    };
    const err = await createKafkaBus({
      brokers: broker().brokers,
      socketFactory: tunnelSocketFactory(open),
      retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 },
      logger: quiet,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForeshockError);
    expect((err as ForeshockError).retriable).toBe(true);
    expect(attempts).toBeGreaterThanOrEqual(1);
  }, 30_000);
});
