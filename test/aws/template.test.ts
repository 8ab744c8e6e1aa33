// cfn/foreshock.yaml: cfn-lint must accept it (and must reject a broken copy, so this test can
// fail), and the properties the deploy code and docs/aws.md rely on are asserted on the parsed
// template: the output names, no world-open ingress, only the bastion public, instance tags, and
// user data equal to src/testbed/aws/user-data.ts's rendering.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderTemplate, TEMPLATE_PATH } from '../../scripts/aws/render-template.ts';
import {
  REPO_REF_PATTERN,
  REPO_URL_PATTERN,
  renderUserDataTemplate,
  type AwsRole,
} from '../../src/testbed/aws/user-data.ts';

// js-yaml is already in node_modules (through ESLint) and has no bundled types; only these three
// entry points are used, so they are typed here rather than adding @types/js-yaml.
interface YamlType {
  readonly tag: string;
}
interface JsYaml {
  Type: new (
    tag: string,
    o: { kind: 'scalar' | 'sequence' | 'mapping'; construct: (d: unknown) => unknown },
  ) => YamlType;
  DEFAULT_SCHEMA: { extend(types: YamlType[]): unknown };
  load(text: string, o: { schema: unknown }): unknown;
}
const yaml = createRequire(import.meta.url)('js-yaml') as JsYaml;

// CloudFormation's short-form tags (!Ref, !Sub, ...) as their long forms, for every node kind.
const FN_TAGS = [
  'Base64',
  'Sub',
  'GetAtt',
  'If',
  'Join',
  'Equals',
  'Not',
  'Or',
  'And',
  'Select',
  'GetAZs',
  'Condition',
];
const CFN_SCHEMA = yaml.DEFAULT_SCHEMA.extend([
  ...(['scalar', 'sequence', 'mapping'] as const).map(
    (kind) => new yaml.Type('!Ref', { kind, construct: (d) => ({ Ref: d }) }),
  ),
  ...FN_TAGS.flatMap((name) =>
    (['scalar', 'sequence', 'mapping'] as const).map(
      (kind) =>
        new yaml.Type(`!${name}`, {
          kind,
          construct: (d) =>
            name === 'GetAtt' && typeof d === 'string'
              ? { 'Fn::GetAtt': d.split('.') }
              : { [name === 'Condition' ? 'Condition' : `Fn::${name}`]: d },
        }),
    ),
  ),
]);

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' ? (v as Obj) : {});
interface Resource {
  Type: string;
  Condition?: string;
  Properties?: Obj;
}

const TEXT = readFileSync(TEMPLATE_PATH, 'utf8');
const TEMPLATE = obj(yaml.load(TEXT, { schema: CFN_SCHEMA }));
const RESOURCES = obj(TEMPLATE.Resources) as Record<string, Resource>;
const instances = Object.entries(RESOURCES).filter(([, r]) => r.Type === 'AWS::EC2::Instance');
const tagsOf = (r: Resource): Record<string, unknown> =>
  Object.fromEntries(
    ((r.Properties?.Tags ?? []) as { Key: string; Value: unknown }[]).map((t) => [t.Key, t.Value]),
  );

const haveCfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
if (!haveCfnLint) console.warn('aws/template.test.ts: cfn-lint tests skipped: cfn-lint is not on PATH');

const tmp = mkdtempSync(path.join(os.tmpdir(), 'foreshock-cfn-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const lint = (file: string): { code: number | null; out: string } => {
  const r = spawnSync('cfn-lint', [file], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout + r.stderr };
};

describe.skipIf(!haveCfnLint)('cfn-lint', () => {
  it('accepts cfn/foreshock.yaml with no findings', () => {
    const r = lint(TEMPLATE_PATH);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('rejects a copy with a security group missing its required GroupDescription', () => {
    const broken = TEXT.replace(/^ {6}GroupDescription: foreshock db.*\n/m, '');
    expect(broken).not.toBe(TEXT);
    const file = path.join(tmp, 'broken.yaml');
    writeFileSync(file, broken);
    const r = lint(file);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/E3003 'GroupDescription' is a required property/);
  });
});

describe('template contents', () => {
  it('has every output the deploy code reads', () => {
    const outputs = Object.keys(obj(TEMPLATE.Outputs));
    for (const name of [
      'VpcId',
      'PrivateSubnetId',
      'LaunchTemplateId',
      'BastionPublicIp',
      'WebPrivateIp',
      'DbPrivateIp',
      'KafkaPrivateIp',
      'AnalysisPrivateIp',
      'ClientPrivateIps',
      'WebSecurityGroupId',
      'DbSecurityGroupId',
      'KafkaSecurityGroupId',
      'AnalysisSecurityGroupId',
      'ClientSecurityGroupId',
    ]) {
      expect(outputs, name).toContain(name);
    }
  });

  it('has the contracted parameters; SshCidr has no default and refuses 0.0.0.0/0', () => {
    const params = obj(TEMPLATE.Parameters);
    for (const p of [
      'KeyName',
      'SshCidr',
      'ImageId',
      'InstanceType',
      'KafkaInstanceType',
      'ClientCount',
      'RepoUrl',
      'RepoRef',
    ]) {
      expect(Object.keys(params), p).toContain(p);
    }
    const ssh = obj(params.SshCidr);
    expect(ssh.Default).toBeUndefined();
    const re = new RegExp(String(ssh.AllowedPattern));
    expect(re.test('0.0.0.0/0')).toBe(false);
    expect(re.test('10.0.0.0/0')).toBe(false);
    expect(re.test('203.0.113.7/32')).toBe(true);
    expect(obj(params.ImageId).Type).toBe('AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>');
    expect(obj(params.KeyName).Default).toBeUndefined();
    // The user data pastes RepoUrl/RepoRef inside single quotes: the patterns keep quotes out.
    expect(obj(params.RepoUrl).AllowedPattern).toBe(REPO_URL_PATTERN);
    expect(obj(params.RepoRef).AllowedPattern).toBe(REPO_REF_PATTERN);
  });

  it('has no ingress from 0.0.0.0/0 or ::/0, inline or standalone', () => {
    const rules: Obj[] = [];
    for (const r of Object.values(RESOURCES)) {
      if (r.Type === 'AWS::EC2::SecurityGroup')
        rules.push(...((r.Properties?.SecurityGroupIngress ?? []) as Obj[]));
      if (r.Type === 'AWS::EC2::SecurityGroupIngress') rules.push(r.Properties ?? {});
    }
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      expect(rule.CidrIpv6).not.toBe('::/0');
    }
  });

  it('gives only the bastion a public address', () => {
    for (const [, r] of Object.entries(RESOURCES).filter(([, r]) => r.Type === 'AWS::EC2::Subnet')) {
      expect(r.Properties?.MapPublicIpOnLaunch).toBe(false);
    }
    expect(JSON.stringify(obj(obj(RESOURCES.LaunchTemplate?.Properties).LaunchTemplateData))).not.toMatch(
      /AssociatePublicIpAddress/,
    );
    const publicOnes = instances
      .filter(([, r]) =>
        ((r.Properties?.NetworkInterfaces ?? []) as Obj[]).some((n) => n.AssociatePublicIpAddress === true),
      )
      .map(([name]) => name);
    expect(publicOnes).toEqual(['Bastion']);
    for (const [name, r] of instances) {
      if (name !== 'Bastion') expect(r.Properties?.SubnetId, name).toEqual({ Ref: 'PrivateSubnet' });
    }
  });

  it('builds every instance from the one launch template, with the role tags', () => {
    const roles = Object.fromEntries(instances.map(([name, r]) => [name, tagsOf(r)['foreshock:role']]));
    expect(roles).toEqual({
      Bastion: 'bastion',
      Kafka: 'kafka',
      Db: 'db',
      Web: 'web',
      Analysis: 'analysis',
      Client1: 'client',
      Client2: 'client',
      Client3: 'client',
      Client4: 'client',
      Client5: 'client',
    });
    // The inventory host each instance serves as: live-inventory.ts reads the addresses by it, and
    // replace-host copies it to the replacement.
    const hosts = Object.fromEntries(instances.map(([name, r]) => [name, tagsOf(r)['foreshock:host']]));
    expect(hosts).toEqual({
      Bastion: 'bastion',
      Kafka: 'kafka',
      Db: 'db',
      Web: 'web',
      Analysis: 'analysis',
      Client1: 'client-1',
      Client2: 'client-2',
      Client3: 'client-3',
      Client4: 'client-4',
      Client5: 'client-5',
    });
    for (const [name, r] of instances) {
      const tags = tagsOf(r);
      expect(tags['foreshock:stack'], name).toEqual({ Ref: 'AWS::StackName' });
      expect(tags.Name, name).toBeDefined();
      expect(obj(r.Properties?.LaunchTemplate).LaunchTemplateId, name).toEqual({ Ref: 'LaunchTemplate' });
    }
    expect(
      ['Client1', 'Client2', 'Client3', 'Client4', 'Client5'].map((c) => RESOURCES[c]?.Condition),
    ).toEqual([undefined, 'HasClient2', 'HasClient3', 'HasClient4', 'HasClient5']);
    const data = obj(obj(RESOURCES.LaunchTemplate?.Properties).LaunchTemplateData);
    // The launch template stays complete: replace-host launches from it alone.
    expect(data.ImageId).toEqual({ Ref: 'ImageId' });
    expect(data.InstanceType).toEqual({ Ref: 'InstanceType' });
    expect(data.KeyName).toEqual({ Ref: 'KeyName' });
    // Each instance repeats the image and names its type (instance properties override the launch
    // template's): the same image as the template, and the template's type except on kafka. moto
    // needs ImageId on the instance; real CloudFormation takes either.
    for (const [name, r] of instances) {
      expect(r.Properties?.ImageId, name).toEqual(data.ImageId);
      expect(r.Properties?.InstanceType, name).toEqual(
        name === 'Kafka' ? { Ref: 'KafkaInstanceType' } : data.InstanceType,
      );
    }
    expect(obj(data.MetadataOptions).HttpTokens).toBe('required');
    expect(obj((data.BlockDeviceMappings as Obj[])[0]?.Ebs).Encrypted).toBe(true);
  });

  it("embeds exactly renderUserDataTemplate(role) as each private instance's user data", () => {
    for (const [name, r] of instances) {
      if (name === 'Bastion') continue;
      const role = tagsOf(r)['foreshock:role'] as AwsRole;
      const sub = obj(obj(r.Properties?.UserData)['Fn::Base64'])['Fn::Sub'];
      expect(sub, name).toBe(renderUserDataTemplate(role));
    }
    // And the file is what scripts/aws/render-template.ts would write.
    expect(renderTemplate(TEXT)).toBe(TEXT);
  });
});
