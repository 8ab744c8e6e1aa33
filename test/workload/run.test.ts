// A short workload run through the library: web and database tiers as processes, emulated users,
// every request on the bus timed at completion; everything stopped afterwards. And the web tier's
// one-line failure when its database cannot be reached.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { InMemoryBus, type ResponseTimeMessage } from '../../src/telemetry/bus.ts';
import { freePort } from '../../src/workload/db/mariadb-server.ts';
import { isInteraction } from '../../src/workload/interactions.ts';
import { runWorkload } from '../../src/workload/run.ts';
import { liveChildren, startTier } from '../../src/workload/tiers/children.ts';
import { HAVE_RUBIS, RUBIS, rubisTitle, tableText, removeTempFiles, tempFile, waitGone } from './helpers.ts';

afterAll(removeTempFiles);

describe.skipIf(!HAVE_RUBIS)(rubisTitle('workload run'), () => {
  it('runs 40 users for 6 s without errors, publishing every request at completion', async () => {
    const bus = new InMemoryBus();
    const messages: ResponseTimeMessage[] = [];
    bus.subscribe('responsetime', (m) => messages.push(m));
    let pids: number[] = [];
    let runStart = 0;
    const report = await runWorkload({
      stack: 'embedded',
      users: 40,
      mix: 'bidding',
      durationS: 6,
      dataDir: RUBIS,
      scale: 0.003,
      seed: 5,
      // Think times x0.1 (mean 0.7 s): ~57 requests/s from 40 users.
      think: { mode: 'tpcw', meanMs: 7000, scale: 0.1 },
      bus,
      onStackReady: (s) => void (pids = [s.pids.web, s.pids.db!]),
      onRunPhase: (t) => void (runStart = t),
    });
    expect(report.errors).toBe(0);
    expect(report.requests).toBeGreaterThan(100);
    expect(report.rps).toBeCloseTo(report.requests / 6, 1);
    expect(report.latencyMs.p50).not.toBeNull();
    expect(report.latencyMs.p95!).toBeGreaterThanOrEqual(report.latencyMs.p50!);
    expect(report.latencyMs.max!).toBeGreaterThanOrEqual(report.latencyMs.p95!);
    expect(Object.values(report.mix).reduce((a, b) => a + b, 0)).toBe(report.requests);
    expect(Object.keys(report.mix).every(isInteraction)).toBe(true);
    expect(report.mix.Home).toBeGreaterThan(0);
    expect(report.perSecond).toHaveLength(6);
    expect(report.slo.thresholdMs).toBe(70);
    expect(report.emulator.sessions).toBeGreaterThanOrEqual(40);

    // Every request on the bus, stamped at completion: end - start is the request's own latency,
    // not a think time later (the seed's defect).
    expect(messages.length).toBe(report.emulator.requests);
    const late = messages.filter((m) => !(m.end >= m.start && Math.abs(m.end - m.start - m.latencyMs) < 50));
    expect(late.slice(0, 3)).toEqual([]);
    const failed = messages.filter((m) => !m.ok || m.status !== 200);
    expect(failed.slice(0, 3)).toEqual([]);
    expect(messages.every((m) => m.start >= runStart)).toBe(true);

    // Everything the run started is gone.
    expect(pids).toHaveLength(2);
    expect(await waitGone(pids)).toEqual([]);
    expect(liveChildren()).toEqual([]);
  }, 60_000);

  it('refuses bad input before starting anything', async () => {
    const base = {
      stack: 'embedded' as const,
      users: 5,
      mix: 'bidding' as const,
      durationS: 1,
      dataDir: RUBIS,
    };
    await expect(runWorkload({ ...base, users: 0 })).rejects.toThrow(
      new UserError('--users must be a positive integer, got 0'),
    );
    const broken = tempFile('broken.txt', tableText(() => 0.5).replace(/^Sell\t/m, 'Sale\t'));
    await expect(runWorkload({ ...base, transitionsFile: broken })).rejects.toThrow(
      new RegExp(
        `^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line \\d+: row 22 is "Sale", expected "Sell"$`,
      ),
    );
    await expect(runWorkload({ ...base, dataDir: path.join(RUBIS, 'nope') })).rejects.toThrow(
      /^RUBiS data file .*nope\/default_transitions.txt is missing/,
    );
    expect(liveChildren()).toEqual([]);
  });
});

describe('web tier start-up', () => {
  it('fails with one line naming the database it cannot reach', async () => {
    const port = await freePort(); // nothing listens there
    const entry = path.resolve('src/workload/tiers/web-main.ts');
    const err = await startTier('web', entry, {
      host: '127.0.0.1',
      port: 0,
      db: { kind: 'sqlite-tier', host: '127.0.0.1', port },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(
      `web tier did not start: sqlite database tier at 127.0.0.1:${port}: unreachable (ECONNREFUSED)`,
    );
    expect(liveChildren()).toEqual([]);
  }, 30_000);
});
