// The remote stack's spec (src/stack/remote-spec.ts), the AWS inventory -> spec mapping and the
// small pure helpers of remote.ts. The stack itself runs end to end in remote.test.ts (root).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { splitUsers } from '../../src/stack/remote.ts';
import { clientHosts, readRemoteSpec, validateRemoteSpec } from '../../src/stack/remote-spec.ts';
import { remoteSpecFromInventory } from '../../src/testbed/aws/remote-spec.ts';
import { inventoryFromOutputs } from '../../src/testbed/aws/inventory.ts';
import { OUTPUTS } from '../aws/fixtures/outputs.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'foreshock-remote-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OK = {
  hosts: [
    { name: 'web', address: '172.25.1.10' },
    { name: 'db', address: '172.25.1.11' },
    { name: 'kafka', address: '172.25.1.12' },
    { name: 'client-2', address: '172.25.1.14' },
    { name: 'client-1', address: '172.25.1.13' },
  ],
  ssh: {
    username: 'admin',
    privateKeyFile: '/home/me/.ssh/key.pem',
    knownHostsFile: '/home/me/known_hosts',
    jump: { address: '198.51.100.20' },
  },
  repoDir: '/opt/foreshock',
  workDir: '/var/tmp/foreshock',
  node: '/usr/local/bin/node',
  dbAdmin: ['sudo', '-n', 'mariadb'],
  ports: { web: 8080 },
};

const clone = (): typeof OK & Record<string, unknown> => JSON.parse(JSON.stringify(OK)) as typeof OK;

describe('validateRemoteSpec', () => {
  it('accepts a complete spec and orders the clients', () => {
    const s = validateRemoteSpec(OK, 'spec.json');
    expect(s.ssh.jump).toEqual({ address: '198.51.100.20' });
    expect(clientHosts(s).map((h) => h.name)).toEqual(['client-1', 'client-2']);
  });

  it.each<[string, (o: ReturnType<typeof clone>) => void, RegExp]>([
    ['no db host', (o) => (o.hosts = o.hosts.filter((h) => h.name !== 'db')), /spec\.json: no "db" host/],
    [
      'no client host',
      (o) => (o.hosts = o.hosts.filter((h) => !h.name.startsWith('client'))),
      /no client host/,
    ],
    [
      'an unknown host name',
      (o) => o.hosts.push({ name: 'cache', address: '10.0.0.1' }),
      /hosts\[5\]: name "cache"/,
    ],
    ['a host twice', (o) => o.hosts.push({ name: 'web', address: '10.0.0.1' }), /host "web" given twice/],
    [
      'a leading zero',
      (o) => (o.hosts[0]!.address = '172.25.1.010'),
      /address "172\.25\.1\.010" must be an IPv4/,
    ],
    ['a typo at the top', (o) => (o.jumpHost = 'x'), /spec\.json: unknown key "jumpHost"/],
    [
      'a typo in ssh.jump',
      (o) => ((o.ssh.jump as Record<string, unknown>).adress = 'x'),
      /ssh\.jump: unknown key "adress"/,
    ],
    [
      'a typo in ports',
      (o) => ((o.ports as Record<string, unknown>).kafak = 1),
      /ports: unknown key "kafak"/,
    ],
    ['a port out of range', (o) => (o.ports.web = 70000), /"web" must be a TCP port/],
    ['a relative repoDir', (o) => (o.repoDir = 'opt/foreshock'), /"repoDir" must be an absolute path/],
    ['an empty dbAdmin', (o) => (o.dbAdmin = []), /"dbAdmin" must be a non-empty array/],
    [
      'no key file',
      (o) => delete (o.ssh as Record<string, unknown>).privateKeyFile,
      /"privateKeyFile" must be/,
    ],
  ])('refuses %s with a one-line error naming the field', (_what, edit, pattern) => {
    const o = clone();
    edit(o);
    const err = (() => {
      try {
        validateRemoteSpec(o, 'spec.json');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(pattern);
    expect((err as Error).message).not.toContain('\n');
  });

  it('reads a file: bad JSON and a missing file are user errors naming it', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"hosts": [');
    expect(() => readRemoteSpec(bad)).toThrow(/bad\.json: not valid JSON/);
    expect(() => readRemoteSpec(path.join(dir, 'none.json'))).toThrow(/none\.json: cannot read: ENOENT/);
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(OK));
    expect(readRemoteSpec(good).hosts).toHaveLength(5);
  });
});

describe('remoteSpecFromInventory (--stack aws)', () => {
  // Two clients, bastion 203.0.113.7, hosts in 10.0.1.0/24 (test/aws/fixtures/outputs.ts).
  const inv = inventoryFromOutputs('fs', OUTPUTS);

  it('goes through the bastion as the AMI user, with the user data paths', () => {
    const s = remoteSpecFromInventory(inv, { privateKeyFile: '/k.pem', knownHostsFile: '/kh' });
    expect(s.ssh).toEqual({
      username: 'admin',
      privateKeyFile: '/k.pem',
      knownHostsFile: '/kh',
      jump: { address: '203.0.113.7', username: 'admin' },
    });
    expect(s.hosts.map((h) => `${h.name}=${h.address}`)).toEqual([
      'web=10.0.1.10',
      'db=10.0.1.11',
      'kafka=10.0.1.12',
      'analysis=10.0.1.13',
      'client-1=10.0.1.20',
      'client-2=10.0.1.21',
    ]);
    expect(s).toMatchObject({
      repoDir: '/opt/foreshock',
      workDir: '/var/tmp/foreshock',
      node: '/usr/local/bin/node',
      dbAdmin: ['sudo', '-n', 'mariadb'],
      ports: { kafka: 9092, mariadb: 3306, web: 8080 },
    });
  });
});

describe('splitUsers', () => {
  it('splits as evenly as possible, the first clients taking the remainder', () => {
    expect(splitUsers(10, 3)).toEqual([4, 3, 3]);
    expect(splitUsers(2, 3)).toEqual([1, 1, 0]);
    expect(splitUsers(100, 1)).toEqual([100]);
  });
});
