// The embedded (procfs) source against a real child process that burns CPU and then allocates
// and touches memory on command. Assertions are on CPU seconds and bytes, with tolerance; no
// assertion on how long anything takes.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveMetrics, INITIAL_LOAD, ProcfsSource } from '../../src/telemetry/agent/index.ts';

const CHILD = `
let held;
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', (cmd) => {
  if (cmd === 'burn') {
    // Burn 0.5 s of CPU time (not wall time), so the amount is known even on a busy machine.
    const start = process.cpuUsage();
    let x = 0;
    for (;;) {
      for (let i = 0; i < 1e5; i++) x += i;
      const u = process.cpuUsage(start);
      if (u.user + u.system >= 5e5) break;
    }
  } else if (cmd === 'alloc') {
    // 128 MiB, every page written so it is resident.
    held = Buffer.allocUnsafe(128 * 1024 * 1024);
    held.fill(1);
  }
  process.stdout.write('done\\n');
});
process.stdout.write('ready\\n');
`;

let child: ChildProcessWithoutNullStreams;
let lines: string[] = [];
let waiters: (() => void)[] = [];

function nextLine(): Promise<void> {
  if (lines.length > 0) {
    lines.shift();
    return Promise.resolve();
  }
  return new Promise((resolve) => waiters.push(() => (lines.shift(), resolve())));
}

async function command(cmd: string): Promise<void> {
  child.stdin.write(`${cmd}\n`);
  await nextLine();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  child = spawn(process.execPath, ['-e', CHILD]);
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      waiters.shift()?.();
    }
  });
  await nextLine();
});

afterAll(() => {
  child.kill('SIGKILL');
  lines = [];
  waiters = [];
});

describe('ProcfsSource on a live child', () => {
  it('availcpu drops while the child burns 0.5 CPU-s, and freemem drops by ~128 MiB when it allocates', async () => {
    const src = new ProcfsSource({ pids: [child.pid!], cpuCores: 1, memLimitBytes: 4 * 2 ** 30 });
    const s0 = src.sample(performance.now());
    await sleep(300);
    const s1 = src.sample(performance.now());
    await command('burn');
    const s2 = src.sample(performance.now());

    const idle = deriveMetrics(s0, s1, INITIAL_LOAD).metrics;
    const busy = deriveMetrics(s1, s2, INITIAL_LOAD).metrics;
    expect(idle.availcpu).not.toBeNull();
    expect(busy.availcpu).not.toBeNull();
    expect(busy.availcpu!).toBeLessThan(idle.availcpu! - 10);
    // At least the 0.5 s burnt (less one 10 ms tick of rounding per field), and not wildly more.
    const burnt = s2.cpuSeconds! - s1.cpuSeconds!;
    expect(burnt).toBeGreaterThanOrEqual(0.48);
    expect(burnt).toBeLessThan(1.5);
    expect(s2.runnableTasks).toBeGreaterThanOrEqual(0);
    expect(s2.netInBytes).toBeNull();
    expect(s2.freeDiskBytes).toBeGreaterThan(0);

    await command('alloc');
    const s3 = src.sample(performance.now());
    const before = deriveMetrics(undefined, s2, INITIAL_LOAD).metrics.freemem!;
    const after = deriveMetrics(s2, s3, INITIAL_LOAD).metrics;
    const dropMiB = before - after.freemem!;
    expect(dropMiB).toBeGreaterThan(100);
    expect(dropMiB).toBeLessThan(200);
    // Touching fresh pages shows as minor faults (this source's "pageout", see the docs).
    expect(s3.pageoutCount! - s2.pageoutCount!).toBeGreaterThan(0);
  });

  it('a pid that does not exist yields nulls, not zeros', () => {
    const src = new ProcfsSource({ pids: [2 ** 22 + 12345] });
    const s = src.sample(0);
    expect(s.cpuSeconds).toBeNull();
    expect(s.memUsedBytes).toBeNull();
    expect(s.runnableTasks).toBeNull();
  });
});
