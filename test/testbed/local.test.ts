// End-to-end test of the local testbed provider. It needs root and Linux features (cgroup v1,
// loop devices, namespaces); without them it skips and says which piece is missing. It uses its
// own name prefix and subnet so it never touches a testbed a user brought up with the defaults.

import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  down,
  exec,
  execSync,
  findTool,
  missingPiece,
  openHost,
  readInventory,
  sshArgv,
  status,
  up,
} from '../../src/testbed/local/index.ts';

const PREFIX = 'fst-';
const SUBNET = '10.78.0';
const HOSTS = ['web', 'db', 'client'];
const missing = missingPiece();
if (missing) console.warn(`testbed/local.test.ts skipped: needs ${missing}`);
const haveSsh = findTool('sshd') !== undefined && findTool('ssh') !== undefined;
if (!missing && !haveSsh) console.warn('testbed/local.test.ts: ssh test skipped: needs sshd and ssh');

function sh(argv: string[]): string {
  const [cmd, ...args] = argv;
  return spawnSync(cmd ?? 'true', args, { encoding: 'utf8' }).stdout ?? '';
}

/** Every kernel object or mount with the test prefix (or under `dirs`) that still exists. */
function leftovers(dirs: string[]): string[] {
  const out: string[] = [];
  for (const l of sh(['ip', 'netns', 'list']).split('\n')) {
    if (l.startsWith(PREFIX)) out.push(`netns ${l}`);
  }
  for (const l of sh(['ip', '-o', 'link', 'show']).split('\n')) {
    const name = l.split(': ')[1] ?? '';
    if (name.startsWith(PREFIX)) out.push(`link ${name}`);
  }
  for (const l of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = l.split(' ')[4] ?? '';
    if (mp.includes(`/${PREFIX}`) || dirs.some((d) => mp.startsWith(d))) out.push(`mount ${mp}`);
  }
  for (const dev of readdirSync('/sys/block').filter((d) => d.startsWith('loop'))) {
    const bf = path.join('/sys/block', dev, 'loop', 'backing_file');
    if (existsSync(bf) && readFileSync(bf, 'utf8').includes(`/${PREFIX}`)) out.push(`loop ${dev}`);
  }
  for (const c of ['cpu', 'cpuacct', 'memory']) {
    for (const d of readdirSync(path.join('/sys/fs/cgroup', c))) {
      if (d.startsWith(PREFIX)) out.push(`cgroup ${c}/${d}`);
    }
  }
  return out;
}

/** Resolves with the first stdout line of a child, rejects if it exits first. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`exited ${String(code)} before a line: ${err}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe.skipIf(missing !== undefined)('local testbed (root, namespaces, cgroup v1, loop)', () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'foreshock-tb-'));
  const crashDir = mkdtempSync(path.join(os.tmpdir(), 'foreshock-tb-crash-'));
  const emptyDir = mkdtempSync(path.join(os.tmpdir(), 'foreshock-tb-empty-'));
  const dirs = [stateDir, crashDir];

  beforeAll(async () => {
    await down(emptyDir, PREFIX); // leftovers of an earlier aborted run of this test
    await up(stateDir, { prefix: PREFIX, subnet: SUBNET, hosts: HOSTS, ssh: haveSsh });
  });

  afterAll(async () => {
    for (const d of [stateDir, crashDir, emptyDir]) {
      try {
        await down(d, PREFIX);
      } finally {
        rmSync(d, { recursive: true, force: true });
      }
    }
  });

  it('brings up every host with its own netns, eth0 address and no route off the subnet', () => {
    const st = status(stateDir);
    expect(st.complete).toBe(true);
    expect(st.leftovers).toEqual([]);
    const nets = sh(['ip', 'netns', 'list']);
    HOSTS.forEach((h, i) => {
      expect(nets).toContain(`${PREFIX}${h}`);
      const addr = sh(['ip', '-n', `${PREFIX}${h}`, '-o', '-4', 'addr', 'show', 'dev', 'eth0']);
      expect(addr).toContain(`${SUBNET}.${i + 10}/24`);
    });
    const routeOut = spawnSync('ip', ['-n', `${PREFIX}web`, 'route', 'get', '192.0.2.1'], {
      encoding: 'utf8',
    });
    expect(routeOut.status).not.toBe(0); // no default route: the address is unreachable
  });

  it('is idempotent: a second up reports the existing testbed and changes nothing', async () => {
    const again = await up(stateDir, { prefix: PREFIX, subnet: SUBNET, hosts: HOSTS, ssh: haveSsh });
    expect(again.created).toBe(false);
    expect(again.status.complete).toBe(true);
  });

  it('exec runs a process with the host hostname, cgroups and own disk', () => {
    const web = openHost(stateDir, 'web');
    const r = execSync(web, ['sh', '-c', 'hostname; cat /proc/self/cgroup; stat -f -c "%b %S" disk'], {
      cwd: stateDir,
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('web');
    for (const c of ['cpu', 'cpuacct', 'memory']) {
      expect(r.stdout).toMatch(new RegExp(`^\\d+:${c}:/${PREFIX}web$`, 'm'));
    }
    // The host sees its own ~256 MiB ext4 disk at <state>/disk, not the root filesystem.
    const [blocks, blockSize] = (lines[lines.length - 2] ?? '').split(' ').map(Number);
    const bytes = (blocks ?? 0) * (blockSize ?? 0);
    expect(bytes).toBeGreaterThan(100 * 1024 * 1024);
    expect(bytes).toBeLessThan(300 * 1024 * 1024);
  });

  it.skipIf(!haveSsh)('sshd per host: key-only login, pinned host key, lands in the host cgroups', () => {
    const web = readInventory(stateDir)?.hosts.find((h) => h.name === 'web');
    expect(web).toBeDefined();
    if (!web) return;
    const argv = sshArgv(stateDir, web, ['sh', '-c', 'hostname; cat /proc/self/cgroup; echo "$0"', "it's"]);
    const r = spawnSync(argv[0] ?? 'ssh', argv.slice(1), { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('web');
    expect(r.stdout).toMatch(new RegExp(`^\\d+:cpuacct:/${PREFIX}web$`, 'm'));
    expect(r.stdout).toContain("it's"); // arguments survive the remote shell
    // Without the pinned known_hosts entry the client must refuse the host.
    const unpinned = argv.map((a) =>
      a.startsWith('UserKnownHostsFile=') ? 'UserKnownHostsFile=/dev/null' : a,
    );
    expect(spawnSync(unpinned[0] ?? 'ssh', unpinned.slice(1), { encoding: 'utf8' }).status).toBe(255);
  });

  it('two hosts talk over the bridge (TCP server in db, client in web)', async () => {
    const server = exec(openHost(stateDir, 'db'), [
      process.execPath,
      '-e',
      `require('net').createServer((s) => s.end('pong from ' + require('os').hostname()))` +
        `.listen(7000, '${SUBNET}.11', () => console.log('ready'))`,
    ]);
    try {
      expect(await firstLine(server)).toBe('ready');
      const r = execSync(openHost(stateDir, 'web'), [
        process.execPath,
        '-e',
        `const s = require('net').connect(7000, '${SUBNET}.11'); let d = '';` +
          `s.on('data', (c) => (d += c)); s.on('end', () => console.log(d));` +
          `s.on('error', (e) => { console.error(e.message); process.exit(3); });`,
      ]);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('pong from db');
    } finally {
      await stop(server);
    }
  });

  it('the CPU quota caps a busy loop at about half a core', async () => {
    const busy = exec(openHost(stateDir, 'client'), [
      process.execPath,
      '-e',
      `console.log('go'); for (;;) {}`,
    ]);
    try {
      expect(await firstLine(busy)).toBe('go');
      const usageFile = path.join('/sys/fs/cgroup/cpuacct', `${PREFIX}client`, 'cpuacct.usage');
      const u0 = Number(readFileSync(usageFile, 'utf8'));
      const t0 = process.hrtime.bigint();
      await new Promise((r) => setTimeout(r, 1000));
      const u1 = Number(readFileSync(usageFile, 'utf8'));
      const dt = Number(process.hrtime.bigint() - t0);
      const cores = (u1 - u0) / dt;
      // A cap, not a guarantee: other tests may steal CPU, so only the upper bound is tight.
      expect(cores).toBeLessThan(0.5 * 1.3);
      expect(cores).toBeGreaterThan(0.05);
    } finally {
      await stop(busy);
    }
  });

  it("down refuses a prefix that is not the state directory testbed's, and touches nothing", async () => {
    await expect(down(stateDir, 'fsother-')).rejects.toThrow(/has prefix "fst-", not "fsother-"/);
    expect(existsSync(path.join(stateDir, 'testbed.json'))).toBe(true);
    expect(readdirSync('/run/netns').filter((n) => n.startsWith(PREFIX)).length).toBe(HOSTS.length);
  });

  it('down removes every process, mount, loop device, link, netns, cgroup and state file', async () => {
    const sleeper = exec(openHost(stateDir, 'db'), ['sleep', '600'], { stdio: 'ignore' });
    expect(sleeper.pid).toBeDefined();
    const res = await down(stateDir);
    expect(res.netns).toBe(HOSTS.length);
    expect(leftovers(dirs)).toEqual([]);
    expect(existsSync(path.join(stateDir, 'testbed.json'))).toBe(false);
    expect(status(stateDir, PREFIX).inventory).toBeUndefined();
  });

  it('down cleans up after a crash that lost the state directory', async () => {
    await up(crashDir, { prefix: PREFIX, subnet: SUBNET, hosts: ['web', 'db'] });
    exec(openHost(crashDir, 'web'), ['sleep', '600'], { stdio: 'ignore' });
    // The crash: the state file is gone but every kernel object is still there.
    rmSync(path.join(crashDir, 'testbed.json'));
    expect(leftovers(dirs).length).toBeGreaterThan(0);
    expect(status(emptyDir, PREFIX).leftovers.length).toBeGreaterThan(0);
    await down(emptyDir, PREFIX);
    expect(leftovers(dirs)).toEqual([]);
  });
});

describe.skipIf(missing === undefined)('local testbed without root or kernel features', () => {
  it('up refuses with a one-line error naming the missing piece', async () => {
    await expect(up(path.join(os.tmpdir(), 'foreshock-tb-none'))).rejects.toThrow(
      new RegExp(`^testbed: needs ${(missing ?? '').replace(/[()]/g, '\\$&')}$`),
    );
  });
});
