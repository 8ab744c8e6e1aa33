// Dataset reader/writer: round trip, and the bad-input suite (one test per validation rule, each
// checking that the one-line message names the file and the problem).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Float64,
  makeData,
  makeVector,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  Vector,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../src/core/errors.ts';
import { readDataset, writeDataset } from '../../src/data/dataset-io.ts';
import { T0, tinyDataset } from '../helpers/tiny-dataset.ts';

const root = mkdtempSync(join(tmpdir(), 'foreshock-ds-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** Writes a valid dataset, then lets the test damage it. */
function validDir(): string {
  const dir = join(root, `d${counter++}`);
  const ds = tinyDataset({ seconds: 5, slo: '..XX.' });
  ds.manifest.faults = [{ id: 'f1', type: 'memleak', host: 'db', start: T0 + 1000, end: T0 + 4000 }];
  writeDataset(dir, ds);
  return dir;
}

function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): void {
  const file = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(m);
  writeFileSync(file, JSON.stringify(m));
}

function expectError(dir: string, file: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    readDataset(dir);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DatasetError);
  const message = (caught as Error).message;
  expect(message).not.toContain('\n');
  expect(message).toContain(file);
  expect(message).toMatch(pattern);
}

/** Replaces metrics.arrow with a table built by the test. */
function writeMetrics(dir: string, columns: Record<string, Vector>): void {
  writeFileSync(join(dir, 'metrics.arrow'), tableToIPC(new Table(columns), 'file'));
}

const hostCol = (hosts: string[]): Vector => vectorFromArray(hosts, new Utf8());
const f64 = (xs: number[]): Vector => makeVector(Float64Array.from(xs));

describe('dataset round trip', () => {
  it('writes and reads back every value, missing values as NaN', () => {
    const dir = join(root, 'roundtrip');
    const ds = tinyDataset({ seconds: 20, slo: '.....XXXX...........' });
    ds.metrics.columns[1]![3] = NaN;
    writeDataset(dir, ds);
    const back = readDataset(dir);
    expect(back.manifest).toEqual(ds.manifest);
    expect(Array.from(back.metrics.time)).toEqual(Array.from(ds.metrics.time));
    expect(Array.from(back.metrics.host)).toEqual(Array.from(ds.metrics.host));
    expect(Number.isNaN(back.metrics.columns[1]![3]!)).toBe(true);
    expect(Array.from(back.metrics.columns[0]!)).toEqual(Array.from(ds.metrics.columns[0]!));
    expect(Array.from(back.slo!.columns.mean_latency_ms!)).toEqual(
      Array.from(ds.slo!.columns.mean_latency_ms!),
    );
  });

  it('writes byte-identical files for the same dataset', () => {
    const a = join(root, 'same-a');
    const b = join(root, 'same-b');
    writeDataset(a, tinyDataset({ seconds: 30, slo: '.'.repeat(30) }));
    writeDataset(b, tinyDataset({ seconds: 30, slo: '.'.repeat(30) }));
    for (const f of ['manifest.json', 'metrics.arrow', 'slo.arrow']) {
      expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);
    }
  });

  it('stores missing values as Arrow nulls, not NaN', () => {
    const dir = join(root, 'nulls');
    const ds = tinyDataset({ seconds: 3 });
    ds.metrics.columns[0]![2] = NaN;
    writeDataset(dir, ds);
    const column = tableFromIPC(readFileSync(join(dir, 'metrics.arrow'))).getChild('availcpu')!;
    expect(column.nullCount).toBe(1);
    expect(column.get(2)).toBeNull();
  });
});

describe('bad input: manifest', () => {
  it('missing directory', () => {
    expectError(join(root, 'nope'), 'nope', /dataset directory not found/);
  });

  it('missing manifest', () => {
    const dir = validDir();
    rmSync(join(dir, 'manifest.json'));
    expectError(dir, 'manifest.json', /missing manifest/);
  });

  it('malformed manifest JSON', () => {
    const dir = validDir();
    writeFileSync(join(dir, 'manifest.json'), '{"format": "foreshock-dataset/1", ');
    expectError(dir, 'manifest.json', /malformed JSON/);
  });

  it('unknown format version', () => {
    const dir = validDir();
    editManifest(dir, (m) => (m.format = 'foreshock-dataset/9'));
    expectError(dir, 'manifest.json', /unknown format version "foreshock-dataset\/9"/);
  });

  it('a required field of the wrong type', () => {
    const dir = validDir();
    editManifest(dir, (m) => (m.sampleIntervalMs = 'fast'));
    expectError(dir, 'manifest.json', /sampleIntervalMs must be a finite number/);
  });

  it('fault naming an unknown host', () => {
    const dir = validDir();
    editManifest(dir, (m) => ((m.faults as { host: string }[])[0]!.host = 'cache'));
    expectError(dir, 'manifest.json', /faults\[0\] \("f1"\) names unknown host "cache"/);
  });

  it('fault end before start', () => {
    const dir = validDir();
    editManifest(dir, (m) => ((m.faults as { end: number }[])[0]!.end = T0));
    expectError(dir, 'manifest.json', /faults\[0\]\.end \(\d+\) is before start \(\d+\)/);
  });

  it('dependency naming an unknown host', () => {
    const dir = validDir();
    editManifest(dir, (m) => (m.dependencies = [['web', 'cache']]));
    expectError(dir, 'manifest.json', /dependencies\[0\] names unknown host "cache"/);
  });
});

describe('bad input: metrics.arrow', () => {
  it('missing metrics file', () => {
    const dir = validDir();
    rmSync(join(dir, 'metrics.arrow'));
    expectError(dir, 'metrics.arrow', /file not found/);
  });

  it('truncated Arrow file', () => {
    const dir = validDir();
    const file = join(dir, 'metrics.arrow');
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectError(dir, 'metrics.arrow', /truncated Arrow file/);
  });

  it('not an Arrow file at all', () => {
    const dir = validDir();
    writeFileSync(join(dir, 'metrics.arrow'), 'time,host\n1,web\n');
    expectError(dir, 'metrics.arrow', /not an Arrow IPC file/);
  });

  it('wrong column type (metric stored as strings)', () => {
    const dir = validDir();
    writeMetrics(dir, {
      time: f64([T0, T0]),
      host: hostCol(['web', 'db']),
      availcpu: vectorFromArray(['50', '60'], new Utf8()),
      freemem: f64([1, 2]),
    });
    expectError(dir, 'metrics.arrow', /column "availcpu" has type Utf8, expected a number/);
  });

  it('wrong column type (host stored as numbers)', () => {
    const dir = validDir();
    writeMetrics(dir, { time: f64([T0]), host: f64([1]), availcpu: f64([1]), freemem: f64([1]) });
    expectError(dir, 'metrics.arrow', /column "host" has type Float64, expected strings/);
  });

  it('missing metric column', () => {
    const dir = validDir();
    writeMetrics(dir, { time: f64([T0]), host: hostCol(['web']), availcpu: f64([1]) });
    expectError(dir, 'metrics.arrow', /missing column "freemem"/);
  });

  it('NaN stored as a value', () => {
    const dir = validDir();
    writeMetrics(dir, { time: f64([T0]), host: hostCol(['web']), availcpu: f64([NaN]), freemem: f64([1]) });
    expectError(dir, 'metrics.arrow', /column "availcpu" has NaN at row 0 \(use null for a missing value\)/);
  });

  it('Infinity stored as a value', () => {
    const dir = validDir();
    writeMetrics(dir, {
      time: f64([T0, T0]),
      host: hostCol(['web', 'db']),
      availcpu: f64([1, 2]),
      freemem: f64([1, Infinity]),
    });
    expectError(dir, 'metrics.arrow', /column "freemem" has Infinity at row 1/);
  });

  it('null time', () => {
    const dir = validDir();
    const time = new Vector([
      makeData({
        type: new Float64(),
        data: Float64Array.from([T0]),
        nullBitmap: new Uint8Array([0]),
        length: 1,
        nullCount: 1,
      }),
    ]);
    writeMetrics(dir, { time, host: hostCol(['web']), availcpu: f64([1]), freemem: f64([1]) });
    expectError(dir, 'metrics.arrow', /column "time" has a null at row 0/);
  });

  it('unsorted rows', () => {
    const dir = validDir();
    writeMetrics(dir, {
      time: f64([T0 + 1000, T0]),
      host: hostCol(['web', 'web']),
      availcpu: f64([1, 2]),
      freemem: f64([1, 2]),
    });
    expectError(dir, 'metrics.arrow', /rows are not sorted by time: row 1/);
  });

  it('duplicate (time, host) rows', () => {
    const dir = validDir();
    writeMetrics(dir, {
      time: f64([T0, T0, T0]),
      host: hostCol(['web', 'db', 'web']),
      availcpu: f64([1, 2, 3]),
      freemem: f64([1, 2, 3]),
    });
    expectError(dir, 'metrics.arrow', /duplicate row for \(time \d+, host "web"\) at row 2/);
  });

  it('host in the data missing from the manifest', () => {
    const dir = validDir();
    writeMetrics(dir, { time: f64([T0]), host: hostCol(['cache']), availcpu: f64([1]), freemem: f64([1]) });
    expectError(dir, 'metrics.arrow', /host "cache" appears in the data but not in the manifest/);
  });

  it('extra column not in the manifest', () => {
    const dir = validDir();
    writeMetrics(dir, {
      time: f64([T0]),
      host: hostCol(['web']),
      availcpu: f64([1]),
      freemem: f64([1]),
      load9: f64([1]),
    });
    expectError(dir, 'metrics.arrow', /column "load9" is not listed in the manifest's metrics/);
  });
});

describe('bad input: slo.arrow', () => {
  it('missing the SLO signal column', () => {
    const dir = validDir();
    writeFileSync(
      join(dir, 'slo.arrow'),
      tableToIPC(new Table({ time: f64([T0]), count: f64([3]) }), 'file'),
    );
    expectError(dir, 'slo.arrow', /missing column "mean_latency_ms"/);
  });

  it('duplicate times', () => {
    const dir = validDir();
    writeFileSync(
      join(dir, 'slo.arrow'),
      tableToIPC(new Table({ time: f64([T0, T0]), mean_latency_ms: f64([3, 4]) }), 'file'),
    );
    expectError(dir, 'slo.arrow', /times are not strictly increasing at row 1/);
  });
});

describe('writing', () => {
  it('refuses to write an invalid dataset and leaves no manifest behind', () => {
    const dir = join(root, 'invalid-write');
    const ds = tinyDataset({ seconds: 3 });
    ds.metrics.time[2] = T0 - 5000;
    expect(() => writeDataset(dir, ds)).toThrow(/rows are not sorted by time/);
    expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
  });
});
