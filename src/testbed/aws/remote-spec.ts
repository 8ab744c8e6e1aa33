// The remote stack spec (src/stack/remote-spec.ts) of a deployed AWS testbed: the hosts from the
// CloudFormation stack's outputs, each at the address of the running instance tagged for it
// (live-inventory.ts: after replace-host the outputs are stale), SSH through its bastion as the Debian AMI's login user with the
// key pair's private key, host keys pinned by `foreshock aws known-hosts`, and the paths the user
// data set up (user-data.ts AWS_HOST_LAYOUT).

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import { validateRemoteSpec, type RemoteStackSpec } from '../../stack/remote-spec.ts';
import { createEc2Client, stackStatus, type AwsClients, type AwsTarget } from './cloudformation.ts';
import { inventoryFromOutputs, type AwsInventory } from './inventory.ts';
import { readLiveInventory } from './live-inventory.ts';
import { AWS_HOST_LAYOUT, AWS_PORTS, AWS_SSH_USER } from './user-data.ts';

/** The known_hosts file `foreshock aws known-hosts` writes for a stack by default. */
export function defaultKnownHostsFile(stackName: string): string {
  return path.join(homedir(), '.foreshock', 'aws', stackName, 'known_hosts');
}

export interface AwsSshOptions {
  /** The private key of the stack's EC2 key pair (KeyName). */
  privateKeyFile: string;
  /** Default: defaultKnownHostsFile(stack). */
  knownHostsFile?: string;
  /** Default: the Debian AMI's `admin`. */
  username?: string;
}

/** The remote stack spec of a deployed stack's inventory (pure: no AWS call, no file read). */
export function remoteSpecFromInventory(inv: AwsInventory, ssh: AwsSshOptions): RemoteStackSpec {
  const username = ssh.username ?? AWS_SSH_USER;
  return validateRemoteSpec(
    {
      hosts: inv.hosts.map((h) => ({ name: h.name, address: h.ip })),
      ssh: {
        username,
        privateKeyFile: path.resolve(ssh.privateKeyFile),
        knownHostsFile: path.resolve(ssh.knownHostsFile ?? defaultKnownHostsFile(inv.stackName)),
        jump: { address: inv.bastion, username },
      },
      repoDir: AWS_HOST_LAYOUT.repoDir,
      workDir: AWS_HOST_LAYOUT.workDir,
      node: AWS_HOST_LAYOUT.node,
      dbAdmin: [...AWS_HOST_LAYOUT.dbAdmin],
      ports: { ...AWS_PORTS },
    },
    `stack ${inv.stackName}`,
  );
}

/**
 * Reads the stack's outputs and its running tagged instances (the live addresses) and builds its
 * remote stack spec; clear errors for what is missing.
 */
export async function awsRemoteSpec(
  o: AwsTarget & AwsSshOptions & { stackName: string; clients?: AwsClients },
): Promise<RemoteStackSpec> {
  if (!existsSync(o.privateKeyFile))
    throw new UserError(
      `--ssh-key ${o.privateKeyFile}: no such file (the private key of the stack's key pair)`,
    );
  const known = o.knownHostsFile ?? defaultKnownHostsFile(o.stackName);
  if (!existsSync(known))
    throw new UserError(
      `no pinned host keys for stack ${o.stackName} at ${known}: run \`foreshock aws known-hosts --stack-name ${o.stackName}\` first`,
    );
  const state = await stackStatus(o);
  if (!state) throw new UserError(`stack ${o.stackName} does not exist (run \`foreshock aws deploy\` first)`);
  if (!/_COMPLETE$/.test(state.status) || /ROLLBACK|DELETE/.test(state.status))
    throw new UserError(`stack ${o.stackName} is ${state.status}, not deployed`);
  const ec2 = o.clients?.ec2 ?? createEc2Client(o);
  const live = await readLiveInventory(ec2, inventoryFromOutputs(o.stackName, state.outputs));
  return remoteSpecFromInventory(live.inventory, { ...o, knownHostsFile: known });
}
