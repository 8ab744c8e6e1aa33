// `foreshock report` and the report written by `npm run experiment`, through real processes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDataset } from '../../src/data/dataset-io.ts';
import { runReplayJob } from '../../src/runner/replay-job.ts';
import { smallSynth } from './fixtures.ts';

const BIN = resolve('bin/foreshock.js');
const tmp = mkdtempSync(join(tmpdir(), 'foreshock-report-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: resolve('.'),
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const ds = join(tmp, 'ds');

beforeAll(() => {
  writeDataset(ds, smallSynth('memleak', 3));
  // A control run whose dataset is not on disk: its report part must degrade, visibly.
  const control = runReplayJob(smallSynth('none', 3), null, { algorithms: ['threshold', 'zscore'] });
  const dir = join(tmp, 'control');
  rmSync(dir, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...control, datasetPath: join(tmp, 'gone') }));
  writeFileSync(
    join(tmp, 'sweep.json'),
    JSON.stringify({
      threshold: [
        { tpr: 0.2, fpr: 0.01 },
        { tpr: 0.9, fpr: 0.3 },
      ],
    }),
  );
});

describe('foreshock report', () => {
  it('--help explains, and a missing results directory is one line on stderr', () => {
    const help = run('report', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('foreshock report');
    const r = run('report', '--results', join(tmp, 'nope'), '--out', join(tmp, 'x.html'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^foreshock: .*no results\.json here/);
  });

  it('reports replay results (dataset found through datasetPath) next to a run whose dataset is gone', () => {
    const replay = run(
      'replay',
      '--dataset',
      ds,
      '--algorithms',
      'threshold,zscore',
      '--out',
      join(tmp, 'mem'),
    );
    expect(replay.code, replay.stderr).toBe(0);
    // The headline card is the last thing printed: per algorithm in words, then the verdict.
    const tail = replay.stdout.trim().split('\n');
    const start = tail.findIndex((l) => l.startsWith('headline: '));
    expect(start, replay.stdout).toBeGreaterThan(0);
    expect(tail[start]).toBe('headline: synth-memleak-3h-s3 (memleak)');
    expect(tail.slice(start).some((l) => /^ {2}zscore +named \S+ first in \d+ s/.test(l))).toBe(true);
    expect(tail.at(-1)).toMatch(/^verdict: Localizer: /);
    expect(JSON.parse(readFileSync(join(tmp, 'mem', 'results.json'), 'utf8')).datasetPath).toBe(ds);
    const out = join(tmp, 'reports', 'both.html');
    const r = run(
      'report',
      '--results',
      join(tmp, 'mem'),
      join(tmp, 'control'),
      '--roc',
      join(tmp, 'sweep.json'),
      '--out',
      out,
    );
    expect(r.stderr).toMatch(/note: .*control: dataset "synth-none-3h-s3" not found/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`report: ${out}`);
    expect(r.stderr).not.toMatch(/warning:/);
    expect(r.stdout).toContain(`best model: ${join(tmp, 'reports', 'both.best.json')}`);
    const html = readFileSync(out, 'utf8');
    expect(html.match(/data-kind="host-timeline"/g)).toHaveLength(3);
    expect(html).toContain('No metric or SLO timelines');
    // Without its dataset the control run's fault type cannot be known: it says so.
    expect(html).toContain('<td>unknown</td>');
    expect(html).toContain('sweep curve');
    const best = JSON.parse(readFileSync(join(tmp, 'reports', 'both.best.json'), 'utf8'));
    // threshold alarms on the control run (FPR over 0.05): no predictor meets the rule.
    expect(best.predictor).toBeNull();
    expect(best.noPredictor.closest.algorithm).toBe('threshold');
    expect(best.localizer).toMatchObject({
      algorithm: 'zscore',
      configHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(best.inputs).toHaveLength(2);
  });
});

describe('npm run experiment -- <name> --synthetic', () => {
  it('writes reports/<name>.html and prints its path', () => {
    const reports = join(tmp, 'exp-reports');
    const r = run(
      'experiment',
      'memleak',
      '--synthetic',
      '--out',
      join(tmp, 'runs'),
      '--report-dir',
      reports,
    );
    expect(r.code, r.stderr).toBe(0);
    const file = join(reports, 'memleak.html');
    expect(r.stdout).toContain(`report: ${file}`);
    expect(r.stdout).toMatch(
      /\nheadline: synth-memleak-5h-s1 \(memleak\)\n[^]*\nverdict: Localizer: [^\n]*\n$/,
    );
    expect(existsSync(file)).toBe(true);
    expect(existsSync(join(reports, 'memleak.best.json'))).toBe(true);
    const results = JSON.parse(readFileSync(join(tmp, 'runs', 'memleak', 'results.json'), 'utf8'));
    expect(results.datasetPath).toBe(join('datasets', 'synth-memleak'));
    expect(readFileSync(file, 'utf8')).toContain('data-kind="host-timeline"');
  });
});
