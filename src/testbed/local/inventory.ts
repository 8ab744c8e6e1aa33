// The typed inventory of a local testbed: which hosts exist, their addresses on the private
// bridge subnet, their resource caps, and every kernel-object name derived from them. All names
// start with one prefix so `down` can find leftovers of a crashed run without any state file.

import { UserError } from '../../core/errors.ts';

export interface HostSpec {
  /** Short host name; also the hostname seen inside the host (UTS namespace). */
  readonly name: string;
  /** IPv4 address on the bridge subnet. */
  readonly ip: string;
  /** CPU cap in cores (cpu.cfs_quota_us / cpu.cfs_period_us); a cap, not a guarantee. */
  readonly cpus: number;
  /** memory.limit_in_bytes of the host's memory cgroup. */
  readonly memoryBytes: number;
  /** Size of the host's own loop-mounted ext4 disk. */
  readonly diskMiB: number;
}

export interface Inventory {
  /** Prefix of every kernel object (netns, links, cgroups) and every state file of this testbed. */
  readonly prefix: string;
  /** First three octets of the /24 subnet, e.g. "10.77.0". The bridge takes .1. */
  readonly subnet: string;
  readonly bridgeIp: string;
  readonly hosts: readonly HostSpec[];
  /** Whether each host runs its own key-only sshd (see sshd.ts). */
  readonly ssh: boolean;
}

/** Where `foreshock testbed` keeps a testbed's state unless told otherwise. */
export const DEFAULT_STATE_DIR = '/var/tmp/foreshock-testbed';
export const DEFAULT_HOSTS = ['web', 'db', 'client', 'kafka', 'analysis'] as const;
export const DEFAULT_PREFIX = 'fs-';
export const DEFAULT_SUBNET = '10.77.0';
/** Half a core: the spec measured a busy loop held at 49-50% of one core with this quota. */
export const DEFAULT_CPUS = 0.5;
export const DEFAULT_MEMORY_BYTES = 512 * 1024 * 1024;
/** The spec's disk size (`truncate -s 256M`). */
export const DEFAULT_DISK_MIB = 256;
/**
 * Every host's disk is throttled like a real one (blkio.throttle.*_device on its loop device). The
 * loop device itself is backed by this machine's page cache and is as fast as memory; a host whose
 * disk is that fast has no disk to exhaust, so a disk hog could not compete with the database and a
 * squeezed page cache would cost nothing. The numbers are a reconstruction of a small cloud volume
 * (AWS gp2 of ~100 GiB: a 300 IOPS baseline; ~20 MiB/s), not a measurement. v1 throttling applies to
 * I/O a task issues itself (reads, O_DIRECT, fsync'd writes), not to background writeback.
 */
export const DISK_THROTTLE = {
  readIops: 300,
  writeIops: 300,
  readBps: 20 * 2 ** 20,
  writeBps: 20 * 2 ** 20,
} as const;
/** Linux IFNAMSIZ - 1: the longest interface name the kernel accepts. */
const MAX_IFNAME = 15;
const BRIDGE_SUFFIX = 'br0';

export interface InventoryOptions {
  hosts?: readonly string[];
  prefix?: string;
  subnet?: string;
  cpus?: number;
  memoryBytes?: number;
  diskMiB?: number;
  ssh?: boolean;
}

const HOST_RE = /^[a-z][a-z0-9]*$/;
const PREFIX_RE = /^[a-z][a-z0-9]{0,5}-$/;
const SUBNET_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function buildInventory(opts: InventoryOptions = {}): Inventory {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  if (!PREFIX_RE.test(prefix)) {
    throw new UserError(`testbed: prefix "${prefix}" must match ${PREFIX_RE.source}`);
  }
  const subnet = opts.subnet ?? DEFAULT_SUBNET;
  const m = SUBNET_RE.exec(subnet);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) {
    throw new UserError(`testbed: subnet "${subnet}" must be three octets such as 10.77.0`);
  }
  const names = opts.hosts ?? DEFAULT_HOSTS;
  if (names.length === 0) throw new UserError('testbed: give at least one host');
  if (names.length > 200) throw new UserError('testbed: at most 200 hosts fit the /24 subnet');
  const seen = new Set<string>();
  const hosts = names.map((name, i): HostSpec => {
    if (!HOST_RE.test(name) || name === BRIDGE_SUFFIX) {
      throw new UserError(
        `testbed: host name "${name}" must match ${HOST_RE.source} and not be ${BRIDGE_SUFFIX}`,
      );
    }
    // The in-namespace end of the veth is created as <prefix><name>i before it is renamed eth0.
    if (prefix.length + name.length + 1 > MAX_IFNAME) {
      throw new UserError(`testbed: host name "${name}" is too long for a network interface name`);
    }
    if (seen.has(name)) throw new UserError(`testbed: host "${name}" given twice`);
    seen.add(name);
    return {
      name,
      ip: `${subnet}.${i + 10}`,
      cpus: opts.cpus ?? DEFAULT_CPUS,
      memoryBytes: opts.memoryBytes ?? DEFAULT_MEMORY_BYTES,
      diskMiB: opts.diskMiB ?? DEFAULT_DISK_MIB,
    };
  });
  return { prefix, subnet, bridgeIp: `${subnet}.1`, hosts, ssh: opts.ssh ?? false };
}

/** Kernel-object names of one host. */
export function objectName(inv: Pick<Inventory, 'prefix'>, host: string): string {
  return `${inv.prefix}${host}`;
}

export function bridgeName(inv: Pick<Inventory, 'prefix'>): string {
  return `${inv.prefix}${BRIDGE_SUFFIX}`;
}

export function findHost(inv: Inventory, host: string): HostSpec {
  const h = inv.hosts.find((x) => x.name === host);
  if (!h) {
    throw new UserError(`testbed: no host "${host}" (hosts: ${inv.hosts.map((x) => x.name).join(', ')})`);
  }
  return h;
}
