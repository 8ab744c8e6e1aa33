// Host transports (issue 8). LocalTransport and the argv quoting are checked on any machine. The
// SSH part brings up its own two-host testbed with sshd (prefix fsh-, subnet 10.80.0, so it never
// touches a testbed of the user's or of another test) and needs root, sshd and the testbed's
// kernel pieces; without them it skips and says which piece is missing.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import {
  connectSsh,
  LocalTransport,
  pinnedKeys,
  testbedTransport,
  type HostTransport,
} from '../../src/faults/transport.ts';
import {
  down,
  findTool,
  missingPiece,
  readInventory,
  shellQuote,
  sshPaths,
  up,
} from '../../src/testbed/local/index.ts';
import { testbedLeftovers } from '../helpers/testbed-leftovers.ts';
import { rejection } from './helpers.ts';

const PREFIX = 'fsh-';
const SUBNET = '10.80.0';
const HOSTS = ['web', 'db'];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'foreshock-transport-'));
const canary = path.join(tmp, 'pwned');

/** Words a shell would split, expand, substitute or execute if they were not quoted. */
const HOSTILE = [
  "it's $HOME; echo pwned",
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `; touch ${canary} #`,
  `' ; touch ${canary} ; '`,
  `'\\''`,
  'a"b\\c"d',
  '*',
  '~',
  '!!',
  '-n',
  '--',
  '',
  ' lead and trail ',
  'tab\there',
  'line1\nline2\n',
  '%s %d %n',
  '${PATH:0:1}',
  "$'\\x41'",
  '&& | || > /dev/null < x 2>&1 ( ) { }',
  'ünïcødé € 😀',
];

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function expectNoCanary(): void {
  expect(existsSync(canary)).toBe(false);
}

describe('shellQuote (the remote side runs the joined words with a POSIX shell)', () => {
  it('round-trips every hostile word through sh -c and bash -c', async () => {
    const t = new LocalTransport('here');
    for (const shell of ['sh', 'bash']) {
      for (const w of HOSTILE) {
        const r = await t.run([shell, '-c', `printf %s ${shellQuote(w)}`]);
        expect(r).toEqual({ code: 0, signal: null, stdout: w, stderr: '' });
      }
      // Several quoted words stay several words.
      const r = await t.run([shell, '-c', `printf '<%s>' ${HOSTILE.map(shellQuote).join(' ')}`]);
      expect(r.stdout).toBe(HOSTILE.map((w) => `<${w}>`).join(''));
    }
    expectNoCanary();
  });
});

describe('LocalTransport', () => {
  const t = new LocalTransport('here');

  it('passes argv verbatim, with no shell', async () => {
    expect(t.description).toBe('local');
    expect(t.host).toBe('here');
    for (const w of HOSTILE) {
      expect((await t.run(['printf', '%s', w])).stdout).toBe(w);
    }
    expectNoCanary();
  });

  it('reports exit codes, signals, stderr and feeds input', async () => {
    expect(await t.run(['sh', '-c', 'exit 7'])).toMatchObject({ code: 7, signal: null });
    expect(await t.run(['sh', '-c', 'kill -TERM $$'])).toMatchObject({ code: null, signal: 'SIGTERM' });
    const r = await t.run(['sh', '-c', 'cat; echo oops >&2; exit 3'], { input: 'in put\n' });
    expect(r).toEqual({ code: 3, signal: null, stdout: 'in put\n', stderr: 'oops\n' });
    // Without input, stdin is at EOF at once (cat must not hang).
    expect(await t.run(['cat'], { timeoutMs: 5000 })).toMatchObject({ code: 0, stdout: '' });
  });

  it('rejects on timeout with a retriable error naming host and command, not its arguments', async () => {
    const started = Date.now();
    // `sleep 29 1` sleeps 30 s; the second word stands in for an argument that must not leak.
    const e = await rejection(t.run(['sleep', '29', '1'], { timeoutMs: 200 }));
    // The 200 ms timeout applied, not the 30 s sleep (a bound far from both).
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(e.retriable).toBe(true);
    expect(e.message).toBe('local (here): sleep timed out after 200 ms');
  });

  it('refuses an empty argv, a NUL byte and a missing command', async () => {
    await expect(t.run([])).rejects.toThrow(UserError);
    await expect(t.run(['printf', 'a\0b'])).rejects.toThrow(/NUL/);
    const e = await rejection(t.run(['/nonexistent/foreshock-cmd']));
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toMatch(/^local \(here\): \/nonexistent\/foreshock-cmd: cannot start: /);
  });
});

describe('pinnedKeys', () => {
  it('matches the address exactly, per port, and ignores hashed and marker lines', () => {
    const kh = [
      '# comment',
      '10.0.0.1 ssh-ed25519 AAAA',
      '10.0.0.10 ssh-ed25519 BBBB',
      '10.0.0.2,10.0.0.1 ssh-ed25519 CCCC',
      '[10.0.0.1]:2222 ssh-ed25519 DDDD',
      '|1|abc=|def= ssh-ed25519 EEEE',
      '@cert-authority 10.0.0.1 ssh-ed25519 FFFF',
      '',
    ].join('\n');
    const b64 = (ks: Buffer[]): string[] => ks.map((k) => k.toString('base64'));
    expect(b64(pinnedKeys(kh, '10.0.0.1'))).toEqual(['AAAA', 'CCCC']);
    expect(b64(pinnedKeys(kh, '10.0.0.1', 2222))).toEqual(['DDDD']);
    expect(pinnedKeys(kh, '10.0.0.3')).toEqual([]);
  });
});

describe('testbedTransport refuses without an ssh testbed', () => {
  const dir = mkdtempSync(path.join(tmp, 'fake-state-'));
  const write = (ssh: boolean): void =>
    writeFileSync(
      path.join(dir, 'testbed.json'),
      JSON.stringify({ prefix: 'fz-', subnet: '10.99.0', bridgeIp: '10.99.0.1', hosts: [], ssh }),
    );

  it('names `foreshock testbed up --ssh` when there is no testbed or it has no sshd', async () => {
    await expect(testbedTransport(dir, 'db')).rejects.toThrow(/run `foreshock testbed up --ssh`$/);
    write(false);
    const e = await rejection(testbedTransport(dir, 'db'));
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toMatch(/runs no sshd; .*`foreshock testbed up --ssh`$/);
  });

  it('names an unknown host', async () => {
    write(true);
    await expect(testbedTransport(dir, 'nope')).rejects.toThrow(/no host "nope"/);
  });
});

const missing =
  missingPiece() ??
  (findTool('sshd') ? undefined : 'sshd (openssh-server)') ??
  (findTool('ssh-keygen') ? undefined : 'ssh-keygen');
if (missing) console.warn(`faults/transport.test.ts: SSH tests skipped: needs ${missing}`);

describe.skipIf(missing !== undefined)('SSH transport on a local testbed (root, sshd)', () => {
  const stateDir = path.join(tmp, 'testbed');
  const emptyDir = path.join(tmp, 'empty');
  const open: HostTransport[] = [];
  let db: HostTransport;
  let dbIp = '';
  let webIp = '';

  /** Connects to a testbed host and remembers the transport so afterAll closes it. */
  async function connect(host: string): Promise<HostTransport> {
    const t = await testbedTransport(stateDir, host, { connectTimeoutMs: 5000 });
    open.push(t);
    return t;
  }

  beforeAll(async () => {
    await down(emptyDir, PREFIX); // leftovers of an earlier aborted run of this test
    await up(stateDir, { prefix: PREFIX, subnet: SUBNET, hosts: HOSTS, ssh: true });
    const inv = readInventory(stateDir);
    dbIp = inv?.hosts.find((h) => h.name === 'db')?.ip ?? '';
    webIp = inv?.hosts.find((h) => h.name === 'web')?.ip ?? '';
    db = await connect('db');
  });

  afterAll(async () => {
    try {
      await Promise.all(open.map((t) => t.close()));
    } finally {
      await down(stateDir, PREFIX);
      await down(emptyDir, PREFIX);
    }
    expect(testbedLeftovers(PREFIX, [stateDir])).toEqual([]);
  });

  it('describes itself as ssh root@<address>', () => {
    expect(db.host).toBe('db');
    expect(db.description).toBe(`ssh root@${dbIp}`);
  });

  it('round-trips hostile argv verbatim through the remote shell', async () => {
    for (const w of HOSTILE) {
      expect(await db.run(['printf', '%s', w])).toEqual({ code: 0, signal: null, stdout: w, stderr: '' });
    }
    const r = await db.run(['printf', '<%s>', ...HOSTILE]);
    expect(r.stdout).toBe(HOSTILE.map((w) => `<${w}>`).join(''));
    expectNoCanary();
  });

  it('runs the command inside the host: its hostname and its cgroups', async () => {
    expect((await db.run(['hostname'])).stdout).toBe('db\n');
    const cg = (await db.run(['cat', '/proc/self/cgroup'])).stdout;
    for (const c of ['cpu', 'cpuacct', 'memory']) {
      expect(cg).toMatch(new RegExp(`^\\d+:${c}:/${PREFIX}db$`, 'm'));
    }
    const web = await connect('web');
    expect((await web.run(['hostname'])).stdout).toBe('web\n');
  });

  it('reports exit codes, stderr and feeds input', async () => {
    const r = await db.run(['sh', '-c', 'cat; echo oops >&2; exit 3'], { input: 'in put\n' });
    expect(r).toEqual({ code: 3, signal: null, stdout: 'in put\n', stderr: 'oops\n' });
    expect(await db.run(['sh', '-c', 'kill -TERM $$'])).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(await db.run(['cat'], { timeoutMs: 5000 })).toMatchObject({ code: 0, stdout: '' });
  });

  it('runs concurrently on one connection (more runs than sshd allows sessions, too)', async () => {
    // Each prints its start and end on the host's clock; overlapping intervals = ran concurrently.
    const script = 'date +%s%N; sleep 1; date +%s%N; echo "$0"';
    const [a, b] = await Promise.all([
      db.run(['sh', '-c', script, 'first']),
      db.run(['sh', '-c', script, 'second']),
    ]);
    const span = (out: string): [bigint, bigint] => {
      const [s0, s1] = out.split('\n');
      return [BigInt(s0!), BigInt(s1!)];
    };
    expect(a?.stdout.split('\n')[2]).toBe('first');
    expect(b?.stdout.split('\n')[2]).toBe('second');
    const [a0, a1] = span(a!.stdout);
    const [b0, b1] = span(b!.stdout);
    expect(a0 < b1 && b0 < a1).toBe(true);
    const many = await Promise.all(Array.from({ length: 25 }, (_, i) => db.run(['echo', String(i)])));
    expect(many.map((r) => r.stdout)).toEqual(Array.from({ length: 25 }, (_, i) => `${i}\n`));
  });

  it('times out: rejects retriable naming host and command, kills the command, keeps the connection', async () => {
    const marker = `foreshock-timeout-${process.pid}`;
    // sh forks two sleeps (one in the background): the whole tree must die, not just sh.
    const e = await rejection(db.run(['sh', '-c', 'sleep 30 & sleep 30; wait', marker], { timeoutMs: 300 }));
    expect(e.retriable).toBe(true);
    expect(e.message).toBe(`ssh root@${dbIp} (db): sh timed out after 300 ms`);
    expect(e.message).not.toContain(marker);
    // Nothing of that run is left in the host's cgroup (sshd refuses "signal" for root logins, so
    // this is the marker kill at work).
    const procs = (): string[] =>
      readFileSync(`/sys/fs/cgroup/cpuacct/${PREFIX}db/cgroup.procs`, 'utf8')
        .split('\n')
        .filter((p) => p !== '')
        .map((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
          } catch {
            return '';
          }
        });
    const deadline = Date.now() + 3000;
    while (procs().some((c) => c.includes('sleep 30') || c.includes(marker)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(procs().filter((c) => c.includes('sleep 30') || c.includes(marker))).toEqual([]);
    expect((await db.run(['echo', 'still here'])).stdout).toBe('still here\n');
  });

  it('times out many runs at once, queued ones too, and leaves none of them running', async () => {
    const marker = `foreshock-many-${process.pid}`;
    const runs = Array.from({ length: 14 }, () =>
      rejection(db.run(['sh', '-c', 'sleep 30', marker], { timeoutMs: 500 })),
    );
    for (const e of await Promise.all(runs)) expect(e.message).toMatch(/: sh timed out after 500 ms$/);
    const left = (): string[] =>
      readFileSync(`/sys/fs/cgroup/cpuacct/${PREFIX}db/cgroup.procs`, 'utf8')
        .split('\n')
        .filter((p) => p !== '')
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
          } catch {
            return false;
          }
        });
    const deadline = Date.now() + 3000;
    while (left().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(left()).toEqual([]);
    expect((await db.run(['echo', 'ok'])).stdout).toBe('ok\n');
  });

  it('refuses a host whose key is not the one pinned for its address', async () => {
    const p = sshPaths(stateDir);
    const webLine = readFileSync(p.knownHosts, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${webIp} `));
    expect(webLine).toBeDefined();
    const wrongPins = path.join(tmp, 'known_hosts.wrong');
    // db's address pinned to web's host key.
    writeFileSync(wrongPins, `${(webLine ?? '').replace(webIp, dbIp)}\n`);
    const e = await rejection(
      connectSsh({ host: 'db', address: dbIp, privateKeyFile: p.clientKey, knownHostsFile: wrongPins }),
    );
    expect(e).toBeInstanceOf(UserError);
    expect(e.retriable).toBe(false);
    expect(e.message).toBe(`ssh root@${dbIp} (db): host key does not match the key pinned in ${wrongPins}`);
    // No pin at all for the address is refused the same way.
    const noPins = path.join(tmp, 'known_hosts.empty');
    writeFileSync(noPins, '');
    await expect(
      connectSsh({ host: 'db', address: dbIp, privateKeyFile: p.clientKey, knownHostsFile: noPins }),
    ).rejects.toThrow(/host key does not match the key pinned in/);
  });

  it('rejects an unreachable address in the subnet as retriable, naming the address', async () => {
    const p = sshPaths(stateDir);
    const addr = `${SUBNET}.99`;
    const e = await rejection(
      connectSsh({
        host: 'ghost',
        address: addr,
        privateKeyFile: p.clientKey,
        knownHostsFile: p.knownHosts,
        connectTimeoutMs: 1500,
      }),
    );
    expect(e.retriable).toBe(true);
    expect(e.message).toMatch(
      new RegExp(`^ssh root@${addr.replace(/\./g, '\\.')} \\(ghost\\): unreachable: `),
    );
  });

  it('rejects a refused connection fast (no sshd on that port)', async () => {
    const p = sshPaths(stateDir);
    const e = await rejection(
      connectSsh({
        host: 'db',
        address: dbIp,
        port: 2222,
        privateKeyFile: p.clientKey,
        knownHostsFile: p.knownHosts,
      }),
    );
    // Refused, not timed out: the message says which.
    expect(e.retriable).toBe(true);
    expect(e.message).toBe(`ssh root@${dbIp}:2222 (db): unreachable: ECONNREFUSED`);
  });

  it('rejects a client key the host does not authorise, naming the host', async () => {
    const key = path.join(tmp, 'wrong_ed25519');
    const kg = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key], { encoding: 'utf8' });
    expect(kg.status).toBe(0);
    const e = await rejection(
      connectSsh({
        host: 'db',
        address: dbIp,
        privateKeyFile: key,
        knownHostsFile: sshPaths(stateDir).knownHosts,
      }),
    );
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toBe(`ssh root@${dbIp} (db): authentication failed: the server refused the key ${key}`);
  });
});
