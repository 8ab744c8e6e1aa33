// The long fuzz run of issue 26: 10,000 mutated inputs (by default) across the readers, from the
// same seeded generator as test/fuzz/fuzz.test.ts (which runs about 1,000 of them in npm test), each
// in a worker thread with a time limit. Prints the outcome per reader, the throughput, and every
// finding (a hang, a crash, a multi-line or overlong message, one that names no input file, or
// partial output) with the case's seed, id and mutation so that it can be replayed; exits 1 on a
// finding. Findings not fixed are listed in docs/input-validation.md.
//
//   npm run bench -- fuzz
//   node bin/run-ts.js bench/fuzz.bench.ts --cases 20000 --seed 7 --timeout 10000

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFuzz, writeBases } from '../test/fuzz/cases.ts';
import { arg } from './helpers.ts';

const cases = arg('cases', 10_000);
const seed = arg('seed', 2026);
const timeoutMs = arg('timeout', 10_000);
const root = mkdtempSync(join(tmpdir(), 'foreshock-fuzz-bench-'));
try {
  const bases = writeBases(root);
  let done = 0;
  const report = await runFuzz(bases, {
    seed,
    count: cases,
    timeoutMs,
    onCase: () => {
      if (++done % 1000 === 0) console.log(`  ${done} cases`);
    },
  });
  console.log(
    `fuzz: ${report.cases} cases (seed ${seed}) in ${(report.elapsedMs / 1000).toFixed(1)} s, ` +
      `${((report.cases / report.elapsedMs) * 1000).toFixed(1)} cases/s`,
  );
  console.log(
    `  accepted ${report.accepted}, user errors ${report.userErrors}, findings ${report.findings.length}`,
  );
  for (const [target, t] of Object.entries(report.byTarget).sort())
    console.log(
      `  ${target.padEnd(14)} accepted ${String(t.accepted).padStart(5)}  user errors ${String(t.userErrors).padStart(5)}  findings ${t.findings}`,
    );
  for (const f of report.findings)
    console.log(`FINDING seed ${seed} case ${f.c.id} ${f.c.target} [${f.c.mutation}]: ${f.detail}`);
  process.exitCode = report.findings.length > 0 ? 1 : 0;
} finally {
  rmSync(root, { recursive: true, force: true });
}
