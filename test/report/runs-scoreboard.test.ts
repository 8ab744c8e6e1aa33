// `foreshock runs` and `foreshock report --scoreboard`: the index of results directories (found
// recursively; the headline numbers chosen by the card's gates, ties named), the scoreboard (mean ±
// sd over runs beside the paper), and the CSV / Markdown / text export; then each through the CLI.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlgorithmResult } from '../../src/core/results.ts';
import { findResultsDirs, readRunFile } from '../../src/report/run-files.ts';
import { headlineNumbers, indexRuns } from '../../src/report/runs-index.ts';
import { meanSd, scoreboardTable } from '../../src/report/scoreboard.ts';
import { toCsv, toMarkdown, toText } from '../../src/report/table-export.ts';
import { runCli, expectUserError } from '../helpers/cli.ts';

function alg(o: {
  tp?: number;
  fp?: number;
  lead?: number | null;
  ac1?: number | null;
  ttl?: number | null;
  saved?: number;
  predictor?: boolean;
}): AlgorithmResult {
  const tp = o.tp ?? 0;
  const fp = o.fp ?? 0;
  const fn = 50 - tp;
  const tn = 1000;
  return {
    config: { k: 1 },
    alarms: [],
    localizations: [],
    actions: [],
    metrics: {
      prediction:
        o.predictor === false
          ? null
          : {
              tp,
              fp,
              tn,
              fn,
              tpr: tp / 50,
              fpr: fp / (fp + tn),
              j: tp / 50 - fp / (fp + tn),
              outageSeconds: 0,
              outageAlarmed: 0,
              leadTimeS: { mean: o.lead ?? null, median: o.lead ?? null, maxPossible: 72 },
              leadToFirstS: { mean: null, maxPossible: null },
              ttdS: null,
              failingEpisodes: 1,
              missedEpisodes: o.lead === null || o.lead === undefined ? 1 : 0,
              noEffectFaults: 0,
              spuriousOnsets: 0,
              falseAlarms: 0,
              falseAlarmsPerHour: 0,
              scoredHours: 1,
              episodes: [],
            },
      localization: {
        cases: 1,
        hosts: 5,
        ac1: o.ac1 ?? 1,
        ac3: 1,
        avg5: 1,
        chance: { ac1: 0.2, ac3: 0.6, avg5: 0.6 },
        precision: null,
        recall: null,
        timeS: 2,
        ttlS: o.ttl === undefined ? 74 : o.ttl,
      },
      fix: {
        actions: 1,
        measured: 0,
        modelled: 1,
        fixTimeS: 5,
        fixTimeSource: 'modelled',
        violationSecondsSaved: o.saved ?? 0,
        episodeViolationSeconds: 468,
        preventions: 0,
        falseActions: 0,
        falseActionDisruptionS: 0,
      },
      cost: { msPerSample: null },
    },
  };
}

const tmp = mkdtempSync(join(tmpdir(), 'foreshock-runs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeRun(
  dir: string,
  dataset: string,
  faults: { type: string; host: string }[],
  algorithms: Record<string, AlgorithmResult>,
): void {
  const ds = join(tmp, 'datasets', dataset);
  mkdirSync(ds, { recursive: true });
  // Only the manifest (the shipped synthetic one, renamed, with these faults): the index never reads metric files.
  const base = JSON.parse(readFileSync('datasets/synth-memleak/manifest.json', 'utf8'));
  const start = Date.UTC(2026, 10, 28);
  writeFileSync(
    join(ds, 'manifest.json'),
    JSON.stringify({
      ...base,
      name: dataset,
      start,
      end: start + 1_800_000,
      phases: [],
      faults: faults.map((f, i) => ({ id: `f${i}`, ...f, start: start + 300_000, end: start + 400_000 })),
    }),
  );
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'results.json'),
    JSON.stringify({ foreshock: 'test', dataset, datasetPath: ds, train: null, scoring: {}, algorithms }),
  );
}

beforeAll(() => {
  writeRun(join(tmp, 'runs', 'cpuhog', 'rep-1'), 'cpuhog-1', [{ type: 'cpuhog', host: 'db-0' }], {
    ubl: alg({ tp: 40, fp: 10, lead: 30, saved: 100 }),
    noisy: alg({ tp: 50, fp: 900, lead: 70, saved: 200 }),
    random: alg({ tp: 2, fp: 50, lead: 60 }),
    zscore: alg({ predictor: false, ttl: 40 }),
    fchain: alg({ predictor: false, ttl: 40 }),
    'random-localizer': alg({ predictor: false, ttl: 10, saved: 300 }),
  });
  writeRun(join(tmp, 'runs', 'cpuhog', 'rep-2'), 'cpuhog-2', [{ type: 'cpuhog', host: 'db-0' }], {
    ubl: alg({ tp: 10, fp: 10, lead: 10 }),
  });
  writeRun(join(tmp, 'runs', 'control'), 'control-1', [], { ubl: alg({ tp: 0, fp: 5 }) });
  mkdirSync(join(tmp, 'runs', 'node_modules', 'x'), { recursive: true });
  writeFileSync(join(tmp, 'runs', 'node_modules', 'x', 'results.json'), '{}');
});

describe('runs index', () => {
  it('finds every results directory recursively (not node_modules), sorted', () => {
    expect(findResultsDirs(join(tmp, 'runs'))).toEqual([
      join(tmp, 'runs', 'control'),
      join(tmp, 'runs', 'cpuhog', 'rep-1'),
      join(tmp, 'runs', 'cpuhog', 'rep-2'),
    ]);
  });

  it('picks the headline numbers by the card gates: never a floor, never outside the FPR bound, ties named', () => {
    const run = readRunFile(join(tmp, 'runs', 'cpuhog', 'rep-1'));
    expect(run.faultType).toBe('cpuhog');
    expect(run.configHash).toMatch(/^[0-9a-f]{12}$/);
    const h = headlineNumbers(run.results.algorithms);
    // noisy has the longer lead but FPR 0.47; random is the floor.
    expect(h.lead).toEqual({ algorithm: 'ubl', s: 30, possibleS: 72, tied: 0 });
    // random-localizer is faster but a floor; zscore and fchain tie.
    expect(h.culpritFirst).toEqual({ algorithm: 'fchain', s: 40, tied: 1 });
    expect(h.saved).toMatchObject({ algorithm: 'noisy', s: 200, ofS: 468 });
    const { table } = indexRuns(join(tmp, 'runs'));
    expect(table.rows.map((r) => [r[1], r[2], r[3]])).toEqual([
      ['control-1', 'control', '2026-11-28'],
      ['cpuhog-1', 'cpuhog', '2026-11-28'],
      ['cpuhog-2', 'cpuhog', '2026-11-28'],
    ]);
    expect(table.rows[1]!.slice(6)).toEqual([
      '30 s of 72 s (ubl)',
      '40 s (fchain and 1 tied)',
      '200 of 468 (noisy)',
    ]);
    expect(table.rows[0]![6]).toBe('none qualifies');
  });
});

describe('scoreboard', () => {
  it('mean ± sample sd over runs, per algorithm and fault type, beside the paper', () => {
    expect(meanSd([1, 3])).toEqual({ mean: 2, sd: Math.SQRT2, n: 2 });
    expect(meanSd([5, null])).toEqual({ mean: 5, sd: null, n: 1 });
    expect(meanSd([null])).toBeNull();
    const runs = findResultsDirs(join(tmp, 'runs')).map((d) => readRunFile(d));
    const t = scoreboardTable(runs);
    const ubl = t.rows.filter((r) => r[0] === 'ubl');
    expect(ubl.map((r) => [r[1], r[2]])).toEqual([
      ['control', '1'],
      ['cpuhog', '2'],
    ]);
    const tpr = t.headers.indexOf('TPR (mean ± sd)');
    // TPR 0.8 and 0.2: mean 0.50, sd 0.42.
    expect(ubl[1]![tpr]).toBe('0.50 ± 0.42');
    expect(ubl[1]!.at(-1)).toMatch(/lead s 38 \(UBL, RUBiS CpuLeak\)/);
    // The chance floors sit last.
    expect(t.rows.at(-1)![0]).toBe('random-localizer');
  });

  it('exports CSV (quoted), Markdown (pipes escaped) and aligned text', () => {
    const t = { headers: ['a', 'b'], rows: [['x, "y"', 'p|q']] };
    expect(toCsv(t)).toBe('a,b\n"x, ""y""",p|q\n');
    expect(toMarkdown(t)).toBe('| a | b |\n| --- | --- |\n| x, "y" | p\\|q |\n');
    expect(toText({ headers: ['name', 'n'], rows: [['ab', '10']] })).toBe('name   n\nab    10\n');
  });
});

describe('CLI', () => {
  it('foreshock runs <dir> --md and report --scoreboard <dir> --csv; one-line errors', () => {
    const runs = runCli('runs', join(tmp, 'runs'), '--md');
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout.split('\n')[0]).toMatch(/^\| results \| dataset \| fault \| date \| config \|/);
    expect(runs.stdout).toContain('| cpuhog-1 | cpuhog | 2026-11-28 |');
    const board = runCli('report', '--scoreboard', join(tmp, 'runs'), '--csv');
    expect(board.code, board.stderr).toBe(0);
    expect(board.stdout.split('\n')[0]).toMatch(/^algorithm,fault,runs,TPR \(mean ± sd\)/);
    expect(board.stdout).toMatch(/\nubl,cpuhog,2,0\.50 ± 0\.42,/);
    expectUserError(runCli('runs', join(tmp, 'nope')), /nope: no such directory/);
    expectUserError(runCli('runs', join(tmp, 'datasets')), /no results\.json under it/);
  });
});
