// The local testbed provider: hosts as Linux namespaces + cgroups on one machine.
export * from './inventory.ts';
export { up, down, status, readInventory } from './lifecycle.ts';
export type { UpResult, DownResult, TestbedStatus, HostStatus } from './lifecycle.ts';
export { openHost, exec, execSync, hostArgv } from './exec.ts';
export type { Host } from './exec.ts';
export { findTool, missingPiece, preflight } from './sys.ts';
export { sshArgv, sshPaths, shellQuote } from './sshd.ts';
export type { SshPaths } from './sshd.ts';
