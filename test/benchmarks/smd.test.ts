// SMD scoring: best-F1 sweeps against brute force, HitRate@P%, and a run over a small directory in
// SMD layout (written to a temporary directory) through the library and the CLI.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.ts';
import { bestF1, bestF1PointAdjusted, f1At, segments } from '../../src/benchmarks/smd/f1.ts';
import { hitRate, runSmd } from '../../src/benchmarks/smd/runner.ts';

describe('F1 sweeps', () => {
  const rng = createRng(12);
  const n = 400;
  const labels = Array.from({ length: n }, (_, i) =>
    (i >= 50 && i < 70) || (i >= 200 && i < 205) || i === 300 ? 1 : 0,
  );
  // Scores: a few distinct levels, so ties matter; anomalies somewhat higher on average.
  const scores = labels.map((l) => Math.round((rng.next() + 0.4 * l) * 8) / 8);

  it('plain: the sweep equals the best F1 over every candidate threshold', () => {
    const best = bestF1(scores, labels);
    const brute = Math.max(...[...new Set(scores)].map((t) => f1At(scores, labels, t, false).f1));
    expect(best.f1).toBeCloseTo(brute, 12);
    expect(f1At(scores, labels, best.threshold, false)).toEqual(best);
  });

  it('point-adjusted: the sweep equals brute force, and adjustment never lowers F1', () => {
    const best = bestF1PointAdjusted(scores, labels);
    const brute = Math.max(...[...new Set(scores)].map((t) => f1At(scores, labels, t, true).f1));
    expect(best.f1).toBeCloseTo(brute, 12);
    expect(best.f1).toBeGreaterThanOrEqual(bestF1(scores, labels).f1);
  });

  it('point adjustment credits a whole segment for one flagged point', () => {
    const l = [0, 1, 1, 1, 1, 0, 0, 0];
    const s = [0, 0, 0.9, 0, 0, 0, 0, 0.1];
    expect(segments(l)).toEqual([[1, 5]]);
    expect(f1At(s, l, 0.9, false)).toMatchObject({ tp: 1, fp: 0, fn: 3 });
    expect(f1At(s, l, 0.9, true)).toMatchObject({ tp: 4, fp: 0, fn: 0, f1: 1 });
    expect(bestF1PointAdjusted(s, l)).toMatchObject({ f1: 1, threshold: 0.9 });
  });
});

describe('HitRate@P%', () => {
  it('counts ground-truth metrics among the first ceil(P k) ranked metrics', () => {
    const ranking = ['a', 'b', 'c', 'd', 'e'];
    expect(hitRate(ranking, ['a', 'c'], 1)).toBe(0.5); // top 2: a, b
    expect(hitRate(ranking, ['a', 'c'], 1.5)).toBe(1); // top 3
    expect(hitRate(ranking, ['e'], 1.5)).toBe(0); // top 2
    expect(hitRate(ranking, ['b', 'c', 'e'], 1)).toBe(2 / 3); // top 3
    expect(hitRate(ranking, ['b', 'c', 'e'], 1.5)).toBe(1); // top ceil(4.5) = 5
  });
});

/** A tiny SMD-layout directory: one complete machine, one with train/ only (to be skipped). */
function writeSmd(dir: string): void {
  for (const sub of ['train', 'test', 'test_label', 'interpretation_label']) mkdirSync(path.join(dir, sub));
  writeFileSync(path.join(dir, 'metric_names.txt'), 'cpu_r\nmem_u\ndisk_q\n');
  const rng = createRng(21);
  const row = (anomaly: boolean) =>
    [0.5 + 0.02 * rng.normal(), 0.3 + 0.02 * rng.normal() + (anomaly ? 0.5 : 0), 0.2 + 0.02 * rng.normal()]
      .map((v) => v.toFixed(6))
      .join(',');
  const train = Array.from({ length: 400 }, () => row(false));
  const labels = Array.from({ length: 300 }, (_, i) => (i >= 200 && i < 220 ? 1 : 0));
  const test = labels.map((l) => row(l === 1));
  writeFileSync(path.join(dir, 'train', 'machine-9-1.txt'), `${train.join('\n')}\n`);
  writeFileSync(path.join(dir, 'test', 'machine-9-1.txt'), `${test.join('\n')}\n`);
  writeFileSync(path.join(dir, 'test_label', 'machine-9-1.txt'), `${labels.join('\n')}\n`);
  writeFileSync(path.join(dir, 'interpretation_label', 'machine-9-1.txt'), '200-220:2\n');
  writeFileSync(path.join(dir, 'train', 'machine-9-2.txt'), `${train.join('\n')}\n`);
}

describe('SMD runner', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'foreshock-smd-'));
  writeSmd(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains on train/, tests on test/, and finds the anomaly and its culprit metric', () => {
    const { machines, summaries } = runSmd(dir, { algorithms: ['windowed-gaussian', 'threshold'] });
    expect(machines).toEqual(['machine-9-1']); // machine-9-2 has no test file
    for (const s of summaries) {
      const m = s.machines[0]!;
      expect(m).toMatchObject({ trainRows: 400, testRows: 300, anomalyRows: 20 });
      // (A noise value beyond the training range can tie with the anomaly under the spatial rule.)
      expect(m.f1PointAdjusted.f1).toBeGreaterThan(0.95);
      expect(m.f1.f1).toBeGreaterThan(0.3);
      expect(m.hitRate.detected.points).toBeGreaterThan(0);
      expect(m.hitRate.detected.p100).toBe(1); // mem_u ranked first where the anomaly is flagged
      expect(m.hitRate.all.points).toBe(20);
      expect(s.mean.f1PointAdjusted).toBe(m.f1PointAdjusted.f1);
    }
  });

  it('bench smd --json prints one object with per-machine results and the leaderboard', () => {
    const out = execFileSync(
      process.execPath,
      [
        'bin/foreshock.js',
        'bench',
        'smd',
        '--data',
        dir,
        '--algorithms',
        'threshold',
        '--json',
        '--out',
        path.join(dir, 'smd-out'),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const json = JSON.parse(out);
    expect(json.machines).toEqual(['machine-9-1']);
    expect(json.detectors[0].algorithm).toBe('threshold');
    expect(json.detectors[0].mean.f1PointAdjusted).toBe(1);
    const names = json.leaderboard.entries.map((e: { name: string }) => e.name);
    expect(names).toContain('foreshock threshold');
    expect(names).toContain('OmniAnomaly');
  });

  it('refuses an unknown machine with the list of known ones', () => {
    expect(() => runSmd(dir, { algorithms: ['threshold'], machines: ['machine-1-1'] })).toThrow(
      /have: machine-9-1/,
    );
  });
});
