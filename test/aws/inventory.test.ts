// inventoryFromOutputs is pure: the stack outputs contract of cfn/foreshock.yaml -> host list.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { inventoryFromOutputs } from '../../src/testbed/aws/inventory.ts';
import { OUTPUTS as STACK_OUTPUTS } from './fixtures/outputs.ts';

// A space after the comma: the client list is trimmed.
const OUTPUTS: Record<string, string> = { ...STACK_OUTPUTS, ClientPrivateIps: '10.0.1.20, 10.0.1.21' };

describe('inventoryFromOutputs', () => {
  it('maps the outputs to hosts, clients numbered from 1', () => {
    const inv = inventoryFromOutputs('fs', OUTPUTS);
    expect(inv).toEqual({
      stackName: 'fs',
      bastion: '203.0.113.7',
      hosts: [
        { name: 'web', role: 'web', ip: '10.0.1.10' },
        { name: 'db', role: 'db', ip: '10.0.1.11' },
        { name: 'kafka', role: 'kafka', ip: '10.0.1.12' },
        { name: 'analysis', role: 'analysis', ip: '10.0.1.13' },
        { name: 'client-1', role: 'client', ip: '10.0.1.20' },
        { name: 'client-2', role: 'client', ip: '10.0.1.21' },
      ],
      vpcId: 'vpc-1',
      launchTemplateId: 'lt-1',
      subnetId: 'subnet-1',
      securityGroups: {
        web: 'sg-web',
        db: 'sg-db',
        kafka: 'sg-kafka',
        analysis: 'sg-analysis',
        client: 'sg-client',
      },
    });
  });

  it('one client', () => {
    const inv = inventoryFromOutputs('fs', { ...OUTPUTS, ClientPrivateIps: '10.0.1.20' });
    expect(inv.hosts.filter((h) => h.role === 'client').map((h) => h.name)).toEqual(['client-1']);
  });

  it.each(['LaunchTemplateId', 'KafkaPrivateIp', 'ClientPrivateIps', 'DbSecurityGroupId', 'BastionPublicIp'])(
    'names a missing output: %s',
    (key) => {
      const outputs = { ...OUTPUTS };
      delete outputs[key];
      expect(() => inventoryFromOutputs('fs', outputs)).toThrow(UserError);
      expect(() => inventoryFromOutputs('fs', outputs)).toThrow(
        new RegExp(`stack fs: output ${key} is missing`),
      );
    },
  );

  it.each([
    ['WebPrivateIp', '10.0.1'],
    ['DbPrivateIp', '10.0.1.256'],
    ['BastionPublicIp', 'ec2-1-2-3-4.compute.amazonaws.com'],
    ['ClientPrivateIps', '10.0.1.20,fe80::1'],
    ['AnalysisPrivateIp', '010.0.1.1'],
  ])('rejects a bad IP in %s: %s', (key, value) => {
    expect(() => inventoryFromOutputs('fs', { ...OUTPUTS, [key]: value })).toThrow(
      new RegExp(`output ${key} is not an IPv4 address`),
    );
  });

  it.each(['10.0.1.20,,10.0.1.21', '10.0.1.20,', ',10.0.1.20'])('rejects an empty client entry: %s', (v) => {
    expect(() => inventoryFromOutputs('fs', { ...OUTPUTS, ClientPrivateIps: v })).toThrow(
      /ClientPrivateIps has an empty entry/,
    );
  });
});
