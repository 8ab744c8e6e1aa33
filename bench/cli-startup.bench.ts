// How long the CLI takes to answer before it does any work (issue 25: `--help` under 1 s). Each case
// is a fresh process, timed from spawn to exit, median of --runs; the ratios are against a bare
// `node -e ''` measured in the same run, and against loading every command module up front (what
// `foreshock --help` did before the command table loaded only the command being run).
//
//   npm run bench -- cli-startup            # 5 runs per case
//   npm run bench -- cli-startup --runs 11
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { arg } from './helpers.ts';

const runs = arg('runs', 5);
const bin = resolve('bin/foreshock.js');
const dir = mkdtempSync(join(tmpdir(), 'foreshock-cli-startup-'));
const eager = join(dir, 'eager.mts');
writeFileSync(
  eager,
  `import { COMMANDS } from ${JSON.stringify(resolve('src/cli/commands/index.ts'))};\n` +
    'await Promise.all(COMMANDS.map((c) => c.load()));\n',
);

function medianMs(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    times.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

try {
  const node = medianMs(['-e', '']);
  const cases: [string, string[]][] = [
    ['foreshock --version', [bin, '--version']],
    ['foreshock --help', [bin, '--help']],
    ['foreshock synth --help', [bin, 'synth', '--help']],
    ['foreshock replay --help', [bin, 'replay', '--help']],
    ['every command module loaded (the old --help)', [resolve('bin/run-ts.js'), eager]],
  ];
  // Absolute times scale with the machine's load; the ratios are what compare across runs.
  console.log(
    `median of ${runs} runs; node -e '' = ${node.toFixed(0)} ms; load average ${loadavg()[0]!.toFixed(1)} at the start`,
  );
  const rows = cases.map(([name, args]) => [name, medianMs(args)] as const);
  const old = rows[rows.length - 1]![1];
  for (const [name, t] of rows)
    console.log(
      `${name.padEnd(48)} ${t.toFixed(0).padStart(6)} ms  ${(t / node).toFixed(1).padStart(5)} x node  ` +
        `${(t / old).toFixed(2)} x eager${name === 'foreshock --help' ? (t < 1000 ? '  (goal < 1 s: met)' : '  (goal < 1 s: NOT met)') : ''}`,
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
