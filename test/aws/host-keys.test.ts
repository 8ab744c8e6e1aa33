// Host key pinning from the EC2 console: the cloud-init block parser, the known_hosts lines (checked
// with the project's own pinnedKeys), fetchHostKeys with a fake EC2 client (injected sleep and clock,
// no real waiting), the atomic 0600 write, and `foreshock aws known-hosts` against moto, whose
// GetConsoleOutput returns a fixed kernel log without keys. Key pairs are generated in the test; only
// their public halves are used.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utils } from 'ssh2';
import type { EC2Client, Instance } from '@aws-sdk/client-ec2';
import { ForeshockError, UserError } from '../../src/core/errors.ts';
import { pinnedKeys } from '../../src/faults/ssh-transport.ts';
import { deployStack, teardownStack } from '../../src/testbed/aws/cloudformation.ts';
import { inventoryFromOutputs } from '../../src/testbed/aws/inventory.ts';
import {
  BEGIN_HOST_KEYS,
  END_HOST_KEYS,
  fetchHostKeys,
  knownHostsLines,
  knownHostsTargets,
  parseConsoleHostKeys,
  writeFileAtomic,
} from '../../src/testbed/aws/host-keys.ts';
import { defaultKnownHostsFile } from '../../src/testbed/aws/remote-spec.ts';
import { runCliAsync } from '../helpers/cli.ts';
import { haveMoto, motoCliEnv, MotoServer } from '../helpers/moto.ts';

const pub = (type: 'ed25519' | 'ecdsa' | 'rsa', bits?: number): string =>
  utils.generateKeyPairSync(type as 'ed25519', bits ? ({ bits } as object) : undefined).public.trim();

const ED = pub('ed25519');
const EC = pub('ecdsa', 256);
const EC384 = pub('ecdsa', 384);
const RSA = pub('rsa', 2048);
const ED2 = pub('ed25519');
const fields = (line: string) => {
  const [type = '', key = ''] = line.split(' ');
  return { type, key };
};

/** A console as EC2 returns it: \r\n, kernel and cloud-init noise, the fingerprints, then the keys. */
function cloudInitConsole(keyLines: string[], host = 'ip-172-25-1-10'): string {
  return [
    '[    0.000000] Linux version 6.1.0-18-cloud-amd64 (debian-kernel@lists.debian.org)',
    "[   12.345678] cloud-init[512]: Cloud-init v. 22.4.2 running 'modules:config'",
    // A key-looking line outside the block must not be taken.
    `ci-info: ${ED2} someone@else`,
    'ec2: ',
    'ec2: #############################################################',
    'ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----',
    `ec2: 256 SHA256:8KKnft4X6/5ANZjy4c9Pf8nLPghM25r2h7KQCcmMWJQ root@${host} (ECDSA)`,
    'ec2: -----END SSH HOST KEY FINGERPRINTS-----',
    'ec2: #############################################################',
    BEGIN_HOST_KEYS,
    ...keyLines,
    END_HOST_KEYS,
    `[   31.197933] cloud-init[1278]: Cloud-init v. 22.4.2 finished at Thu, 06 Jan 2025 15:27:32 +0000.`,
    '',
  ].join('\r\n');
}

describe('parseConsoleHostKeys', () => {
  it('reads the keys of a realistic cloud-init console (\\r\\n, noise around, comments dropped)', () => {
    const text = cloudInitConsole([`${EC} root@ip-172-25-1-10`, `${ED} root@ip-172-25-1-10`, RSA, EC384]);
    const keys = parseConsoleHostKeys(text);
    expect(keys).toEqual([fields(EC), fields(ED), fields(RSA), fields(EC384)]);
    for (const k of keys) expect(k.key).not.toMatch(/[\r\s]/);
    expect(keys.map((k) => k.type)).toEqual([
      'ecdsa-sha2-nistp256',
      'ssh-ed25519',
      'ssh-rsa',
      'ecdsa-sha2-nistp384',
    ]);
  });

  it('uses the last complete block (a reboot prints it again); an unterminated block does not count', () => {
    const first = cloudInitConsole([`${ED2} root@old`]);
    const second = cloudInitConsole([`${ED} root@new`]);
    expect(parseConsoleHostKeys(first + second)).toEqual([fields(ED)]);
    // A third block cut off before its END (e.g. still being printed) is ignored.
    expect(parseConsoleHostKeys(`${first}${second}${BEGIN_HOST_KEYS}\r\n${ED2}\r\n`)).toEqual([fields(ED)]);
    // BEGIN, BEGIN, END: the block is the one from the second BEGIN.
    expect(
      parseConsoleHostKeys([BEGIN_HOST_KEYS, ED2, BEGIN_HOST_KEYS, ED, END_HOST_KEYS].join('\n')),
    ).toEqual([fields(ED)]);
  });

  it('rejects forged and malformed lines', () => {
    const ed = fields(ED);
    const rsa = fields(RSA);
    const lines = [
      `ssh-rsa ${ed.key} forged`, // an ed25519 blob declared as RSA: embedded type differs
      `ssh-ed25519 ${rsa.key}`, // and the other way round
      `ecdsa-sha2-nistp384 ${fields(EC).key}`, // a nistp256 key declared as nistp384
      'ssh-ed25519 !!!notbase64!!!',
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5', // truncated blob
      `ssh-ed25519 ${ed.key.slice(0, -4)}`, // the 32-byte key cut short
      `ssh-ed25519 ${ed.key}garbage`, // trailing junk Node's decoder would skip
      `ssh-ed25519 ${Buffer.concat([Buffer.from(ed.key, 'base64'), Buffer.alloc(4)]).toString('base64')}`,
      `ssh-dss ${ed.key}`, // unknown type
      'ssh-ed25519', // no key
      `ec2: ${ED}`, // a prefixed line is not a key line
    ];
    expect(parseConsoleHostKeys(cloudInitConsole(lines))).toEqual([]);
    expect(parseConsoleHostKeys(cloudInitConsole([...lines, ED]))).toEqual([ed]);
  });

  it('no block, or only an unterminated one, gives []', () => {
    expect(parseConsoleHostKeys('')).toEqual([]);
    expect(parseConsoleHostKeys('[    0.000000] Linux version 6.1.0\r\nlogin: ')).toEqual([]);
    expect(parseConsoleHostKeys(`${BEGIN_HOST_KEYS}\r\n${ED}\r\n`)).toEqual([]);
    expect(parseConsoleHostKeys(`${ED}\r\n${END_HOST_KEYS}\r\n`)).toEqual([]);
  });
});

describe('knownHostsLines', () => {
  it('writes `address type base64` lines that pinnedKeys() accepts for that address', () => {
    const keys = parseConsoleHostKeys(cloudInitConsole([ED, EC, RSA]));
    const lines = knownHostsLines('172.25.1.10', keys);
    expect(lines).toEqual(keys.map((k) => `172.25.1.10 ${k.type} ${k.key}`));
    const file = `# comment\n${lines.join('\n')}\n10.0.0.9 ${ED2}\n`;
    const pinned = pinnedKeys(file, '172.25.1.10');
    expect(pinned.map((b) => b.toString('base64'))).toEqual(keys.map((k) => k.key));
    // ssh2 reads each pinned line as the same public key.
    for (const k of keys) {
      const parsed = utils.parseKey(`${k.type} ${k.key}`);
      expect(parsed).not.toBeInstanceOf(Error);
      expect((parsed as { getPublicSSH(): Buffer }).getPublicSSH().toString('base64')).toBe(k.key);
    }
    expect(pinnedKeys(file, '172.25.1.11')).toEqual([]);
    expect(pinnedKeys(file, '172.25.1.10', 2222)).toEqual([]);
  });

  it('refuses an address that would break the line, and a malformed key', () => {
    const keys = [fields(ED)];
    for (const bad of ['', '1.2.3.4 5.6.7.8', '1.2.3.4,5.6.7.8', '[1.2.3.4]:22', 'a\nb', '*'])
      expect(() => knownHostsLines(bad, keys)).toThrow(UserError);
    expect(() => knownHostsLines('1.2.3.4', [{ type: 'ssh-rsa', key: fields(ED).key }])).toThrow(UserError);
  });
});

type Cmd = { constructor: { name: string }; input: { InstanceId: string; Latest?: boolean } };

function fakeEc2(answer: (cmd: Cmd, call: number) => string | Error): { ec2: EC2Client; calls: Cmd[] } {
  const calls: Cmd[] = [];
  const ec2 = {
    send: async (cmd: Cmd) => {
      if (cmd.constructor.name !== 'GetConsoleOutputCommand')
        throw new Error(`unexpected ${cmd.constructor.name}`);
      calls.push(cmd);
      const a = answer(cmd, calls.filter((c) => c.input.InstanceId === cmd.input.InstanceId).length);
      if (a instanceof Error) throw a;
      return { InstanceId: cmd.input.InstanceId, Output: Buffer.from(a, 'utf8').toString('base64') };
    },
  } as unknown as EC2Client;
  return { ec2, calls };
}

const BASTION = { id: 'i-0bastion', address: '203.0.113.10', role: 'bastion' };
const WEB = { id: 'i-0web', address: '172.25.1.10', role: 'web' };
const NOISE = '[    3.1] Booting\r\n[    9.2] cloud-init[400]: running modules:init\r\n';

describe('fetchHostKeys (fake EC2 client)', () => {
  it('polls until every console has the block (web only on its 2nd poll), then returns known_hosts', async () => {
    const { ec2, calls } = fakeEc2((cmd, n) => {
      if (cmd.input.InstanceId === BASTION.id) return cloudInitConsole([ED2]);
      return n >= 2 ? NOISE + cloudInitConsole([ED, EC]) : NOISE;
    });
    const slept: number[] = [];
    let clock = 0;
    const log: string[] = [];
    const text = await fetchHostKeys(ec2, [BASTION, WEB], {
      pollMs: 15_000,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
      now: () => clock,
      log: (l) => log.push(l),
    });
    expect(slept).toEqual([15_000]);
    // The bastion is not asked again once it has keys; everything asked with Latest first.
    expect(calls.map((c) => [c.input.InstanceId, c.input.Latest])).toEqual([
      [BASTION.id, true],
      [WEB.id, true],
      [WEB.id, true],
    ]);
    expect(pinnedKeys(text, BASTION.address).map((b) => b.toString('base64'))).toEqual([fields(ED2).key]);
    expect(pinnedKeys(text, WEB.address).map((b) => b.toString('base64'))).toEqual([
      fields(ED).key,
      fields(EC).key,
    ]);
    expect(text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toHaveLength(3);
    expect(log.join('\n')).toMatch(/1\/2 instance\(s\) done, waiting for i-0web/);
    expect(log.join('\n')).not.toMatch(/AAAA/); // no key material in progress lines
  });

  it('times out with a retriable error naming the instances still without keys (no real waiting)', async () => {
    const { ec2 } = fakeEc2((cmd) => (cmd.input.InstanceId === BASTION.id ? cloudInitConsole([ED]) : NOISE));
    let clock = 0;
    const err = await fetchHostKeys(ec2, [BASTION, WEB], {
      timeoutMs: 60_000,
      pollMs: 15_000,
      sleep: async (ms) => void (clock += ms),
      now: () => clock,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForeshockError);
    expect(err).not.toBeInstanceOf(UserError);
    expect((err as ForeshockError).retriable).toBe(true);
    expect((err as Error).message).toMatch(
      /no SSH host keys in the console of web i-0web \(172\.25\.1\.10\) within 60 s/,
    );
    expect((err as Error).message).not.toMatch(/bastion/);
    expect(clock).toBe(60_000);
  });

  it('a block with no valid key line counts as no keys', async () => {
    const { ec2 } = fakeEc2(() => cloudInitConsole([`ssh-rsa ${fields(ED).key}`]));
    const err = await fetchHostKeys(ec2, [WEB], { timeoutMs: 0, sleep: async () => undefined }).catch(
      (e: unknown) => e,
    );
    expect((err as ForeshockError).retriable).toBe(true);
    expect((err as Error).message).toMatch(/i-0web/);
  });

  it('falls back to the buffered console when Latest is rejected, and retries throttling', async () => {
    const unsupported = Object.assign(new Error('The requested operation is not supported'), {
      name: 'UnsupportedOperation',
      $fault: 'client',
    });
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'RequestLimitExceeded',
      $fault: 'client',
      $retryable: { throttling: true },
    });
    const { ec2, calls } = fakeEc2((cmd, n) => {
      if (cmd.input.Latest) return unsupported;
      return n < 3 ? throttled : cloudInitConsole([ED]);
    });
    let clock = 0;
    const text = await fetchHostKeys(ec2, [WEB], {
      pollMs: 5,
      sleep: async (ms) => void (clock += ms),
      now: () => clock,
    });
    expect(pinnedKeys(text, WEB.address)).toHaveLength(1);
    // Latest once (rejected), then without it: throttled, then the block.
    expect(calls.map((c) => c.input.Latest ?? false)).toEqual([true, false, false]);
    expect(clock).toBe(5);
  });

  it('a permission error is a one-line user error, not a wait', async () => {
    const denied = Object.assign(new Error('You are not authorized to perform this operation.'), {
      name: 'UnauthorizedOperation',
      $fault: 'client',
    });
    const { ec2 } = fakeEc2(() => denied);
    await expect(fetchHostKeys(ec2, [WEB], { sleep: async () => undefined })).rejects.toThrow(
      /^web i-0web \(172\.25\.1\.10\): GetConsoleOutput failed: UnauthorizedOperation/,
    );
  });
});

describe('known-hosts targets and file', () => {
  const outputs = {
    VpcId: 'vpc-1',
    PrivateSubnetId: 'subnet-1',
    LaunchTemplateId: 'lt-1',
    BastionPublicIp: '203.0.113.10',
    WebPrivateIp: '172.25.1.10',
    DbPrivateIp: '172.25.1.11',
    KafkaPrivateIp: '172.25.1.12',
    AnalysisPrivateIp: '172.25.1.13',
    ClientPrivateIps: '172.25.1.14',
    WebSecurityGroupId: 'sg-1',
    DbSecurityGroupId: 'sg-1',
    KafkaSecurityGroupId: 'sg-1',
    AnalysisSecurityGroupId: 'sg-1',
    ClientSecurityGroupId: 'sg-1',
  };
  const inst = (id: string, role: string, ip: string, pub?: string): Instance => ({
    InstanceId: id,
    PrivateIpAddress: ip,
    ...(pub ? { PublicIpAddress: pub } : {}),
    Tags: [
      { Key: 'foreshock:stack', Value: 'fs' },
      { Key: 'foreshock:role', Value: role },
    ],
  });

  it('pins the bastion at its public IP and the others at their private IPs; warns on stale outputs', () => {
    const inv = inventoryFromOutputs('fs', outputs);
    const log: string[] = [];
    const t = knownHostsTargets(
      inv,
      [
        inst('i-b', 'bastion', '172.25.0.5', '203.0.113.10'),
        inst('i-w2', 'web', '172.25.1.99'), // a replacement: not the output's address
        inst('i-d', 'db', '172.25.1.11'),
      ],
      (l) => log.push(l),
    );
    expect(t).toEqual([
      { id: 'i-b', role: 'bastion', address: '203.0.113.10' },
      { id: 'i-w2', role: 'web', address: '172.25.1.99' },
      { id: 'i-d', role: 'db', address: '172.25.1.11' },
    ]);
    expect(log.join('\n')).toMatch(/no running instance has web's address 172\.25\.1\.10/);
    expect(() => knownHostsTargets(inv, [inst('i-d', 'db', '172.25.1.11')])).toThrow(
      /no running instance tagged foreshock:role=bastion/,
    );
    expect(() => knownHostsTargets(inv, [inst('i-b', 'bastion', '172.25.0.5', '198.51.100.1')])).toThrow(
      UserError,
    );
  });

  it('writes the file whole, mode 0600, creating directories, leaving no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-known-hosts-'));
    try {
      const file = join(dir, 'a', 'b', 'known_hosts');
      writeFileAtomic(file, 'one\n');
      writeFileAtomic(file, 'two\n');
      expect(readFileSync(file, 'utf8')).toBe('two\n');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['known_hosts']);
      expect(defaultKnownHostsFile('fs')).toMatch(/\.foreshock\/aws\/fs\/known_hosts$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- against moto (skipped when moto_server is not on PATH) ----

const HAVE_MOTO = haveMoto('the known-hosts test against moto');

describe.skipIf(!HAVE_MOTO)('aws known-hosts against moto', () => {
  const STACK = 'fs-moto-keys';
  const moto = new MotoServer();
  let endpoint = '';
  let home = '';

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'fs-known-hosts-home-'));
    endpoint = await moto.start();
    await deployStack({
      region: 'us-east-1',
      endpoint,
      stackName: STACK,
      templateBody: readFileSync('test/aws/fixtures/mini.yaml', 'utf8'),
      parameters: { SshCidr: '10.1.2.3/32' },
      timeoutS: 120,
    });
  }, 120_000);

  afterAll(async () => {
    try {
      if (endpoint) await teardownStack({ region: 'us-east-1', endpoint, stackName: STACK, timeoutS: 60 });
    } finally {
      await moto.stop();
      if (home) rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);

  it('a stack whose consoles hold no keys fails with the retriable error and writes no file', async () => {
    const out = join(home, 'explicit', 'known_hosts');
    const args = ['aws', 'known-hosts', '--stack-name', STACK, '--endpoint', endpoint, '--timeout-s', '1'];
    const env = { ...motoCliEnv(endpoint), HOME: home };
    for (const extra of [[], ['--out', out]]) {
      const r = await runCliAsync([...args, ...extra], { env });
      // Retriable: exit 3, one line, no stack trace (cli/main.ts).
      expect(r.code, r.stderr).toBe(3);
      const last = r.stderr.trim().split('\n').pop()!;
      expect(last).toMatch(/^foreshock: no SSH host keys in the console of .* within 1 s.*retrying may help/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const named = /console of (.*) within/.exec(r.stderr)?.[1] ?? '';
      // Every instance of the mini stack is named, with its id and address.
      for (const role of ['bastion', 'web', 'db'])
        expect(named).toMatch(new RegExp(`(^|, )${role} i-[0-9a-f]+ \\(\\d+\\.\\d+\\.\\d+\\.\\d+\\)`));
      expect(r.stdout + r.stderr).not.toMatch(/testing/); // no credential echoed
    }
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(home, '.foreshock'))).toBe(false);
    expect(readdirSync(home)).toEqual([]);
  }, 60_000);

  it('an absent stack is a one-line user error', async () => {
    const r = await runCliAsync(['aws', 'known-hosts', '--stack-name', 'fs-absent', '--endpoint', endpoint], {
      env: { ...motoCliEnv(endpoint), HOME: home },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^foreshock: stack fs-absent does not exist in us-east-1 \(deploy it first\)$/,
    );
  }, 60_000);
});
