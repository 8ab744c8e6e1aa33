// The in-memory telemetry bus: delivery per topic in subscription order, unsubscribe, a throwing
// handler isolated from the publisher and the other subscribers, and close.
import { describe, expect, it } from 'vitest';
import { InMemoryBus, TOPICS, type ResponseTimeMessage } from '../../src/telemetry/bus.ts';

const msg = (latencyMs: number): ResponseTimeMessage => ({
  start: 1000,
  end: 1000 + latencyMs,
  latencyMs,
  interaction: 'Home',
  ok: true,
  status: 200,
  client: 'c',
});

describe('InMemoryBus', () => {
  it("names the seed's three topics", () => {
    expect([...TOPICS]).toEqual(['stats', 'responsetime', 'aggregate']);
  });

  it('delivers to every subscriber of the topic, in order, and to no other topic', () => {
    const bus = new InMemoryBus();
    const seen: string[] = [];
    bus.subscribe('responsetime', (m) => seen.push(`a${m.latencyMs}`));
    bus.subscribe('responsetime', (m) => seen.push(`b${m.latencyMs}`));
    bus.subscribe('stats', () => seen.push('stats'));
    bus.publish('responsetime', msg(1));
    bus.publish('responsetime', msg(2));
    expect(seen).toEqual(['a1', 'b1', 'a2', 'b2']);
  });

  it('stops delivering after unsubscribe', () => {
    const bus = new InMemoryBus();
    const seen: number[] = [];
    const off = bus.subscribe('responsetime', (m) => seen.push(m.latencyMs));
    bus.publish('responsetime', msg(1));
    off();
    bus.publish('responsetime', msg(2));
    expect(seen).toEqual([1]);
    expect(bus.subscriberCount('responsetime')).toBe(0);
  });

  it('keeps a throwing handler from the publisher and the other subscribers', () => {
    const errors: string[] = [];
    const bus = new InMemoryBus({
      onHandlerError: (err, topic) => errors.push(`${topic}: ${(err as Error).message}`),
    });
    const seen: number[] = [];
    bus.subscribe('responsetime', () => {
      throw new Error('broken consumer');
    });
    bus.subscribe('responsetime', (m) => seen.push(m.latencyMs));
    expect(() => bus.publish('responsetime', msg(5))).not.toThrow();
    expect(seen).toEqual([5]);
    expect(errors).toEqual(['responsetime: broken consumer']);
  });

  it('refuses to publish after close', async () => {
    const bus = new InMemoryBus();
    await bus.close();
    expect(() => bus.publish('responsetime', msg(1))).toThrow(/after close/);
  });
});
