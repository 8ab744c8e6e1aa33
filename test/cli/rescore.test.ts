// `foreshock rescore`: every metric from the stored streams, equal byte for byte to a replay with the
// same scoring parameters; harness hosts neither replayed nor scored unless --hosts all.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDataset } from '../../src/data/dataset-io.ts';
import type { ReplayResults } from '../../src/core/results.ts';
import { expectUserError, runCli } from '../helpers/cli.ts';
import { T0, tinyDataset } from '../helpers/tiny-dataset.ts';

const dir = mkdtempSync(join(tmpdir(), 'foreshock-rescore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 240 s: a normal phase (training) 0-120 s, a CPU hog on db from 150 s that drives availcpu down and
// the SLO over its threshold from 175 s (sustained) on; kafka is a harness host whose load jumps at 140 s.
const seconds = 240;
const slo = [...'.'.repeat(seconds)].map((c, i) => (i >= 175 && i < 215 && i % 7 !== 3 ? 'X' : c)).join('');
const ds = tinyDataset({
  seconds,
  hosts: ['web', 'db', 'kafka'],
  slo,
  faults: [{ id: 'f1', type: 'cpuhog', host: 'db', start: T0 + 150_000, end: T0 + 210_000 }],
  value: (host, metric, s, noise) =>
    host === 'db' && metric === 'availcpu' && s >= 155
      ? 5 + noise
      : host === 'kafka' && s >= 140
        ? 500 + noise
        : 50 + 5 * noise,
});
ds.manifest.name = 'rescore-case';
ds.manifest.hosts = [{ id: 'web' }, { id: 'db' }, { id: 'kafka', harness: true }];
ds.manifest.phases = [
  { name: 'normal', start: T0, end: T0 + 120_000 },
  { name: 'fault', start: T0 + 120_000, end: T0 + seconds * 1000 },
];
const data = join(dir, 'data');
writeDataset(data, ds);
const ALGORITHMS = 'threshold,random,zscore,random-localizer';
const read = (d: string): ReplayResults => JSON.parse(readFileSync(join(d, 'results.json'), 'utf8'));

describe('foreshock rescore', () => {
  const base = join(dir, 'base');
  it('replays by default without the harness host, and runs the chance floor', () => {
    const r = runCli('replay', '--dataset', data, '--algorithms', ALGORITHMS, '--out', base);
    expect(r.code, r.stderr).toBe(0);
    const res = read(base);
    expect(res.scoring).toMatchObject({
      rules: 2,
      pendingWindowS: 50,
      hosts: 'under-test',
      scoredHosts: ['web', 'db'],
    });
    for (const a of Object.values(res.algorithms)) {
      expect(a.alarms.every((x) => x.host !== 'kafka')).toBe(true);
      expect(a.localizations.every((l) => l.ranking.every((e) => e.host !== 'kafka'))).toBe(true);
    }
    expect(res.algorithms.random!.mode).toMatchObject({ mode: 'chance' });
    expect(res.algorithms.threshold!.metrics.prediction!.tp).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/\bJ\b/);
    // The chance floor beside every AC@k: AC@1, chance (1/N), AC@3, chance (3/N).
    expect(r.stdout).toMatch(/\bAC@1\s+chance\s+AC@3\s+chance\b/);
  });

  it('with --hosts all replays and scores the harness host too', () => {
    const out = join(dir, 'all');
    expect(
      runCli('replay', '--dataset', data, '--algorithms', 'threshold', '--hosts', 'all', '--out', out).code,
    ).toBe(0);
    const res = read(out);
    expect(res.scoring).toMatchObject({ hosts: 'all', scoredHosts: ['web', 'db', 'kafka'] });
    expect(res.algorithms.threshold!.alarms.some((x) => x.host === 'kafka')).toBe(true);
  });

  it('gives byte for byte what a replay with the same scoring parameters gives', () => {
    const params = ['--pending-window', '20', '--min-duration', '5', '--grace', '10', '--gap', '1'];
    const replayed = join(dir, 'w20');
    const rescored = join(dir, 'w20-rescored');
    expect(
      runCli('replay', '--dataset', data, '--algorithms', ALGORITHMS, ...params, '--out', replayed).code,
    ).toBe(0);
    const r = runCli('rescore', '--results', base, '--dataset', data, ...params, '--out', rescored);
    expect(r.code, r.stderr).toBe(0);
    const a = readFileSync(join(replayed, 'results.json'), 'utf8');
    const b = readFileSync(join(rescored, 'results.json'), 'utf8');
    // The scoring parameters changed the metrics, not the streams ...
    const before = read(base).algorithms.threshold!;
    const after = read(rescored).algorithms.threshold!;
    expect(after.alarms).toEqual(before.alarms);
    expect(after.metrics.prediction).not.toEqual(before.metrics.prediction);
    // ... and the rescore is the replay, prediction metrics and the whole file alike.
    for (const name of ['threshold', 'random']) {
      expect(JSON.stringify(read(rescored).algorithms[name]!.metrics.prediction)).toBe(
        JSON.stringify(read(replayed).algorithms[name]!.metrics.prediction),
      );
    }
    expect(b).toBe(a);
  });

  it('keeps the host selection the results were replayed with, and refuses to change it', () => {
    // Harness hosts are left out of the replay, so a rescore under another selection cannot be a replay.
    expectUserError(
      runCli('rescore', '--results', base, '--dataset', data, '--hosts', 'all', '--out', join(dir, 'x')),
      /replayed with --hosts under-test.*replay with --hosts all/,
    );
    const out = join(dir, 'all-rescored');
    const r = runCli('rescore', '--results', join(dir, 'all'), '--dataset', data, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(
      readFileSync(join(dir, 'all', 'results.json'), 'utf8'),
    );
  });

  it('refuses results of another dataset with one line', () => {
    const other = join(dir, 'other');
    const copy = { ...ds, manifest: { ...ds.manifest, name: 'another' } };
    writeDataset(other, copy);
    expectUserError(
      runCli('rescore', '--results', base, '--dataset', other, '--out', join(dir, 'x')),
      /not "another"/,
    );
  });

  it('rescores results whose metrics are of an older shape (their records are what it reads)', () => {
    // A results.json written before some metric fields existed: report refuses it, rescore recomputes it.
    const old = read(base);
    for (const a of Object.values(old.algorithms)) {
      const p = a.metrics.prediction as unknown as Record<string, unknown> | null;
      if (p) delete p.episodes;
    }
    const oldDir = join(dir, 'old-shape');
    mkdirSync(oldDir, { recursive: true });
    writeFileSync(join(oldDir, 'results.json'), JSON.stringify(old));
    expectUserError(
      runCli('report', '--results', oldDir, '--dataset', data, '--out', join(dir, 'old.html')),
      /episodes/,
    );
    const out = join(dir, 'old-rescored');
    const r = runCli('rescore', '--results', oldDir, '--dataset', data, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(
      readFileSync(join(base, 'results.json'), 'utf8'),
    );
    // The records themselves are still checked: a null alarm is one line.
    const broken = read(base);
    (broken.algorithms.threshold!.alarms as unknown[])[0] = null;
    writeFileSync(join(oldDir, 'results.json'), JSON.stringify(broken));
    expectUserError(
      runCli('rescore', '--results', oldDir, '--dataset', data, '--overwrite', '--out', join(dir, 'x2')),
      /alarms/,
    );
  });
});
