// Run a process inside a testbed host: it joins the host's cgroups (one per v1 controller)
// before entering the host's network, mount and UTS namespaces with nsenter. `ip netns exec`
// is avoided on purpose: it remounts /sys, which hides /sys/fs/cgroup from the process.

import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import { findHost, objectName, type Inventory } from './inventory.ts';
import { layout } from './layout.ts';
import { readInventory } from './lifecycle.ts';
import { cgroupDir, CONTROLLERS } from './sys.ts';

// A fixed script (no user text in it): write our own pid into each cgroup.procs file given as
// the first $1 arguments, then exec nsenter with the remaining arguments. Joining before exec
// means every child the command forks is in the host's cgroups too.
const JOIN_THEN_EXEC =
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"';

const CD_THEN_EXEC = 'cd -- "$1" || exit 125; shift; exec "$@"';

export interface Host {
  inventory: Inventory;
  stateDir: string;
  name: string;
}

export function openHost(stateDir: string, name: string): Host {
  const inventory = readInventory(stateDir);
  if (!inventory) throw new UserError(`testbed: no testbed in ${stateDir} (run \`foreshock testbed up\`)`);
  findHost(inventory, name);
  return { inventory, stateDir, name };
}

/** The argv (for spawn) that runs `argv` inside the host. */
export function hostArgv(host: Host, argv: readonly string[], cwd = '/'): string[] {
  if (argv.length === 0) throw new UserError('testbed: exec needs a command');
  const obj = objectName(host.inventory, host.name);
  const lay = layout(host.stateDir, host.inventory);
  const procs = CONTROLLERS.map((c) => path.join(cgroupDir(c, obj), 'cgroup.procs'));
  return [
    'sh',
    '-c',
    JOIN_THEN_EXEC,
    'sh',
    String(procs.length),
    ...procs,
    'nsenter',
    `--net=${lay.netNs(host.name)}`,
    `--mount=${lay.mntNs(host.name)}`,
    `--uts=${lay.utsNs(host.name)}`,
    '--',
    // chdir after entering the mount namespace, so the directory is the host's view of it
    // (nsenter --wd resolves the path before the switch).
    'sh',
    '-c',
    CD_THEN_EXEC,
    'sh',
    cwd,
    ...argv,
  ];
}

/** Starts `argv` inside the host; the caller owns the child process. */
export function exec(
  host: Host,
  argv: readonly string[],
  options: SpawnOptions & { cwd?: string } = {},
): ChildProcess {
  const [cmd, ...args] = hostArgv(host, argv, options.cwd ?? '/');
  const { cwd: _cwd, ...rest } = options;
  return spawn(cmd ?? 'sh', args, rest);
}

/** Runs `argv` inside the host to completion and returns its output. */
export function execSync(
  host: Host,
  argv: readonly string[],
  options: { cwd?: string; timeoutMs?: number; input?: string } = {},
): { status: number | null; stdout: string; stderr: string } {
  const [cmd, ...args] = hostArgv(host, argv, options.cwd ?? '/');
  const r = spawnSync(cmd ?? 'sh', args, {
    encoding: 'utf8',
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
