// Long work says something at least every 5 s (issue 25): the experiment's plain-text progress (not a
// TTY) within a phase, and a replay's progress lines. Fake clocks: no waiting.
import { describe, expect, it } from 'vitest';
import { createProgress, HEARTBEAT_MS } from '../../src/runner/experiment/progress.ts';
import { PROGRESS_EVERY_MS, progressLogger } from '../../src/runner/replay-job.ts';

describe('experiment progress without a TTY', () => {
  it('writes a line at each phase change and at least every 5 s within a phase', () => {
    let t = 0;
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const p = createProgress(stream, () => t);
    p.start('rep 1', 0, 120_000);
    for (t = 0; t <= 60_000; t += 1000) p.update(t < 30_000 ? 'normal' : 'fault');
    expect(HEARTBEAT_MS).toBe(5000);
    expect(lines[0]).toBe('rep 1: normal (120 s left)\n');
    expect(lines).toContain('rep 1: fault (90 s left)\n');
    // 61 updates over 60 s: one line per 5 s and one at the phase change, never a gap over 5 s
    const times = lines.map((l) => 120 - Number(/\((\d+) s left\)/.exec(l)![1]));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(5);
    expect(lines.length).toBeLessThanOrEqual(14);
  });
});

describe('replay progress', () => {
  it('is silent on a short replay, says something every 5 s on a long one, and ends at 100 %', () => {
    let t = 0;
    const lines: string[] = [];
    const short = progressLogger(
      'ubl',
      (l) => lines.push(l),
      () => t,
    );
    for (let done = 0; done <= 100; done += 50) short(done, 100);
    expect(lines).toEqual([]);

    const long = progressLogger(
      'ubl',
      (l) => lines.push(l),
      () => t,
    );
    for (let done = 0; done <= 1000; done += 100) {
      t += 2000; // 2 s per step
      long(done, 1000);
    }
    expect(PROGRESS_EVERY_MS).toBe(5000);
    expect(lines).toEqual([
      'ubl: 20% (200/1000 samples)',
      'ubl: 50% (500/1000 samples)',
      'ubl: 80% (800/1000 samples)',
      'ubl: 100% (1000/1000 samples)',
    ]);
  });
});
