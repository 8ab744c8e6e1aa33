// `foreshock bench nab` through real processes (--score-only on the published gzipped outputs; a
// run over a two-file NAB layout whose written results score the same when re-read; a usage
// error), and plain vs gzipped results files scoring alike.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readResultsDir, readWindowsFile } from '../../src/benchmarks/nab/results-io.ts';
import { scoreNab } from '../../src/benchmarks/nab/score.ts';

const nab = path.resolve(process.cwd(), '../shared/data/NAB');
const haveNab = existsSync(path.join(nab, 'results', 'numenta'));
if (!haveNab) console.warn(`skipping bench nab CLI tests: ${nab} not found`);

const cli = (...args: string[]) =>
  execFileSync(process.execPath, ['bin/foreshock.js', 'bench', 'nab', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

const dataRows = (key: string) =>
  readFileSync(path.join(nab, 'data', key), 'utf8')
    .trim()
    .split('\n').length - 1;

/** Two small series: one with windows, one without. */
const KEYS = ['realTraffic/speed_7578.csv', 'artificialNoAnomaly/art_noisy.csv'];

describe.skipIf(!haveNab)('bench nab', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'foreshock-nab-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  // A NAB layout with two files and their windows.
  const root = path.join(tmp, 'NAB');
  const all = JSON.parse(readFileSync(path.join(nab, 'labels', 'combined_windows.json'), 'utf8'));
  mkdirSync(path.join(root, 'labels'), { recursive: true });
  writeFileSync(
    path.join(root, 'labels', 'combined_windows.json'),
    JSON.stringify(Object.fromEntries(KEYS.map((k) => [k, all[k]]))),
  );
  for (const key of KEYS) {
    mkdirSync(path.join(root, 'data', path.dirname(key)), { recursive: true });
    copyFileSync(path.join(nab, 'data', key), path.join(root, 'data', key));
  }

  it('--score-only --json on the published numenta outputs prints the three published scores', () => {
    const json = JSON.parse(cli('--score-only', path.join(nab, 'results', 'numenta'), '--json'));
    expect(json.detector).toBe('numenta');
    expect(json.standard).toBeCloseTo(70.101, 2);
    expect(json.reward_low_FP_rate).toBeCloseTo(63.117, 2);
    expect(json.reward_low_FN_rate).toBeCloseTo(74.32, 2);
  });

  it('plain and gzipped outputs score the same', () => {
    // numenta's outputs for the two files, once gzipped (as published) and once plain.
    const labels = path.join(root, 'labels', 'combined_windows.json');
    for (const [dir, gz] of [
      ['gz', true],
      ['plain', false],
    ] as const) {
      for (const key of KEYS) {
        const [category, file] = key.split('/') as [string, string];
        const src = path.join(nab, 'results', 'numenta', category, `numenta_${file}.gz`);
        const out = path.join(tmp, dir, 'numenta', category, `numenta_${file}${gz ? '.gz' : ''}`);
        mkdirSync(path.dirname(out), { recursive: true });
        if (gz) copyFileSync(src, out);
        else writeFileSync(out, gunzipSync(readFileSync(src)));
      }
    }
    const score = (dir: string) => {
      const { detector, files } = readResultsDir(path.join(tmp, dir, 'numenta'));
      return scoreNab(detector, files, readWindowsFile(labels));
    };
    const a = score('gz');
    const b = score('plain');
    expect(a.corpus.files).toBe(2);
    expect(a.corpus.windows).toBe(4);
    expect(a.corpus.rows).toBe(dataRows(KEYS[0]!) + dataRows(KEYS[1]!));
    expect(b).toEqual(a);
  });

  it('runs a detector in NAB layout; re-scoring the written files gives the same scores', () => {
    const out = path.join(tmp, 'runs');
    const run = JSON.parse(cli('--data', root, '--algorithms', 'windowed-gaussian', '--out', out, '--json'));
    const report = run.detectors[0];
    expect(report.detector).toBe('windowed-gaussian');
    const written = path.join(out, 'windowed-gaussian', 'realTraffic', 'windowed-gaussian_speed_7578.csv');
    const lines = readFileSync(written, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score,label');
    expect(lines).toHaveLength(dataRows(KEYS[0]!) + 1);
    const again = JSON.parse(
      cli('--score-only', path.join(out, 'windowed-gaussian'), '--data', root, '--json'),
    );
    expect(again.standard).toBe(report.standard);
    expect(again.reward_low_FN_rate).toBe(report.reward_low_FN_rate);
    const board = JSON.parse(readFileSync(path.join(out, 'leaderboard.json'), 'utf8'));
    expect(board.entries.some((e: { name: string }) => e.name === 'foreshock windowed-gaussian')).toBe(true);
    expect(board.entries.some((e: { name: string }) => e.name === 'ARTime')).toBe(true);
  });

  it('a results directory without labels is a one-line user error', () => {
    const r = spawnSync(
      process.execPath,
      ['bin/foreshock.js', 'bench', 'nab', '--score-only', path.join(tmp, 'plain', 'numenta')],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--labels/);
  });
});
