// Thin wrappers over the system tools the testbed drives, plus the preflight check. Every
// command is an argv array (never a shell string), so host names and paths cannot inject.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InternalError, UserError } from '../../core/errors.ts';

export const CGROUP_ROOT = '/sys/fs/cgroup';
/**
 * cpu and cpuacct are separate v1 hierarchies on the target machine: a pid joins each. blkio holds
 * the throttle on the host's own disk (DISK_THROTTLE).
 */
export const CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'blkio'] as const;
export type Controller = (typeof CONTROLLERS)[number];

const TOOLS = ['ip', 'nsenter', 'unshare', 'mkfs.ext4', 'mount', 'umount', 'losetup', 'truncate'];

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function tryRun(argv: readonly string[]): RunResult {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new InternalError('testbed: empty command');
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) return { status: null, stdout: '', stderr: r.error.message };
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command and throws with its stderr when it fails. */
export function run(argv: readonly string[]): string {
  const r = tryRun(argv);
  if (r.status !== 0) {
    throw new InternalError(
      `testbed: \`${argv.join(' ')}\` failed: ${r.stderr.trim() || `status ${String(r.status)}`}`,
    );
  }
  return r.stdout;
}

export function findTool(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (dir === '') continue;
    const p = path.join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The first missing piece the testbed needs, or undefined when everything is there. */
export function missingPiece(): string | undefined {
  if (process.getuid?.() !== 0) return 'root (uid 0)';
  for (const t of TOOLS) if (!findTool(t)) return `the \`${t}\` tool`;
  const mounts = readMountInfo();
  for (const c of CONTROLLERS) {
    const dir = path.join(CGROUP_ROOT, c);
    const m = mounts.find((x) => x.mountPoint === dir);
    if (!m || m.fsType !== 'cgroup') return `a cgroup v1 ${c} hierarchy mounted at ${dir}`;
  }
  if (!existsSync('/dev/loop-control')) return 'loop devices (/dev/loop-control)';
  return undefined;
}

export function preflight(): void {
  const missing = missingPiece();
  if (missing) throw new UserError(`testbed: needs ${missing}`);
}

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
}

/** /proc/self/mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function readMountInfo(): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const parts = line.split(' ');
    const sep = parts.indexOf('-');
    const mp = parts[4];
    const fsType = parts[sep + 1];
    const source = parts[sep + 2];
    if (sep < 0 || mp === undefined || fsType === undefined || source === undefined) continue;
    out.push({ mountPoint: unescapeMount(mp), fsType, source: unescapeMount(source) });
  }
  return out;
}

export function cgroupDir(controller: Controller, name: string): string {
  return path.join(CGROUP_ROOT, controller, name);
}
