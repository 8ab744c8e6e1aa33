import { describe, expect, it } from 'vitest';
import { Aggregator, type AggregateRow, type LateReport } from '../../src/telemetry/aggregator.ts';
import { InMemoryBus, type ResponseTimeMessage } from '../../src/telemetry/bus.ts';

const T0 = 1_764_583_200_000; // a whole second, epoch ms

function setup(lateDelayMs = 2000) {
  const bus = new InMemoryBus();
  let now = T0;
  const rows: AggregateRow[] = [];
  const late: LateReport[] = [];
  const published: unknown[] = [];
  bus.subscribe('aggregate', (m) => published.push(m));
  const agg = new Aggregator(bus, {
    now: () => now,
    sloThresholdMs: 100,
    lateDelayMs,
    hosts: ['web', 'db'],
    onRow: (r) => rows.push(r),
    onLate: (l) => late.push(l),
  });
  agg.start();
  const response = (end: number, latencyMs: number, ok = true): void =>
    bus.publish('responsetime', {
      start: end - latencyMs,
      end,
      latencyMs,
      interaction: 'ViewItem',
      ok,
      status: ok ? 200 : 500,
      client: 'c1',
    } satisfies ResponseTimeMessage);
  return { bus, agg, rows, late, published, response, setNow: (t: number) => (now = t) };
}

describe('Aggregator', () => {
  it('computes count, mean, max, p95, violations and errors on hand-made data', () => {
    const { agg, rows, published, response, setNow } = setup(0);
    // 20 requests ending in second T0: latencies 10, 20, ..., 200 ms.
    for (let i = 1; i <= 20; i++) response(T0 + 10 * i, 10 * i, i !== 3);
    setNow(T0 + 1000);
    agg.tick();
    expect(rows).toHaveLength(1);
    const r = rows[0]!;
    expect(r.timestamp).toBe(T0);
    expect(r.count).toBe(20);
    expect(r.summation).toBe(2100);
    expect(r.mean).toBe(105);
    expect(r.max).toBe(200);
    // numpy type 7: pos = 19 * 0.95 = 18.05 -> 190 + 0.05 * 10
    expect(r.p95).toBeCloseTo(190.5, 9);
    // >= 100 ms: 100, 110, ..., 200 = 11 requests (the threshold itself counts).
    expect(r.violations).toBe(11);
    expect(r.errors).toBe(1);
    expect(published).toHaveLength(1);
  });

  it('emits a second only after second + delay, and a late message within the delay lands in its second', () => {
    const { agg, rows, response, setNow } = setup(2000);
    response(T0 + 500, 50);
    setNow(T0 + 2999); // second T0 ends at T0+1000; held open until T0+3000
    agg.tick();
    expect(rows).toHaveLength(0);
    response(T0 + 900, 70); // arrives ~2 s late, still within the delay
    setNow(T0 + 3000);
    agg.tick();
    expect(rows.map((r) => r.timestamp)).toEqual([T0]);
    expect(rows[0]!.count).toBe(2);
    expect(rows[0]!.max).toBe(70);
    expect(agg.lateTotal).toBe(0);
  });

  it('counts and reports a message beyond the delay as late instead of dropping it silently', () => {
    const { bus, agg, rows, late, response, setNow } = setup(1000);
    setNow(T0 + 2000);
    agg.tick(); // emits T0
    response(T0 + 100, 40); // belongs to T0, already emitted
    bus.publish('stats', { time: T0 + 10, host: 'web', availcpu: 50 });
    expect(agg.counters.lateResponses).toBe(1);
    expect(agg.counters.lateStats).toBe(1);
    expect(late).toEqual([
      { topic: 'responsetime', second: T0, emittedUpTo: T0 + 1000 },
      { topic: 'stats', second: T0, emittedUpTo: T0 + 1000 },
    ]);
    setNow(T0 + 3000);
    agg.tick();
    expect(rows.map((r) => r.timestamp)).toEqual([T0, T0 + 1000]);
    expect(rows[0]!.count).toBe(0);
    expect(rows[1]!.late).toBe(2); // reported on the next row
    expect(rows[1]!.count).toBe(0); // not folded into the wrong second
  });

  it('emits empty seconds and null metrics for a host without stats', () => {
    const { bus, agg, rows, setNow } = setup(0);
    bus.publish('stats', { time: T0, host: 'web', availcpu: 80, freemem: 512 });
    bus.publish('stats', { time: T0 + 2000, host: 'db', availcpu: 40, freemem: 256 });
    setNow(T0 + 4000);
    agg.tick();
    expect(rows.map((r) => r.timestamp)).toEqual([T0, T0 + 1000, T0 + 2000, T0 + 3000]);
    for (const r of rows) {
      expect(r.count).toBe(0);
      expect(Number.isNaN(r.mean)).toBe(true);
      expect(Object.keys(r.hosts).sort()).toEqual(['db', 'web']);
    }
    expect(rows[0]!.hosts['web']).toEqual({ availcpu: 80, freemem: 512 });
    expect(rows[0]!.hosts['db']).toEqual({ availcpu: null, freemem: null });
    expect(rows[0]!.cpu).toBe(20);
    expect(rows[1]!.hosts['web']).toEqual({ availcpu: null, freemem: null });
    expect(rows[2]!.hosts['db']).toEqual({ availcpu: 40, freemem: 256 });
    expect(Number.isNaN(rows[3]!.cpu)).toBe(true);
  });

  it('accepts stats with a nested metrics object (the agent shape)', () => {
    const { bus, agg, rows, setNow } = setup(0);
    bus.publish('stats', { time: T0, host: 'db', metrics: { availcpu: 30, freemem: null } } as never);
    setNow(T0 + 1000);
    agg.tick();
    expect(rows[0]!.hosts['db']).toEqual({ availcpu: 30, freemem: null });
    expect(rows[0]!.hosts['web']).toEqual({ availcpu: null, freemem: null });
  });

  it('flush() emits the ended seconds without waiting for the delay, not the one in progress', () => {
    const { agg, rows, response, setNow } = setup(5000);
    response(T0 + 1500, 30);
    response(T0 + 2100, 30);
    setNow(T0 + 2600);
    expect(agg.tick()).toHaveLength(0);
    agg.flush();
    expect(rows.map((r) => [r.timestamp, r.count])).toEqual([
      [T0, 0],
      [T0 + 1000, 1],
    ]);
  });
});
