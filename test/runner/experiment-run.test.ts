// The experiment runner end to end on the embedded stack (any machine): a short CPU-hog experiment
// records, labels and scores a run; and a runner killed with SIGKILL mid-fault leaves a fault that
// expires by itself, after which `foreshock faults cleanup` finds nothing left.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDataset } from '../../src/data/dataset-io.ts';
import { runCliAsync as runCli } from '../helpers/cli.ts';

const FIX = path.resolve('test/fixtures/experiments');
const dir = mkdtempSync(path.join(os.tmpdir(), 'foreshock-exp-'));
const faultDir = path.join(dir, 'faults');
const env = { FORESHOCK_FAULT_DIR: faultDir };
/** The db host's own fault directory (one per embedded host). */
const dbFaults = path.join(faultDir, 'db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('experiment runner (embedded stack)', () => {
  it('runs a short CPU-hog experiment: dataset with phases and the fault, results for every algorithm, a report', async () => {
    const out = path.join(dir, 'runs');
    const r = await runCli(
      [
        'experiment',
        path.join(FIX, 'tiny-cpuhog.json'),
        '--out',
        out,
        '--report-dir',
        path.join(dir, 'reports'),
      ],
      { env, timeoutMs: 240_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const ds = readDataset(path.join(out, 'tiny-cpuhog', 'rep-1', 'dataset'));
    expect(ds.manifest.phases.map((p) => p.name)).toEqual(['warm-up', 'normal', 'fault', 'recovery']);
    const [f] = ds.manifest.faults;
    expect(f).toMatchObject({ type: 'cpuhog', host: 'db', metrics: ['availcpu', 'load1'] });
    // The fault lasted about its phase (12 s) and sits inside the recording.
    expect(f!.end - f!.start).toBeGreaterThan(9_000);
    expect(f!.end - f!.start).toBeLessThanOrEqual(12_000);
    expect(f!.start).toBeGreaterThan(ds.manifest.start);
    // The hog's process was counted in db's metrics: db's CPU use rises during the fault, web's does not as much.
    const m = ds.metrics;
    const cpu = m.metrics.indexOf('availcpu');
    const used = (host: string, from: number, to: number): number => {
      const h = m.hosts.indexOf(host);
      let s = 0;
      let n = 0;
      for (let i = 0; i < m.time.length; i++) {
        const v = m.columns[cpu]![i]!;
        if (m.host[i] === h && m.time[i]! >= from && m.time[i]! < to && !Number.isNaN(v)) {
          s += 100 - v;
          n++;
        }
      }
      return s / n;
    };
    const normal = ds.manifest.phases[1]!;
    const dbRise = used('db', f!.start + 2000, f!.end) - used('db', normal.start, normal.end);
    const webRise = used('web', f!.start + 2000, f!.end) - used('web', normal.start, normal.end);
    expect(dbRise).toBeGreaterThan(50);
    expect(dbRise).toBeGreaterThan(webRise + 30);
    const results = JSON.parse(
      readFileSync(path.join(out, 'tiny-cpuhog', 'rep-1', 'results.json'), 'utf8'),
    ) as { algorithms: Record<string, unknown> };
    expect(Object.keys(results.algorithms)).toContain('ubl');
    expect(Object.keys(results.algorithms)).toContain('fchain');
    expect(existsSync(path.join(dir, 'reports', 'tiny-cpuhog.html'))).toBe(true);
    // Nothing of the fault is left.
    expect(readdirSync(dbFaults).filter((f) => f.endsWith('.json') || f.endsWith('.data'))).toEqual([]);
  }, 300_000);

  it('a runner killed with SIGKILL mid-fault leaves a fault that expires by itself; cleanup finds nothing', async () => {
    const { child, marker } = await runnerWithFault('killed');
    child.kill('SIGKILL');
    // The fault outlives the runner (it was started detached) ...
    await sleep(500);
    expect(() => process.kill(marker.pid, 0)).not.toThrow();
    // ... and reverts itself by its expiry: marker and data file gone.
    const until = Date.parse(marker.expiresAt) + 15_000;
    while (markers().length > 0 && Date.now() < until) await sleep(250);
    expect(markers()).toEqual([]);
    for (const f of marker.files) expect(existsSync(f)).toBe(false);
    const c = await runCli(['faults', 'cleanup', '--stack', 'embedded', '--host', 'db'], { env });
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/CLEANED|\{/);
  }, 240_000);

  it('SIGINT mid-fault reverts the fault before the runner exits', async () => {
    const { child, marker } = await runnerWithFault('interrupted');
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    // Reverted by the runner, not by expiry: gone when the runner has exited, before expiresAt.
    expect(Date.now()).toBeLessThan(Date.parse(marker.expiresAt));
    expect(markers()).toEqual([]);
    for (const f of marker.files) expect(existsSync(f)).toBe(false);
    // Gone, or a zombie waiting for PID 1 to reap it (slow here: ../shared/spec/testbed.md).
    const stat = existsSync(`/proc/${marker.pid}/stat`)
      ? readFileSync(`/proc/${marker.pid}/stat`, 'utf8')
      : '';
    expect(stat === '' || /^\d+ \(.*\) Z/.test(stat)).toBe(true);
  }, 240_000);
});

/** Fault markers currently in the embedded fault directory. */
function markers(): string[] {
  return existsSync(dbFaults) ? readdirSync(dbFaults).filter((f) => f.endsWith('.json')) : [];
}

/**
 * Starts `experiment long-diskhog` and resolves once its fault is on: armed at the warm-up, the
 * marker exists early and says `running` from the fault phase on.
 */
async function runnerWithFault(
  outName: string,
): Promise<{ child: ChildProcess; marker: { pid: number; expiresAt: string; files: string[] } }> {
  const child = spawn(
    process.execPath,
    ['bin/foreshock.js', 'experiment', path.join(FIX, 'long-diskhog.json'), '--out', path.join(dir, outName)],
    { env: { ...process.env, ...env }, stdio: 'ignore' },
  );
  const deadline = Date.now() + 120_000;
  const read = (): { pid: number; expiresAt: string; files: string[]; state: string } | null => {
    const [m] = markers();
    if (!m) return null;
    try {
      return JSON.parse(readFileSync(path.join(dbFaults, m), 'utf8')) as {
        pid: number;
        expiresAt: string;
        files: string[];
        state: string;
      };
    } catch {
      return null; // being replaced
    }
  };
  while (read()?.state !== 'running' && Date.now() < deadline) await sleep(200);
  expect(markers().length).toBe(1);
  const marker = read()!;
  expect(marker.state).toBe('running');
  return { child, marker };
}
