import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTime } from '../../src/core/time.ts';
import { validateDataset } from '../../src/data/dataset-io.ts';
import { importNab, importNabDirectory } from '../../src/data/import/nab.ts';
import { DATA, dataTitle, sum, tempTree } from './helpers.ts';

const NAB = path.join(DATA, 'NAB');

describe.skipIf(!existsSync(NAB))(dataTitle('NAB corpus', NAB), () => {
  const warnings: string[] = [];
  let all: ReturnType<typeof importNabDirectory> = [];
  beforeAll(() => {
    all = importNabDirectory(NAB, { onWarning: (m) => warnings.push(m) });
  });

  it('imports all 58 files with their 116 windows', () => {
    expect(all).toHaveLength(58);
    expect(all.map((a) => a.relPath)).toEqual([...all.map((a) => a.relPath)].sort());
    expect(sum(all.map((a) => a.dataset.manifest.faults.length))).toBe(116);
  });

  it('keeps every data line except rows that repeat a timestamp (365,558 lines in all)', () => {
    let lines = 0;
    for (const { relPath } of all) {
      const text = readFileSync(path.join(NAB, 'data', relPath), 'utf8').trimEnd();
      lines += text.split('\n').length - 1;
    }
    expect(lines).toBe(365_558);
    const rows = sum(all.map((a) => a.dataset.metrics.time.length));
    const dropped = sum(warnings.map((w) => Number(/dropped (\d+) row/.exec(w)?.[1])));
    expect(rows + dropped).toBe(365_558);
    // DST artefacts, a repeated hour and single repeats: 8 files, 49 rows (see nab.ts).
    expect(warnings).toHaveLength(8);
    expect(dropped).toBe(49);
  });

  it('labels nyc_taxi like NAB: 5 windows, 1035 labelled half-hours', () => {
    const ds = all.find((a) => a.relPath === 'realKnownCause/nyc_taxi.csv')?.dataset;
    expect(ds).toBeDefined();
    if (!ds) return;
    const m = ds.manifest;
    expect(m.hosts).toEqual([{ id: 'nyc_taxi' }]);
    expect(m.metrics).toEqual(['value']);
    expect(m.sampleIntervalMs).toBe(1_800_000);
    expect(ds.metrics.time.length).toBe(10_320);
    expect(m.start).toBe(parseTime('2014-07-01T00:00:00Z', 't'));
    expect(m.end).toBe((ds.metrics.time[10_319] as number) + 1_800_000);
    expect(m.slo).toEqual({ signal: 'anomaly_label', threshold: 1 });
    expect(m.faults).toHaveLength(5);
    expect(m.faults[0]).toEqual({
      id: 'a1',
      type: 'labelled-anomaly',
      host: 'nyc_taxi',
      start: parseTime('2014-10-30T15:30:00Z', 't'),
      end: parseTime('2014-11-03T22:30:00Z', 't') + 1_800_000,
    });
    expect(sum(ds.slo?.columns.anomaly_label ?? [])).toBe(1035);
    expect(ds.slo?.time).toEqual(ds.metrics.time);
    expect(m.source).toEqual({
      kind: 'import-nab',
      detail: path.join(NAB, 'data', 'realKnownCause/nyc_taxi.csv'),
    });
  });

  it('gives a file without windows an all-zero label column', () => {
    const ds = all.find((a) => a.relPath === 'artificialNoAnomaly/art_flatline.csv')?.dataset;
    expect(ds?.manifest.faults).toEqual([]);
    expect(ds?.slo?.columns.anomaly_label?.length).toBe(4032);
    expect(sum(ds?.slo?.columns.anomaly_label ?? [1])).toBe(0);
  });

  it('takes the median difference as the interval of irregular series', () => {
    const ds = all.find((a) => a.relPath === 'realTraffic/TravelTime_387.csv')?.dataset;
    const t = ds?.metrics.time ?? new Float64Array();
    const diffs = Array.from(t.subarray(1), (v, i) => v - (t[i] as number)).sort((a, b) => a - b);
    expect(new Set(diffs).size).toBeGreaterThan(100);
    expect(ds?.manifest.sampleIntervalMs).toBe(diffs[(diffs.length - 1) >> 1]);
  });

  it('produces datasets that pass validateDataset', () => {
    for (const { relPath, dataset } of all) validateDataset(dataset, relPath);
  });

  it('imports a single file and finds the labels by walking up', () => {
    const ds = importNab(path.join(NAB, 'data', 'realKnownCause', 'ambient_temperature_system_failure.csv'));
    expect(ds.manifest.faults).toHaveLength(2);
  });
});

describe('NAB importer on hand-made files', () => {
  const windows = {
    'cat/a.csv': [['2020-01-01 00:02:00.000000', '2020-01-01 00:03:00.000000']],
    'cat/b.csv': [],
  };
  const csv = (times: string[]) =>
    `timestamp,value\r\n${times.map((t, i) => `2020-01-01 ${t},${i}.5`).join('\r\n')}`;
  const root = tempTree({
    'labels/combined_windows.json': JSON.stringify(windows),
    'data/cat/a.csv': csv(['00:00:00', '00:01:00', '00:02:00', '00:03:00', '00:04:00']),
    'data/cat/b.csv': csv(['00:00:00', '00:01:00', '00:03:00']),
  });

  it('labels samples inside [start, end] and ends the fault one interval after the window', () => {
    const ds = importNab(path.join(root, 'data', 'cat', 'a.csv'));
    expect(Array.from(ds.slo?.columns.anomaly_label ?? [])).toEqual([0, 0, 1, 1, 0]);
    expect(Array.from(ds.metrics.columns[0] ?? [])).toEqual([0.5, 1.5, 2.5, 3.5, 4.5]);
    const t0 = parseTime('2020-01-01T00:00:00Z', 't');
    expect(ds.manifest.faults).toEqual([
      { id: 'a1', type: 'labelled-anomaly', host: 'a', start: t0 + 120_000, end: t0 + 240_000 },
    ]);
  });

  it('imports a directory given as the NAB root or as its data dir', () => {
    const fromRoot = importNabDirectory(root);
    expect(fromRoot.map((r) => r.relPath)).toEqual(['cat/a.csv', 'cat/b.csv']);
    expect(fromRoot[1]?.dataset.manifest.sampleIntervalMs).toBe(60_000);
    expect(importNabDirectory(path.join(root, 'data')).map((r) => r.relPath)).toEqual([
      'cat/a.csv',
      'cat/b.csv',
    ]);
  });

  it('uses an explicit labelsPath for a CSV outside the NAB tree (key <dir>/<file>)', () => {
    const elsewhere = tempTree({ 'cat/a.csv': csv(['00:00:00', '00:01:00', '00:02:00']) });
    const warnings: string[] = [];
    const unlabelled = importNab(path.join(elsewhere, 'cat', 'a.csv'), {
      onWarning: (m) => warnings.push(m),
    });
    expect(unlabelled.manifest.faults).toEqual([]);
    expect(warnings[0]).toContain('no labels');
    const ds = importNab(path.join(elsewhere, 'cat', 'a.csv'), {
      labelsPath: path.join(root, 'labels', 'combined_windows.json'),
    });
    expect(ds.manifest.faults).toHaveLength(1);
  });
});
