// Issue 26's fuzz suite: 1,100 seeded mutations of valid inputs across the readers (datasets'
// manifest, metrics.arrow and slo.arrow; RCAEval-style CSV and truth JSON; NAB CSV and labels; seed
// JSON lines; results.json as `report` reads it; fix model; --config), each run in a worker thread
// with a 10 s limit, each judged a correct acceptance or a one-line user error naming one of its
// files with no partial output (test/fuzz/cases.ts). Then a sample through the real CLI. The long
// run (10,000+ cases) is bench/fuzz.bench.ts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCase, runFuzz, writeBases, type FuzzCase, type Target } from './cases.ts';
import { runCliAsync } from '../helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'foreshock-fuzz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bases = writeBases(root);

describe('fuzz (issue 26)', () => {
  it('1,100 mutated inputs: each accepted or refused in one line naming its file, never a hang, crash or partial output', async () => {
    const report = await runFuzz(bases, { seed: 26, count: 1100, timeoutMs: 10_000 });
    const findings = report.findings.map(
      (f) => `case ${f.c.id} ${f.c.target} [${f.c.mutation}]: ${f.detail}`,
    );
    expect(findings).toEqual([]);
    expect(report.cases).toBe(1100);
    // The generator reaches every reader, and both verdicts happen for each (a mutation that never
    // passes or never fails would test less than it claims).
    for (const t of Object.values(report.byTarget)) {
      expect(t.accepted).toBeGreaterThan(0);
      expect(t.userErrors).toBeGreaterThan(0);
    }
    expect(Object.keys(report.byTarget).length).toBe(11);
  }, 180_000);

  it('a sample through the real CLI exits 0 or 1 with one line, never 2, a stack trace or partial output', async () => {
    // The first cases (past the in-process run's ids) for the readers the CLI takes files for.
    // Three commands, each seconds to start on a loaded machine: validate, import csv, report.
    const wanted: Target[] = ['metrics.arrow', 'truth', 'results'];
    const picked: FuzzCase[] = [];
    for (let id = 100_000; picked.length < wanted.length && id < 100_500; id++) {
      const c = makeCase(bases, 26, id);
      if (wanted.includes(c.target) && !picked.some((p) => p.target === c.target)) picked.push(c);
      else rmSync(join(root, 'cases', String(id)), { recursive: true, force: true });
    }
    expect(picked.map((c) => c.target).sort()).toEqual([...wanted].sort());
    const problems: string[] = [];
    const codes: number[] = [];
    for (const c of picked) {
      const args =
        c.fn === 'readDatasetSummary'
          ? ['validate', c.args[0] as string]
          : c.fn === 'importCsvSummary'
            ? ['import', 'csv', c.args[0] as string, '--truth', c.args[1] as string, '--out', c.out!]
            : [
                'report',
                '--results',
                c.args[0] as string,
                '--dataset',
                bases.dataset,
                '--out',
                join(root, `r${c.id}.html`),
              ];
      const r = await runCliAsync(args, { timeoutMs: 120_000 });
      codes.push(r.code);
      const lines = r.stderr.trim().split('\n');
      const what = `${c.target} [${c.mutation}] ${args[0]}: exit ${r.code}: ${r.stderr.slice(0, 300)}`;
      if (r.code === 1) {
        if (lines.length !== 1 || !lines[0]!.startsWith('foreshock: ') || /\n\s+at /.test(r.stderr))
          problems.push(`not one user-error line: ${what}`);
        if (c.out && existsSync(join(c.out, 'manifest.json'))) problems.push(`partial output: ${what}`);
      } else if (r.code !== 0) problems.push(what);
    }
    expect(problems).toEqual([]);
    // The seeded sample includes at least one refusal, so the one-line contract was exercised.
    expect(codes).toContain(1);
  }, 900_000);
});
