// A metric source described as plain data, so it can be built on the other side of a thread
// boundary (threaded.ts): the procfs source of the embedded stack or the cgroup source of the
// testbed.

import { CgroupSource, type CgroupSourceOptions } from './cgroup-source.ts';
import { ProcfsSource, type ProcfsSourceOptions } from './procfs-source.ts';
import type { MetricSource } from './types.ts';

export type SourceSpec =
  { kind: 'procfs'; options: ProcfsSourceOptions } | { kind: 'cgroup'; options: CgroupSourceOptions };

/** A source that can count one more process as the host's (the procfs source can; cgroups need not). */
export interface BuiltSource {
  source: MetricSource;
  addPid?: (pid: number) => void;
}

export function buildSource(spec: SourceSpec): BuiltSource {
  if (spec.kind === 'procfs') {
    const source = new ProcfsSource(spec.options);
    return { source, addPid: (pid) => source.addPid(pid) };
  }
  return { source: new CgroupSource(spec.options) };
}
