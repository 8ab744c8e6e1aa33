// The dataset consistency rules of issue 26 ("Accepted silently"): each was read with exit 0 before;
// each is now one DatasetError line naming the file that is wrong. Rules are checked by
// validateDataset, which both the reader (validate, replay, report) and the writer run, so
// `validate` and `replay` cannot disagree.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/dataset.ts';
import { DatasetError } from '../../src/core/errors.ts';
import { readDataset, validateDataset, writeDataset } from '../../src/data/dataset-io.ts';
import { T0, tinyDataset } from '../helpers/tiny-dataset.ts';

const root = mkdtempSync(join(tmpdir(), 'foreshock-consistency-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

const valid = (): Dataset => {
  const ds = tinyDataset({ seconds: 10, slo: '....XX....' });
  ds.manifest.faults = [{ id: 'f1', type: 'memleak', host: 'db', start: T0 + 3000, end: T0 + 6000 }];
  ds.manifest.phases = [{ name: 'normal', start: T0, end: T0 + 3000 }];
  ds.manifest.actions = [{ type: 'restart', host: 'db', requested: T0 + 6000, completed: T0 + 8000 }];
  return ds;
};

function expectRefused(ds: Dataset, file: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    validateDataset(ds, 'run');
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DatasetError);
  const message = (caught as Error).message;
  expect(message.startsWith(join('run', file) + ': ')).toBe(true);
  expect(message).not.toContain('\n');
  expect(message).toMatch(pattern);
}

function shiftTimes(ds: Dataset, f: (t: number) => number): Dataset {
  ds.metrics.time = ds.metrics.time.map(f);
  return ds;
}

describe('dataset consistency (issue 26)', () => {
  it('accepts a consistent dataset', () => {
    expect(() => validateDataset(valid(), 'run')).not.toThrow();
  });

  it.each([
    ['shifted a year', (t: number) => t + 365 * 86_400_000, /after the manifest's period/],
    ['negative', (t: number) => t - 2 * T0, /before the manifest's period/],
    ['1e300', (t: number) => (t === T0 + 9000 ? 1e300 : t), /row 19 \(1e\+300\) is after/],
    ['int32 seconds', (t: number) => Math.floor(t / 1000), /before the manifest's period/],
  ])('refuses row times outside the manifest start/end: %s', (_name, f, pattern) => {
    const ds = shiftTimes(valid(), f);
    expectRefused(ds, 'metrics.arrow', pattern);
  });

  it('refuses slo times outside the period', () => {
    const ds = valid();
    ds.slo!.time = ds.slo!.time.map((t) => t + 86_400_000);
    expectRefused(ds, 'slo.arrow', /slo|after the manifest's period/);
  });

  it('refuses zero rows', () => {
    const ds = valid();
    ds.metrics = {
      ...ds.metrics,
      time: new Float64Array(0),
      host: new Int32Array(0),
      columns: ds.metrics.columns.map(() => new Float64Array(0)),
    };
    expectRefused(ds, 'metrics.arrow', /no rows/);
  });

  it.each([1.5, 42, 1e308, 880])('refuses sampleIntervalMs %s for 1 s data', (interval) => {
    const ds = valid();
    ds.manifest.sampleIntervalMs = interval;
    expectRefused(
      ds,
      'manifest.json',
      /sampleIntervalMs \(.*\) does not match the data, whose median step is 1000 ms/,
    );
  });

  it('accepts sampleIntervalMs within 10% of the median step (irregular imported series)', () => {
    const ds = valid();
    ds.manifest.sampleIntervalMs = 1050;
    expect(() => validateDataset(ds, 'run')).not.toThrow();
  });

  it('refuses an SLO without its table, in memory and on disk', () => {
    const ds = valid();
    ds.slo = null;
    expectRefused(ds, 'slo.arrow', /missing: the manifest declares an SLO on "mean_latency_ms"/);
    const dir = join(root, `d${counter++}`);
    writeDataset(dir, valid());
    rmSync(join(dir, 'slo.arrow'));
    expect(() => readDataset(dir)).toThrow(
      new RegExp(`^${join(dir, 'slo.arrow')}: missing: the manifest declares an SLO`),
    );
  });

  it('refuses end = start (validate said ok where replay refused)', () => {
    const dir = join(root, `d${counter++}`);
    writeDataset(dir, valid());
    const file = join(dir, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as { start: number; end: number };
    m.end = m.start;
    writeFileSync(file, JSON.stringify(m));
    expect(() => readDataset(dir)).toThrow(new RegExp(`^${file}: end \\(\\d+\\) must be after start`));
  });

  it.each([
    [
      'a fault in the year 3000',
      (d: Dataset) =>
        Object.assign(d.manifest.faults[0]!, { start: 32_503_680_000_000, end: 32_503_680_060_000 }),
      /faults\[0\] \("f1"\) .* lies outside/,
    ],
    [
      'a negative fault',
      (d: Dataset) => Object.assign(d.manifest.faults[0]!, { start: -5000, end: -1000 }),
      /faults\[0\] .* lies outside/,
    ],
    [
      'a phase in the year 3000',
      (d: Dataset) =>
        Object.assign(d.manifest.phases[0]!, { start: 32_503_680_000_000, end: 32_503_680_060_000 }),
      /phases\[0\] \("normal"\) .* lies outside/,
    ],
    [
      'a negative action',
      (d: Dataset) => Object.assign(d.manifest.actions[0]!, { requested: -9, completed: -1 }),
      /actions\[0\] .* lies outside/,
    ],
    [
      'fault metrics the dataset does not have',
      (d: Dataset) => (d.manifest.faults[0]!.metrics = ['freemem', 'nosuch']),
      /faults\[0\] \("f1"\) names metric "nosuch", not in metrics/,
    ],
  ])('refuses %s', (_name, edit, pattern) => {
    const ds = valid();
    edit(ds);
    expectRefused(ds, 'manifest.json', pattern);
  });

  it('refuses a metric name or host id with U+FEFF or a control character (Arrow readers drop a leading U+FEFF)', () => {
    const ds = valid();
    ds.manifest.metrics = ['availcpu', '\ufefffreemem'];
    ds.metrics.metrics = [...ds.manifest.metrics];
    expectRefused(ds, 'manifest.json', /metrics\[1\] holds a control character or U\+FEFF/);
    const ds2 = valid();
    ds2.manifest.hosts[1]!.id = 'd\u0007b';
    expectRefused(ds2, 'manifest.json', /hosts\[1\]\.id holds a control character/);
  });

  it('refuses a self-dependency', () => {
    const ds = valid();
    ds.manifest.dependencies = [['db', 'db']];
    expectRefused(ds, 'manifest.json', /dependencies\[0\] makes host "db" depend on itself/);
  });
});
