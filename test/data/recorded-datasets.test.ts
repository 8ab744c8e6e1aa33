// The datasets recorded on the local namespaced testbed and committed under datasets/testbed/
// (issue 8): at least three repetitions of memleak, cpuhog and diskhog and two control runs, each
// a valid dataset with its phases, its fault as ground truth, every host in every second of the
// scored part, and small enough to commit.

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostsUnderTest } from '../../src/core/dataset.ts';
import { readDataset } from '../../src/data/dataset-io.ts';

const ROOT = path.resolve('datasets/testbed');
const dirs = readdirSync(ROOT)
  .filter((d) => statSync(path.join(ROOT, d)).isDirectory())
  .sort();

function size(dir: string): number {
  return readdirSync(dir).reduce((a, f) => a + statSync(path.join(dir, f)).size, 0);
}

describe('recorded testbed datasets', () => {
  it('has at least 3 runs of memleak, cpuhog and diskhog and 2 control runs', () => {
    const count = (p: string): number => dirs.filter((d) => d.startsWith(`${p}-`)).length;
    expect(count('memleak')).toBeGreaterThanOrEqual(3);
    expect(count('cpuhog')).toBeGreaterThanOrEqual(3);
    expect(count('diskhog')).toBeGreaterThanOrEqual(3);
    expect(count('control')).toBeGreaterThanOrEqual(2);
  });

  it.each(dirs)('%s: valid, labelled, every host every second, <= 2 MB', (d) => {
    const dir = path.join(ROOT, d);
    const ds = readDataset(dir);
    const kind = d.split('-')[0]!;
    expect(size(dir)).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(ds.manifest.source.kind).toBe('recording');
    expect(ds.manifest.hosts.map((h) => h.id).sort()).toEqual(['analysis', 'client', 'db', 'kafka', 'web']);
    // The harness's own hosts are marked, so they are neither replayed nor scored (evaluation.md v2).
    expect(hostsUnderTest(ds.manifest)).toEqual(['web', 'db']);
    expect(ds.manifest.phases.map((p) => p.name)).toEqual([
      'warm-up',
      'normal',
      kind === 'control' ? 'control' : 'fault',
      'recovery',
    ]);
    if (kind === 'control') expect(ds.manifest.faults).toEqual([]);
    else expect(ds.manifest.faults).toMatchObject([{ type: kind, host: 'db' }]);
    // From the normal phase to the end of the fault phase, every second has all five hosts' freemem.
    const normal = ds.manifest.phases[1]!;
    const fault = ds.manifest.phases[2]!;
    const m = ds.metrics;
    const fm = m.metrics.indexOf('freemem');
    const perSecond = new Map<number, number>();
    for (let i = 0; i < m.time.length; i++) {
      const t = m.time[i]!;
      if (t >= normal.start && t < fault.end && !Number.isNaN(m.columns[fm]![i]!))
        perSecond.set(t, (perSecond.get(t) ?? 0) + 1);
    }
    const seconds = Math.floor((fault.end - normal.start) / 1000);
    expect(perSecond.size).toBeGreaterThanOrEqual(seconds - 1);
    expect([...perSecond.values()].every((n) => n === 5)).toBe(true);
    expect(ds.slo?.time.length).toBeGreaterThan(seconds);
  });
});
