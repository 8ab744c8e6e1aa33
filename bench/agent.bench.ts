// The host metric agent's CPU cost per host per sample (procfs source, the embedded default), as a
// ratio to a trivial baseline measured in the same run: reading /proc/self/stat once. CPU time is
// process.cpuUsage (user + system), so it counts the kernel's work generating procfs text too.
//
//   npm run bench                                  # all benches
//   node bin/run-ts.js bench/agent.bench.ts --hosts 10 --samples 200 --reps 3

import { readFileSync } from 'node:fs';
import { HostAgent, ProcfsSource } from '../src/telemetry/agent/index.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const hosts = arg('hosts', 10);
const samples = arg('samples', 200);
const reps = arg('reps', 3);

/** CPU microseconds (user + system) of `fn`, best of `reps` (the least disturbed run). */
function cpuUs(fn: () => void): number {
  let min = Infinity;
  for (let r = 0; r < reps; r++) {
    const start = process.cpuUsage();
    fn();
    const u = process.cpuUsage(start);
    min = Math.min(min, u.user + u.system);
  }
  return min;
}

// Each host watches this process: its main thread plus Node's worker threads (~7 tasks), about
// what one RUBiS tier process has.
let published = 0;
const agent = new HostAgent({
  hosts: Array.from({ length: hosts }, (_, i) => ({
    host: `h${i}`,
    source: new ProcfsSource({ pids: [process.pid] }),
  })),
  bus: { publish: () => void published++ },
});

let sink = 0;
const baseUs = cpuUs(() => {
  for (let i = 0; i < hosts * samples; i++) sink += readFileSync('/proc/self/stat', 'utf8').length;
});
const agentUs = cpuUs(() => {
  for (let s = 0; s < samples; s++) agent.tick();
});

const perBase = baseUs / (hosts * samples);
const perAgent = agentUs / (hosts * samples);
console.log(`agent: ${hosts} hosts x ${samples} samples (best of ${reps}), ${published} messages`);
console.log(`  baseline  read /proc/self/stat once   ${perBase.toFixed(1)} us CPU`);
console.log(`  agent     one host, one sample        ${perAgent.toFixed(1)} us CPU`);
console.log(`  ratio agent/baseline                  ${(perAgent / perBase).toFixed(1)}x`);
console.log(
  `  at 1 sample/s: ${((perAgent / 1e6) * 100).toFixed(4)} % of one core per host (${((perAgent * hosts) / 1e4).toFixed(3)} % for ${hosts})`,
);
if (sink < 0) console.log(sink);
