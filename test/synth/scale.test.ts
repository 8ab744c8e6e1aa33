// Size check: a 100-host, 10-minute run is produced in one go with typed arrays. The time is printed,
// never asserted (CI machines vary); the 1000 x 3600 figure is in the generator's report.

import { describe, expect, it } from 'vitest';
import { synthesize } from '../../src/sim/synth/index.ts';

describe('synthesize: scale', () => {
  it('100 hosts x 600 s', () => {
    const t0 = performance.now();
    const ds = synthesize({ hosts: 100, fault: 'cpuhog', seed: 5, durationS: 600 });
    const ms = performance.now() - t0;
    console.log(`synthesize 100 hosts x 600 s (60,000 rows x 8 metrics): ${ms.toFixed(0)} ms`);
    expect(ds.metrics.time.length).toBe(60_000);
    expect(ds.metrics.time).toBeInstanceOf(Float64Array);
    expect(ds.metrics.host).toBeInstanceOf(Int32Array);
    for (const col of ds.metrics.columns) expect(col).toBeInstanceOf(Float64Array);
    expect(ds.metrics.hosts).toContain('app-07');
  });
});
