// Runs the benchmarks: every bench/*.bench.ts (or those whose name contains an argument), one
// process each so that one benchmark's heap and JIT state do not colour the next.
//   npm run bench                 # all
//   npm run bench -- replay       # only files whose name contains "replay"
//   npm run bench -- replay --hosts 20   (extra options go to the benchmarks)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const filters = args.filter((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1]!.startsWith('--')));
const passOn = args.filter((a) => !filters.includes(a));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(
    `no benchmark matches ${filters.join(', ')} (have: ${readdirSync(here)
      .filter((f) => f.endsWith('.bench.ts'))
      .join(', ')})`,
  );
  process.exit(1);
}
let failed = 0;
for (const f of files) {
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, [join(here, '..', 'bin', 'run-ts.js'), join(here, f), ...passOn], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
