// The shipped synthetic dataset is exactly what the generator makes for its options: the files in
// datasets/ cannot drift from the code, and generation is deterministic across processes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDataset } from '../../src/data/dataset-io.ts';
import { synthesize } from '../../src/sim/synth/index.ts';
import { SHIPPED_HOSTS, SHIPPED_SEED } from '../../src/cli/commands/experiment.ts';

describe('datasets/synth-memleak', () => {
  it('is byte-identical to synthesize({ hosts: 5, fault: memleak, seed: 1 })', () => {
    const dir = mkdtempSync(join(tmpdir(), 'foreshock-shipped-'));
    try {
      writeDataset(dir, synthesize({ hosts: SHIPPED_HOSTS, fault: 'memleak', seed: SHIPPED_SEED }));
      for (const f of ['manifest.json', 'metrics.arrow', 'slo.arrow']) {
        expect(readFileSync(join(dir, f)).equals(readFileSync(join('datasets', 'synth-memleak', f))), f).toBe(
          true,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
