// The web tier deployed as the local testbed deploys it (placement.web: heap bound, fault hook,
// supervised): the bound is in its argv, its fault hook takes a memleak, and a crash is followed by
// a restart on the same port after the back-off. Run here on 127.0.0.1 with the SQLite tier.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCategories, readRegions } from '../../src/workload/data-files.ts';
import { startStack, type RubisStack } from '../../src/workload/stack.ts';
import { RESTART_BACKOFF } from '../../src/workload/tiers/supervised-db.ts';
import { RUBIS } from './helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'foreshock-web-hook-'));
let stack: RubisStack | null = null;
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (url: string): Promise<number> => (await fetch(url)).status;

describe('supervised web tier with a fault hook', () => {
  it('has its heap bound, takes a leak through its hook, and is restarted on the same port', async () => {
    const lines: string[] = [];
    const restarted: number[] = [];
    const sock = path.join(dir, 'faults', 'service.sock');
    stack = await startStack({
      stack: 'embedded',
      scale: 0.002,
      seed: 3,
      categories: readCategories(RUBIS),
      regions: readRegions(RUBIS),
      placement: {
        web: {
          bindHost: '127.0.0.1',
          wrap: (argv) => argv,
          heapMiB: 96,
          faultHook: sock,
          supervised: true,
          onRestart: (pid) => restarted.push(pid),
        },
      },
      log: (l) => lines.push(l),
    });
    const first = stack.pids.web;
    expect(readFileSync(`/proc/${first}/cmdline`, 'utf8').split('\0')).toContain('--max-old-space-size=96');
    // The hook made its directory and answers a memleak spec.
    expect(existsSync(sock)).toBe(true);
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect(sock, () =>
        s.write(
          `${JSON.stringify({ type: 'memleak', mibPerS: 1, ramp: 'step', rampS: 0, maxMiB: 2, into: 'service', durationS: 5 })}\n`,
        ),
      );
      s.once('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
      s.once('error', reject);
    });
    expect(answer).toMatch(/LEAKING/);
    const home = `${stack.webUrl}/`;
    expect(await get(home)).toBe(200);
    process.kill(first, 'SIGKILL');
    const t0 = Date.now();
    await expect(get(home)).rejects.toThrow();
    while (restarted.length === 0 && Date.now() - t0 < RESTART_BACKOFF.firstMs + 30_000)
      await new Promise((r) => setTimeout(r, 100));
    expect(restarted).toHaveLength(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(RESTART_BACKOFF.firstMs - 100);
    expect(stack.pids.web).toBe(restarted[0]);
    expect(await get(home)).toBe(200); // the same URL: the same port
    expect(lines.join('\n')).toMatch(/web tier \(pid \d+\) exited with .*restarting in 10 s/);
  }, 90_000);
});
