// The live inventory (each host at the running instance tagged foreshock:host, else its output
// address) and replace-host's setup-finished health check, with injected fakes: no AWS, no SSH.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Instance } from '@aws-sdk/client-ec2';
import { utils } from 'ssh2';
import { ForeshockError, UserError } from '../../src/core/errors.ts';
import type { HostTransport, RunResult, SshTransportOptions } from '../../src/faults/transport.ts';
import { pinnedKeys } from '../../src/faults/ssh-transport.ts';
import { HOST_TAG, ROLE_TAG, STACK_TAG } from '../../src/testbed/aws/cloudformation.ts';
import {
  mergeKnownHosts,
  setupFailedLine,
  setupFinishedArgv,
  setupFinishedProbe,
  SETUP_LOG,
} from '../../src/testbed/aws/health.ts';
import { renderKnownHosts, type HostKeyInstance } from '../../src/testbed/aws/host-keys.ts';
import { inventoryFromOutputs } from '../../src/testbed/aws/inventory.ts';
import { resolveLiveInventory } from '../../src/testbed/aws/live-inventory.ts';
import { remoteSpecFromInventory } from '../../src/testbed/aws/remote-spec.ts';
import { OUTPUTS } from './fixtures/outputs.ts';

const INV = inventoryFromOutputs('fs', OUTPUTS);

const instance = (id: string, ip: string, host?: string, state = 'running'): Instance => ({
  InstanceId: id,
  PrivateIpAddress: ip,
  State: { Name: state as 'running' },
  Tags: [
    { Key: STACK_TAG, Value: 'fs' },
    { Key: ROLE_TAG, Value: host?.replace(/-\d+$/, '') ?? 'web' },
    ...(host !== undefined ? [{ Key: HOST_TAG, Value: host }] : []),
  ],
});

describe('live inventory', () => {
  it('takes each host from its tagged running instance, else the output', () => {
    const live = resolveLiveInventory(INV, [
      instance('i-web', '10.0.1.10', 'web'),
      instance('i-db2', '10.0.1.99', 'db'), // the replacement
      instance('i-db1', '10.0.1.11', 'db', 'terminated'), // the replaced one, gone
      instance('i-c2', '10.0.1.21', 'client-2'),
      instance('i-other', '10.0.1.50', 'client-9'), // names no host of the inventory
      instance('i-untagged', '10.0.1.12'), // a stack deployed before the tag: no host tag
    ]);
    expect(live.inventory.hosts).toEqual([
      { name: 'web', role: 'web', ip: '10.0.1.10' },
      { name: 'db', role: 'db', ip: '10.0.1.99' },
      { name: 'kafka', role: 'kafka', ip: '10.0.1.12' },
      { name: 'analysis', role: 'analysis', ip: '10.0.1.13' },
      { name: 'client-1', role: 'client', ip: '10.0.1.20' },
      { name: 'client-2', role: 'client', ip: '10.0.1.21' },
    ]);
    expect(live.changed).toEqual([
      { name: 'db', outputIp: '10.0.1.11', ip: '10.0.1.99', instanceId: 'i-db2' },
    ]);
    // Everything but the hosts is the outputs', and the input is not modified.
    expect({ ...live.inventory, hosts: [] }).toEqual({ ...INV, hosts: [] });
    expect(INV.hosts[1]!.ip).toBe('10.0.1.11');
    // The remote stack spec built from it connects to the replacement.
    const spec = remoteSpecFromInventory(live.inventory, {
      privateKeyFile: '/k.pem',
      knownHostsFile: '/kh',
    });
    expect(spec.hosts.find((h) => h.name === 'db')?.address).toBe('10.0.1.99');
  });

  it('no tagged instance at all (an older stack): the outputs as they are', () => {
    expect(
      resolveLiveInventory(INV, [instance('i-1', '10.0.1.10'), instance('i-2', '10.0.1.11')]).inventory,
    ).toEqual(INV);
    expect(resolveLiveInventory(INV, []).inventory).toEqual(INV);
  });

  it('two running instances tagged for one host: a UserError naming both', () => {
    const err = (() => {
      try {
        resolveLiveInventory(INV, [
          instance('i-db1', '10.0.1.11', 'db'),
          instance('i-db2', '10.0.1.99', 'db'),
        ]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(
      /^stack fs: 2 running instances are tagged foreshock:host=db \(i-db1 10\.0\.1\.11, i-db2 10\.0\.1\.99\)/,
    );
    expect((err as Error).message).not.toContain('\n');
  });
});

const tmp = mkdtempSync(join(tmpdir(), 'foreshock-live-inv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const pub = (): { type: string; key: string } => {
  const [type = '', key = ''] = utils.generateKeyPairSync('ed25519').public.trim().split(' ');
  return { type, key };
};

function fakeTransport(
  codes: (number | { code: number; stdout: string })[],
  log: string[][],
  closed: { n: number },
): HostTransport {
  return {
    host: 'db',
    description: 'fake',
    run: async (argv): Promise<RunResult> => {
      log.push([...argv]);
      const a = codes.shift() ?? 0;
      const { code, stdout } = typeof a === 'number' ? { code: a, stdout: '' } : a;
      return { code, signal: null, stdout, stderr: '' };
    },
    close: async () => {
      closed.n++;
    },
  };
}

describe('setupFinishedProbe (injected SSH connect and host-key fetch)', () => {
  const bastionKey = pub();
  const unrelated = pub();
  const oldKey = pub();
  const newKey = pub();
  const keyFile = join(tmp, 'key.pem');
  writeFileSync(keyFile, 'not a real key\n', { mode: 0o600 });
  const ctx = { role: 'db' as const, instanceId: 'i-new', oldId: 'i-old', oldIp: '10.0.1.11' };

  const knownHosts = (): string => {
    const file = join(tmp, `known_hosts.${Math.random().toString(16).slice(2)}`);
    writeFileSync(
      file,
      [
        '# foreshock: SSH host keys pinned from the EC2 console (cloud-init); regenerate, do not edit',
        '# bastion i-bastion',
        `203.0.113.7 ${bastionKey.type} ${bastionKey.key}`,
        '# web i-web',
        `10.0.1.10 ${unrelated.type} ${unrelated.key}`,
        '# db i-old',
        `10.0.1.11 ${oldKey.type} ${oldKey.key}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    return file;
  };

  it('pins the new host keys, retries while the host boots, healthy once the setup line is there', async () => {
    const file = knownHosts();
    const fetched: HostKeyInstance[] = [];
    const connects: SshTransportOptions[] = [];
    const runs: string[][] = [];
    const closed = { n: 0 };
    // finished? no; FAILED? no; (next poll) finished? yes.
    const codes = [1, 1, 0];
    const logs: string[] = [];
    const healthy = setupFinishedProbe({
      role: 'db',
      bastion: '203.0.113.7',
      privateKeyFile: keyFile,
      knownHostsFile: file,
      fetchKeys: async (inst) => {
        fetched.push(inst);
        if (fetched.length === 1)
          throw new ForeshockError('no SSH host keys in the console yet', { retriable: true });
        return renderKnownHosts([{ instance: inst, keys: [newKey] }]);
      },
      connect: async (o) => {
        connects.push(o);
        if (connects.length <= 2)
          throw new ForeshockError(
            'ssh admin@10.0.1.99:22 via 203.0.113.7:22 (db): unreachable: ECONNREFUSED',
            {
              retriable: true,
            },
          );
        return fakeTransport(codes, runs, closed);
      },
      log: (l) => logs.push(l),
    });

    const answers: boolean[] = [];
    for (let poll = 0; poll < 10; poll++) {
      const ok = await healthy('10.0.1.99', ctx);
      answers.push(ok);
      if (ok) break;
    }
    // 1: no keys yet; 2, 3: connection refused; 4: setup not finished (exit 1); 5: finished.
    expect(answers).toEqual([false, false, false, false, true]);
    expect(fetched).toEqual([
      { id: 'i-new', address: '10.0.1.99', role: 'db' },
      { id: 'i-new', address: '10.0.1.99', role: 'db' },
    ]);
    expect(connects).toHaveLength(4);
    expect(connects[0]).toMatchObject({
      address: '10.0.1.99',
      username: 'admin',
      privateKeyFile: keyFile,
      knownHostsFile: file,
      jump: { address: '203.0.113.7', username: 'admin', privateKeyFile: keyFile, knownHostsFile: file },
    });
    const failedArgv = ['grep', '-sF', '--', setupFailedLine('db'), SETUP_LOG];
    expect(runs).toEqual([setupFinishedArgv('db'), failedArgv, setupFinishedArgv('db')]);
    expect(runs[0]).toEqual(['grep', '-qsF', '--', 'foreshock setup (db) finished', SETUP_LOG]);
    expect(closed.n).toBe(2); // every transport it opened

    // known_hosts: the unrelated lines kept, the old instance's gone, the new one's pinned.
    const text = readFileSync(file, 'utf8');
    expect(pinnedKeys(text, '203.0.113.7')).toEqual([Buffer.from(bastionKey.key, 'base64')]);
    expect(pinnedKeys(text, '10.0.1.10')).toEqual([Buffer.from(unrelated.key, 'base64')]);
    expect(pinnedKeys(text, '10.0.1.11')).toEqual([]);
    expect(pinnedKeys(text, '10.0.1.99')).toEqual([Buffer.from(newKey.key, 'base64')]);
    expect(text).not.toContain('i-old');
    expect(text).toContain('# db i-new\n');
    expect(text.match(/^# foreshock:/gm)).toHaveLength(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Progress: each state once, no key material.
    expect(logs.join('\n')).not.toContain(newKey.key);
    expect(logs).toEqual([
      'db i-new (10.0.1.99): no SSH host keys in its console yet',
      `db i-new (10.0.1.99): host keys pinned in ${file}; waiting for its setup to finish`,
      'db i-new (10.0.1.99): not reachable over SSH yet: ssh admin@10.0.1.99:22 via 203.0.113.7:22 (db): unreachable: ECONNREFUSED',
      'db i-new (10.0.1.99): setup not finished yet (no "foreshock setup (db) finished" in /var/log/foreshock-setup.log)',
      'db i-new (10.0.1.99): setup finished',
    ]);
  });

  it('a setup that failed (the user data ERR trap line) aborts at once, naming the line', async () => {
    const file = knownHosts();
    const closed = { n: 0 };
    const runs: string[][] = [];
    const healthy = setupFinishedProbe({
      role: 'db',
      bastion: '203.0.113.7',
      privateKeyFile: keyFile,
      knownHostsFile: file,
      fetchKeys: async (inst) => renderKnownHosts([{ instance: inst, keys: [newKey] }]),
      connect: async () =>
        fakeTransport([1, { code: 0, stdout: 'foreshock setup (db) FAILED at line 42\n' }], runs, closed),
      log: () => undefined,
    });
    const err = await healthy('10.0.1.99', ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/boot setup failed \(foreshock setup \(db\) FAILED at line 42\)/);
    expect(closed.n).toBe(1);
  });

  it('a UserError (host key mismatch, refused key) aborts instead of polling on', async () => {
    const healthy = setupFinishedProbe({
      role: 'db',
      bastion: '203.0.113.7',
      privateKeyFile: keyFile,
      knownHostsFile: knownHosts(),
      fetchKeys: async (inst) => renderKnownHosts([{ instance: inst, keys: [newKey] }]),
      connect: async () => {
        throw new UserError('ssh admin@10.0.1.99:22 (db): host key does not match the key pinned in kh');
      },
    });
    await expect(healthy('10.0.1.99', ctx)).rejects.toThrow(/host key does not match/);
  });

  it('refuses a missing key file, or a known_hosts without the bastion, before anything runs', () => {
    const base = { role: 'db', bastion: '203.0.113.7', fetchKeys: async () => '' };
    expect(() =>
      setupFinishedProbe({ ...base, privateKeyFile: join(tmp, 'nope.pem'), knownHostsFile: knownHosts() }),
    ).toThrow(UserError);
    const noBastion = join(tmp, 'kh-no-bastion');
    writeFileSync(noBastion, `10.0.1.10 ${unrelated.type} ${unrelated.key}\n`);
    expect(() => setupFinishedProbe({ ...base, privateKeyFile: keyFile, knownHostsFile: noBastion })).toThrow(
      /no host key pinned for the bastion 203\.0\.113\.7; run `foreshock aws known-hosts` first/,
    );
    expect(() =>
      setupFinishedProbe({ ...base, role: 'bastion', privateKeyFile: keyFile, knownHostsFile: knownHosts() }),
    ).toThrow(/--role bastion: must be one of/);
  });

  it('mergeKnownHosts keeps unrelated lines and drops the old address (any form) and stale new ones', () => {
    const merged = mergeKnownHosts(
      [
        '# foreshock: header',
        '# db i-old',
        '10.0.1.11 ssh-ed25519 AAAAold',
        '10.0.1.11,[10.0.1.11]:2222 ecdsa-sha2-nistp256 AAAAold2',
        '10.0.1.99 ssh-ed25519 AAAAstale',
        '@revoked 10.0.1.11 ssh-rsa AAAArevoked',
        '10.0.1.111 ssh-ed25519 AAAAkeep',
        '# web i-web',
        '10.0.1.10 ssh-ed25519 AAAAweb',
        '',
      ].join('\n'),
      '# foreshock: header\n# db i-new\n10.0.1.99 ssh-ed25519 AAAAnew\n',
      { addresses: ['10.0.1.99', '10.0.1.11'], instanceIds: ['i-old', 'i-new'] },
    );
    expect(merged).toBe(
      [
        '# foreshock: header',
        '@revoked 10.0.1.11 ssh-rsa AAAArevoked',
        '10.0.1.111 ssh-ed25519 AAAAkeep',
        '# web i-web',
        '10.0.1.10 ssh-ed25519 AAAAweb',
        '# db i-new',
        '10.0.1.99 ssh-ed25519 AAAAnew',
        '',
      ].join('\n'),
    );
  });
});
