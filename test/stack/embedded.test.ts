// The embedded stack end to end (no root needed): web and database tiers as processes, procfs
// agents, the in-memory bus, aggregator and recorder, 10 s of clients, then the dataset is checked.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordStackRun, startSession } from '../../src/stack/index.ts';
import { defaultDataDir } from '../../src/workload/data-files.ts';
import { liveChildren } from '../../src/workload/tiers/children.ts';
import { checkRecording } from './check-recording.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'foreshock-embedded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  stack: 'embedded' as const,
  users: 20,
  mix: 'bidding' as const,
  scale: 0.02,
  seed: 3,
  sloMs: 100,
  dataDir: defaultDataDir(),
};

describe('embedded stack', () => {
  it('records every host in every second, with an SLO series that matches the clients', async () => {
    const report = await recordStackRun({ ...base, out: path.join(dir, 'run') }, 10);
    expect(report.hosts.map((h) => h.host)).toEqual(['web', 'db', 'client']);
    checkRecording(report, ['web', 'db', 'client']);
    expect(liveChildren()).toEqual([]);
  }, 120_000);

  it('rejects bad input before starting anything', async () => {
    await expect(startSession({ ...base, users: 0, out: path.join(dir, 'x') })).rejects.toThrow(
      /--users must be a positive integer/,
    );
    await expect(
      startSession({ ...base, stack: 'nope' as 'local', out: path.join(dir, 'x') }),
    ).rejects.toThrow(/unknown stack "nope" \(known: embedded, local, remote, aws\)/);
    expect(existsSync(path.join(dir, 'x'))).toBe(false);
    // A killed run's unfinished recording is not merged into a new one.
    const stale = path.join(dir, 'stale');
    mkdirSync(path.join(stale, '.recording'), { recursive: true });
    await expect(startSession({ ...base, out: stale })).rejects.toThrow(
      /holds an unfinished recording \(\.recording\): `foreshock record --recover/,
    );
    expect(liveChildren()).toEqual([]);
  });
});
