// The agent on its own thread: samples keep their times while the main thread is blocked (the
// hole a CI run showed when the agent shared the harness's event loop), pids can be added, and
// nothing is published after stop().

import { describe, expect, it } from 'vitest';
import { startThreadedAgent } from '../../src/telemetry/agent/threaded.ts';
import type { HostStatsMessage } from '../../src/telemetry/agent/types.ts';

const spec = { kind: 'procfs' as const, options: { pids: [process.pid] } };

function busyFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* block the event loop */
  }
}

describe('threaded agent', () => {
  it('samples on time while the main thread is blocked', async () => {
    const got: HostStatsMessage[] = [];
    const agent = startThreadedAgent({
      hosts: [{ host: 'h', spec }],
      bus: { publish: (_t, m) => void got.push(m) },
      intervalMs: 200,
    });
    await new Promise((r) => setTimeout(r, 500));
    const blockedFrom = Date.now();
    busyFor(1200);
    const blockedTo = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    await agent.stop();
    // Samples stamped inside the blocked stretch exist, and no two consecutive ones are more than
    // 1.5 intervals apart.
    const times = got.map((m) => m.time);
    expect(times.filter((t) => t > blockedFrom + 100 && t < blockedTo - 100).length).toBeGreaterThanOrEqual(
      4,
    );
    for (let k = 1; k < times.length; k++) expect(times[k]! - times[k - 1]!).toBeLessThan(300);
    expect(got.every((m) => m.host === 'h' && typeof m.metrics.freemem === 'number')).toBe(true);
  }, 20_000);

  it('publishes nothing after stop(), and reports a host it cannot sample while sampling the others', async () => {
    const got: HostStatsMessage[] = [];
    const errors: string[] = [];
    const agent = startThreadedAgent({
      hosts: [
        { host: 'h', spec },
        { host: 'bad', spec: { kind: 'procfs', options: { pids: [] } } },
      ],
      bus: { publish: (_t, m) => void got.push(m) },
      intervalMs: 100,
      onError: (message, host) => errors.push(`${host}: ${message}`),
    });
    await new Promise((r) => setTimeout(r, 350));
    agent.addPid('h', process.pid);
    await agent.stop();
    const n = got.length;
    expect(n).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(got.length).toBe(n);
    // The bad host's source could not be built: reported, and the other host sampled all the same.
    expect(errors.join('\n')).toMatch(/give at least one pid/);
  }, 20_000);
});
