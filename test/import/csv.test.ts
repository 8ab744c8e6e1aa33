import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDataset } from '../../src/data/dataset-io.ts';
import { importCsv, splitCsvLine } from '../../src/data/import/csv.ts';
import { tempTree } from './helpers.ts';

const T0 = 1_700_000_000_000; // 2023-11-14T22:13:20Z

function write(files: Record<string, string>): (name: string) => string {
  const dir = tempTree(files);
  return (name) => path.join(dir, name);
}

describe('RCAEval-style CSV importer', () => {
  it('reads epoch seconds, splits columns at the first underscore and sorts hosts and metrics', () => {
    const file = write({
      'case.csv':
        'time,carts_lat_90,carts-db_cpu,carts_cpu\n1700000000,5,0.5,1\n1700000001,6,0.6,2\n1700000002,7,0.7,3\n',
    })('case.csv');
    const ds = importCsv(file);
    expect(ds.metrics.hosts).toEqual(['carts', 'carts-db']);
    expect(ds.metrics.metrics).toEqual(['cpu', 'lat_90']);
    expect(ds.manifest.hosts).toEqual([{ id: 'carts' }, { id: 'carts-db' }]);
    expect(ds.manifest.sampleIntervalMs).toBe(1000);
    expect(ds.manifest.start).toBe(T0);
    expect(ds.manifest.end).toBe(T0 + 3000);
    expect(ds.manifest.name).toBe('case');
    expect(ds.manifest.source).toEqual({ kind: 'import-csv', detail: file });
    expect(ds.slo).toBeNull();
    // Long format: (t0, carts), (t0, carts-db), (t1, carts), ...
    expect(Array.from(ds.metrics.time)).toEqual([T0, T0, T0 + 1000, T0 + 1000, T0 + 2000, T0 + 2000]);
    expect(Array.from(ds.metrics.host)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(Array.from(ds.metrics.columns[0] ?? [])).toEqual([1, 0.5, 2, 0.6, 3, 0.7]); // cpu
    const lat = Array.from(ds.metrics.columns[1] ?? []);
    expect(lat.filter((_, i) => i % 2 === 0)).toEqual([5, 6, 7]);
    expect(lat.filter((_, i) => i % 2 === 1).every(Number.isNaN)).toBe(true); // carts-db has no lat_90
    validateDataset(ds, file);
  });

  it('reads epoch milliseconds, keeps gaps and takes the median interval', () => {
    const file = write({
      'ms.csv': `timestamp,a_x\n${T0},1\n${T0 + 5000},2\n${T0 + 10000},3\n${T0 + 60000},4\n`,
    })('ms.csv');
    const ds = importCsv(file);
    expect(Array.from(ds.metrics.time)).toEqual([T0, T0 + 5000, T0 + 10000, T0 + 60000]);
    expect(ds.manifest.sampleIntervalMs).toBe(5000);
    expect(ds.manifest.end).toBe(T0 + 65000);
  });

  it('reads ISO 8601 times (zone-less = UTC), quoted headers, CRLF and empty cells as missing', () => {
    const file = write({
      'iso.csv':
        '"time","web_cpu","db_cpu"\r\n' +
        '2023-11-14T22:13:20Z,1,\r\n' +
        '2023-11-14 22:13:21,,2\r\n' +
        '2023-11-14T22:13:22.000+00:00,NaN,3\r\n',
    })('iso.csv');
    const ds = importCsv(file);
    expect(Array.from(ds.metrics.time)).toEqual([T0, T0, T0 + 1000, T0 + 1000, T0 + 2000, T0 + 2000]);
    expect(ds.metrics.hosts).toEqual(['db', 'web']);
    const cpu = Array.from(ds.metrics.columns[0] ?? []);
    expect(cpu.map((v) => (Number.isNaN(v) ? null : v))).toEqual([null, 1, 2, null, 3, null]);
    validateDataset(ds, file);
  });

  it('applies a truth file: faults, SLO column moved to the slo table, edges', () => {
    const at = write({
      'rca.csv':
        'time,frontend_latency,frontend_cpu,carts_cpu,carts-db_mem\n' +
        '1700000000,50,1,2,3\n1700000001,150,1,2,3\n1700000002,,1,2,3\n',
      'truth.json': JSON.stringify({
        faults: [
          { host: 'carts-db', type: 'memleak', start: '2023-11-14T22:13:21Z', metrics: ['mem'] },
          {
            host: 'carts',
            type: 'cpuhog',
            start: 1700000000,
            end: 1700000001500,
            id: 'x',
            params: { threads: 2 },
          },
        ],
        slo: { column: 'frontend_latency', threshold: 100 },
        edges: [
          ['frontend', 'carts'],
          ['carts', 'carts-db'],
        ],
      }),
    });
    const ds = importCsv(at('rca.csv'), at('truth.json'));
    expect(ds.metrics.metrics).toEqual(['cpu', 'mem']);
    expect(ds.metrics.hosts).toEqual(['carts', 'carts-db', 'frontend']);
    expect(ds.manifest.slo).toEqual({ signal: 'frontend_latency', threshold: 100 });
    expect(Array.from(ds.slo?.time ?? [])).toEqual([T0, T0 + 1000, T0 + 2000]);
    expect(
      Array.from(ds.slo?.columns.frontend_latency ?? []).map((v) => (Number.isNaN(v) ? null : v)),
    ).toEqual([50, 150, null]);
    expect(ds.manifest.dependencies).toEqual([
      ['frontend', 'carts'],
      ['carts', 'carts-db'],
    ]);
    expect(ds.manifest.faults).toEqual([
      { id: 'f1', type: 'memleak', host: 'carts-db', start: T0 + 1000, end: T0 + 3000, metrics: ['mem'] },
      { id: 'x', type: 'cpuhog', host: 'carts', start: T0, end: T0 + 1500, params: { threads: 2 } },
    ]);
    validateDataset(ds, at('rca.csv'));
  });

  it('splits CSV lines with quotes minimally', () => {
    expect(splitCsvLine('a,"b,c", d ,"e""f",')).toEqual(['a', 'b,c', 'd', 'e"f', '']);
  });
});
