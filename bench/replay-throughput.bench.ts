// Replay throughput of the registered algorithms on a synthetic 100-host x 1-hour run, in
// host-samples per second, as a ratio to a raw scan of the same Arrow columns measured in the same
// run (the ceiling: reading every value once, doing nothing with it).
//
//   npm run bench                       # 100 hosts x 3600 s
//   npm run bench -- --hosts 20 --seconds 600 --reps 3

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC, type Data } from 'apache-arrow';
import { listAlgorithms } from '../src/algorithms/registry.ts';
import { readDataset, writeDataset } from '../src/data/dataset-io.ts';
import { runReplayJob } from '../src/runner/replay-job.ts';
import { synthesize } from '../src/sim/synth/index.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const hosts = arg('hosts', 100);
const seconds = arg('seconds', 3600);
const reps = arg('reps', 3);

/** Best of `reps` runs (the least disturbed by the machine's other work). */
function best(fn: () => void): number {
  let min = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

const dir = mkdtempSync(join(tmpdir(), 'foreshock-bench-'));
try {
  process.stderr.write(`generating ${hosts} hosts x ${seconds} s ...\n`);
  const t0 = performance.now();
  const generated = synthesize({ hosts, fault: 'memleak', seed: 1, durationS: seconds });
  writeDataset(dir, generated);
  process.stderr.write(`  generated and written in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

  const bytes = readFileSync(join(dir, 'metrics.arrow'));
  const rows = generated.metrics.time.length;
  let sink = 0;
  const scanMs = best(() => {
    const table = tableFromIPC(bytes);
    for (const field of table.schema.fields) {
      if (field.name === 'host') continue;
      for (const chunk of table.getChild(field.name)!.data as Data[]) {
        const values = chunk.values as Float64Array;
        for (let i = 0; i < chunk.length; i++) sink += values[i]!;
      }
    }
  });
  const readMs = best(() => void readDataset(dir));
  const dataset = readDataset(dir);
  const scanRate = rows / (scanMs / 1000);

  const lines: string[][] = [['step', 'host-samples/s', 'ratio to raw scan', 'ms']];
  lines.push(['raw Arrow column scan', scanRate.toFixed(0), '1.000', scanMs.toFixed(0)]);
  lines.push([
    'readDataset (validate)',
    (rows / (readMs / 1000)).toFixed(0),
    (rows / (readMs / 1000) / scanRate).toFixed(3),
    readMs.toFixed(0),
  ]);
  for (const def of listAlgorithms()) {
    // The whole job: training on the normal phase, replaying the rest, scoring. Every row once.
    const ms = best(() => void runReplayJob(dataset, null, { algorithms: [def.name] }));
    const rate = rows / (ms / 1000);
    lines.push([
      `replay ${def.name} (${def.kind})`,
      rate.toFixed(0),
      (rate / scanRate).toFixed(3),
      ms.toFixed(0),
    ]);
  }
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  console.log(`replay throughput: ${hosts} hosts x ${seconds} s = ${rows} host-samples, best of ${reps}`);
  for (const l of lines)
    console.log(
      l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    );
  if (Number.isNaN(sink)) console.log('(scan checksum NaN)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
