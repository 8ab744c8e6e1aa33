// Issue 18 item 5: the runner waits for load5 to stop falling before a repetition's workload starts.

import { describe, expect, it } from 'vitest';
import type { AggregateMessage } from '../../src/telemetry/bus.ts';
import { judgeSettled, load5OfRow, waitForSettledLoad } from '../../src/runner/experiment/settle.ts';

/** load5 decaying from `from` towards `base` with the kernel's 300 s time constant, per second. */
const decay = (from: number, base: number, n: number, t0 = 0): number[] =>
  Array.from({ length: n }, (_, i) => base + (from - base) * Math.exp(-(t0 + i) / 300));

describe('judgeSettled', () => {
  it('is not settled before a full window of readings', () => {
    expect(judgeSettled(new Map([['db', [0.2, 0.2, 0.2]]])).settled).toBe(false);
    expect(judgeSettled(new Map()).settled).toBe(false);
  });
  it('names a host whose load5 still falls from 1.0 (previous run) and passes a flat or rising one', () => {
    // Falling from 1.0 to 0.1: over 30 s it drops 0.9 * (1 - e^-0.1) = 0.086 > 0.05.
    const v = judgeSettled(
      new Map([
        ['db', decay(1.0, 0.1, 31)],
        ['web', Array(31).fill(0.3)],
        ['client', decay(0, 1, 31)], // rising: the workload's own ramp is not a leftover
      ]),
    );
    expect(v.settled).toBe(false);
    expect(v.falling.map((f) => f.host)).toEqual(['db']);
    expect(v.falling[0]!.fall).toBeCloseTo(0.9 * (1 - Math.exp(-30 / 300)), 3);
    // Four minutes later the fall over 30 s is 0.9 e^-0.8 (1 - e^-0.1) = 0.039: settled.
    expect(judgeSettled(new Map([['db', decay(1.0, 0.1, 31, 240)]])).settled).toBe(true);
  });
});

describe('waitForSettledLoad', () => {
  const row = (hosts: Record<string, number | null>): AggregateMessage =>
    ({
      timestamp: 0,
      count: 0,
      summation: 0,
      mean: NaN,
      max: NaN,
      violations: 0,
      cpu: NaN,
      mem: NaN,
      hosts: Object.fromEntries(Object.entries(hosts).map(([h, v]) => [h, { load5: v, load1: 0 }])),
    }) as AggregateMessage;

  it('reads load5 of each host and skips missing readings', () => {
    expect([...load5OfRow(row({ a: 0.5, b: null }))]).toEqual([['a', 0.5]]);
  });

  it('waits while a host decays, says so, and returns once it is settled', async () => {
    let cb: ((r: AggregateMessage) => void) | null = null;
    const lines: string[] = [];
    let t = 0;
    const p = waitForSettledLoad(
      { onAggregate: (f) => ((cb = f), () => (cb = null)) },
      { log: (l) => lines.push(l), now: () => t, maxWaitS: 1000 },
    );
    // 500 s of rows: db decays from 2.0, web is flat.
    const db = decay(2.0, 0.2, 500);
    let n = 0;
    while (cb && n < 500) {
      t = n * 1000;
      (cb as (r: AggregateMessage) => void)(row({ db: db[n]!, web: 0.3 }));
      n++;
    }
    const r = await p;
    expect(r.settled).toBe(true);
    // Settled when the fall over the last 30 s, 1.8 (e^(-(t-30)/300) - e^(-t/300)), is <= 0.05:
    // t >= 300 ln(1.8 (e^0.1 - 1) / 0.05) = 399.3 s.
    expect(r.waitedS).toBe(400);
    expect(lines[0]).toMatch(/waiting for load5 to settle .*falling on db \(-0\.\d\d in 30 s\)/);
    expect(lines.at(-1)).toMatch(/load5 settled on every host after 400 s/);
  });

  it('watches only the hosts it is given (the runner leaves the harness out)', async () => {
    let cb: ((r: AggregateMessage) => void) | null = null;
    const p = waitForSettledLoad(
      { onAggregate: (f) => ((cb = f), () => (cb = null)) },
      { log: () => undefined, hosts: ['db'], maxWaitS: 1000 },
    );
    const kafka = decay(5.0, 0.2, 40);
    for (let n = 0; cb && n < 40; n++)
      (cb as (r: AggregateMessage) => void)(row({ db: 0.4, kafka: kafka[n]! }));
    const r = await p;
    expect(r).toEqual({ settled: true, waitedS: expect.any(Number), falling: [] });
  });

  it('gives up after maxWaitS and names the host', async () => {
    const lines: string[] = [];
    let cb: ((r: AggregateMessage) => void) | null = null;
    const p = waitForSettledLoad(
      { onAggregate: (f) => ((cb = f), () => (cb = null)) },
      { log: (l) => lines.push(l), maxWaitS: 0.2 },
    );
    const db = decay(3.0, 0.2, 40);
    for (const v of db) cb!(row({ db: v }));
    const r = await p;
    expect(r.settled).toBe(false);
    expect(r.falling.map((f) => f.host)).toEqual(['db']);
    expect(lines.at(-1)).toMatch(/load5 not settled after 0\.2 s: db .*going on/);
  });
});
