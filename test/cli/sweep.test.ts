// `foreshock sweep` through a real process: one row per parameter combination (text and --json),
// rows identical to a single replay with that config, and one-line user errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUserError, runCli } from '../helpers/cli.ts';
import { UserError } from '../../src/core/errors.ts';
import { parseSweepParam, runSweep } from '../../src/runner/sweep.ts';
import { tinyDataset } from '../helpers/tiny-dataset.ts';

const run = runCli;
const tmp = mkdtempSync(join(tmpdir(), 'foreshock-sweep-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const data = join(tmp, 'memleak');

beforeAll(() => {
  const r = run(
    'synth',
    '--hosts',
    '3',
    '--fault',
    'memleak',
    '--seed',
    '2',
    '--duration',
    '900',
    '--out',
    data,
  );
  expect(r.code).toBe(0);
});

describe('sweep', () => {
  it('prints one JSON row per combination, first parameter slowest, matching a plain replay', () => {
    const r = run(
      'sweep',
      '--dataset',
      data,
      '--algorithm',
      'threshold',
      '--param',
      'consecutive=1,3',
      '--param',
      'margin=0.5,1',
      '--json',
    );
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((x: { params: unknown }) => x.params)).toEqual([
      { consecutive: 1, margin: 0.5 },
      { consecutive: 1, margin: 1 },
      { consecutive: 3, margin: 0.5 },
      { consecutive: 3, margin: 1 },
    ]);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual([
        'params',
        'tp',
        'fp',
        'tn',
        'fn',
        'tpr',
        'fpr',
        'j',
        'falseAlarmsPerHour',
        'alarms',
        'leadTimeS',
      ]);
      expect(row.tp + row.fp + row.tn + row.fn).toBe(rows[0].tp + rows[0].fp + rows[0].tn + rows[0].fn);
      if (row.tpr !== null && row.fpr !== null) expect(row.j).toBeCloseTo(row.tpr - row.fpr, 12);
    }
    // A looser filter (1 out-of-band sample) alarms at least as often as a stricter one.
    expect(rows[0].alarms).toBeGreaterThanOrEqual(rows[2].alarms);

    // The last row equals `foreshock replay` with the same config and scoring.
    const cfg = join(tmp, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ threshold: { consecutive: 3, margin: 1 } }));
    const out = join(tmp, 'replay');
    const rep = run(
      'replay',
      '--dataset',
      data,
      '--algorithms',
      'threshold',
      '--config',
      cfg,
      '--no-fix',
      '--out',
      out,
    );
    expect(rep.code).toBe(0);
    const p = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).algorithms.threshold.metrics
      .prediction;
    expect({ tp: rows[3].tp, fp: rows[3].fp, tn: rows[3].tn, fn: rows[3].fn }).toEqual({
      tp: p.tp,
      fp: p.fp,
      tn: p.tn,
      fn: p.fn,
    });
    expect(rows[3].falseAlarmsPerHour).toBe(p.falseAlarmsPerHour);
  });

  it('prints a table with a header and one line per combination, for ubl too', () => {
    const r = run(
      'sweep',
      '--dataset',
      data,
      '--algorithm',
      'ubl',
      '--param',
      'percentile=80,95',
      '--pending-window',
      '20',
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^params\s+TPR\s+FPR\s+J\s+FA\/h\s+TP\s+FP\s+TN\s+FN\s+lead s\s+max s$/);
    expect(lines[1]).toMatch(/^percentile=80\s/);
    expect(lines[2]).toMatch(/^percentile=95\s/);
  });

  it('refuses an unknown parameter with one line and exit code 1', () => {
    expectUserError(
      run('sweep', '--dataset', data, '--algorithm', 'ubl', '--param', 'nosuch=1'),
      /unknown config key "nosuch"/,
    );
  });
});

// The rest of the validation, without spawning a process per case.
describe('runSweep validation', () => {
  const tiny = tinyDataset({ seconds: 60, slo: '.'.repeat(60) });
  const scoring = {
    pendingWindowS: 50,
    minDurationS: 3,
    recoveryGraceS: 60,
    gapS: 3,
    hosts: 'under-test' as const,
  };
  const sweep = (algorithm: string, param: string) =>
    runSweep(tiny, null, { algorithm, params: [parseSweepParam(param)], scoring });

  it.each([
    ['ubl', 'sloFeedback=1', /not numeric/],
    ['ubl', 'percentile=200', /must be <= 99.9/],
    ['ubl', 'consecutive=1.5', /must be an integer/],
    ['ubl', 'percentile', /<key>=<v1,v2,...>/],
    ['ubl', 'percentile=80,x', /"x" is not a number/],
    ['ubl', 'percentile=', /no values given/],
    ['zscore', 'recentS=10', /not a predictor/],
    ['nope', 'x=1', /unknown algorithm "nope"/],
  ])('%s --param %s', (algorithm, param, pattern) => {
    expect(() => sweep(algorithm, param)).toThrow(UserError);
    expect(() => sweep(algorithm, param)).toThrow(pattern);
  });

  it('refuses a parameter given twice and an empty parameter list', () => {
    const p = parseSweepParam('percentile=80');
    expect(() => runSweep(tiny, null, { algorithm: 'ubl', params: [p, p], scoring })).toThrow(/given twice/);
    expect(() => runSweep(tiny, null, { algorithm: 'ubl', params: [], scoring })).toThrow(/at least one/);
  });
});
