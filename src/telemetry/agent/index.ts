// The host metric agent (issue 7): see docs/telemetry.md, "Agent".
export * from './types.ts';
export * from './derive.ts';
export { ProcfsSource, freeDiskBytes, type ProcfsSourceOptions } from './procfs-source.ts';
export { CgroupSource, cfsCores, type CgroupSourceOptions } from './cgroup-source.ts';
export * from './machine-source.ts';
export * from './agent.ts';
