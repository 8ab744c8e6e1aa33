// Checks shared by the stack tests: the recorded dataset has every host in every second from the
// first second all agents reported, and its SLO series agrees with the clients' own request count.

import { expect } from 'vitest';
import { readDataset } from '../../src/data/dataset-io.ts';
import type { StackRunReport } from '../../src/stack/index.ts';

export function checkRecording(report: StackRunReport, hosts: string[]): void {
  const ds = readDataset(report.recording.dir);
  const m = ds.metrics;
  expect([...m.hosts].sort()).toEqual([...hosts].sort());
  const freemem = m.metrics.indexOf('freemem');
  expect(freemem).toBeGreaterThanOrEqual(0);
  // Seconds and the hosts with a reading in each.
  const seen = new Map<number, Set<string>>();
  for (let i = 0; i < m.time.length; i++) {
    if (Number.isNaN(m.columns[freemem]![i]!)) continue;
    const t = m.time[i]!;
    if (!seen.has(t)) seen.set(t, new Set());
    seen.get(t)!.add(m.hosts[m.host[i]!]!);
  }
  const times = [...new Set(m.time)].sort((a, b) => a - b);
  const full = times.filter((t) => seen.get(t)?.size === hosts.length);
  expect(full.length).toBeGreaterThan(0);
  // Between the first and the last second every agent reported in (the agents start after the
  // recorder and stop before it, so only the edges may lack stats): one row per second, no gap,
  // and every host read in every one of them.
  const run = times.slice(times.indexOf(full[0]!), times.indexOf(full.at(-1)!) + 1);
  expect(run.length).toBeGreaterThan(5);
  for (let k = 1; k < run.length; k++) expect(run[k]! - run[k - 1]!).toBe(1000);
  const missing = run.filter((t) => (seen.get(t)?.size ?? 0) !== hosts.length);
  expect(missing.map((t) => new Date(t).toISOString())).toEqual([]);

  // SLO series: every response the clients got is in exactly one second.
  const slo = ds.slo!;
  const col = (name: string): Float64Array => slo.columns[name] as Float64Array;
  const count = col('count');
  const total = count.reduce((a, b) => a + b, 0);
  expect(total).toBe(report.clients.requests);
  expect(report.clients.requests).toBeGreaterThan(0);
  // Per second: mean = summation / count, violations and errors within count.
  const mean = col('mean_latency_ms');
  const sum = col('summation');
  for (let i = 0; i < count.length; i++) {
    expect(col('violations')[i]!).toBeLessThanOrEqual(count[i]!);
    expect(col('errors')[i]!).toBeLessThanOrEqual(count[i]!);
    if (count[i]! > 0) expect(mean[i]!).toBeCloseTo(sum[i]! / count[i]!, 6);
    else expect(Number.isNaN(mean[i]!)).toBe(true);
  }
}
