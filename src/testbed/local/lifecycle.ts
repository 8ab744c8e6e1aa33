// up / status / down of a local multi-host testbed (see docs/testbed.md). A host is a network
// namespace on a bridge, one cgroup per v1 controller, its own loop-mounted ext4 disk and a
// private mount + UTS namespace. `down` finds objects by name prefix, so it also cleans up after
// a run that crashed or whose state directory is gone.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import {
  bridgeName,
  buildInventory,
  DEFAULT_PREFIX,
  DISK_THROTTLE,
  objectName,
  type Inventory,
  type InventoryOptions,
} from './inventory.ts';
import { layout, type Layout } from './layout.ts';
import { sshPaths, startSshd } from './sshd.ts';
import { CGROUP_ROOT, cgroupDir, CONTROLLERS, preflight, readMountInfo, run, tryRun } from './sys.ts';

const CFS_PERIOD_US = 100_000;

export function readInventory(stateDir: string): Inventory | undefined {
  const file = layout(stateDir, { prefix: DEFAULT_PREFIX }).stateFile;
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Inventory;
}

export interface HostStatus {
  name: string;
  ip: string;
  netns: boolean;
  cgroups: boolean;
  disk: boolean;
  namespaces: boolean;
  /** true when ssh is off for this testbed, else whether the host's sshd runs. */
  sshd: boolean;
}

export interface TestbedStatus {
  stateDir: string;
  /** undefined when the state directory holds no testbed. */
  inventory: Inventory | undefined;
  bridge: boolean;
  hosts: HostStatus[];
  complete: boolean;
  /** Kernel objects with the prefix that the state file does not account for (a crashed run). */
  leftovers: string[];
}

function netnsNames(prefix: string): string[] {
  const r = tryRun(['ip', 'netns', 'list']);
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

function linkNames(prefix: string): string[] {
  const r = tryRun(['ip', '-o', 'link', 'show']);
  return r.stdout
    .split('\n')
    .map((l) => (l.split(': ')[1] ?? '').split('@')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

function cgroupNames(prefix: string): string[] {
  const out: string[] = [];
  for (const c of CONTROLLERS) {
    const dir = path.join(CGROUP_ROOT, c);
    if (!existsSync(dir)) continue;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name.startsWith(prefix)) out.push(path.join(dir, e.name));
    }
  }
  return out;
}

function runsSshd(obj: string): boolean {
  const procs = path.join(cgroupDir('cpu', obj), 'cgroup.procs');
  if (!existsSync(procs)) return false;
  return readFileSync(procs, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .some((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sshd';
      } catch {
        return false;
      }
    });
}

function isMounted(mountPoint: string, fsType?: string): boolean {
  return readMountInfo().some(
    (m) => m.mountPoint === mountPoint && (fsType === undefined || m.fsType === fsType),
  );
}

export function status(stateDir: string, prefixHint = DEFAULT_PREFIX): TestbedStatus {
  const inventory = readInventory(stateDir);
  const prefix = inventory?.prefix ?? prefixHint;
  const known = new Set<string>();
  let hosts: HostStatus[] = [];
  let bridge = false;
  if (inventory) {
    const lay = layout(stateDir, inventory);
    const nets = new Set(netnsNames(prefix));
    const links = new Set(linkNames(prefix));
    bridge = links.has(bridgeName(inventory));
    known.add(bridgeName(inventory));
    hosts = inventory.hosts.map((h) => {
      const obj = objectName(inventory, h.name);
      known.add(obj);
      return {
        name: h.name,
        ip: h.ip,
        netns: nets.has(obj),
        cgroups: CONTROLLERS.every((c) => existsSync(cgroupDir(c, obj))),
        disk: isMounted(lay.diskMount(h.name)),
        namespaces: isMounted(lay.mntNs(h.name), 'nsfs') && isMounted(lay.utsNs(h.name), 'nsfs'),
        sshd: !inventory.ssh || runsSshd(obj),
      };
    });
  }
  const leftovers = [
    ...netnsNames(prefix).map((n) => `netns ${n}`),
    ...linkNames(prefix).map((n) => `link ${n}`),
    ...cgroupNames(prefix).map((d) => `cgroup ${d}`),
  ].filter((what) => !known.has(path.basename(what.split(' ')[1] ?? '')));
  const complete =
    inventory !== undefined && bridge && hosts.every((h) => h.netns && h.cgroups && h.disk && h.namespaces);
  return { stateDir: path.resolve(stateDir), inventory, bridge, hosts, complete, leftovers };
}

export interface UpResult {
  /** false when a complete testbed already existed and nothing was done. */
  created: boolean;
  status: TestbedStatus;
}

export async function up(stateDir: string, opts: InventoryOptions = {}): Promise<UpResult> {
  preflight();
  const existing = status(stateDir, opts.prefix);
  if (existing.inventory) {
    if (existing.complete) return { created: false, status: existing };
    throw new UserError(
      `testbed: the testbed in ${stateDir} is incomplete (a crashed run?): run \`foreshock testbed down\` first`,
    );
  }
  const inv = buildInventory(opts);
  const stray = status(stateDir, inv.prefix).leftovers;
  if (stray.length > 0) {
    throw new UserError(
      `testbed: objects named ${inv.prefix}* already exist (${stray[0]}${stray.length > 1 ? ', ...' : ''}): run \`foreshock testbed down\` first`,
    );
  }
  const lay = layout(stateDir, inv);
  for (const d of [lay.nsDir, lay.diskDir, lay.mountDir, lay.hostDiskPath]) {
    mkdirSync(d, { recursive: true });
  }
  // Written first, so a run that dies half-way is still torn down from this directory.
  writeFileSync(lay.stateFile, `${JSON.stringify(inv, null, 2)}\n`);
  try {
    createAll(inv, lay);
    if (inv.ssh) await startSshd(stateDir, inv);
  } catch (err) {
    await down(stateDir);
    throw err;
  }
  return { created: true, status: status(stateDir) };
}

function createAll(inv: Inventory, lay: Layout): void {
  const br = bridgeName(inv);
  run(['ip', 'link', 'add', br, 'type', 'bridge']);
  run(['ip', 'addr', 'add', `${inv.bridgeIp}/24`, 'dev', br]);
  run(['ip', 'link', 'set', br, 'up']);
  // Namespace files can only be bind-mounted under a private mount (else the new namespace
  // would see its own file propagate into itself, which the kernel refuses).
  run(['mount', '--bind', lay.nsDir, lay.nsDir]);
  run(['mount', '--make-private', lay.nsDir]);
  for (const h of inv.hosts) {
    const obj = objectName(inv, h.name);
    const peer = `${obj}i`;
    run(['ip', 'netns', 'add', obj]);
    run(['ip', 'link', 'add', obj, 'type', 'veth', 'peer', 'name', peer]);
    run(['ip', 'link', 'set', peer, 'netns', obj]);
    run(['ip', 'link', 'set', obj, 'master', br]);
    run(['ip', 'link', 'set', obj, 'up']);
    run(['ip', '-n', obj, 'link', 'set', peer, 'name', 'eth0']);
    run(['ip', '-n', obj, 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0']);
    run(['ip', '-n', obj, 'link', 'set', 'eth0', 'up']);
    run(['ip', '-n', obj, 'link', 'set', 'lo', 'up']);
    // No default route inside: only the subnet and loopback are reachable.
    for (const c of CONTROLLERS) mkdirSync(cgroupDir(c, obj), { recursive: true });
    writeFileSync(path.join(cgroupDir('cpu', obj), 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
    writeFileSync(
      path.join(cgroupDir('cpu', obj), 'cpu.cfs_quota_us'),
      String(Math.round(h.cpus * CFS_PERIOD_US)),
    );
    writeFileSync(path.join(cgroupDir('memory', obj), 'memory.limit_in_bytes'), String(h.memoryBytes));
    run(['truncate', '-s', `${h.diskMiB}M`, lay.image(h.name)]);
    run(['mkfs.ext4', '-q', '-F', lay.image(h.name)]);
    mkdirSync(lay.diskMount(h.name), { recursive: true });
    run(['mount', '-o', 'loop', lay.image(h.name), lay.diskMount(h.name)]);
    throttleDisk(cgroupDir('blkio', obj), lay.image(h.name));
  }
  for (const h of inv.hosts) {
    writeFileSync(lay.mntNs(h.name), '');
    writeFileSync(lay.utsNs(h.name), '');
    run([
      'unshare',
      `--mount=${lay.mntNs(h.name)}`,
      `--uts=${lay.utsNs(h.name)}`,
      '--propagation',
      'private',
      'true',
    ]);
    run(['nsenter', `--uts=${lay.utsNs(h.name)}`, 'hostname', h.name]);
    run([
      'nsenter',
      `--mount=${lay.mntNs(h.name)}`,
      'mount',
      '--bind',
      lay.diskMount(h.name),
      lay.hostDiskPath,
    ]);
  }
}

/** Throttles the loop device behind `image` for the tasks of the blkio cgroup `dir`. */
function throttleDisk(dir: string, image: string): void {
  const dev = /^\/dev\/(loop\d+):/m.exec(run(['losetup', '-j', image]))?.[1];
  if (!dev) throw new UserError(`testbed: no loop device found for ${image}`);
  const majMin = readFileSync(`/sys/block/${dev}/dev`, 'utf8').trim();
  const t = DISK_THROTTLE;
  writeFileSync(path.join(dir, 'blkio.throttle.read_iops_device'), `${majMin} ${t.readIops}`);
  writeFileSync(path.join(dir, 'blkio.throttle.write_iops_device'), `${majMin} ${t.writeIops}`);
  writeFileSync(path.join(dir, 'blkio.throttle.read_bps_device'), `${majMin} ${t.readBps}`);
  writeFileSync(path.join(dir, 'blkio.throttle.write_bps_device'), `${majMin} ${t.writeBps}`);
}

export interface DownResult {
  killed: number;
  unmounted: number;
  loopDetached: number;
  netns: number;
  links: number;
  cgroups: number;
}

function cgroupPids(prefix: string): Set<number> {
  const pids = new Set<number>();
  for (const dir of cgroupNames(prefix)) {
    const procs = path.join(dir, 'cgroup.procs');
    try {
      for (const l of readFileSync(procs, 'utf8').split('\n')) if (l.trim()) pids.add(Number(l));
    } catch {
      // removed meanwhile
    }
  }
  return pids;
}

function killPids(pids: Iterable<number>): number {
  let n = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
      n++;
    } catch {
      // already gone
    }
  }
  return n;
}

async function killAll(prefix: string): Promise<number> {
  let killed = 0;
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = cgroupPids(prefix);
    for (const ns of netnsNames(prefix)) {
      for (const l of tryRun(['ip', 'netns', 'pids', ns]).stdout.split('\n')) {
        if (l.trim()) pids.add(Number(l));
      }
    }
    if (pids.size === 0) return killed;
    const n = killPids(pids);
    if (attempt === 0) killed = n;
    await pause(20);
  }
  return killed;
}

function ourMounts(prefix: string): string[] {
  const nsFile = new RegExp(`^${prefix}[a-z0-9]+\\.(mnt|uts)$`);
  const disk = new RegExp(`^${prefix}[a-z0-9]+$`);
  return readMountInfo()
    .filter((m) => {
      const base = path.basename(m.mountPoint);
      const parent = path.basename(path.dirname(m.mountPoint));
      if (m.fsType === 'nsfs' && nsFile.test(base) && parent === `${prefix}ns`) return true;
      if (base === `${prefix}ns`) return true;
      return disk.test(base) && parent === `${prefix}mnt` && m.source.startsWith('/dev/loop');
    })
    .map((m) => m.mountPoint);
}

function unmountAll(prefix: string): number {
  let n = 0;
  // Namespace files first (they pin the hosts' mount namespaces and so copies of the disks),
  // then the private ns directory, then the disks; deepest-last order from mountinfo reversed.
  for (let attempt = 0; attempt < 5; attempt++) {
    const mounts = ourMounts(prefix).reverse();
    if (mounts.length === 0) break;
    const ordered = [
      ...mounts.filter((m) => /\.(mnt|uts)$/.test(m)),
      ...mounts.filter((m) => path.basename(m) === `${prefix}ns`),
      ...mounts.filter((m) => !/\.(mnt|uts)$/.test(m) && path.basename(m) !== `${prefix}ns`),
    ];
    for (const m of ordered) if (tryRun(['umount', m]).status === 0) n++;
  }
  return n;
}

function detachLoops(prefix: string): number {
  const img = new RegExp(`/${prefix}[a-z0-9]+\\.img( \\(deleted\\))?$`);
  let n = 0;
  for (const dev of readdirSync('/sys/block').filter((d) => d.startsWith('loop'))) {
    const bf = path.join('/sys/block', dev, 'loop', 'backing_file');
    if (!existsSync(bf)) continue;
    if (img.test(readFileSync(bf, 'utf8').trim())) {
      if (tryRun(['losetup', '-d', `/dev/${dev}`]).status === 0) n++;
    }
  }
  return n;
}

/** Awaiting (instead of blocking) lets Node reap killed children of this very process: a
 * zombie still pins its v1 cgroup, so rmdir would fail until it is reaped. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Tears down the testbed of `stateDir` (its state file names the prefix), or, without a state file,
 * whatever is left under `prefix` (default fs-). A prefix that contradicts the state file is refused:
 * `down --prefix fsb-` against the default state directory must not tear down the fs- testbed.
 */
export async function down(stateDir: string, prefix?: string): Promise<DownResult> {
  const inv = readInventory(stateDir);
  if (prefix !== undefined && inv && inv.prefix !== prefix)
    throw new UserError(
      `testbed in ${stateDir} has prefix "${inv.prefix}", not "${prefix}": give its own --state-dir, ` +
        `or an empty one to remove leftovers named ${prefix}*`,
    );
  return downPrefix(stateDir, inv?.prefix ?? prefix ?? DEFAULT_PREFIX);
}

async function downPrefix(stateDir: string, prefix: string): Promise<DownResult> {
  preflight();
  buildInventory({ prefix, hosts: ['x'] }); // validates the prefix before it enters a RegExp
  const killed = await killAll(prefix);
  const unmounted = unmountAll(prefix);
  const loopDetached = detachLoops(prefix);
  let netns = 0;
  for (const ns of netnsNames(prefix)) if (tryRun(['ip', 'netns', 'del', ns]).status === 0) netns++;
  let links = 0;
  for (const l of linkNames(prefix)) if (tryRun(['ip', 'link', 'del', l]).status === 0) links++;
  let cgroups = 0;
  for (let attempt = 0; attempt < 50; attempt++) {
    const left = cgroupNames(prefix);
    if (left.length === 0) break;
    // A process that was being started by exec() while down ran may join a cgroup late.
    killPids(cgroupPids(prefix));
    for (const d of left) {
      try {
        rmdirSync(d);
        cgroups++;
      } catch {
        // exiting tasks not yet reaped: retry shortly
      }
    }
    await pause(20);
  }
  removeStateFiles(stateDir, prefix);
  return { killed, unmounted, loopDetached, netns, links, cgroups };
}

function removeStateFiles(stateDir: string, prefix: string): void {
  const lay = layout(stateDir, { prefix });
  const root = path.resolve(stateDir);
  // Never delete recursively under a live mount point: it would reach into a mounted disk.
  const stillMounted = readMountInfo().filter((m) => m.mountPoint.startsWith(`${root}/`));
  if (stillMounted.length > 0) {
    throw new UserError(
      `testbed: ${stillMounted[0]?.mountPoint ?? ''} is still mounted; unmount it and run down again`,
    );
  }
  for (const d of [lay.nsDir, lay.diskDir, lay.mountDir, lay.hostDiskPath, sshPaths(stateDir).dir]) {
    rmSync(d, { recursive: true, force: true });
  }
  rmSync(lay.stateFile, { force: true });
  try {
    rmdirSync(root);
  } catch {
    // not empty (the user keeps other files there) or already gone
  }
}
