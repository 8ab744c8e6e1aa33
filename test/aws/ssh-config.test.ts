// `foreshock aws ssh-config`'s text (src/testbed/aws/ssh-config.ts), read back by OpenSSH itself:
// `ssh -G` resolves a host's effective options from the file without connecting anywhere.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import type { AwsInventory } from '../../src/testbed/aws/inventory.ts';
import { sshConfigText } from '../../src/testbed/aws/ssh-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'foreshock-ssh-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const inv: AwsInventory = {
  stackName: 'fs',
  bastion: '198.51.100.20',
  hosts: [
    { name: 'web', role: 'web', ip: '172.25.1.10' },
    { name: 'db', role: 'db', ip: '172.25.1.11' },
    { name: 'client-1', role: 'client', ip: '172.25.1.14' },
  ],
  vpcId: 'vpc-1',
  launchTemplateId: 'lt-1',
  subnetId: 'subnet-1',
  securityGroups: { web: 'sg-1', db: 'sg-2', kafka: 'sg-3', analysis: 'sg-4', client: 'sg-5' },
};

const haveSsh = spawnSync('ssh', ['-V'], { encoding: 'utf8' }).status === 0;

/** OpenSSH's effective options for `host` from `file` (lower-case keys), without connecting. */
function effective(file: string, host: string): Map<string, string> {
  const r = spawnSync('ssh', ['-G', '-F', file, host], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return new Map(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)] as [string, string]),
  );
}

describe('aws ssh-config', () => {
  const key = join(dir, 'my key.pem');
  const known = join(dir, 'known_hosts');
  const file = join(dir, 'stack.conf');
  writeFileSync(file, sshConfigText(inv, { privateKeyFile: key, knownHostsFile: known }));

  it.skipIf(!haveSsh)('OpenSSH reads it: private hosts through the bastion, key-only, keys pinned', () => {
    const db = effective(file, 'db');
    expect(db.get('hostname')).toBe('172.25.1.11');
    expect(db.get('user')).toBe('admin');
    expect(db.get('proxyjump')).toBe('fs-bastion');
    expect(db.get('identityfile')).toBe(key);
    expect(db.get('identitiesonly')).toBe('yes');
    expect(db.get('stricthostkeychecking')).toBe('true');
    expect(db.get('userknownhostsfile')).toBe(known);
    expect(db.get('passwordauthentication')).toBe('no');
    const b = effective(file, 'fs-bastion');
    expect(b.get('hostname')).toBe('198.51.100.20');
    expect(b.get('proxyjump')).toBeUndefined();
    expect(effective(file, 'fs-client-1').get('hostname')).toBe('172.25.1.14');
  });

  it('refuses paths it cannot express and a user name that is not one', () => {
    expect(() => sshConfigText(inv, { privateKeyFile: '/a"b', knownHostsFile: known })).toThrow(UserError);
    expect(() =>
      sshConfigText(inv, { privateKeyFile: key, knownHostsFile: '/x\nProxyCommand evil' }),
    ).toThrow(/line break/);
    expect(() => sshConfigText(inv, { privateKeyFile: key, knownHostsFile: known, username: 'a b' })).toThrow(
      /not a user name/,
    );
  });
});
