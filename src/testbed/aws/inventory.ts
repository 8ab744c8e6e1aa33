// The AWS testbed's inventory, read from the CloudFormation stack outputs (the contract of
// cfn/foreshock.yaml), in the shape the rest of foreshock uses for hosts: name, role, private IP.
// Pure: no API calls, so it is checked without AWS.

import { isIPv4 } from 'node:net';
import { UserError } from '../../core/errors.ts';

export const AWS_ROLES = ['web', 'db', 'kafka', 'analysis', 'client', 'bastion'] as const;
export type AwsRole = (typeof AWS_ROLES)[number];
/** Roles with their own security group output (the bastion has none in the contract). */
export const SG_ROLES = ['web', 'db', 'kafka', 'analysis', 'client'] as const;
export type SgRole = (typeof SG_ROLES)[number];

export interface AwsHost {
  /** web, db, kafka, analysis, client-1, client-2, ... */
  name: string;
  role: Exclude<AwsRole, 'bastion'>;
  ip: string;
}

export interface AwsInventory {
  stackName: string;
  /** The bastion's public IP: the only address reachable from outside the VPC. */
  bastion: string;
  hosts: AwsHost[];
  vpcId: string;
  launchTemplateId: string;
  subnetId: string;
  securityGroups: Record<SgRole, string>;
}

export function isAwsRole(s: string): s is AwsRole {
  return (AWS_ROLES as readonly string[]).includes(s);
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function inventoryFromOutputs(stackName: string, outputs: Record<string, string>): AwsInventory {
  const need = (key: string): string => {
    const v = outputs[key]?.trim();
    if (!v) {
      throw new UserError(
        `stack ${stackName}: output ${key} is missing (is the stack complete, and deployed from cfn/foreshock.yaml?)`,
      );
    }
    return v;
  };
  const ip = (key: string, value = need(key)): string => {
    if (!isIPv4(value))
      throw new UserError(`stack ${stackName}: output ${key} is not an IPv4 address: ${value}`);
    return value;
  };

  const hosts: AwsHost[] = (['web', 'db', 'kafka', 'analysis'] as const).map((role) => ({
    name: role,
    role,
    ip: ip(`${cap(role)}PrivateIp`),
  }));
  const clients = need('ClientPrivateIps').split(',');
  clients.forEach((raw, i) => {
    const v = raw.trim();
    if (v === '') {
      throw new UserError(
        `stack ${stackName}: output ClientPrivateIps has an empty entry (#${i + 1}): ${clients.join(',')}`,
      );
    }
    hosts.push({ name: `client-${i + 1}`, role: 'client', ip: ip('ClientPrivateIps', v) });
  });

  const securityGroups = Object.fromEntries(
    SG_ROLES.map((role) => [role, need(`${cap(role)}SecurityGroupId`)]),
  ) as Record<SgRole, string>;

  return {
    stackName,
    bastion: ip('BastionPublicIp'),
    hosts,
    vpcId: need('VpcId'),
    launchTemplateId: need('LaunchTemplateId'),
    subnetId: need('PrivateSubnetId'),
    securityGroups,
  };
}
