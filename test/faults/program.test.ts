// The pure parts around the program: its argv, the parsers of its answers, the nft arguments and
// the diskfill size plan.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InternalError, UserError } from '../../src/core/errors.ts';
import { planFill } from '../../src/faults/diskfill.ts';
import { nftAddLossArgs, nftTableName, parseOurTables } from '../../src/faults/nft.ts';
import { ensureFaultBundle } from '../../src/faults/bundle.ts';
import {
  FAULT_BUNDLE,
  faultProgramArgv,
  parseCleaned,
  parseReverted,
  parseStarted,
  parseStatus,
} from '../../src/faults/program.ts';

const marker = {
  id: 'a',
  pid: 12,
  type: 'cpuhog',
  spec: { type: 'cpuhog', percent: 10, cores: 1, ramp: 'step', rampS: 0, durationS: 5 },
  startedAt: '2025-01-01T00:00:00.000Z',
  expiresAt: '2025-01-01T00:00:05.000Z',
  files: [],
  nftTable: null,
  state: 'running',
  notes: [],
};

describe('faultProgramArgv', () => {
  it('is this node and the bundle (built on demand) by absolute path, then the mode and args', () => {
    const bundle = ensureFaultBundle();
    expect(bundle).toBe(FAULT_BUNDLE);
    const argv = faultProgramArgv('revert', ['/d', 'x']);
    expect(argv[0]).toBe(process.execPath);
    expect(argv[1]).toBe(FAULT_BUNDLE);
    expect(path.isAbsolute(argv[1]!) && existsSync(argv[1]!)).toBe(true);
    expect(argv.slice(2)).toEqual(['revert', '/d', 'x']);
    // The bundle runs without tsx and answers like the sources do.
    const r = spawnSync(argv[0]!, [FAULT_BUNDLE, 'status', '/nonexistent-foreshock-dir'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('parsers', () => {
  it('parse STARTED, REVERTED, NOT-RUNNING, CLEANED and status lines', () => {
    expect(parseStarted(`noise\nSTARTED ${JSON.stringify(marker)}\n`)).toEqual(marker);
    expect(parseReverted('REVERTED a\n')).toEqual({ id: 'a', wasRunning: true });
    expect(parseReverted('NOT-RUNNING a\n')).toEqual({ id: 'a', wasRunning: false });
    const summary = { reverted: ['a'], files: ['/d/a.data'], nftTables: [], skipped: [] };
    expect(parseCleaned(`CLEANED ${JSON.stringify(summary)}\n`)).toEqual(summary);
    expect(parseStatus(`${JSON.stringify({ ...marker, alive: true })}\n`)).toEqual([
      { ...marker, alive: true },
    ]);
    expect(parseStatus('')).toEqual([]);
  });

  it('turn FAILED into a UserError with the reason', () => {
    expect(() => parseStarted('FAILED fault.percent: must be a number in [1, 100], got 150\n')).toThrow(
      new UserError('fault start: fault.percent: must be a number in [1, 100], got 150'),
    );
    expect(() => parseStatus('FAILED usage\n', '', 1)).toThrow(UserError);
  });

  it('name the last stderr line when the answer is missing', () => {
    expect(() => parseReverted('', 'first\nsh: 1: node: not found\n\n')).toThrow(
      "fault revert: no REVERTED line in the program's output (stderr: sh: 1: node: not found)",
    );
    expect(() => parseCleaned('')).toThrow(UserError);
    expect(() => parseStatus('', 'boom', 127)).toThrow(/stderr: boom/);
  });

  it('report garbled answers as internal errors', () => {
    expect(() => parseStarted('STARTED {nope')).toThrow(InternalError);
    expect(() => parseStarted('STARTED {"id":"a"}')).toThrow(InternalError);
    expect(() => parseCleaned('CLEANED {"reverted":[]}')).toThrow(InternalError);
    expect(() => parseStatus(JSON.stringify(marker))).toThrow(InternalError);
  });
});

describe('nft arguments', () => {
  it('name tables after the id', () => {
    expect(nftTableName('web-cpu-1')).toBe('foreshock_fault_web_cpu_1');
    expect(parseOurTables('table inet foreshock_fault_a\ntable ip nat\ntable inet other\n')).toEqual([
      'foreshock_fault_a',
    ]);
  });

  it('build one transaction with a random drop per direction, a plain drop at 100 %', () => {
    const a = nftAddLossArgs('t', 'eth0', 12.5).join(' ');
    expect(a).toContain('add table inet t ;');
    expect(a).toContain('add chain inet t input { type filter hook input priority 0 ; policy accept ; }');
    expect(a).toContain('add rule inet t input meta iifname "eth0" numgen random mod 1000 < 125 drop');
    expect(a).toContain('add rule inet t output meta oifname "eth0" numgen random mod 1000 < 125 drop');
    expect(nftAddLossArgs('t', 'lo', 100).join(' ')).toContain('meta iifname "lo" drop');
  });
});

describe('planFill', () => {
  const MiB = 1024 * 1024;
  // 1000 blocks of 1 MiB: 400 used, 600 free, 550 available to users (50 reserved).
  const fs = { bsize: MiB, blocks: 1000, bfree: 600, bavail: 550 };

  it('fills to the target Use% (used / (used + available))', () => {
    // used 400 of 950: 42.1 %; 60 % of 950 = 570 -> 170 MiB more.
    expect(planFill({ percent: 60 }, fs).bytes).toBe(170 * MiB);
  });
  it('does nothing when already there, and says so', () => {
    const p = planFill({ percent: 30 }, fs);
    expect(p.bytes).toBe(0);
    expect(p.note).toMatch(/^nothing to fill/);
  });
  it('caps at the space available', () => {
    expect(planFill({ percent: 100 }, fs).bytes).toBe(550 * MiB);
    const p = planFill({ mib: 4096 }, fs);
    expect(p.bytes).toBe(550 * MiB);
    expect(p.note).toContain('all available');
    expect(planFill({ mib: 8 }, fs).bytes).toBe(8 * MiB);
  });
});
