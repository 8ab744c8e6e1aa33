import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDataset } from '../../src/data/dataset-io.ts';
import { SMD_INTERVAL_MS, SMD_START_MS, importSmd, listSmdMachines } from '../../src/data/import/smd.ts';
import { DATA, dataTitle, sum, tempTree } from './helpers.ts';

const SMD = path.join(DATA, 'SMD');
const lineCount = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n').length;

describe.skipIf(!existsSync(SMD))(dataTitle('SMD machines', SMD), () => {
  it('lists the machines that have both train and test files', () => {
    expect(listSmdMachines(SMD)).toEqual(['machine-1-6', 'machine-1-7', 'machine-2-1', 'machine-3-3']);
  });

  const names = readFileSync(path.join(SMD, 'metric_names.txt'), 'utf8').trim().split('\n');

  for (const machine of ['machine-1-6', 'machine-1-7', 'machine-2-1', 'machine-3-3']) {
    it(`imports ${machine}`, () => {
      const started = performance.now();
      const { train, test } = importSmd(SMD, machine);
      const ms = performance.now() - started;
      console.log(`importSmd ${machine}: ${ms.toFixed(0)} ms (train + test)`);
      // Printed, not asserted: timing goals belong in benchmarks (`npm run bench -- smd`).

      const trainRows = lineCount(path.join(SMD, 'train', `${machine}.txt`));
      const testRows = lineCount(path.join(SMD, 'test', `${machine}.txt`));
      for (const [ds, rows] of [
        [train, trainRows],
        [test, testRows],
      ] as const) {
        expect(ds.manifest.metrics).toEqual(names);
        expect(ds.metrics.columns).toHaveLength(38);
        expect(ds.metrics.time.length).toBe(rows);
        expect(ds.manifest.hosts).toEqual([{ id: machine }]);
        expect(ds.manifest.sampleIntervalMs).toBe(SMD_INTERVAL_MS);
        validateDataset(ds, machine);
      }
      expect(train.manifest.start).toBe(SMD_START_MS);
      expect(test.manifest.start).toBe(train.manifest.end);
      expect(train.slo).toBeNull();
      expect(train.manifest.faults).toEqual([]);

      const labelText = readFileSync(path.join(SMD, 'test_label', `${machine}.txt`), 'utf8');
      const ones = labelText.split('\n').filter((l) => l.trim() === '1').length;
      expect(sum(test.slo?.columns.anomaly_label ?? [])).toBe(ones);
      expect(test.slo?.time).toEqual(test.metrics.time);
      expect(test.manifest.slo).toEqual({ signal: 'anomaly_label', threshold: 1 });

      const interpretation = lineCount(path.join(SMD, 'interpretation_label', `${machine}.txt`));
      expect(test.manifest.faults).toHaveLength(interpretation);
      for (const f of test.manifest.faults) {
        expect(f.type).toBe('labelled-anomaly');
        expect(f.metrics?.length).toBeGreaterThan(0);
        for (const m of f.metrics ?? []) expect(names).toContain(m);
        expect(f.start).toBeGreaterThanOrEqual(test.manifest.start);
        expect(f.end).toBeLessThanOrEqual(test.manifest.end);
      }
    });
  }

  it('maps an interpretation line to rows and 1-based culprit columns (machine-1-6: 246-252:1,2,3,4,6,...)', () => {
    const { test } = importSmd(SMD, 'machine-1-6');
    const f = test.manifest.faults[0];
    expect(f?.start).toBe(test.metrics.time[246]);
    expect(f?.end).toBe(test.metrics.time[252]);
    expect(f?.metrics?.slice(0, 5)).toEqual(['cpu_r', 'load_1', 'load_5', 'load_15', 'mem_u']);
  });
});

describe('SMD importer on a hand-made directory', () => {
  const dir = tempTree({
    'train/m.txt': '0.1,0.2\n0.3,0.4\n',
    'test/m.txt': '0.5,0.6\r\n0.7,0.8\r\n1,-2e-3\r\n0.0,1.000001\r\n',
    'test_label/m.txt': '0\n1\n1\n0\n',
    'train/only-train.txt': '1,2\n',
  });

  it('names columns m0.. without metric_names.txt and derives faults from label runs', () => {
    expect(listSmdMachines(dir)).toEqual(['m']);
    const { train, test } = importSmd(dir, 'm');
    expect(train.manifest.metrics).toEqual(['m0', 'm1']);
    expect(Array.from(test.metrics.columns[1] ?? [])).toEqual([0.6, 0.8, -0.002, 1.000001]);
    expect(test.manifest.start).toBe(SMD_START_MS + 2 * SMD_INTERVAL_MS);
    expect(test.manifest.faults).toEqual([
      {
        id: 'a1',
        type: 'labelled-anomaly',
        host: 'm',
        start: SMD_START_MS + 3 * SMD_INTERVAL_MS,
        end: SMD_START_MS + 5 * SMD_INTERVAL_MS,
      },
    ]);
  });
});
