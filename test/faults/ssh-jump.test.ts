// The SSH transport through a bastion (jump host), its long-running processes (spawn) and its TCP
// tunnels (the AWS testbed reaches private hosts only through a bastion). Brings up its own
// three-host testbed with sshd (prefix fsa-, subnet 10.85.0, so it never touches a testbed of the
// user's or of another test): analysis plays the bastion, db the private host. Needs root, sshd
// and the testbed's kernel pieces; without them it skips and says which piece is missing.

import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import {
  connectSsh,
  type SshHostTransport,
  type SshJumpOptions,
  type SshTransportOptions,
} from '../../src/faults/transport.ts';
import { down, findTool, missingPiece, readInventory, sshPaths, up } from '../../src/testbed/local/index.ts';
import { testbedLeftovers } from '../helpers/testbed-leftovers.ts';
import { until } from '../helpers/until.ts';
import { rejection } from './helpers.ts';

const PREFIX = 'fsa-';
const SUBNET = '10.85.0';
const HOSTS = ['web', 'db', 'analysis'];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'foreshock-ssh-jump-'));
const canary = path.join(tmp, 'pwned');

/** Words a shell would split, expand, substitute or execute if they were not quoted. */
const HOSTILE = [
  "it's $HOME; echo pwned",
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `' ; touch ${canary} ; '`,
  'a"b\\c"d',
  '*',
  '',
  'line1\nline2\n',
  '${PATH:0:1}',
  'ünïcødé € 😀',
];

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Everything a stream emits, as it arrives. */
function collect(s: Readable): { text: () => string } {
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  return { text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Local processes whose command line contains `word` (pgrep excludes itself; no shell). */
function pgrep(word: string): string[] {
  const r = spawnSync('pgrep', ['-f', '--', word], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l !== '');
}

const re = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const missing =
  missingPiece() ??
  (findTool('sshd') ? undefined : 'sshd (openssh-server)') ??
  (findTool('ssh-keygen') ? undefined : 'ssh-keygen') ??
  (findTool('pgrep') ? undefined : 'pgrep (procps)');
if (missing) console.warn(`faults/ssh-jump.test.ts: SSH tests skipped: needs ${missing}`);

describe.skipIf(missing !== undefined)(
  'SSH transport through a bastion, spawn and tunnel (root, sshd)',
  () => {
    const stateDir = path.join(tmp, 'testbed');
    const emptyDir = path.join(tmp, 'empty');
    const open: SshHostTransport[] = [];
    let dbIp = '';
    let webIp = '';
    let analysisIp = '';
    /** db through analysis. */
    let viaJump: SshHostTransport;
    /** analysis itself: the tunnel origin. */
    let bastion: SshHostTransport;

    const jumpOpts = (o: Partial<SshJumpOptions> = {}): SshJumpOptions => {
      const p = sshPaths(stateDir);
      return {
        address: analysisIp,
        privateKeyFile: p.clientKey,
        knownHostsFile: p.knownHosts,
        connectTimeoutMs: 5000,
        ...o,
      };
    };
    const dbOpts = (o: Partial<SshTransportOptions> = {}): SshTransportOptions => {
      const p = sshPaths(stateDir);
      return {
        host: 'db',
        address: dbIp,
        privateKeyFile: p.clientKey,
        knownHostsFile: p.knownHosts,
        connectTimeoutMs: 5000,
        jump: jumpOpts(),
        ...o,
      };
    };
    async function connect(o: SshTransportOptions): Promise<SshHostTransport> {
      const t = await connectSsh(o);
      open.push(t);
      return t;
    }
    /** A known_hosts file pinning `address` to web's host key. */
    function wrongPins(address: string): string {
      const line = readFileSync(sshPaths(stateDir).knownHosts, 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${webIp} `));
      expect(line).toBeDefined();
      const file = path.join(tmp, `known_hosts.wrong-${address}`);
      writeFileSync(file, `${(line ?? '').replace(webIp, address)}\n`);
      return file;
    }

    beforeAll(async () => {
      await down(emptyDir, PREFIX); // leftovers of an earlier aborted run of this test
      await up(stateDir, { prefix: PREFIX, subnet: SUBNET, hosts: HOSTS, ssh: true });
      const inv = readInventory(stateDir);
      const ip = (n: string): string => inv?.hosts.find((h) => h.name === n)?.ip ?? '';
      dbIp = ip('db');
      webIp = ip('web');
      analysisIp = ip('analysis');
      viaJump = await connect(dbOpts());
      bastion = await connect(dbOpts({ host: 'analysis', address: analysisIp, jump: undefined }));
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

    it('reaches db through analysis: SSH_CONNECTION on db comes from the bastion', async () => {
      expect(viaJump.host).toBe('db');
      expect(viaJump.description).toBe(`ssh root@${dbIp} via ${analysisIp}`);
      expect((await viaJump.run(['hostname'])).stdout).toBe('db\n');
      const conn = (await viaJump.run(['printenv', 'SSH_CONNECTION'])).stdout.trim().split(' ');
      expect(conn[0]).toBe(analysisIp);
      expect(conn[2]).toBe(dbIp);
      expect(conn[3]).toBe('22');
    });

    it('round-trips hostile argv verbatim through the bastion', async () => {
      for (const w of HOSTILE) {
        expect(await viaJump.run(['printf', '%s', w])).toEqual({
          code: 0,
          signal: null,
          stdout: w,
          stderr: '',
        });
      }
      const r = await viaJump.run(['printf', '<%s>', ...HOSTILE]);
      expect(r.stdout).toBe(HOSTILE.map((w) => `<${w}>`).join(''));
      expect(existsSync(canary)).toBe(false);
    });

    it('refuses a bastion or a target whose host key is not the pinned one, naming which', async () => {
      const jumpPins = wrongPins(analysisIp);
      const e = await rejection(connectSsh(dbOpts({ jump: jumpOpts({ knownHostsFile: jumpPins }) })));
      expect(e).toBeInstanceOf(UserError);
      expect(e.retriable).toBe(false);
      expect(e.message).toBe(
        `ssh root@${dbIp} via ${analysisIp} (db): bastion ${analysisIp}: host key does not match the key pinned in ${jumpPins}`,
      );
      const targetPins = wrongPins(dbIp);
      const t = await rejection(connectSsh(dbOpts({ knownHostsFile: targetPins })));
      expect(t).toBeInstanceOf(UserError);
      expect(t.message).toBe(
        `ssh root@${dbIp} via ${analysisIp} (db): host key does not match the key pinned in ${targetPins}`,
      );
    });

    it('rejects an unreachable bastion as retriable, naming it', async () => {
      const ghost = `${SUBNET}.99`;
      const started = Date.now();
      const e = await rejection(
        connectSsh(dbOpts({ jump: jumpOpts({ address: ghost, connectTimeoutMs: 1500 }) })),
      );
      expect(e.retriable).toBe(true);
      expect(e).not.toBeInstanceOf(UserError);
      expect(e.message).toMatch(
        new RegExp(`^ssh root@${re(dbIp)} via ${re(ghost)} \\(db\\): bastion ${re(ghost)}: unreachable: `),
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      // A target the bastion cannot reach (no sshd on that port) is retriable too.
      const r = await rejection(connectSsh(dbOpts({ port: 2222 })));
      expect(r.retriable).toBe(true);
      expect(r.message).toMatch(
        new RegExp(`^ssh root@${re(dbIp)}:2222 via ${re(analysisIp)} \\(db\\): unreachable from bastion `),
      );
    });

    it('spawn: output arrives while it runs, input goes in, stop() ends it through stdin EOF', async () => {
      const p = await viaJump.spawn([
        'sh',
        '-c',
        'echo ready; read line; echo "got $line"; cat >/dev/null; echo bye',
      ]);
      const out = collect(p.stdout);
      collect(p.stderr);
      await until(() => out.text() === 'ready\n', 'ready on stdout');
      p.write('hello world\n');
      await until(() => out.text() === 'ready\ngot hello world\n', 'the echoed line');
      const started = Date.now();
      await p.stop();
      expect(Date.now() - started).toBeLessThan(2500); // EOF ended it, not the 3 s kill
      expect(await p.exited).toEqual({ code: 0, signal: null });
      await until(() => out.text().endsWith('bye\n'), 'bye on stdout');
      await p.stop(); // twice is fine
      p.write('ignored after stop\n');
    });

    it('spawn: stop() kills a process that ignores stdin, and nothing of it is left', async () => {
      const marker = `fsa-spawn-${randomBytes(6).toString('hex')}`;
      // Unique sleep length: sh forks sleep, whose command line does not hold the marker.
      const length = `${290 + (process.pid % 9)}.${randomBytes(3).readUIntBE(0, 3)}`;
      const p = await viaJump.spawn(['sh', '-c', `sleep ${length}; echo not reached`, marker]);
      collect(p.stdout);
      collect(p.stderr);
      await until(() => pgrep(length).length > 0, 'the sleep to run', 5000);
      expect(pgrep(marker).length).toBeGreaterThan(0);
      const started = Date.now();
      await Promise.all([p.stop(500), p.stop(500)]);
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await p.exited).code).toBeNull();
      await until(() => pgrep(marker).length === 0 && pgrep(length).length === 0, 'no process left', 3000);
      // The connection is still good, and the slot was given back.
      expect((await viaJump.run(['echo', 'still here'])).stdout).toBe('still here\n');
    });

    it('spawn refuses an empty argv', async () => {
      await expect(viaJump.spawn([])).rejects.toThrow(UserError);
    });

    it('tunnel: a TCP echo server on db, reached from analysis through a tunnel', async () => {
      const src = [
        "const net = require('node:net');",
        'const s = net.createServer((c) => c.pipe(c));',
        `s.listen(0, ${JSON.stringify(dbIp)}, () => console.log(s.address().port));`,
        "process.stdin.on('end', () => process.exit(0)).resume();",
      ].join('\n');
      const server = await viaJump.spawn([process.execPath, '-e', src]);
      try {
        const out = collect(server.stdout);
        const err = collect(server.stderr);
        await until(
          () => /^\d+\n/.test(out.text()),
          `the echo server's port (stderr: ${err.text()})`,
          10_000,
        );
        const port = Number(out.text().trim());
        const sock = await bastion.tunnel(dbIp, port);
        const got = collect(sock);
        const payload = `hello through the bastion ${randomBytes(8).toString('hex')}\n`;
        sock.write(payload);
        await until(() => got.text() === payload, 'the echoed bytes', 5000);
        sock.end();
        sock.destroy();
        // A port nobody listens on: retriable, naming host:port.
        const e = await rejection(bastion.tunnel(dbIp, 1));
        expect(e.retriable).toBe(true);
        expect(e.message).toMatch(
          new RegExp(`^ssh root@${re(analysisIp)} \\(analysis\\): tunnel to ${re(dbIp)}:1: `),
        );
      } finally {
        await server.stop();
      }
      expect((await server.exited).code).toBe(0); // ended by stdin EOF
    });

    it('fails runs in flight (retriable) and ends spawned processes when the bastion connection dies', async () => {
      const t = await connect(dbOpts());
      const marker = `fsa-lost-${randomBytes(6).toString('hex')}`;
      const run = rejection(t.run(['sh', '-c', 'sleep 4; true', marker]));
      const p = await t.spawn(['sh', '-c', 'cat; true', marker]);
      await until(() => pgrep(marker).length >= 2, 'both commands to run', 5000);
      // Kill the sshd processes serving connections on analysis (not its listener): the jump dies.
      const procs = readFileSync(`/sys/fs/cgroup/cpuacct/${PREFIX}analysis/cgroup.procs`, 'utf8')
        .split('\n')
        .filter((pid) => pid !== '');
      for (const pid of procs) {
        let cmd = '';
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          continue;
        }
        if (/^sshd(-session)?: root/.test(cmd)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      const e = await run;
      expect(e.retriable).toBe(true);
      expect(e.message).toBe(`ssh root@${dbIp} via ${analysisIp} (db): connection lost`);
      expect(await p.exited).toEqual({ code: null, signal: null });
      await p.stop(); // resolves at once: the connection is gone
      await expect(t.run(['true'])).rejects.toThrow(/connection (lost|closed)/);
      await t.close();
      // Those commands on db were orphaned by the lost connection; sshd ends their sessions.
      await until(() => pgrep(marker).length === 0, 'the orphaned commands to end', 10_000);
    });
  },
);
