// The CLI contract, exercised through real processes: exit codes, one-line errors without stack
// traces, --help everywhere, byte-identical results across processes, the NAB detector contract.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUserError, runCli } from '../helpers/cli.ts';

const run = runCli;
const SHARED = resolve('../shared/data');
const tmp = mkdtempSync(join(tmpdir(), 'foreshock-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const synthDir = join(tmp, 'synth');

beforeAll(() => {
  const r = run(
    'synth',
    '--hosts',
    '4',
    '--fault',
    'memleak',
    '--seed',
    '3',
    '--duration',
    '900',
    '--out',
    synthDir,
  );
  expect(r.stderr + r.stdout).toMatch(/wrote/);
  expect(r.code).toBe(0);
});

describe('help', () => {
  it.each([
    'experiment',
    'replay',
    'import',
    'synth',
    'score',
    'validate',
    'algorithms',
    'report',
    'sweep',
    'rca',
    'bench',
    'workload',
    'kafka',
    'agent',
    'record',
    'testbed',
    'faults',
  ])('%s --help exits 0 and explains', (cmd) => {
    const r = run(cmd, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`foreshock ${cmd}`);
    expect(r.stdout.length).toBeGreaterThan(150);
  });

  it('top-level --help lists the commands', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    for (const cmd of ['replay', 'import', 'synth', 'score']) expect(r.stdout).toContain(cmd);
  });
});

describe('replay', () => {
  it('writes byte-identical results.json in two separate processes', () => {
    const a = run('replay', '--dataset', synthDir, '--out', join(tmp, 'ra'));
    const b = run('replay', '--dataset', synthDir, '--out', join(tmp, 'rb'));
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const ja = readFileSync(join(tmp, 'ra', 'results.json'));
    expect(ja.equals(readFileSync(join(tmp, 'rb', 'results.json')))).toBe(true);
    const results = JSON.parse(ja.toString());
    expect(results.dataset).toBe('synth-memleak-4h-s3');
    expect(results.train).toBeNull();
    for (const name of ['threshold', 'zscore']) {
      const r = results.algorithms[name];
      expect(r).toHaveProperty('config');
      expect(r).toHaveProperty('alarms');
      expect(r).toHaveProperty('localizations');
      expect(r).toHaveProperty('actions');
      expect(Object.keys(r.metrics)).toEqual(['prediction', 'localization', 'fix', 'cost']);
    }
    expect(a.stdout).toMatch(/threshold/);
  });

  it('takes --localize-at as ISO 8601, epoch s or epoch ms, all meaning the same instant', () => {
    const manifest = JSON.parse(readFileSync(join(synthDir, 'manifest.json'), 'utf8'));
    const at = manifest.start + 700_000;
    const outs = [new Date(at).toISOString(), String(at / 1000), String(at)].map((t, i) => {
      const out = join(tmp, `loc${i}`);
      const r = run(
        'replay',
        '--dataset',
        synthDir,
        '--algorithms',
        'zscore',
        '--localize-at',
        t,
        '--out',
        out,
      );
      expect(r.code).toBe(0);
      return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    });
    for (const o of outs)
      expect(o.algorithms.zscore.localizations[0].trigger).toEqual({
        kind: 'explicit',
        time: at,
        host: null,
      });
  });

  it('trains on another dataset with --train', () => {
    const trainDir = join(tmp, 'control');
    expect(
      run('synth', '--hosts', '4', '--fault', 'none', '--seed', '3', '--duration', '600', '--out', trainDir)
        .code,
    ).toBe(0);
    const out = join(tmp, 'trained');
    const r = run(
      'replay',
      '--dataset',
      synthDir,
      '--train',
      trainDir,
      '--algorithms',
      'threshold',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(res.train).toBe('synth-none-4h-s3');
    expect(res.scoring.trainSource).toMatch(/train dataset/);
  });

  it('user errors: one line naming the problem, exit 1, nothing written', () => {
    expectUserError(
      run('replay', '--dataset', join(tmp, 'missing'), '--out', join(tmp, 'x1')),
      /missing: dataset directory not found/,
    );
    expectUserError(
      run('replay', '--dataset', synthDir, '--algorithms', 'nope', '--out', join(tmp, 'x2')),
      /unknown algorithm "nope"/,
    );
    expectUserError(
      run('replay', '--dataset', synthDir, '--localize-at', 'yesterday', '--out', join(tmp, 'x3')),
      /--localize-at: cannot read time "yesterday"/,
    );
    const cfg = join(tmp, 'bad-config.json');
    writeFileSync(cfg, JSON.stringify({ threshold: { consecutive: 0 } }));
    expectUserError(
      run('replay', '--dataset', synthDir, '--config', cfg, '--out', join(tmp, 'x4')),
      /algorithm threshold: config key "consecutive" must be >= 1/,
    );
    expectUserError(
      run('replay', '--dataset', synthDir),
      /missing required option --out \(see foreshock replay --help\)/,
    );
    expectUserError(
      run('replay', '--dataset', synthDir, '--out', join(tmp, 'x5'), '--bogus'),
      /unknown option --bogus/,
    );
    for (const x of ['x1', 'x2', 'x3', 'x4', 'x5'])
      expect(existsSync(join(tmp, x, 'results.json'))).toBe(false);
  });

  it('a corrupt dataset is refused with the file named', () => {
    const broken = join(tmp, 'broken');
    expect(
      run('synth', '--hosts', '2', '--fault', 'cpuhog', '--seed', '1', '--duration', '300', '--out', broken)
        .code,
    ).toBe(0);
    const f = join(broken, 'metrics.arrow');
    writeFileSync(f, readFileSync(f).subarray(0, 1000));
    expectUserError(
      run('replay', '--dataset', broken, '--out', join(tmp, 'x6')),
      /broken\/metrics\.arrow: truncated Arrow file/,
    );
    expectUserError(run('validate', broken), /truncated Arrow file/);
  });
});

describe('validate, algorithms', () => {
  it('validate reports a good dataset', () => {
    const r = run('validate', synthDir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok \(foreshock-dataset\/1, 3600 rows, 4 host\(s\)/);
  });

  it('algorithms lists every parameter with its source', () => {
    const r = run('algorithms');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/threshold \(predictor\)/);
    expect(r.stdout).toMatch(/consecutive = 3 \[1\.\.\].*UBL/);
  });
});

describe.skipIf(!existsSync(SHARED))('import and score on the shared data', () => {
  it('imports a seed trace and replays it', () => {
    const out = join(tmp, 'seed');
    const r = run('import', 'seed', join(SHARED, 'seed-traces', 'TestingData.txt'), '--out', out);
    expect(r.code).toBe(0);
    expect(run('validate', out).stdout).toMatch(/slo mean_latency_ms >= 70/);
    const rep = run('replay', '--dataset', out, '--algorithms', 'threshold', '--out', join(tmp, 'seed-res'));
    expect(rep.code).toBe(0);
    const res = JSON.parse(readFileSync(join(tmp, 'seed-res', 'results.json'), 'utf8'));
    // Every scored second is counted exactly once (the trace has gaps, so count its lines in the period):
    // in TP..FN, or as an outage second (rules v2: seconds already violating the SLO are left out).
    const p = res.algorithms.threshold.metrics.prediction;
    const { start: from, end: to } = res.scoring.scoredPeriod;
    const times = readFileSync(join(SHARED, 'seed-traces', 'TestingData.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { timestamp: number }).timestamp * 1000);
    const inPeriod = new Set(times.filter((t) => t >= from && t < to)).size;
    expect(inPeriod).toBeGreaterThan(1500);
    expect(p.outageSeconds).toBeGreaterThan(0);
    expect(p.tp + p.fp + p.tn + p.fn + p.outageSeconds).toBe(inPeriod);
  });

  it('score writes the NAB detector contract: timestamp,value,anomaly_score in [0, 1]', () => {
    const input = join(SHARED, 'NAB', 'data', 'realKnownCause', 'machine_temperature_system_failure.csv');
    const out = join(tmp, 'machine.csv');
    const r = run('score', '--algorithm', 'threshold', '--input', input, '--out', out);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const inputLines = readFileSync(input, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score');
    expect(lines.length).toBe(inputLines.length);
    expect(lines[1]!.split(',').slice(0, 2)).toEqual(inputLines[1]!.split(','));
    const scores = lines.slice(1).map((l) => Number(l.split(',')[2]));
    for (const s of scores) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    expect(scores.some((s) => s > 0)).toBe(true);
    expectUserError(
      run('score', '--algorithm', 'zscore', '--input', input, '--out', join(tmp, 'zscore.csv')),
      /zscore is a localizer; score needs a predictor/,
    );
    // the CSV written above is not replaced without --overwrite
    expectUserError(
      run('score', '--algorithm', 'threshold', '--input', input, '--out', out),
      /machine\.csv exists: give --overwrite to replace it/,
    );
  });

  it('import reports a bad input file in one line', () => {
    const bad = join(tmp, 'bad.jsonl');
    writeFileSync(bad, '{"count": 1, "mean": 3}\nnot json\n');
    expectUserError(run('import', 'seed', bad, '--out', join(tmp, 'bad-out')), /bad\.jsonl.*line 1/);
    expectUserError(
      run('import', 'seed', bad, '--out', synthDir),
      /synth exists and is not empty: give --overwrite to write into it/,
    );
  });
});

describe('experiment --synthetic (replay of the shipped synthetic run; the runner is test/runner)', () => {
  it('replays the shipped memleak dataset, says it is synthetic, writes results', () => {
    const out = join(tmp, 'runs');
    const r = run('experiment', 'memleak', '--synthetic', '--out', out, '--report-dir', join(tmp, 'reports'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--synthetic replays a synthetic run of this fault, not a recorded one/);
    expect(r.stderr).toMatch(/datasets\/synth-memleak \(shipped\)/);
    const res = JSON.parse(readFileSync(join(out, 'memleak', 'results.json'), 'utf8'));
    expect(res.algorithms.zscore.metrics.localization.ac1).toBe(1);
    expect(res.algorithms.threshold.metrics.prediction.leadTimeS.mean).toBeGreaterThan(0);
  });

  it('refuses an unknown scenario with the list', () => {
    expectUserError(
      run('experiment', 'meteor', '--out', join(tmp, 'runs2')),
      /unknown experiment "meteor" \(known: control, cpuhog, diskfill, diskhog, memleak\)/,
    );
  });

  it('refuses a --normal phase out of range, and a disk experiment on the embedded stack', () => {
    expectUserError(
      run('experiment', 'memleak', '--normal', '5', '--out', join(tmp, 'runs3')),
      /--normal must be a number of seconds in \[10, 86400\], got 5/,
    );
    expectUserError(
      run('experiment', 'memleak', '--settle-max', '-1', '--out', join(tmp, 'runs3')),
      /--settle-max must be a number of seconds in \[0, 3600\], got -1/,
    );
    expectUserError(
      run('experiment', 'diskfill', '--out', join(tmp, 'runs3')),
      /runs on local, remote, aws, not on the embedded stack .*use --stack local/,
    );
  });
});

describe('a closed stdout (foreshock ... | head)', () => {
  it('exits 0 without a stack trace', async () => {
    const child = spawn(process.execPath, ['bin/foreshock.js', 'faults', 'list'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdout.destroy(); // the reader is gone before the command writes
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });
});

describe('temporary failures', () => {
  it('a dead broker: one line naming it, exit 3 (retrying may help), no stack trace, no dataset', () => {
    const out = join(tmpdir(), `foreshock-dead-broker-${process.pid}`);
    try {
      // Port 1 on loopback: nothing listens there, the connection is refused at once.
      const r = runCli(
        'record',
        '--bus',
        'kafka',
        '--brokers',
        '127.0.0.1:1',
        '--out',
        out,
        '--duration',
        '1',
      );
      expect(r.code, r.stderr).toBe(3);
      const last = r.stderr.trim().split('\n').pop()!;
      expect(last).toMatch(/^foreshock: kafka: .*127\.0\.0\.1:1.*ECONNREFUSED.*retrying may help/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('faults effect', () => {
  it('prints a row per dataset and the verdict per fault type; --check exits 1 below the bar', () => {
    const r = run('faults', 'effect', 'datasets/synth-memleak');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| synth-memleak \| memleak on db-0 \| 72 s \| 72 s \| 468 of 540 \|/);
    expect(r.stdout).toContain('memleak: 1 of 1 bite');
    // A 100 s synthetic leak ends before it reaches the SLO: it does not bite, and --check says so.
    const short = join(tmp, 'short-leak');
    expect(run('synth', '--hosts', '3', '--fault', 'memleak', '--duration', '100', '--out', short).code).toBe(
      0,
    );
    const checked = run('faults', 'effect', 'datasets/synth-memleak', short, '--check');
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain('memleak: 1 of 2 bite (below the bar)');
    expect(checked.stderr.trim()).toBe('foreshock: faults effect --check: below the bar: memleak');
    const missing = run('faults', 'effect', join(tmp, 'does-not-exist'));
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const json = JSON.parse(run('faults', 'effect', 'datasets/synth-memleak', '--json').stdout) as {
      summary: { kind: string; ok: number; runs: number }[];
    };
    expect(json.summary).toEqual([{ kind: 'memleak', ok: 1, runs: 1 }]);
  });
});
