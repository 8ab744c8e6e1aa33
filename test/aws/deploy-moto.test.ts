// The AWS testbed code against a local moto server (never real AWS): deploy/update/status/teardown
// of a small stand-in template, replace-host, failure reporting, the `foreshock aws` CLI, and the
// real cfn/foreshock.yaml deployed, host-replaced and torn down through the CLI.
// Fake credentials and the moto endpoint are set in this test process only (restored after).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListStackResourcesCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CreateKeyPairCommand,
  DeleteRouteTableCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  DisassociateRouteTableCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { TEMPLATE_PATH } from '../../scripts/aws/render-template.ts';
import { ForeshockError, UserError } from '../../src/core/errors.ts';
import {
  createCloudFormationClient,
  createEc2Client,
  deployStack,
  HOST_TAG,
  liveTaggedInstances,
  ROLE_TAG,
  STACK_TAG,
  stackStatus,
  teardownStack,
  validateStackName,
} from '../../src/testbed/aws/cloudformation.ts';
import { inventoryFromOutputs, type AwsInventory } from '../../src/testbed/aws/inventory.ts';
import { replaceHost, REPLACES_TAG } from '../../src/testbed/aws/replace-host.ts';
import { awsRemoteSpec } from '../../src/testbed/aws/remote-spec.ts';
import { expectUserError, runCli, runCliAsync } from '../helpers/cli.ts';
import { haveMoto, motoCliEnv, MotoServer } from '../helpers/moto.ts';

const MINI = readFileSync('test/aws/fixtures/mini.yaml', 'utf8');
const PARAMS = { SshCidr: '10.1.2.3/32' };
const STACK = 'fs-moto-mini';

// For the real template: one of moto's built-in AMIs, published under an SSM name of our own.
const MOTO_AMI = 'ami-12c6146b';
const TEST_AMI_PARAMETER = '/foreshock/test/debian-12-ami';
const REAL_AMI_PARAMETER = '/aws/service/debian/release/12/latest/amd64';
const FULL_KEY = 'fs-moto-key';
const PRIVATE_SUBNET = /^172\.25\.1\.\d{1,3}$/;

/**
 * cfn/foreshock.yaml as moto 5.2.5 can create it, changed only where moto falls short (each change
 * must match, so a template edit that breaks one fails here rather than testing something else):
 * - moto resolves the SSM-typed ImageId *Default* before any override, and the Debian public
 *   parameter is reserved (PutParameter refuses /aws/...): the Default names our own parameter.
 * - moto turns a Number parameter into an integer and Fn::Equals compares it with the string
 *   '2' (false), so every HasClientN condition would be false: ClientCount becomes a String, which is
 *   how real CloudFormation compares it anyway.
 */
function motoCopyOfTemplate(text: string): string {
  const swaps: [string, string][] = [
    [`Default: ${REAL_AMI_PARAMETER}\n`, `Default: ${TEST_AMI_PARAMETER}\n`],
    ['  ClientCount:\n    Type: Number\n', '  ClientCount:\n    Type: String\n'],
  ];
  let out = text;
  for (const [from, to] of swaps) {
    if (out.split(from).length !== 2)
      throw new Error(`cfn/foreshock.yaml: expected exactly one ${JSON.stringify(from)}`);
    out = out.replace(from, to);
  }
  return out;
}

/** The logical ids under Resources: (two-space keys up to Outputs:). */
function templateResources(text: string): Record<string, true> {
  const body = text.slice(text.indexOf('\nResources:\n'), text.indexOf('\nOutputs:\n'));
  return Object.fromEntries([...body.matchAll(/^ {2}([A-Za-z0-9]+):$/gm)].map((m) => [m[1]!, true as const]));
}

/**
 * SSM PutParameter on moto, without an SSM client dependency: moto routes by the credential scope of
 * the (unchecked) SigV4 header, so a fake one naming "ssm" is enough. Never sent anywhere but moto.
 */
async function putMotoSsmParameter(motoEndpoint: string, name: string, value: string): Promise<void> {
  const r = await fetch(motoEndpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AmazonSSM.PutParameter',
      Authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({ Name: name, Value: value, Type: 'String', DataType: 'aws:ec2:image' }),
  });
  if (r.status !== 200) throw new Error(`moto PutParameter ${name}: HTTP ${r.status} ${await r.text()}`);
}

const tagOf = (i: Instance, key: string): string | undefined => i.Tags?.find((t) => t.Key === key)?.Value;

const HAVE_MOTO = haveMoto('the AWS tests against moto');

const moto = new MotoServer();
let endpoint = '';

describe.skipIf(!HAVE_MOTO)('AWS testbed against moto', () => {
  const target = () => ({ region: 'us-east-1', endpoint });

  beforeAll(async () => {
    // Sets the endpoint variable too, so even a client made without `endpoint` cannot reach AWS.
    endpoint = await moto.start();
  });

  afterAll(async () => {
    await moto.stop();
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
  let replacementIp = '';
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
      // The mini template tags no host (like a stack deployed before the tag): derived from the role.
      [HOST_TAG]: 'web',
    });
    expect(live.some((i) => i.InstanceId === r.oldId)).toBe(false);
    replacement = r.newId;
    replacementIp = r.newIp;
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
      env: motoCliEnv(endpoint),
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      status: string;
      outputs: Record<string, string>;
      inventory: AwsInventory;
      staleOutputs: { host: string; outputIp: string; liveIp: string; instanceId: string }[];
    };
    expect(out.status).toMatch(/_COMPLETE$/);
    expect(out.inventory.hosts.map((h) => h.name)).toContain('client-2');
    // web was replaced: the live inventory has the replacement (tagged by replace-host), the outputs
    // the old address; the untagged hosts keep their output addresses.
    expect(out.inventory.hosts.find((h) => h.name === 'web')?.ip).toBe(replacementIp);
    expect(out.outputs.WebPrivateIp).not.toBe(replacementIp);
    expect(out.inventory.hosts.find((h) => h.name === 'db')?.ip).toBe(out.outputs.DbPrivateIp);
    expect(out.staleOutputs).toEqual([
      { host: 'web', outputIp: out.outputs.WebPrivateIp, liveIp: replacementIp, instanceId: replacement },
    ]);
    expect(r.stderr).toMatch(/outputs stale after replace-host: web output \S+, live \S+ \(i-/);
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

  // The real template, deployed, inspected, host-replaced and torn down through the CLI. moto 5.2.5
  // needs three things done on the test's side, never in cfn/foreshock.yaml: an SSM parameter of
  // our own as the ImageId Default and ClientCount as a String (motoCopyOfTemplate), and the stack's
  // route tables removed before teardown. docs/aws.md "Tests against moto" has the details.
  describe.skipIf(!existsSync(TEMPLATE_PATH))('cfn/foreshock.yaml (the real template)', () => {
    const FULL = 'fs-moto-full';
    let dir = '';
    let templateFile = '';
    let outputs: Record<string, string> = {};
    let newDbIp = '';
    const cli = (...args: string[]) =>
      runCliAsync(['aws', ...args, '--stack-name', FULL, '--endpoint', endpoint, '--timeout-s', '60'], {
        env: motoCliEnv(endpoint),
      });

    beforeAll(async () => {
      await putMotoSsmParameter(endpoint, TEST_AMI_PARAMETER, MOTO_AMI);
      await createEc2Client(target()).send(new CreateKeyPairCommand({ KeyName: FULL_KEY }));
      dir = mkdtempSync(join(tmpdir(), 'foreshock-moto-cfn-'));
      templateFile = join(dir, 'foreshock.yaml');
      writeFileSync(templateFile, motoCopyOfTemplate(readFileSync(TEMPLATE_PATH, 'utf8')));
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('aws deploy creates every resource; aws status has the inventory', async () => {
      const d = await cli(
        'deploy',
        '--template',
        templateFile,
        '--ssh-cidr',
        '10.1.2.3/32',
        '--key-name',
        FULL_KEY,
        '--client-count',
        '2',
      );
      expect(d.code, d.stderr).toBe(0);
      expect(JSON.parse(d.stdout)).toMatchObject({ action: 'created', status: 'CREATE_COMPLETE' });

      // Every resource of the template but the clients ClientCount=2 leaves out.
      const res = await createCloudFormationClient(target()).send(
        new ListStackResourcesCommand({ StackName: FULL }),
      );
      const summaries = res.StackResourceSummaries ?? [];
      const declared = Object.keys(templateResources(readFileSync(templateFile, 'utf8')));
      expect(declared).toHaveLength(30);
      // moto lists the resources whose Condition is false (Client3..5) as blank entries.
      const named = summaries.filter((r) => r.LogicalResourceId);
      expect(named.map((r) => r.LogicalResourceId).sort()).toEqual(
        declared.filter((n) => !['Client3', 'Client4', 'Client5'].includes(n)).sort(),
      );
      expect(new Set(named.map((r) => r.ResourceStatus))).toEqual(new Set(['CREATE_COMPLETE']));

      const s = await cli('status');
      expect(s.code, s.stderr).toBe(0);
      const st = JSON.parse(s.stdout) as {
        status: string;
        outputs: Record<string, string>;
        inventory: AwsInventory;
      };
      expect(st.status).toBe('CREATE_COMPLETE');
      outputs = st.outputs;
      const inv = st.inventory;
      expect(inv.hosts.map((h) => h.name)).toEqual([
        'web',
        'db',
        'kafka',
        'analysis',
        'client-1',
        'client-2',
      ]);
      for (const h of inv.hosts) expect(h.ip, h.name).toMatch(PRIVATE_SUBNET);
      expect(new Set(inv.hosts.map((h) => h.ip)).size).toBe(6);
      expect(isIPv4(inv.bastion)).toBe(true);
      expect(inv.bastion).not.toMatch(PRIVATE_SUBNET);
      expect(inv.launchTemplateId).toMatch(/^lt-/);
      expect(inv.subnetId).toMatch(/^subnet-/);
      expect(new Set(Object.values(inv.securityGroups)).size).toBe(5); // one group per role
      expect(s.stderr).toMatch(new RegExp(`^stack ${FULL}: CREATE_COMPLETE bastion=`));
    });

    it('every instance carries foreshock:stack and foreshock:role, the AMI and its instance type', async () => {
      const live = await liveTaggedInstances(createEc2Client(target()), FULL);
      const byRole = (role: string) => live.filter((i) => tagOf(i, ROLE_TAG) === role);
      expect(live.map((i) => tagOf(i, ROLE_TAG)).sort()).toEqual(
        ['analysis', 'bastion', 'client', 'client', 'db', 'kafka', 'web'].sort(),
      );
      // foreshock:host names the inventory host each instance serves as, at the output's address.
      expect(live.map((i) => tagOf(i, HOST_TAG)).sort()).toEqual(
        ['analysis', 'bastion', 'client-1', 'client-2', 'db', 'kafka', 'web'].sort(),
      );
      const outputIp: Record<string, string | undefined> = {
        web: outputs.WebPrivateIp,
        db: outputs.DbPrivateIp,
        kafka: outputs.KafkaPrivateIp,
        analysis: outputs.AnalysisPrivateIp,
        'client-1': outputs.ClientPrivateIps?.split(',')[0],
        'client-2': outputs.ClientPrivateIps?.split(',')[1],
      };
      for (const i of live.filter((x) => tagOf(x, ROLE_TAG) !== 'bastion')) {
        expect(i.PrivateIpAddress, tagOf(i, HOST_TAG)).toBe(outputIp[tagOf(i, HOST_TAG)!]);
      }
      for (const i of live) {
        expect(tagOf(i, STACK_TAG), i.InstanceId).toBe(FULL);
        expect(i.State?.Name, i.InstanceId).toBe('running');
        expect(i.ImageId, i.InstanceId).toBe(MOTO_AMI);
        expect(i.InstanceType, i.InstanceId).toBe(tagOf(i, ROLE_TAG) === 'kafka' ? 't3.medium' : 't3.small');
      }
      const privateIps = live.filter((i) => tagOf(i, ROLE_TAG) !== 'bastion').map((i) => i.PrivateIpAddress);
      const inventoryIps = [
        outputs.WebPrivateIp,
        outputs.DbPrivateIp,
        outputs.KafkaPrivateIp,
        outputs.AnalysisPrivateIp,
        ...(outputs.ClientPrivateIps ?? '').split(','),
      ];
      expect(privateIps.sort()).toEqual(inventoryIps.sort());
      for (const i of live.filter((x) => tagOf(x, ROLE_TAG) !== 'bastion')) {
        expect(i.SubnetId, i.InstanceId).toBe(outputs.PrivateSubnetId);
      }
      expect(byRole('bastion')[0]?.PublicIpAddress).toBe(outputs.BastionPublicIp);
    });

    it("aws replace-host --role db launches from the real template's launch template", async () => {
      const ec2 = createEc2Client(target());
      const old = (await liveTaggedInstances(ec2, FULL)).filter((i) => tagOf(i, ROLE_TAG) === 'db');
      expect(old).toHaveLength(1);
      // With --ssh-key the health check's files are checked before anything is launched.
      const keyFile = join(dir, 'probe-key.pem');
      const noBastion = join(dir, 'known_hosts.empty');
      writeFileSync(keyFile, 'not a key\n', { mode: 0o600 });
      writeFileSync(noBastion, '', { mode: 0o600 });
      expectUserError(
        await cli(
          'replace-host',
          '--role',
          'db',
          '--ssh-key',
          join(dir, 'missing.pem'),
          '--known-hosts',
          noBastion,
        ),
        /--ssh-key \S+missing\.pem: cannot read \(ENOENT\)/,
      );
      expectUserError(
        await cli('replace-host', '--role', 'db', '--ssh-key', keyFile, '--known-hosts', noBastion),
        new RegExp(`no host key pinned for the bastion ${outputs.BastionPublicIp!.replaceAll('.', '\\.')}`),
      );
      expect((await liveTaggedInstances(ec2, FULL)).filter((i) => tagOf(i, ROLE_TAG) === 'db')).toEqual(old);

      const r = await cli('replace-host', '--role', 'db');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^db: the health check is only "instance running" \(pass --ssh-key/);
      const out = JSON.parse(r.stdout) as { oldId: string; newId: string; newIp: string; totalMs: number };
      expect(out.oldId).toBe(old[0]!.InstanceId);
      expect(out.newIp).toMatch(PRIVATE_SUBNET);
      const live = await liveTaggedInstances(ec2, FULL);
      expect(live.some((i) => i.InstanceId === out.oldId)).toBe(false);
      const db = live.filter((i) => tagOf(i, ROLE_TAG) === 'db');
      expect(db.map((i) => i.InstanceId)).toEqual([out.newId]);
      const n = db[0]!;
      // Image and key pair come only from the launch template (RunInstances does not pass them).
      expect(n.ImageId).toBe(MOTO_AMI);
      expect(n.KeyName).toBe(FULL_KEY);
      expect(n.InstanceType).toBe('t3.small');
      expect(n.SubnetId).toBe(outputs.PrivateSubnetId);
      expect(n.PrivateIpAddress).toBe(out.newIp);
      expect(n.PublicIpAddress).toBeUndefined();
      expect(n.SecurityGroups?.map((g) => g.GroupId)).toEqual([outputs.DbSecurityGroupId]);
      expect(n.BlockDeviceMappings?.map((b) => b.DeviceName)).toContain('/dev/xvda');
      expect(tagOf(n, 'aws:ec2launchtemplate:id')).toBe(outputs.LaunchTemplateId);
      expect(tagOf(n, STACK_TAG)).toBe(FULL);
      expect(tagOf(n, 'Name')).toBe(`${FULL}-db`);
      expect(tagOf(n, REPLACES_TAG)).toBe(out.oldId);
      expect(tagOf(n, HOST_TAG)).toBe('db');
      newDbIp = out.newIp;
    });

    it('after replace-host the live inventory (status, --stack aws) has db at the new address', async () => {
      expect(newDbIp).toMatch(PRIVATE_SUBNET);
      const s = await cli('status');
      expect(s.code, s.stderr).toBe(0);
      const st = JSON.parse(s.stdout) as {
        outputs: Record<string, string>;
        inventory: AwsInventory;
        staleOutputs: { host: string; outputIp: string; liveIp: string }[];
      };
      // The outputs still hold the terminated instance's address; the inventory has the new one.
      expect(st.outputs.DbPrivateIp).toBe(outputs.DbPrivateIp);
      expect(st.outputs.DbPrivateIp).not.toBe(newDbIp);
      const ipOf = (inv: AwsInventory, name: string) => inv.hosts.find((h) => h.name === name)?.ip;
      expect(ipOf(st.inventory, 'db')).toBe(newDbIp);
      expect(ipOf(st.inventory, 'web')).toBe(outputs.WebPrivateIp);
      expect(st.staleOutputs).toMatchObject([{ host: 'db', outputIp: outputs.DbPrivateIp, liveIp: newDbIp }]);
      expect(s.stderr).toMatch(new RegExp(`db=${newDbIp.replaceAll('.', '\\.')}( |$)`, 'm'));

      // --stack aws: the remote stack spec connects to the new db (files only need to exist here).
      const keyFile = join(dir, 'key.pem');
      const knownHosts = join(dir, 'known_hosts');
      writeFileSync(keyFile, 'not a key\n', { mode: 0o600 });
      writeFileSync(knownHosts, '', { mode: 0o600 });
      const spec = await awsRemoteSpec({
        ...target(),
        stackName: FULL,
        privateKeyFile: keyFile,
        knownHostsFile: knownHosts,
      });
      const addr = Object.fromEntries(spec.hosts.map((h) => [h.name, h.address]));
      expect(addr).toEqual({
        web: outputs.WebPrivateIp,
        db: newDbIp,
        kafka: outputs.KafkaPrivateIp,
        analysis: outputs.AnalysisPrivateIp,
        'client-1': outputs.ClientPrivateIps!.split(',')[0],
        'client-2': outputs.ClientPrivateIps!.split(',')[1],
      });
      expect(spec.ssh.jump?.address).toBe(outputs.BastionPublicIp);
    });

    it('aws teardown deletes the stack, its VPC and every instance tagged with it', async () => {
      const ec2 = createEc2Client(target());
      // moto 5.2.5 does not delete AWS::EC2::RouteTable resources with their stack, and then refuses
      // to delete the VPC (DependencyViolation). Remove the stack's two route tables first, as real
      // CloudFormation would.
      const rts = await ec2.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [outputs.VpcId!] }] }),
      );
      const own = (rts.RouteTables ?? []).filter((rt) => !rt.Associations?.some((a) => a.Main));
      expect(own).toHaveLength(2);
      for (const rt of own) {
        for (const a of rt.Associations ?? []) {
          await ec2.send(new DisassociateRouteTableCommand({ AssociationId: a.RouteTableAssociationId }));
        }
        await ec2.send(new DeleteRouteTableCommand({ RouteTableId: rt.RouteTableId }));
      }

      const r = await cli('teardown');
      expect(r.code, r.stderr).toBe(0);
      // The db replacement is not the stack's: teardown terminates it by tag.
      expect(r.stderr).toMatch(
        new RegExp(`stack ${FULL}: deleted; terminated 1 other tagged instance\\(s\\): i-`),
      );
      expect(await stackStatus({ ...target(), stackName: FULL })).toBeNull();
      expect(await liveTaggedInstances(ec2, FULL)).toEqual([]);
      const vpc = await ec2
        .send(new DescribeVpcsCommand({ VpcIds: [outputs.VpcId!] }))
        .catch((e: unknown) => (e as Error).name);
      expect(vpc).toBe('InvalidVpcID.NotFound');
    });
  });
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
