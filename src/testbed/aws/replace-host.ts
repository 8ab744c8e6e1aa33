// Replace one testbed host with a fresh instance (the "fix" of a fault that needs a new machine):
// launch the replacement from the stack's launch template into the same subnet and role security
// group, wait until it runs and the caller's health check passes, and only then terminate the old
// one. The timings are part of the measured fix time, so the clock is injected.

import {
  DescribeInstancesCommand,
  RunInstancesCommand,
  waitUntilInstanceRunning,
  type EC2Client,
  type Instance,
  type Tag,
} from '@aws-sdk/client-ec2';
import { ForeshockError, UserError } from '../../core/errors.ts';
import {
  DEFAULT_TIMEOUT_S,
  HOST_TAG,
  ROLE_TAG,
  STACK_TAG,
  createCloudFormationClient,
  createEc2Client,
  stackStatus,
  terminateAndWait,
  validateStackName,
  waiterTimes,
  type AwsClients,
  type AwsTarget,
  type Log,
} from './cloudformation.ts';
import { SG_ROLES, inventoryFromOutputs, type SgRole } from './inventory.ts';

export const REPLACES_TAG = 'foreshock:replaces';

/** What a health check may need besides the new instance's private IP. */
export interface HealthCheckContext {
  role: SgRole;
  /** The new instance. */
  instanceId: string;
  /** The instance being replaced, and its private IP (its known_hosts lines are stale now). */
  oldId: string;
  oldIp?: string;
}

export interface ReplaceHostOptions extends AwsTarget {
  stackName: string;
  role: string;
  /** Replaces the launch template's user data for the new instance (plain text; encoded here). */
  userData?: string;
  /** Limit for each wait: running, healthy, old one terminated (default 1800 s). */
  timeoutS?: number;
  /**
   * Is the service on the new host up? Polled every `healthPollMs` until true or the timeout. The
   * default answers true at once, so without a real check healthyMs only measures "instance running":
   * callers measuring a fix pass a real service probe (e.g. health.ts setupFinishedProbe, or an
   * HTTP GET through the bastion). A rejection aborts the replacement (the new instance is removed).
   */
  healthy?: (ip: string, ctx: HealthCheckContext) => Promise<boolean>;
  healthPollMs?: number;
  log?: Log;
  clients?: AwsClients;
  /** Injected clock (ms) for the timings; default Date.now. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ReplaceHostResult {
  oldId: string;
  newId: string;
  newIp: string;
  /** From the start until the new instance is running. */
  launchedMs: number;
  /** From the start until the health check passed. */
  healthyMs: number;
  /** From the start until the old instance is terminated. */
  totalMs: number;
}

/**
 * `role` if it is one replace-host can replace, else a UserError. The bastion has no security group
 * output in the template contract, and its public IP is what users connect to; replacing it is a
 * stack update, not a host replacement.
 */
export function checkSgRole(role: string): SgRole {
  if (!(SG_ROLES as readonly string[]).includes(role))
    throw new UserError(`--role ${role}: must be one of ${SG_ROLES.join(', ')}`);
  return role as SgRole;
}

async function describeOne(ec2: EC2Client, id: string): Promise<Instance | undefined> {
  const r = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return r.Reservations?.[0]?.Instances?.[0];
}

export async function replaceHost(o: ReplaceHostOptions): Promise<ReplaceHostResult> {
  const stackName = validateStackName(o.stackName);
  const role = checkSgRole(o.role);
  const timeoutS = o.timeoutS ?? DEFAULT_TIMEOUT_S;
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const healthy = o.healthy ?? (() => Promise.resolve(true));
  const cfn = o.clients?.cfn ?? createCloudFormationClient(o);
  const ec2 = o.clients?.ec2 ?? createEc2Client(o);

  const state = await stackStatus({ stackName, clients: { cfn } });
  if (!state) throw new UserError(`stack ${stackName} does not exist (deploy it first)`);
  const inv = inventoryFromOutputs(stackName, state.outputs);

  const current = await ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: `tag:${STACK_TAG}`, Values: [stackName] },
        { Name: `tag:${ROLE_TAG}`, Values: [role] },
        { Name: 'instance-state-name', Values: ['running'] },
      ],
    }),
  );
  const running = (current.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  if (running.length !== 1) {
    throw new UserError(
      `stack ${stackName}: expected exactly one running ${role} instance, found ${running.length}` +
        (running.length > 0 ? ` (${running.map((i) => i.InstanceId).join(', ')})` : ''),
    );
  }
  const old = running[0]!;
  const oldId = old.InstanceId!;
  // Keep the old instance's own tags (Name, role, stack, ...) but not the aws: ones, which are
  // reserved, nor an earlier foreshock:replaces.
  const tags: Tag[] = (old.Tags ?? []).filter(
    (t) => t.Key !== undefined && !t.Key.startsWith('aws:') && t.Key !== REPLACES_TAG,
  );
  tags.push({ Key: REPLACES_TAG, Value: oldId });
  // The host name the replacement serves as: the old instance's tag (copied above), else, on a stack
  // deployed before the tag existed, the role for the one-instance roles and the client host at the
  // old instance's address. live-inventory.ts takes the host's address from this tag.
  const hostName =
    role !== 'client'
      ? role
      : inv.hosts.find((h) => h.role === 'client' && h.ip === old.PrivateIpAddress)?.name;
  for (const must of [
    { Key: STACK_TAG, Value: stackName },
    { Key: ROLE_TAG, Value: role },
    ...(hostName !== undefined ? [{ Key: HOST_TAG, Value: hostName }] : []),
  ]) {
    if (!tags.some((t) => t.Key === must.Key)) tags.push(must);
  }

  const t0 = now();
  o.log?.(`${role}: launching a replacement for ${oldId} from ${inv.launchTemplateId}`);
  let newId: string | undefined;
  try {
    const run = await ec2.send(
      new RunInstancesCommand({
        MinCount: 1,
        MaxCount: 1,
        LaunchTemplate: { LaunchTemplateId: inv.launchTemplateId, Version: '$Latest' },
        // The old instance's type, not the template's default: kafka runs on KafkaInstanceType.
        ...(old.InstanceType ? { InstanceType: old.InstanceType } : {}),
        SubnetId: inv.subnetId,
        SecurityGroupIds: [inv.securityGroups[role]],
        ...(o.userData !== undefined ? { UserData: Buffer.from(o.userData, 'utf8').toString('base64') } : {}),
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tags },
          { ResourceType: 'volume', Tags: tags },
        ],
      }),
    );
    newId = run.Instances?.[0]?.InstanceId;
  } catch (err) {
    throw new ForeshockError(`${role}: RunInstances failed: ${(err as Error).message}`, {
      retriable: (err as { $fault?: string }).$fault === 'server',
      cause: err,
    });
  }
  if (!newId) throw new ForeshockError(`${role}: RunInstances returned no instance id`);

  let launched: { newIp: string; launchedMs: number };
  let healthyMs: number;
  try {
    await waitUntilInstanceRunning(
      { client: ec2, ...waiterTimes(timeoutS, 5, 15) },
      { InstanceIds: [newId] },
    );
    const launchedMs = now() - t0;
    const newIp = (await describeOne(ec2, newId))?.PrivateIpAddress;
    if (!newIp)
      throw new ForeshockError(`${role}: new instance ${newId} has no private IP`, { retriable: true });
    o.log?.(`${role}: ${newId} running at ${newIp} after ${launchedMs} ms; waiting until healthy`);

    const pollMs = o.healthPollMs ?? 2000;
    const ctx: HealthCheckContext = {
      role,
      instanceId: newId,
      oldId,
      ...(old.PrivateIpAddress ? { oldIp: old.PrivateIpAddress } : {}),
    };
    while (!(await healthy(newIp, ctx))) {
      if (now() - t0 > timeoutS * 1000) {
        throw new ForeshockError(
          `${role}: new instance ${newId} (${newIp}) not healthy within ${timeoutS} s`,
          {
            retriable: true,
          },
        );
      }
      await sleep(pollMs);
    }
    healthyMs = now() - t0;
    launched = { newIp, launchedMs };
  } catch (err) {
    // Never leave an orphan: the new instance is not in the stack, so nothing else would remove it
    // (teardown would, but only at the end of the run).
    o.log?.(`${role}: replacement failed (${(err as Error).message}); terminating ${newId}`);
    try {
      await terminateAndWait(ec2, [newId], timeoutS);
    } catch (cleanupErr) {
      o.log?.(
        `${role}: could not terminate ${newId}: ${(cleanupErr as Error).message} (teardown will sweep it by tag)`,
      );
    }
    throw err;
  }

  // The new host serves from here on, so a failure to remove the old one must not touch the new one.
  o.log?.(`${role}: ${newId} healthy after ${healthyMs} ms; terminating ${oldId}`);
  try {
    await terminateAndWait(ec2, [oldId], timeoutS);
  } catch (err) {
    throw new ForeshockError(
      `${role}: replacement ${newId} is up, but terminating the old ${oldId} failed: ${(err as Error).message}`,
      { retriable: true, cause: err },
    );
  }
  const totalMs = now() - t0;
  o.log?.(`${role}: ${oldId} terminated; replacement done in ${totalMs} ms`);
  return { oldId, newId, ...launched, healthyMs, totalMs };
}
