// The AWS testbed's CloudFormation side: deploy (create or update), status, teardown.
//
// Credentials come only from the SDK's default provider chain (env, shared config/SSO, instance
// role): nothing here reads, accepts, prints or logs a credential. Clients are made by small
// factories taking { region, endpoint } and can be injected (kafkajs-style), so tests point them at a
// local moto server and nothing in a test can reach real AWS.

import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeInstancesCommand,
  EC2Client,
  TerminateInstancesCommand,
  waitUntilInstanceTerminated,
  type Instance,
} from '@aws-sdk/client-ec2';
import { ForeshockError, UserError } from '../../core/errors.ts';

export const STACK_TAG = 'foreshock:stack';
export const ROLE_TAG = 'foreshock:role';
/** The inventory host name an instance serves as (web, db, kafka, analysis, client-<n>, bastion). */
export const HOST_TAG = 'foreshock:host';
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_TIMEOUT_S = 1800;
/** CloudFormation refuses a TemplateBody above this; a bigger template has to go through S3. */
const MAX_TEMPLATE_BODY_BYTES = 51_200;
const PROGRESS_EVERY_MS = 10_000;

export interface AwsTarget {
  region?: string;
  /** e.g. http://127.0.0.1:5000 for moto or localstack; unset means the real AWS endpoint. */
  endpoint?: string;
}

/** Injected dependencies: anything not given is made by the factories below. */
export interface AwsClients {
  cfn?: CloudFormationClient;
  ec2?: EC2Client;
}

export type Log = (line: string) => void;

// The SDK warns on every Node 20 process that future releases will need Node 22; foreshock supports
// Node 20 (package.json engines), and the multi-line warning would break the CLI's one-line stderr
// contract. Respect an explicit setting either way.
function quietSdk(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

export function createCloudFormationClient(t: AwsTarget = {}): CloudFormationClient {
  quietSdk();
  return new CloudFormationClient({
    ...(t.region ? { region: t.region } : {}),
    ...(t.endpoint ? { endpoint: t.endpoint } : {}),
  });
}

export function createEc2Client(t: AwsTarget = {}): EC2Client {
  quietSdk();
  return new EC2Client({
    ...(t.region ? { region: t.region } : {}),
    ...(t.endpoint ? { endpoint: t.endpoint } : {}),
  });
}

/**
 * The region to use: the explicit one, else what the SDK's provider chain finds (AWS_REGION, the
 * shared config profile), else us-east-1 — so a fresh machine without config still works.
 */
export async function resolveRegion(explicit?: string): Promise<string> {
  if (explicit) return explicit;
  quietSdk();
  try {
    const region = await new CloudFormationClient({}).config.region();
    if (region) return region;
  } catch {
    // No region anywhere in the chain: fall through to the default.
  }
  return DEFAULT_REGION;
}

/** CloudFormation's own rule, checked here so a typo fails in one line before any API call. */
export function validateStackName(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)) {
    throw new UserError(
      `stack name ${JSON.stringify(name)}: must start with a letter and hold only letters, digits and '-' (at most 128 characters)`,
    );
  }
  return name;
}

function clientsFor(o: AwsTarget & { clients?: AwsClients }): {
  cfn: CloudFormationClient;
  ec2: EC2Client;
} {
  return {
    cfn: o.clients?.cfn ?? createCloudFormationClient(o),
    ec2: o.clients?.ec2 ?? createEc2Client(o),
  };
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : '';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A throttled or 5xx SDK error may go away; a validation error will not. */
function sdkRetriable(err: unknown): boolean {
  const e = err as { $retryable?: unknown; $fault?: string };
  return e.$retryable !== undefined || e.$fault === 'server';
}

function isMissingStack(err: unknown): boolean {
  return errorName(err) === 'ValidationError' && /does not exist/.test(errorMessage(err));
}

async function describeStack(cfn: CloudFormationClient, stackName: string): Promise<Stack | null> {
  try {
    const r = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = r.Stacks?.[0];
    // A deleted stack is only reachable by its id, but treat one as absent if it ever shows up.
    if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return null;
    return stack;
  } catch (err) {
    if (isMissingStack(err)) return null;
    throw new ForeshockError(`stack ${stackName}: DescribeStacks failed: ${errorMessage(err)}`, {
      retriable: sdkRetriable(err),
      cause: err,
    });
  }
}

function outputsOf(stack: Stack): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of stack.Outputs ?? []) {
    if (o.OutputKey !== undefined && o.OutputValue !== undefined) out[o.OutputKey] = o.OutputValue;
  }
  return out;
}

export interface StackState {
  status: string;
  outputs: Record<string, string>;
}

export async function stackStatus(
  o: AwsTarget & { stackName: string; clients?: AwsClients },
): Promise<StackState | null> {
  validateStackName(o.stackName);
  const cfn = o.clients?.cfn ?? createCloudFormationClient(o);
  const stack = await describeStack(cfn, o.stackName);
  return stack ? { status: stack.StackStatus ?? 'UNKNOWN', outputs: outputsOf(stack) } : null;
}

/**
 * Why the last operation failed: the earliest *_FAILED event of a resource (the root cause; later
 * ones are usually "Resource creation cancelled"), else the stack's own failure reason.
 */
export async function firstFailureReason(
  cfn: CloudFormationClient,
  stackName: string,
): Promise<string | null> {
  const events: StackEvent[] = [];
  try {
    let token: string | undefined;
    // Newest first; a few pages cover one operation, and stop at the operation's "User Initiated" start.
    for (let page = 0; page < 5; page++) {
      const r = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken: token }));
      events.push(...(r.StackEvents ?? []));
      const started = (r.StackEvents ?? []).some(
        (e) => e.LogicalResourceId === stackName && e.ResourceStatusReason === 'User Initiated',
      );
      token = r.NextToken;
      if (started || !token) break;
    }
  } catch {
    return null; // The reason is a nicety on top of an error already being reported.
  }
  const start = events.findIndex(
    (e) => e.LogicalResourceId === stackName && e.ResourceStatusReason === 'User Initiated',
  );
  const current = start >= 0 ? events.slice(0, start + 1) : events;
  const failed = current.filter((e) => /_FAILED$/.test(e.ResourceStatus ?? '') && e.ResourceStatusReason);
  const resource = failed.filter((e) => e.LogicalResourceId !== stackName).at(-1);
  const chosen = resource ?? failed.at(-1);
  if (!chosen) return null;
  return chosen.LogicalResourceId === stackName
    ? (chosen.ResourceStatusReason ?? null)
    : `${chosen.LogicalResourceId} (${chosen.ResourceType}): ${chosen.ResourceStatusReason}`;
}

/** Logs the stack status every ~10 s while `work` runs, so a 15-minute create is not silent. */
async function withProgress<T>(
  cfn: CloudFormationClient,
  stackName: string,
  log: Log | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (!log) return work();
  const started = Date.now();
  const timer = setInterval(() => {
    describeStack(cfn, stackName).then(
      (s) =>
        log(
          `stack ${stackName}: ${s?.StackStatus ?? 'gone'} (${Math.round((Date.now() - started) / 1000)} s)`,
        ),
      () => undefined, // A failed progress poll is not worth reporting; the waiter reports real failures.
    );
  }, PROGRESS_EVERY_MS);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Waiter timing: the SDK requires maxWaitTime > minDelay, so a short timeout (tests, moto) shrinks the
 * poll delays instead of being refused.
 */
export function waiterTimes(
  timeoutS: number,
  minDelayS: number,
  maxDelayS: number,
): { maxWaitTime: number; minDelay: number; maxDelay: number } {
  const minDelay = Math.max(1, Math.min(minDelayS, Math.floor(timeoutS / 2)));
  const maxDelay = Math.max(minDelay, Math.min(maxDelayS, timeoutS));
  return { maxWaitTime: Math.max(timeoutS, minDelay + 1), minDelay, maxDelay };
}

type Waiter = typeof waitUntilStackCreateComplete;

async function waitFor(
  waiter: Waiter,
  what: string,
  cfn: CloudFormationClient,
  stackName: string,
  timeoutS: number,
  log: Log | undefined,
): Promise<Stack> {
  let waitErr: unknown;
  try {
    await withProgress(cfn, stackName, log, () =>
      waiter({ client: cfn, ...waiterTimes(timeoutS, 5, 30) }, { StackName: stackName }),
    );
  } catch (err) {
    waitErr = err;
  }
  const stack = await describeStack(cfn, stackName);
  const status = stack?.StackStatus ?? 'gone';
  if (waitErr === undefined && stack) return stack;
  if (errorName(waitErr) === 'TimeoutError' || /IN_PROGRESS$/.test(status)) {
    throw new ForeshockError(
      `stack ${stackName}: ${what} did not finish within ${timeoutS} s (status ${status}); ` +
        `it may still complete: check with \`foreshock aws status\``,
      { retriable: true, cause: waitErr },
    );
  }
  const reason = await firstFailureReason(cfn, stackName);
  // A failed create/update is the template's or the parameters' fault, which the user fixes.
  throw new UserError(
    `stack ${stackName}: ${what} failed, status ${status}` + (reason ? `: ${reason}` : ''),
    { cause: waitErr },
  );
}

export interface DeployOptions extends AwsTarget {
  stackName: string;
  templateBody: string;
  parameters: Record<string, string>;
  /** Waiter limit for the create or update (default 1800 s). */
  timeoutS?: number;
  log?: Log;
  clients?: AwsClients;
}

export interface DeployResult {
  stackName: string;
  action: 'created' | 'updated' | 'unchanged';
  status: string;
  outputs: Record<string, string>;
}

/**
 * Create the stack, or update it if it exists ("No updates are to be performed" is success).
 * IAM capabilities are acknowledged because the foreshock template may define an instance role;
 * this deploys only the template the caller names.
 */
export async function deployStack(o: DeployOptions): Promise<DeployResult> {
  const stackName = validateStackName(o.stackName);
  if (Buffer.byteLength(o.templateBody, 'utf8') > MAX_TEMPLATE_BODY_BYTES) {
    throw new UserError(
      `stack ${stackName}: template is ${Buffer.byteLength(o.templateBody, 'utf8')} bytes; CloudFormation takes at most ${MAX_TEMPLATE_BODY_BYTES} inline`,
    );
  }
  const timeoutS = o.timeoutS ?? DEFAULT_TIMEOUT_S;
  const { cfn } = clientsFor(o);
  const params = Object.entries(o.parameters).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
  const common = {
    StackName: stackName,
    TemplateBody: o.templateBody,
    Parameters: params,
    Capabilities: ['CAPABILITY_IAM' as const, 'CAPABILITY_NAMED_IAM' as const],
    Tags: [{ Key: STACK_TAG, Value: stackName }],
  };

  const existing = await describeStack(cfn, stackName);
  if (existing?.StackStatus === 'ROLLBACK_COMPLETE' || existing?.StackStatus === 'ROLLBACK_FAILED') {
    // CloudFormation cannot update a stack whose creation failed; it has to be deleted first.
    throw new UserError(
      `stack ${stackName} is in ${existing.StackStatus} (its creation failed); run \`foreshock aws teardown\` first`,
    );
  }
  if (existing && /IN_PROGRESS$/.test(existing.StackStatus ?? '')) {
    throw new ForeshockError(
      `stack ${stackName} is busy (${existing.StackStatus}); try again when it settles`,
      {
        retriable: true,
      },
    );
  }

  const rejected = (err: unknown, op: string): ForeshockError =>
    sdkRetriable(err)
      ? new ForeshockError(`stack ${stackName}: ${op} failed: ${errorMessage(err)}`, {
          retriable: true,
          cause: err,
        })
      : new UserError(`stack ${stackName}: ${op} rejected: ${errorName(err)}: ${errorMessage(err)}`, {
          cause: err,
        });

  if (!existing) {
    o.log?.(`stack ${stackName}: creating`);
    try {
      await cfn.send(new CreateStackCommand(common));
    } catch (err) {
      throw rejected(err, 'CreateStack');
    }
    const stack = await waitFor(waitUntilStackCreateComplete, 'create', cfn, stackName, timeoutS, o.log);
    return {
      stackName,
      action: 'created',
      status: stack.StackStatus ?? 'UNKNOWN',
      outputs: outputsOf(stack),
    };
  }

  o.log?.(`stack ${stackName}: exists (${existing.StackStatus}), updating`);
  try {
    await cfn.send(new UpdateStackCommand(common));
  } catch (err) {
    if (errorName(err) === 'ValidationError' && /No updates are to be performed/i.test(errorMessage(err))) {
      return {
        stackName,
        action: 'unchanged',
        status: existing.StackStatus ?? 'UNKNOWN',
        outputs: outputsOf(existing),
      };
    }
    throw rejected(err, 'UpdateStack');
  }
  const stack = await waitFor(waitUntilStackUpdateComplete, 'update', cfn, stackName, timeoutS, o.log);
  return { stackName, action: 'updated', status: stack.StackStatus ?? 'UNKNOWN', outputs: outputsOf(stack) };
}

/** Instances tagged with the stack, in the given states, all pages. */
async function taggedInstances(ec2: EC2Client, stackName: string, states: string[]): Promise<Instance[]> {
  const found: Instance[] = [];
  let token: string | undefined;
  do {
    const r = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${STACK_TAG}`, Values: [stackName] },
          { Name: 'instance-state-name', Values: states },
        ],
        NextToken: token,
      }),
    );
    for (const res of r.Reservations ?? []) found.push(...(res.Instances ?? []));
    token = r.NextToken;
  } while (token);
  return found;
}

/** Instances tagged with the stack that are not terminated (pending, running, stopping, stopped, shutting-down). */
export function liveTaggedInstances(ec2: EC2Client, stackName: string): Promise<Instance[]> {
  return taggedInstances(ec2, stackName, ['pending', 'running', 'stopping', 'stopped', 'shutting-down']);
}

/** Running instances tagged with the stack (what serves now: replace-host's replacements included). */
export function runningTaggedInstances(ec2: EC2Client, stackName: string): Promise<Instance[]> {
  return taggedInstances(ec2, stackName, ['running']);
}

/** Terminate the given instances and wait until they are gone; returns their ids. */
export async function terminateAndWait(ec2: EC2Client, ids: string[], timeoutS: number): Promise<void> {
  if (ids.length === 0) return;
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
  await waitUntilInstanceTerminated({ client: ec2, ...waiterTimes(timeoutS, 5, 15) }, { InstanceIds: ids });
}

export interface TeardownResult {
  stackName: string;
  /** False when there was no stack (teardown still sweeps tagged instances). */
  stackDeleted: boolean;
  /** Instances tagged with the stack that CloudFormation did not own (e.g. replace-host's), terminated here. */
  terminated: string[];
}

export async function teardownStack(
  o: AwsTarget & { stackName: string; timeoutS?: number; log?: Log; clients?: AwsClients },
): Promise<TeardownResult> {
  const stackName = validateStackName(o.stackName);
  const timeoutS = o.timeoutS ?? DEFAULT_TIMEOUT_S;
  const { cfn, ec2 } = clientsFor(o);
  const terminated: string[] = [];

  const sweep = async (which: (i: Instance) => boolean, when: string): Promise<void> => {
    const ids = (await liveTaggedInstances(ec2, stackName))
      .filter(which)
      .map((i) => i.InstanceId)
      .filter((id): id is string => id !== undefined);
    if (ids.length === 0) return;
    o.log?.(`stack ${stackName}: terminating ${ids.length} instance(s) ${when}: ${ids.join(', ')}`);
    try {
      await terminateAndWait(ec2, ids, timeoutS);
    } catch (err) {
      throw new ForeshockError(
        `stack ${stackName}: terminating ${ids.join(', ')} failed: ${errorMessage(err)}`,
        { retriable: true, cause: err },
      );
    }
    terminated.push(...ids.filter((id) => !terminated.includes(id)));
  };

  // First the instances CloudFormation does not own (no aws:cloudformation tag; e.g. replace-host's
  // replacements): they sit in the stack's subnet and security groups, so on real AWS they would
  // make DeleteStack fail with DependencyViolation after a long wait.
  await sweep(
    (i) => !(i.Tags ?? []).some((t) => t.Key === 'aws:cloudformation:stack-name'),
    'outside the stack',
  );

  const existing = await describeStack(cfn, stackName);
  if (existing) {
    o.log?.(`stack ${stackName}: deleting (${existing.StackStatus})`);
    try {
      await cfn.send(new DeleteStackCommand({ StackName: stackName }));
    } catch (err) {
      throw new ForeshockError(`stack ${stackName}: DeleteStack failed: ${errorMessage(err)}`, {
        retriable: sdkRetriable(err),
        cause: err,
      });
    }
    let waitErr: unknown;
    try {
      await withProgress(cfn, stackName, o.log, () =>
        waitUntilStackDeleteComplete(
          { client: cfn, ...waiterTimes(timeoutS, 5, 30) },
          { StackName: stackName },
        ),
      );
    } catch (err) {
      waitErr = err;
    }
    const after = await describeStack(cfn, stackName);
    if (after) {
      const reason = await firstFailureReason(cfn, stackName);
      throw new ForeshockError(
        `stack ${stackName}: delete did not finish, status ${after.StackStatus}` +
          (reason ? `: ${reason}` : ''),
        { retriable: true, cause: waitErr },
      );
    }
  }

  // Then verify: nothing tagged with the stack may survive it (whatever CloudFormation missed).
  await sweep(() => true, 'left after the stack');
  return { stackName, stackDeleted: existing !== null, terminated };
}
