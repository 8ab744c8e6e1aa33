// The AWS testbed code against a local moto server (never real AWS): deploy/update/status/teardown
// of a small stand-in template, replace-host, failure reporting, and the `foreshock aws` CLI.
// Fake credentials and the moto endpoint are set in this test process only (restored after).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ForeshockError, UserError } from '../../src/core/errors.ts';
import {
  createCloudFormationClient,
  createEc2Client,
  deployStack,
  liveTaggedInstances,
  stackStatus,
  teardownStack,
  validateStackName,
} from '../../src/testbed/aws/cloudformation.ts';
import { inventoryFromOutputs } from '../../src/testbed/aws/inventory.ts';
import { replaceHost, REPLACES_TAG } from '../../src/testbed/aws/replace-host.ts';
import { expectUserError, runCli, runCliAsync } from '../helpers/cli.ts';

const MINI = readFileSync('test/aws/fixtures/mini.yaml', 'utf8');
const PARAMS = { SshCidr: '10.1.2.3/32' };
const STACK = 'fs-moto-mini';

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const HAVE_MOTO = onPath('moto_server');
if (!HAVE_MOTO) console.warn('moto_server is not on PATH: skipping the AWS tests against moto');

const FAKE_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

let moto: ChildProcess | undefined;
let endpoint = '';
const savedEnv: Record<string, string | undefined> = {};

function setEnv(vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (!(k in savedEnv)) savedEnv[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

describe.skipIf(!HAVE_MOTO)('AWS testbed against moto', () => {
  const target = () => ({ region: 'us-east-1', endpoint });

  beforeAll(async () => {
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    // The endpoint variable too, so even a client made without `endpoint` cannot reach AWS.
    setEnv({ ...FAKE_ENV, AWS_ENDPOINT_URL: endpoint, AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null' });
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`${endpoint}/moto-api/`)).status < 500) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('moto_server did not answer within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    if (moto && moto.exitCode === null) {
      const exited = new Promise((r) => moto!.once('exit', r));
      moto.kill('SIGTERM');
      await exited;
    }
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('deploys the mini stack; status has the outputs; the inventory reads them', async () => {
    const lines: string[] = [];
    const r = await deployStack({
      ...target(),
      stackName: STACK,
      templateBody: MINI,
      parameters: PARAMS,
      timeoutS: 120,
      log: (l) => lines.push(l),
    });
    expect(r.action).toBe('created');
    expect(r.status).toBe('CREATE_COMPLETE');
    const st = await stackStatus({ ...target(), stackName: STACK });
    expect(st?.status).toBe('CREATE_COMPLETE');
    const inv = inventoryFromOutputs(STACK, st!.outputs);
    expect(inv.hosts.map((h) => h.name)).toEqual(['web', 'db', 'kafka', 'analysis', 'client-1', 'client-2']);
    expect(inv.launchTemplateId).toMatch(/^lt-/);
    expect(inv.subnetId).toMatch(/^subnet-/);
    expect(lines[0]).toMatch(/creating/);
  });

  it('deploys again with the same parameters (update path) without error', async () => {
    const r = await deployStack({
      ...target(),
      stackName: STACK,
      templateBody: MINI,
      parameters: PARAMS,
      timeoutS: 120,
    });
    // Real CloudFormation says "No updates are to be performed" (unchanged); moto updates anyway.
    expect(['updated', 'unchanged']).toContain(r.action);
    expect(r.status).toMatch(/^(UPDATE|CREATE)_COMPLETE$/);
    expect(r.outputs.LaunchTemplateId).toMatch(/^lt-/);
  });

  let replacement = '';
  it('replace-host: new web instance running with the tags, the old one terminated, timings', async () => {
    const ec2 = createEc2Client(target());
    const before = (await liveTaggedInstances(ec2, STACK)).filter((i) =>
      i.Tags?.some((t) => t.Key === 'foreshock:role' && t.Value === 'web'),
    );
    expect(before).toHaveLength(1);
    let clock = 1_000;
    const checked: string[] = [];
    const r = await replaceHost({
      ...target(),
      stackName: STACK,
      role: 'web',
      timeoutS: 120,
      userData: '#!/bin/sh\necho replaced\n',
      // A health check that passes on its second call, to exercise the polling.
      healthy: async (ip) => {
        checked.push(ip);
        return checked.length >= 2;
      },
      healthPollMs: 1,
      now: () => (clock += 100),
    });
    console.log(`replace-host against moto: ${JSON.stringify(r)}`);
    expect(r.oldId).toBe(before[0]!.InstanceId);
    expect(r.newId).not.toBe(r.oldId);
    expect(checked).toEqual([r.newIp, r.newIp]);
    expect(r.launchedMs).toBeGreaterThan(0);
    expect(r.healthyMs).toBeGreaterThan(r.launchedMs);
    expect(r.totalMs).toBeGreaterThan(r.healthyMs);
    const live = await liveTaggedInstances(ec2, STACK);
    const web = live.filter((i) => i.Tags?.some((t) => t.Key === 'foreshock:role' && t.Value === 'web'));
    expect(web.map((i) => i.InstanceId)).toEqual([r.newId]);
    expect(web[0]!.State?.Name).toBe('running');
    expect(web[0]!.PrivateIpAddress).toBe(r.newIp);
    const tags = Object.fromEntries((web[0]!.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({
      'foreshock:stack': STACK,
      'foreshock:role': 'web',
      [REPLACES_TAG]: r.oldId,
    });
    expect(live.some((i) => i.InstanceId === r.oldId)).toBe(false);
    replacement = r.newId;
  });

  it('replace-host: an unhealthy replacement is terminated, the old host kept', async () => {
    const ec2 = createEc2Client(target());
    const before = (await liveTaggedInstances(ec2, STACK)).map((i) => i.InstanceId).sort();
    let clock = 0;
    await expect(
      replaceHost({
        ...target(),
        stackName: STACK,
        role: 'db',
        timeoutS: 5,
        healthy: async () => false,
        healthPollMs: 1,
        now: () => (clock += 1000),
        sleep: async () => undefined,
      }),
    ).rejects.toThrow(/db: new instance i-\S+ \(\S+\) not healthy within 5 s/);
    const after = (await liveTaggedInstances(ec2, STACK)).map((i) => i.InstanceId).sort();
    expect(after).toEqual(before);
  });

  it('replace-host refuses a role without exactly one running instance, and the bastion', async () => {
    await expect(replaceHost({ ...target(), stackName: STACK, role: 'kafka' })).rejects.toThrow(
      /expected exactly one running kafka instance, found 0/,
    );
    await expect(replaceHost({ ...target(), stackName: STACK, role: 'bastion' })).rejects.toThrow(UserError);
    await expect(replaceHost({ ...target(), stackName: 'fs-absent', role: 'web' })).rejects.toThrow(
      /stack fs-absent does not exist/,
    );
  });

  it('a failing deploy names the stack and the reason', async () => {
    const err = await deployStack({
      ...target(),
      stackName: 'fs-moto-bad',
      templateBody: MINI,
      parameters: {}, // SshCidr has no default
      timeoutS: 60,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^stack fs-moto-bad: CreateStack rejected: .*SshCidr/);
    expect(await stackStatus({ ...target(), stackName: 'fs-moto-bad' })).toBeNull();
  });

  it('the CLI prints the inventory (aws status) and refuses SSH open to the world in one line', async () => {
    const r = await runCliAsync(['aws', 'status', '--stack-name', STACK, '--endpoint', endpoint], {
      env: { ...FAKE_ENV, AWS_ENDPOINT_URL: endpoint },
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { status: string; inventory: { hosts: { name: string }[] } };
    expect(out.status).toMatch(/_COMPLETE$/);
    expect(out.inventory.hosts.map((h) => h.name)).toContain('client-2');
    expect(r.stderr).toMatch(new RegExp(`^stack ${STACK}: \\S+_COMPLETE bastion=`));
    expect(r.stdout + r.stderr).not.toMatch(/testing/); // no credential echoed anywhere

    expectUserError(
      runCli(
        'aws',
        'deploy',
        '--ssh-cidr',
        '0.0.0.0/0',
        '--endpoint',
        endpoint,
        '--template',
        'test/aws/fixtures/mini.yaml',
      ),
      /--ssh-cidr 0\.0\.0\.0\/0: refusing to open SSH to the whole internet/,
    );
    expectUserError(
      runCli('aws', 'status', '--stack-name', '1bad', '--endpoint', endpoint),
      /stack name "1bad"/,
    );
  });

  it('teardown deletes the stack and terminates every instance tagged with it (the replacement too)', async () => {
    const lines: string[] = [];
    const r = await teardownStack({
      ...target(),
      stackName: STACK,
      timeoutS: 120,
      log: (l) => lines.push(l),
    });
    expect(r.stackDeleted).toBe(true);
    expect(r.terminated).toContain(replacement);
    expect(await stackStatus({ ...target(), stackName: STACK })).toBeNull();
    expect(await liveTaggedInstances(createEc2Client(target()), STACK)).toEqual([]);
    // Idempotent: a second teardown finds nothing.
    expect(await teardownStack({ ...target(), stackName: STACK, timeoutS: 60 })).toEqual({
      stackName: STACK,
      stackDeleted: false,
      terminated: [],
    });
  });

  // cfn/foreshock.yaml (written in parallel) cannot be created by moto 5.2.5; see docs/aws-provider.md.
  it.skipIf(!existsSync('cfn/foreshock.yaml'))(
    'cfn/foreshock.yaml on moto — SKIPPED, moto 5.2.5 cannot: (1) it resolves the SSM-typed ImageId *Default* ' +
      '(/aws/service/debian/release/12/latest/amd64) before applying the override, and that public parameter is ' +
      'not in its SSM store (creating it is refused: reserved name) -> HTTP 500; (2) its AWS::EC2::Instance ' +
      'ignores the LaunchTemplate property and needs ImageId on the instance -> KeyError ImageId',
    (ctx) => {
      ctx.skip();
    },
  );
});

describe('failure reporting (injected fake CloudFormation client)', () => {
  it('reports the stack, its status and the first failed resource event', async () => {
    let described = 0;
    const events = [
      { LogicalResourceId: 'fs', ResourceStatus: 'ROLLBACK_COMPLETE' },
      {
        LogicalResourceId: 'fs',
        ResourceStatus: 'ROLLBACK_IN_PROGRESS',
        ResourceStatusReason: 'The following resource(s) failed to create: [Db, Web].',
      },
      {
        LogicalResourceId: 'Web',
        ResourceType: 'AWS::EC2::Instance',
        ResourceStatus: 'CREATE_FAILED',
        ResourceStatusReason: 'Resource creation cancelled',
      },
      {
        LogicalResourceId: 'Db',
        ResourceType: 'AWS::EC2::Instance',
        ResourceStatus: 'CREATE_FAILED',
        ResourceStatusReason: "The image id '[ami-0]' does not exist",
      },
      {
        LogicalResourceId: 'fs',
        ResourceStatus: 'CREATE_IN_PROGRESS',
        ResourceStatusReason: 'User Initiated',
      },
      // An older operation's failure must not be blamed.
      {
        LogicalResourceId: 'Old',
        ResourceType: 'AWS::EC2::VPC',
        ResourceStatus: 'CREATE_FAILED',
        ResourceStatusReason: 'old',
      },
    ];
    const fake = {
      config: {},
      send: async (cmd: { constructor: { name: string } }) => {
        switch (cmd.constructor.name) {
          case 'DescribeStacksCommand':
            if (described++ === 0) {
              throw Object.assign(new Error('Stack with id fs does not exist'), { name: 'ValidationError' });
            }
            return { Stacks: [{ StackName: 'fs', StackStatus: 'ROLLBACK_COMPLETE' }] };
          case 'CreateStackCommand':
            return { StackId: 'arn:fs' };
          case 'DescribeStackEventsCommand':
            return { StackEvents: events };
          default:
            throw new Error(`unexpected ${cmd.constructor.name}`);
        }
      },
    } as unknown as CloudFormationClient;
    const err = await deployStack({
      stackName: 'fs',
      templateBody: '{}',
      parameters: {},
      timeoutS: 10,
      clients: { cfn: fake },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(
      "stack fs: create failed, status ROLLBACK_COMPLETE: Db (AWS::EC2::Instance): The image id '[ami-0]' does not exist",
    );
  });

  it('a timed-out wait is retriable and not a user error', async () => {
    let described = 0;
    const fake = {
      config: {},
      send: async (cmd: { constructor: { name: string } }) => {
        if (cmd.constructor.name === 'CreateStackCommand') return {};
        if (described++ === 0)
          throw Object.assign(new Error('Stack with id fs does not exist'), { name: 'ValidationError' });
        return { Stacks: [{ StackName: 'fs', StackStatus: 'CREATE_IN_PROGRESS' }] };
      },
    } as unknown as CloudFormationClient;
    const err = await deployStack({
      stackName: 'fs',
      templateBody: '{}',
      parameters: {},
      timeoutS: 1,
      clients: { cfn: fake },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForeshockError);
    expect(err).not.toBeInstanceOf(UserError);
    expect((err as ForeshockError).retriable).toBe(true);
    expect((err as Error).message).toMatch(
      /stack fs: create did not finish within 1 s \(status CREATE_IN_PROGRESS\)/,
    );
  });

  it('validates stack names like CloudFormation', () => {
    expect(validateStackName('foreshock-1')).toBe('foreshock-1');
    for (const bad of ['', '1abc', 'a_b', 'a'.repeat(129), 'a b'])
      expect(() => validateStackName(bad)).toThrow(UserError);
    expect(createCloudFormationClient).toBeTypeOf('function');
  });
});
