// `foreshock aws ssh-config`'s text (src/testbed/aws/ssh-config.ts), read back by OpenSSH itself:
// `ssh -G` resolves a host's effective options from the file without connecting anywhere.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { inventoryFromOutputs } from '../../src/testbed/aws/inventory.ts';
import { OUTPUTS } from './fixtures/outputs.ts';
import { sshConfigText } from '../../src/testbed/aws/ssh-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'foreshock-ssh-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Two clients, bastion 203.0.113.7, hosts in 10.0.1.0/24.
const inv = inventoryFromOutputs('fs', OUTPUTS);

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
    expect(db.get('hostname')).toBe('10.0.1.11');
    expect(db.get('user')).toBe('admin');
    expect(db.get('proxyjump')).toBe('fs-bastion');
    expect(db.get('identityfile')).toBe(key);
    expect(db.get('identitiesonly')).toBe('yes');
    expect(db.get('stricthostkeychecking')).toBe('true');
    expect(db.get('userknownhostsfile')).toBe(known);
    expect(db.get('passwordauthentication')).toBe('no');
    const b = effective(file, 'fs-bastion');
    expect(b.get('hostname')).toBe('203.0.113.7');
    expect(b.get('proxyjump')).toBeUndefined();
    expect(effective(file, 'fs-client-1').get('hostname')).toBe('10.0.1.20');
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
