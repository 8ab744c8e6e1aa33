// Finding the inputs: results.json shape checks, and the dataset a results file was scored on
// (--dataset by manifest name, else the recorded datasetPath; a dataset with another name is refused).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { writeDataset } from '../../src/data/dataset-io.ts';
import { checkResults, loadExperiments, readResults, withDatasetPath } from '../../src/report/index.ts';
import { runReplayJob } from '../../src/runner/replay-job.ts';
import { smallSynth } from './fixtures.ts';

const tmp = mkdtempSync(join(tmpdir(), 'foreshock-report-inputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ds = join(tmp, 'ds');
const other = join(tmp, 'other');

function writeResults(dir: string, datasetPath: string | undefined): void {
  mkdirSync(dir, { recursive: true });
  const raw = runReplayJob(smallSynth('memleak', 3), null, { algorithms: ['zscore'] });
  const results = datasetPath === undefined ? raw : withDatasetPath(raw, datasetPath);
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2));
}

beforeAll(() => {
  writeDataset(ds, smallSynth('memleak', 3));
  const d = smallSynth('none', 3);
  d.manifest.name = 'another-dataset';
  writeDataset(other, d);
});

describe('results', () => {
  it('puts datasetPath right after the dataset name', () => {
    const r = withDatasetPath(runReplayJob(smallSynth('memleak', 3), null, { algorithms: ['zscore'] }), 'x');
    expect(Object.keys(r).slice(0, 3)).toEqual(['foreshock', 'dataset', 'datasetPath']);
  });

  it('refuses what is not a results file, naming the file and the problem', () => {
    expect(() => checkResults([], 'f.json')).toThrow(
      /^f\.json: not a foreshock results\.json: the document must be an object, got \[\]$/,
    );
    expect(() => checkResults({ foreshock: '1', dataset: 'd', algorithms: { a: {} } }, 'f')).toThrow(
      /^f: not a foreshock results\.json: algorithms\.a\.alarms must be an array, got nothing$/,
    );
    const bad = join(tmp, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'results.json'), '{ nope');
    expect(() => readResults(bad)).toThrow(/malformed JSON/);
    expect(() => readResults(join(tmp, 'absent'))).toThrow(/no results\.json here/);
  });
});

// Damaged results are built by editing parsed JSON in place: its shape is what is being broken.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

describe('results.json schema (issue 26: null entries and wrong types crashed report)', () => {
  const good = (): Record<string, unknown> =>
    JSON.parse(JSON.stringify(runReplayJob(smallSynth('memleak', 3), null, { algorithms: ['threshold'] })));
  const damage: [string, (r: Loose) => void, RegExp][] = [
    [
      'a null alarm',
      (r) => r.algorithms.threshold.alarms.push(null),
      /alarms\[\d+\] must be an object, got null/,
    ],
    [
      'a null localization',
      (r) => (r.algorithms.threshold.localizations = [null]),
      /localizations\[0\] must be an object/,
    ],
    ['a null action', (r) => (r.algorithms.threshold.actions = [null]), /actions\[0\] must be an object/],
    [
      'metrics as a string',
      (r) => (r.algorithms.threshold.metrics = 'x'),
      /algorithms\.threshold\.metrics must be an object, got "x"/,
    ],
    [
      'a string time',
      (r) => (r.algorithms.threshold.alarms = [{ time: 'x', host: null, score: 1 }]),
      /alarms\[0\]\.time must be a finite number/,
    ],
    [
      'a ranking entry of the wrong type',
      (r) =>
        (r.algorithms.threshold.localizations = [
          { time: 1, trigger: { kind: 'slo', time: 1, host: null }, ranking: [7], pinpointed: [] },
        ]),
      /ranking\[0\] must be an object, got 7/,
    ],
    [
      'tpr as text',
      (r) => (r.algorithms.threshold.metrics.prediction.tpr = '0.5'),
      /prediction\.tpr must be a finite number/,
    ],
  ];
  it.each(damage)('refuses %s in one line naming the file and the path', (_name, edit, pattern) => {
    const r = good();
    edit(r);
    let caught: unknown;
    try {
      checkResults(r, 'x/results.json');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as Error).message).toMatch(/^x\/results\.json: not a foreshock results\.json: /);
    expect((caught as Error).message).toMatch(pattern);
    expect((caught as Error).message).not.toContain('\n');
  });

  it('accepts what replay writes', () => {
    const r = good();
    expect(checkResults(r, 'f')).toEqual(r);
  });

  it('cuts a long quoted value to 200 characters', () => {
    const r = good();
    (r as Loose).foreshock = 1;
    (r as Loose).dataset = 'x'.repeat(1_000_000);
    (r as Loose).foreshock = ['y'.repeat(1_000_000)];
    expect(() => checkResults(r, 'f')).toThrow(
      /^f: not a foreshock results\.json: foreshock must be a string, got \["y{198}\.\.\. \(1000004 characters\)$/,
    );
  });

  it('refuses JSON nested deeper than 64 levels before parsing it', () => {
    const deep = join(tmp, 'deep');
    mkdirSync(deep);
    writeFileSync(join(deep, 'results.json'), '['.repeat(50_000) + ']'.repeat(50_000));
    expect(() => readResults(deep)).toThrow(/results\.json: JSON nests deeper than 64 levels$/);
  });
});

describe('finding the dataset', () => {
  it('follows the recorded datasetPath, and reads results.json given as a file too', () => {
    writeResults(join(tmp, 'r1'), ds);
    const [e] = loadExperiments([join(tmp, 'r1', 'results.json')]);
    expect(e!.datasetDir).toBe(ds);
    expect(e!.dataset!.manifest.name).toBe(e!.results.dataset);
    expect(e!.datasetSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(e!.resultsSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('resolves a relative datasetPath against the results directory when the cwd does not have it', () => {
    const dir = join(tmp, 'moved');
    writeResults(join(dir, 'r'), '../ds-copy');
    cpSync(ds, join(dir, 'ds-copy'), { recursive: true });
    expect(loadExperiments([join(dir, 'r')])[0]!.datasetDir).toBe(join(dir, 'r', '../ds-copy'));
  });

  it('prefers --dataset by manifest name, and refuses a dataset with another name', () => {
    writeResults(join(tmp, 'r2'), other);
    const [wrong] = loadExperiments([join(tmp, 'r2')]);
    expect(wrong!.dataset).toBeNull();
    expect(wrong!.datasetNote).toMatch(/is "another-dataset", not "synth-memleak-3h-s3"/);
    const [right] = loadExperiments([join(tmp, 'r2')], { datasets: [other, ds] });
    expect(right!.datasetDir).toBe(ds);
  });

  it('without any dataset, says how to give one', () => {
    writeResults(join(tmp, 'r3'), undefined);
    const [e] = loadExperiments([join(tmp, 'r3')]);
    expect(e!.dataset).toBeNull();
    expect(e!.datasetNote).toMatch(/record no dataset path; give it with --dataset/);
  });
});
