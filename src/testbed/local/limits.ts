// A testbed host's resource limits and processes, through its cgroups: the provider side of the
// `scale-cpu` / `scale-memory` fixes (double the CPU quota or memory limit, put it back) and of
// `restart` (which processes make up the host). Used by the local stack session and the live
// benchmark. The first raise of a limit remembers its original value; restore() and restoreAll()
// write it back (a later experiment repetition reuses the testbed).

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import { findHost, objectName } from './inventory.ts';
import type { Inventory } from './inventory.ts';
import { cgroupDir } from './sys.ts';

export type LimitedResource = 'cpu' | 'memory';

export interface TestbedLimits {
  raise(host: string, resource: LimitedResource): void;
  restore(host: string, resource: LimitedResource): void;
  /** Every limit raised so far back to its original value. */
  restoreAll(): void;
  /** Pids in the host's memory cgroup right now. */
  processes(host: string): number[];
}

/** The cgroup file that holds a host's CPU quota or memory limit. */
export function limitFile(inv: Inventory, host: string, resource: LimitedResource): string {
  findHost(inv, host);
  return resource === 'cpu'
    ? path.join(cgroupDir('cpu', objectName(inv, host)), 'cpu.cfs_quota_us')
    : path.join(cgroupDir('memory', objectName(inv, host)), 'memory.limit_in_bytes');
}

export function testbedLimits(inv: Inventory): TestbedLimits {
  const original = new Map<string, string>();
  return {
    raise(host, resource) {
      const file = limitFile(inv, host, resource);
      const before = readFileSync(file, 'utf8').trim();
      const value = Number(before);
      if (!(value > 0)) throw new UserError(`raise-limit: ${file} has no limit to raise (${before})`);
      if (!original.has(file)) original.set(file, before);
      writeFileSync(file, String(value * 2));
    },
    restore(host, resource) {
      const file = limitFile(inv, host, resource);
      const orig = original.get(file);
      if (orig !== undefined) writeFileSync(file, orig);
    },
    restoreAll() {
      for (const [file, orig] of original) writeFileSync(file, orig);
    },
    processes(host) {
      const procs = path.join(cgroupDir('memory', objectName(inv, findHost(inv, host).name)), 'cgroup.procs');
      return readFileSync(procs, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map(Number);
    },
  };
}
