// Finding the inputs: results.json shape checks, and the dataset a results file was scored on
// (--dataset by manifest name, else the recorded datasetPath; a dataset with another name is refused).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      /f\.json: not a foreshock results\.json \(not an object\)/,
    );
    expect(() => checkResults({ foreshock: '1', dataset: 'd', algorithms: { a: {} } }, 'f')).toThrow(
      /algorithm "a" lacks alarms/,
    );
    const bad = join(tmp, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'results.json'), '{ nope');
    expect(() => readResults(bad)).toThrow(/malformed JSON/);
    expect(() => readResults(join(tmp, 'absent'))).toThrow(/no results\.json here/);
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
