// The embedded stack's database tier under its supervisor: a crash is followed by a restart on the
// same port and database file after the back-off, requests fail while it is down and succeed after,
// and the heap bound and CPU pinning are in the tier's argv.

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readCategories, readRegions } from '../../src/workload/data-files.ts';
import { RemoteExecutor } from '../../src/workload/db/protocol.ts';
import {
  boundedArgv,
  RESTART_BACKOFF,
  startSupervisedDb,
  type SupervisedDb,
} from '../../src/workload/tiers/supervised-db.ts';
import { RUBIS } from './helpers.ts';

let db: SupervisedDb | null = null;
afterAll(async () => {
  await db?.stop();
});

describe('supervised database tier', () => {
  it('boundedArgv puts the heap bound after node and taskset in front', () => {
    expect(boundedArgv(256, '0')(['/usr/bin/node', 'x.js'])).toEqual([
      'taskset',
      '-c',
      '0',
      '/usr/bin/node',
      '--max-old-space-size=256',
      'x.js',
    ]);
    expect(boundedArgv(0)(['/usr/bin/node', 'x.js'])).toEqual(['/usr/bin/node', 'x.js']);
  });

  it('restarts a killed tier after the back-off, on the same port, with the same data', async () => {
    const lines: string[] = [];
    const restarted: number[] = [];
    db = await startSupervisedDb(
      {
        host: '127.0.0.1',
        port: 0,
        scale: 0.002,
        seed: 3,
        now: 1_800_000_000_000,
        categories: readCategories(RUBIS),
        regions: readRegions(RUBIS),
      },
      { heapMiB: 128, cpus: '0', log: (l) => lines.push(l), onRestart: (pid) => restarted.push(pid) },
    );
    const first = db.pid;
    const cmdline = readFileSync(`/proc/${first}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain('--max-old-space-size=128');
    const client = new RemoteExecutor('127.0.0.1', db.info.port);
    const count = async (): Promise<unknown> => (await client.query('categories', [])) as unknown;
    const before = await count();
    process.kill(first, 'SIGKILL');
    const t0 = Date.now();
    await expect(count()).rejects.toThrow();
    while (restarted.length === 0 && Date.now() - t0 < RESTART_BACKOFF.firstMs + 30_000)
      await new Promise((r) => setTimeout(r, 100));
    expect(restarted).toHaveLength(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(RESTART_BACKOFF.firstMs - 100);
    expect(db.pid).toBe(restarted[0]);
    expect(db.pid).not.toBe(first);
    expect(db.restarts).toBe(1);
    // Same port, same database file: the rows are the ones generated before the crash.
    expect(await count()).toEqual(before);
    expect(lines.join('\n')).toMatch(/exited with .*restarting in 10 s/);
    await client.close();
  }, 90_000);
});
