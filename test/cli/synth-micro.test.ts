// `foreshock synth --model micro` (issue 20 item 5): the per-service cases through the CLI, and its
// option mix-ups refused in one line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectUserError, runCli } from '../helpers/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'foreshock-micro-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('synth --model micro', () => {
  it('writes a case with its dependency graph and both faults', () => {
    const out = join(tmp, 'case');
    const r = runCli(
      'synth',
      '--model',
      'micro',
      '--services',
      '12',
      '--faults',
      '2',
      '--back-pressure',
      '--noise',
      '2',
      '--fault',
      'mem',
      '--seed',
      '5',
      '--duration',
      '300',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.hosts).toHaveLength(12);
    expect(m.dependencies.length).toBeGreaterThanOrEqual(11);
    expect(m.faults.map((f: { type: string }) => f.type)).toEqual(['mem', 'cpu']);
    expect(m.metrics).toEqual(['cpu', 'mem', 'latency']);
  });

  it('refuses options of the other model in one line', () => {
    expectUserError(
      runCli('synth', '--model', 'micro', '--fault', 'memleak', '--out', join(tmp, 'x')),
      /--fault: the micro model injects cpu or mem/,
    );
    expectUserError(
      runCli('synth', '--faults', '2', '--out', join(tmp, 'y')),
      /--faults: only for --model micro/,
    );
  });
});
