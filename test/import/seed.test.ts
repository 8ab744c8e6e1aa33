import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDataset } from '../../src/data/dataset-io.ts';
import { importSeed, violationLowerBound } from '../../src/data/import/seed.ts';
import { DATA, dataTitle, tempTree } from './helpers.ts';

const TRACES = path.join(DATA, 'seed-traces');

describe.skipIf(!existsSync(TRACES))(dataTitle('seed aggregate traces', TRACES), () => {
  for (const [file, rows] of [
    ['TrainingData.txt', 2189],
    ['TestingData.txt', 2324],
    ['Aggregate3NoneData1.txt', 2440],
  ] as const) {
    it(`imports ${file}`, () => {
      const full = path.join(TRACES, file);
      const lines = readFileSync(full, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      const ds = importSeed(full);
      expect(ds.metrics.time.length).toBe(lines.length);
      expect(lines.length).toBe(rows);
      expect(ds.manifest.hosts).toEqual([{ id: 'web', role: 'web' }]);
      expect(ds.manifest.metrics).toEqual(['cpu', 'mem']);
      expect(ds.manifest.slo).toEqual({ signal: 'mean_latency_ms', threshold: 70 });
      expect(ds.manifest.sampleIntervalMs).toBe(1000);
      validateDataset(ds, file);

      const slo = ds.slo?.columns ?? {};
      expect(Object.keys(slo).sort()).toEqual(
        ['count', 'errors', 'max_latency_ms', 'mean_latency_ms', 'p95_latency_ms', 'violations'].sort(),
      );
      const { count, max_latency_ms: max, violations } = slo;
      for (let i = 0; i < lines.length; i++) {
        const v = violations?.[i] as number;
        if ((max?.[i] as number) < 70) expect(v).toBe(0);
        else {
          expect(v).toBeGreaterThanOrEqual(1);
          expect(v).toBeLessThanOrEqual(count?.[i] as number);
        }
      }
      // The recorder dropped seconds: gaps stay gaps.
      const t = ds.metrics.time;
      expect(t.some((v, i) => i > 0 && v - (t[i - 1] as number) > 1000)).toBe(true);
    });
  }

  it('turns null cpu/mem into NaN (TrainingData.txt line 319)', () => {
    const ds = importSeed(path.join(TRACES, 'TrainingData.txt'));
    const i = ds.metrics.time.indexOf(1524620075 * 1000);
    expect(i).toBe(318);
    expect(ds.metrics.columns[0]?.[i]).toBeNaN();
    expect(ds.metrics.columns[1]?.[i]).toBeNaN();
  });
});

describe('seed violations lower bound', () => {
  it('follows min(n, max(1, ceil((S - n*(thr-1)) / (M - (thr-1))))) and 0 when max < thr', () => {
    expect(violationLowerBound(10, 500, 69, 70)).toBe(0);
    expect(violationLowerBound(10, 800, 200, 70)).toBe(1); // (800-690)/131 = 0.84 -> at least the max
    // 7 requests at 200 ms + 3 at ~33 ms sum to 1500; 6 at 200 + 4 at 69 only reach 1476.
    expect(violationLowerBound(10, 1500, 200, 70)).toBe(7);
    expect(violationLowerBound(3, 300, 100, 70)).toBe(3); // every request at 100: all violate
    expect(violationLowerBound(0, 0, 100, 70)).toBe(0);
  });

  it('recomputes violations on a hand-made line and ignores the recorded (zeroed) field', () => {
    const dir = tempTree({
      'agg.txt':
        '{"count": 10, "mem": 40, "max": 200, "timestamp": 1524627936, "summation": 1500, "violations": 0, "cpu": 84, "mean": 150}\n' +
        '{"count": 5, "mem": null, "max": 60, "timestamp": 1524627940, "summation": 100, "violations": 0, "cpu": null, "mean": 20}\n',
    });
    const ds = importSeed(path.join(dir, 'agg.txt'));
    expect(Array.from(ds.slo?.columns.violations ?? [])).toEqual([7, 0]);
    expect(Array.from(ds.metrics.time)).toEqual([1524627936000, 1524627940000]);
    expect(ds.manifest.end).toBe(1524627941000);
    expect(Array.from(ds.slo?.columns.mean_latency_ms ?? [])).toEqual([150, 20]);
    expect(ds.slo?.columns.p95_latency_ms?.every(Number.isNaN)).toBe(true);
    const strict = importSeed(path.join(dir, 'agg.txt'), { thresholdMs: 201 });
    expect(Array.from(strict.slo?.columns.violations ?? [])).toEqual([0, 0]);
    expect(strict.manifest.slo?.threshold).toBe(201);
  });

  it('keeps the first of repeated timestamps and reports them', () => {
    const line = (ts: number, mean: number) =>
      `{"count": 1, "mem": 1, "max": ${mean}, "timestamp": ${ts}, "summation": ${mean}, "violations": 0, "cpu": 1, "mean": ${mean}}`;
    const dir = tempTree({ 'dup.txt': [line(100, 10), line(100, 99), line(101, 11)].join('\n') });
    const warnings: string[] = [];
    const ds = importSeed(path.join(dir, 'dup.txt'), { onWarning: (m) => warnings.push(m) });
    expect(Array.from(ds.slo?.columns.mean_latency_ms ?? [])).toEqual([10, 11]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('dropped 1 line');
  });
});
