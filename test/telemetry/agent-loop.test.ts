// The agent loop with a fake clock and timer: one `stats` message per host per tick, keyed by host.
import { describe, expect, it } from 'vitest';
import { InMemoryBus } from '../../src/telemetry/bus.ts';
import {
  emptySample,
  HostAgent,
  type AgentTimer,
  type AgentTopics,
  type HostStatsMessage,
  type MetricSource,
} from '../../src/telemetry/agent/index.ts';

/** A source whose CPU counter grows by `coresUsed` per second of monotonic time. */
function fakeSource(coresUsed: number): MetricSource {
  return {
    sample: (monoMs) => ({
      ...emptySample(monoMs),
      cpuSeconds: (coresUsed * monoMs) / 1000,
      cpuCores: 1,
      runnableTasks: 1,
    }),
  };
}

function fakeTimer() {
  let fn: (() => void) | null = null;
  let interval = 0;
  const timer: AgentTimer = {
    every(ms, f) {
      interval = ms;
      fn = f;
      return () => (fn = null);
    },
  };
  return { timer, fire: () => fn?.(), running: () => fn !== null, interval: () => interval };
}

describe('HostAgent', () => {
  it('publishes one message per host per tick with wall time, metrics derived from monotonic dt', async () => {
    let wall = 1_700_000_000_000;
    let mono = 0;
    const clock = { now: () => wall, monotonic: () => mono };
    const t = fakeTimer();
    const bus = new InMemoryBus<AgentTopics>();
    const got: HostStatsMessage[] = [];
    bus.subscribe('stats', (m) => got.push(m));
    const agent = new HostAgent({
      hosts: [
        { host: 'web', source: fakeSource(0.25) },
        { host: 'db', source: fakeSource(0.5) },
      ],
      bus,
      clock,
      timer: t.timer,
      intervalMs: 1000,
    });
    agent.start();
    expect(t.interval()).toBe(1000);
    expect(got.map((m) => m.host)).toEqual(['web', 'db']);
    expect(got[0]!.metrics.availcpu).toBeNull(); // no previous sample yet
    for (let i = 1; i <= 3; i++) {
      wall += 1000;
      mono += 1000;
      t.fire();
    }
    expect(got).toHaveLength(8);
    expect(got.map((m) => m.time)).toEqual([0, 0, 1, 1, 2, 2, 3, 3].map((k) => 1_700_000_000_000 + k * 1000));
    const last = got.slice(-2);
    expect(last[0]!.host).toBe('web');
    expect(last[0]!.metrics.availcpu).toBeCloseTo(75, 9);
    expect(last[1]!.metrics.availcpu).toBeCloseTo(50, 9);
    expect(last[1]!.metrics.load1).toBeCloseTo(1, 12);
    // A wall-clock step does not disturb rates (dt is monotonic).
    wall -= 60_000;
    mono += 1000;
    t.fire();
    expect(got.at(-1)!.metrics.availcpu).toBeCloseTo(50, 9);
    agent.stop();
    expect(t.running()).toBe(false);
    await bus.close();
  });

  it('a host whose source throws is reported and the others still publish', () => {
    const errors: string[] = [];
    const got: string[] = [];
    const bus = new InMemoryBus<AgentTopics>();
    bus.subscribe('stats', (m) => got.push(m.host));
    const agent = new HostAgent({
      hosts: [
        {
          host: 'bad',
          source: {
            sample: () => {
              throw new Error('boom');
            },
          },
        },
        { host: 'good', source: fakeSource(0) },
      ],
      bus,
      clock: { now: () => 0, monotonic: () => 0 },
      onError: (err, host) => errors.push(`${host}: ${(err as Error).message}`),
    });
    agent.tick();
    expect(got).toEqual(['good']);
    expect(errors).toEqual(['bad: boom']);
  });

  it('rejects duplicate host ids', () => {
    const bus = new InMemoryBus<AgentTopics>();
    expect(
      () =>
        new HostAgent({
          hosts: [
            { host: 'a', source: fakeSource(0) },
            { host: 'a', source: fakeSource(0) },
          ],
          bus,
        }),
    ).toThrow(/duplicate/);
  });
});
