// The RUBiS workload on this machine: a 60 s default run (rate, its stability, errors, latency
// against the 70 ms SLO), then the same run with a CPU hog on the web tier and on the database
// tier, to show that a fault on one tier's host pushes the SLO signal (per-second mean latency) over
// the threshold. The hog runs pin the target tier to CPU 1 and everything else (the other tier,
// the clients) to CPU 0, as if each tier had its own host, then start busy-loop processes on CPU 1
// 20 s into the run phase: the same run's first 20 s are the control.
//
//   npm run bench -- workload                          # baseline + web hog + db hog, 60 s each
//   npm run bench -- workload --users 500 --duration 60 --hog 8 --only web

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runWorkload, DEFAULT_USERS, type WorkloadReport } from '../src/workload/run.ts';
import type { SecondStats } from '../src/workload/summary.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}
function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const users = arg('users', DEFAULT_USERS);
const durationS = arg('duration', 60);
const hogProcesses = arg('hog', 8);
const hogAtS = arg('hog-at', 20);
const only = option('only'); // baseline | web | db
const dataDir = path.resolve(process.cwd(), 'data/rubis');
if (!existsSync(dataDir)) {
  console.log(`SKIPPED: ${dataDir} not found`);
  process.exit(0);
}
const haveTaskset = spawnSync('sh', ['-c', 'command -v taskset']).status === 0;

const hogs: ChildProcess[] = [];
function stopHogs(): void {
  for (const h of hogs.splice(0)) h.kill('SIGKILL');
}
process.once('exit', stopHogs);

function pin(pid: number, cpu: number): void {
  spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

function startHogs(cpu: number, n: number): void {
  for (let i = 0; i < n; i++) {
    hogs.push(spawn('taskset', ['-c', String(cpu), 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' }));
  }
}

interface Window {
  seconds: number;
  requests: number;
  rps: number;
  errors: number;
  meanOfMeansMs: number;
  maxMeanMs: number;
  violatingSeconds: number;
}

function window(per: SecondStats[], from: number, to: number, sloMs: number): Window {
  const s = per.filter((x) => x.second >= from && x.second < to);
  const means = s.map((x) => x.meanMs ?? 0);
  const requests = s.reduce((a, x) => a + x.requests, 0);
  return {
    seconds: s.length,
    requests,
    rps: Number((requests / Math.max(1, s.length)).toFixed(1)),
    errors: s.reduce((a, x) => a + x.errors, 0),
    meanOfMeansMs: Number((means.reduce((a, b) => a + b, 0) / Math.max(1, means.length)).toFixed(1)),
    maxMeanMs: Number(Math.max(0, ...means).toFixed(1)),
    violatingSeconds: s.filter((x) => (x.meanMs ?? 0) >= sloMs).length,
  };
}

function describeRun(label: string, r: WorkloadReport): void {
  const tens = [];
  for (let t = 0; t < r.durationS; t += 10) tens.push(window(r.perSecond, t, t + 10, r.slo.thresholdMs).rps);
  console.log(
    `${label}: ${r.requests} requests, ${r.rps} req/s (per 10 s: ${tens.join(', ')}), ${r.errors} errors, ` +
      `p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms, max ${r.latencyMs.max} ms, ` +
      `SLO ${r.slo.thresholdMs} ms: ${r.slo.violatingSeconds}/${r.slo.seconds} violating s`,
  );
}

async function hogRun(target: 'web' | 'db'): Promise<void> {
  if (!haveTaskset) {
    console.log(`hog on ${target}: SKIPPED (taskset not found)`);
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const r = await runWorkload({
    stack: 'embedded',
    users,
    mix: 'bidding',
    durationS,
    dataDir,
    onStackReady: (s) => {
      const victim = target === 'web' ? s.pids.web : s.pids.db!;
      const other = target === 'web' ? s.pids.db! : s.pids.web;
      pin(victim, 1);
      pin(other, 0);
      pin(process.pid, 0);
    },
    onRunPhase: () => {
      timer = setTimeout(() => startHogs(1, hogProcesses), hogAtS * 1000);
    },
  });
  clearTimeout(timer);
  stopHogs();
  describeRun(`hog on ${target} (${hogProcesses} busy processes on its CPU from ${hogAtS} s)`, r);
  const before = window(r.perSecond, 0, hogAtS, r.slo.thresholdMs);
  const during = window(r.perSecond, hogAtS + 5, durationS, r.slo.thresholdMs);
  console.log(`  before the hog (0-${hogAtS} s):   ${JSON.stringify(before)}`);
  console.log(`  during the hog (${hogAtS + 5}-${durationS} s): ${JSON.stringify(during)}`);
  console.log(
    `  SLO signal (mean of per-second mean latency): ${before.meanOfMeansMs} -> ${during.meanOfMeansMs} ms ` +
      `(ratio ${(during.meanOfMeansMs / Math.max(0.01, before.meanOfMeansMs)).toFixed(1)}), ` +
      `violating seconds ${before.violatingSeconds}/${before.seconds} -> ${during.violatingSeconds}/${during.seconds}`,
  );
}

try {
  if (!only || only === 'baseline') {
    const r = await runWorkload({ stack: 'embedded', users, mix: 'bidding', durationS, dataDir });
    describeRun(`baseline (${users} users, bidding, ${durationS} s, embedded)`, r);
    console.log(`  load average (1, 5, 15 min): ${loadAverage()}`);
  }
  if (!only || only === 'web') await hogRun('web');
  if (!only || only === 'db') await hogRun('db');
} finally {
  stopHogs();
}

/** Other work on the machine colours every number here: print it with them. */
function loadAverage(): string {
  return existsSync('/proc/loadavg')
    ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
    : 'unknown';
}
