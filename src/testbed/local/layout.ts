// Where a testbed keeps its files inside the state directory. Files that become mount points
// carry the prefix in their base name, so leftovers of a crashed run are found by name alone.

import path from 'node:path';
import type { Inventory } from './inventory.ts';
import { objectName } from './inventory.ts';

export const STATE_FILE = 'testbed.json';

export interface Layout {
  stateFile: string;
  /** Private bind mount holding the persistent mount/UTS namespace files. */
  nsDir: string;
  diskDir: string;
  /** Where each host's disk is mounted in the root mount namespace (metrics use statfs here). */
  mountDir: string;
  /** The path at which every host sees its own disk inside its mount namespace. */
  hostDiskPath: string;
  mntNs(host: string): string;
  utsNs(host: string): string;
  netNs(host: string): string;
  image(host: string): string;
  diskMount(host: string): string;
}

export function layout(stateDir: string, inv: Pick<Inventory, 'prefix'>): Layout {
  const dir = path.resolve(stateDir);
  const nsDir = path.join(dir, `${inv.prefix}ns`);
  const diskDir = path.join(dir, 'disks');
  const mountDir = path.join(dir, `${inv.prefix}mnt`);
  return {
    stateFile: path.join(dir, STATE_FILE),
    nsDir,
    diskDir,
    mountDir,
    hostDiskPath: path.join(dir, 'disk'),
    mntNs: (h) => path.join(nsDir, `${objectName(inv, h)}.mnt`),
    utsNs: (h) => path.join(nsDir, `${objectName(inv, h)}.uts`),
    netNs: (h) => `/run/netns/${objectName(inv, h)}`,
    image: (h) => path.join(diskDir, `${objectName(inv, h)}.img`),
    diskMount: (h) => path.join(mountDir, objectName(inv, h)),
  };
}
