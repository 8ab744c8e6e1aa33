// The inventory as it is now, not as the stack was created: after `foreshock aws replace-host` the
// CloudFormation outputs still hold the replaced instance's private IP, so each host's address is
// taken from the running instance tagged `foreshock:host=<name>` (replace-host copies that tag to the
// replacement). A host no running instance is tagged for (a stack deployed before the tag existed)
// keeps its output address. Pure: the caller lists the instances (runningTaggedInstances).

import type { EC2Client, Instance } from '@aws-sdk/client-ec2';
import { ForeshockError, UserError } from '../../core/errors.ts';
import { HOST_TAG, runningTaggedInstances } from './cloudformation.ts';
import type { AwsInventory } from './inventory.ts';

export interface LiveHostSource {
  name: string;
  /** The address in the stack's outputs. */
  outputIp: string;
  /** The address in use: the tagged running instance's, else the output's. */
  ip: string;
  /** The running instance tagged for this host; undefined when the output address is used. */
  instanceId?: string;
}

export interface LiveInventory {
  inventory: AwsInventory;
  /** Hosts whose live address is not the output's (replaced since the stack was deployed). */
  changed: LiveHostSource[];
}

/** The value of an instance's tag `key`, if it has one. */
export const tagOf = (i: Instance, key: string): string | undefined =>
  i.Tags?.find((t) => t.Key === key)?.Value;

/**
 * `inv` (from the outputs) with each host's IP taken from the running instance tagged with its
 * name in `foreshock:host`. Instances not in the running state, and tags naming no host of the
 * inventory, are ignored; two running instances tagged for one host are a UserError naming both.
 */
export function resolveLiveInventory(inv: AwsInventory, instances: readonly Instance[]): LiveInventory {
  const byHost = new Map<string, Instance[]>();
  for (const i of instances) {
    if (i.State?.Name !== undefined && i.State.Name !== 'running') continue;
    const host = tagOf(i, HOST_TAG);
    if (host === undefined) continue;
    byHost.set(host, [...(byHost.get(host) ?? []), i]);
  }
  const hosts: LiveHostSource[] = inv.hosts.map((h) => {
    const tagged = byHost.get(h.name) ?? [];
    if (tagged.length > 1) {
      throw new UserError(
        `stack ${inv.stackName}: ${tagged.length} running instances are tagged ${HOST_TAG}=${h.name} ` +
          `(${tagged.map((i) => `${i.InstanceId ?? '?'} ${i.PrivateIpAddress ?? '?'}`).join(', ')}); ` +
          'is a replace-host still running? Terminate the one that should not serve',
      );
    }
    const inst = tagged[0];
    if (!inst) return { name: h.name, outputIp: h.ip, ip: h.ip };
    if (!inst.PrivateIpAddress) {
      throw new ForeshockError(
        `stack ${inv.stackName}: ${h.name} instance ${inst.InstanceId ?? '?'} has no private IP yet`,
        { retriable: true },
      );
    }
    return {
      name: h.name,
      outputIp: h.ip,
      ip: inst.PrivateIpAddress,
      ...(inst.InstanceId !== undefined ? { instanceId: inst.InstanceId } : {}),
    };
  });
  const ipOf = new Map(hosts.map((h) => [h.name, h.ip]));
  return {
    inventory: { ...inv, hosts: inv.hosts.map((h) => ({ ...h, ip: ipOf.get(h.name) ?? h.ip })) },
    changed: hosts.filter((h) => h.ip !== h.outputIp),
  };
}

/** Lists the stack's running instances and resolves `inv` against them. */
export async function readLiveInventory(ec2: EC2Client, inv: AwsInventory): Promise<LiveInventory> {
  return resolveLiveInventory(inv, await runningTaggedInstances(ec2, inv.stackName));
}
