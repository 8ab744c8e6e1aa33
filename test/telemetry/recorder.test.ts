import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeVector } from 'apache-arrow';
import { readDataset } from '../../src/data/dataset-io.ts';
import { Aggregator } from '../../src/telemetry/aggregator.ts';
import { InMemoryBus } from '../../src/telemetry/bus.ts';
import { RECORDING_DIR, Recorder, recoverRecording } from '../../src/telemetry/recorder.ts';
import { listSegments, readSegments, SegmentWriter } from '../../src/telemetry/segments.ts';

const T0 = 1_764_583_200_000;
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'foreshock-rec-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('recording segments', () => {
  it('a torn stream segment keeps every complete batch', () => {
    const dir = tempDir();
    const w = new SegmentWriter(dir, 'x');
    for (let i = 0; i < 3; i++) w.append({ v: makeVector(new Float64Array([i, i + 0.5])) });
    const [file] = listSegments(dir, 'x');
    const bytes = readFileSync(file!);
    expect(readSegments(dir, 'x').batches.map((b) => b.numRows)).toEqual([2, 2, 2]);
    writeFileSync(file!, bytes.subarray(0, bytes.length - 5)); // cut inside the last batch
    const torn = readSegments(dir, 'x');
    expect(torn.torn).toEqual([file]);
    expect(torn.batches.flatMap((b) => Array.from(b.getChild('v')!.toArray() as Float64Array))).toEqual([
      0, 0.5, 1, 1.5,
    ]);
  });
});

describe('Recorder', () => {
  it('records stats and aggregate into a dataset that validates, with every second present', async () => {
    const out = join(tempDir(), 'run');
    const bus = new InMemoryBus();
    let now = T0;
    const recorder = new Recorder(bus, {
      out,
      sloThresholdMs: 100,
      now: () => now,
      flushIntervalMs: 0,
      dependencies: [['web', 'db']],
      harnessHosts: ['web', 'kafka'],
    });
    recorder.start();
    const agg = new Aggregator(bus, { now: () => now, sloThresholdMs: 100, lateDelayMs: 1000, startMs: T0 });
    agg.start();
    for (let s = 0; s < 10; s++) {
      const t = T0 + s * 1000;
      // db is silent in seconds 4 and 5; no requests at all in second 7.
      bus.publish('stats', { time: t + 3, host: 'web', availcpu: 90 - s, freemem: 1000, load1: 0.5 });
      if (s !== 4 && s !== 5)
        bus.publish('stats', { time: t + 7, host: 'db', availcpu: 70, freemem: 2000 + s });
      if (s !== 7) {
        bus.publish('responsetime', {
          start: t,
          end: t + 200,
          latencyMs: 50,
          interaction: 'Home',
          ok: true,
          status: 200,
          client: 'c',
        });
        bus.publish('responsetime', {
          start: t,
          end: t + 300,
          latencyMs: 150,
          interaction: 'Home',
          ok: s !== 2,
          status: 200,
          client: 'c',
        });
      }
      now = t + 1000;
      agg.tick();
    }
    // Segments exist while recording.
    expect(readdirSync(join(out, RECORDING_DIR)).some((f) => f.endsWith('.arrows'))).toBe(true);
    agg.flush();
    const summary = await recorder.stop();
    expect(summary.seconds).toBe(10);
    expect(existsSync(join(out, RECORDING_DIR))).toBe(false);

    const ds = readDataset(out);
    expect(ds.manifest.start).toBe(T0);
    expect(ds.manifest.end).toBe(T0 + 10_000);
    expect(ds.manifest.metrics).toEqual(['availcpu', 'freemem', 'load1']);
    expect(ds.manifest.slo).toEqual({ signal: 'mean_latency_ms', threshold: 100 });
    // The call graph and the harness's own hosts (only those that sent stats are hosts at all).
    expect(ds.manifest.dependencies).toEqual([['web', 'db']]);
    expect(ds.manifest.hosts).toEqual([{ id: 'web', harness: true }, { id: 'db' }]);
    const slo = ds.slo!;
    expect(Array.from(slo.time)).toEqual(Array.from({ length: 10 }, (_, s) => T0 + s * 1000));
    expect(slo.columns['count']![7]).toBe(0);
    expect(Number.isNaN(slo.columns['mean_latency_ms']![7]!)).toBe(true);
    expect(slo.columns['count']![0]).toBe(2);
    expect(slo.columns['mean_latency_ms']![0]).toBe(100);
    expect(slo.columns['violations']![0]).toBe(1);
    expect(slo.columns['errors']![2]).toBe(1);
    // Metrics: every (second, host) row; db's silent seconds are null (NaN), not 0, not missing.
    const m = ds.metrics;
    expect(m.time.length).toBe(20);
    const db = m.hosts.indexOf('db');
    const fm = m.metrics.indexOf('freemem');
    const dbFree = Array.from(m.time, (t, i) => [t, m.host[i], m.columns[fm]![i]] as const)
      .filter(([, h]) => h === db)
      .map(([, , v]) => v);
    expect(dbFree.map((v) => (Number.isNaN(v) ? null : v))).toEqual([
      2000,
      2001,
      2002,
      2003,
      null,
      null,
      2006,
      2007,
      2008,
      2009,
    ]);
  });

  it('recoverRecording keeps every complete second of a SIGKILLed recorder', async () => {
    const out = join(tempDir(), 'killed');
    const child = spawn(process.execPath, ['bin/run-ts.js', 'test/telemetry/fixtures/record-child.ts', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const flushed: number[] = [];
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
      child.stdout.on('data', (d) => {
        buf += String(d);
        for (const m of buf.matchAll(/flushed (\d+)\n/g)) flushed.push(Number(m[1]));
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
        if (flushed.length >= 15) {
          child.removeAllListeners('exit');
          child.kill('SIGKILL');
          child.on('exit', () => resolve());
        }
      });
    });
    const lastReported = Math.max(...flushed);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false); // it never finalised itself
    const summary = recoverRecording(out);
    const ds = readDataset(out);
    const times = Array.from(ds.slo!.time);
    expect(times[0]).toBe(T0);
    // Contiguous, and at least every second whose flush the child reported before it died.
    times.forEach((t, i) => expect(t).toBe(T0 + i * 1000));
    expect(times[times.length - 1]).toBeGreaterThanOrEqual(lastReported);
    expect(summary.sloRows).toBe(times.length);
    for (const c of ds.slo!.columns['count']!) expect(c).toBe(3);
    // Host metrics for every recorded aggregate second, both hosts, values intact.
    const fm = ds.metrics.metrics.indexOf('freemem');
    const web = ds.metrics.hosts.indexOf('web');
    for (let i = 0; i < ds.metrics.time.length; i++) {
      const t = ds.metrics.time[i]!;
      if (ds.metrics.host[i] === web && t <= lastReported)
        expect(ds.metrics.columns[fm]![i]).toBe(100 + (t - T0) / 1000);
    }
  }, 20_000);
});

describe('foreshock record --dependency', () => {
  it('parses caller:callee edges and refuses anything else in one line', async () => {
    const { parseEdges } = await import('../../src/cli/commands/record.ts');
    expect(parseEdges(['client:web', 'web:db'])).toEqual([
      ['client', 'web'],
      ['web', 'db'],
    ]);
    for (const bad of ['web', 'web:web', 'a:b:c', 'web:;rm'])
      expect(() => parseEdges([bad])).toThrow(/--dependency: expected caller:callee/);
  });
});
