// Optional sshd per host (spec: key-only, generated keys, pinned host keys). Each host gets its
// own host key and sshd_config listening only on the host's address; one client key is
// authorised on every host, and a known_hosts file pins each host key to its address.

import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { InternalError, UserError } from '../../core/errors.ts';
import type { HostSpec, Inventory } from './inventory.ts';
import { layout } from './layout.ts';
import { hostArgv } from './exec.ts';
import { findTool, run } from './sys.ts';

export interface SshPaths {
  dir: string;
  /** Private key of the client allowed on every host. */
  clientKey: string;
  authorizedKeys: string;
  /** One line per host: `<ip> <host public key>`; use with StrictHostKeyChecking=yes. */
  knownHosts: string;
  hostDir(host: string): string;
}

export function sshPaths(stateDir: string): SshPaths {
  const dir = path.join(path.resolve(stateDir), 'ssh');
  return {
    dir,
    clientKey: path.join(dir, 'id_ed25519'),
    authorizedKeys: path.join(dir, 'authorized_keys'),
    knownHosts: path.join(dir, 'known_hosts'),
    hostDir: (h) => path.join(dir, 'hosts', h),
  };
}

function sshdConfig(h: HostSpec, hostKey: string, authorizedKeys: string): string {
  return [
    `ListenAddress ${h.ip}`,
    'Port 22',
    `HostKey ${hostKey}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    `PidFile /run/sshd-${h.name}.pid`,
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    // Key files live under the state directory, which may be world-writable (e.g. /tmp).
    'StrictModes no',
    'UseDNS no',
    'PrintMotd no',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

function waitListening(ip: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const s = net.connect(port, ip);
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new InternalError(`testbed: sshd on ${ip}:${port} did not start`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Generates keys, prepares each host's private /run and empty /root, starts sshd per host. */
export async function startSshd(stateDir: string, inv: Inventory): Promise<void> {
  const sshd = findTool('sshd');
  if (!sshd) throw new UserError('testbed: --ssh needs the `sshd` tool (Debian: openssh-server)');
  if (!findTool('ssh-keygen')) throw new UserError('testbed: --ssh needs the `ssh-keygen` tool');
  const p = sshPaths(stateDir);
  const lay = layout(stateDir, inv);
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  if (!existsSync(p.clientKey)) {
    run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'foreshock-testbed', '-f', p.clientKey]);
  }
  writeFileSync(p.authorizedKeys, readFileSync(`${p.clientKey}.pub`, 'utf8'));
  const known: string[] = [];
  for (const h of inv.hosts) {
    const dir = p.hostDir(h.name);
    const home = path.join(dir, 'home');
    mkdirSync(home, { recursive: true });
    const hostKey = path.join(dir, 'ssh_host_ed25519_key');
    if (!existsSync(hostKey)) {
      run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', h.name, '-f', hostKey]);
    }
    const [type, key] = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ');
    known.push(`${h.ip} ${type ?? ''} ${key ?? ''}`);
    const config = path.join(dir, 'sshd_config');
    writeFileSync(config, sshdConfig(h, hostKey, p.authorizedKeys));
    const mnt = `--mount=${lay.mntNs(h.name)}`;
    // sshd needs /run/sshd; a private tmpfs /run keeps hosts apart. An empty /root means no
    // rc file of the machine's root runs on login (it costs ~2 s under a 0.5-CPU quota).
    run(['nsenter', mnt, 'mount', '-t', 'tmpfs', '-o', 'size=16m,mode=755', 'tmpfs', '/run']);
    run(['nsenter', mnt, 'mkdir', '-m', '755', '/run/sshd']);
    run(['nsenter', mnt, 'mount', '--bind', home, '/root']);
    const log = openSync(path.join(dir, 'sshd.log'), 'a');
    const [cmd, ...args] = hostArgv({ inventory: inv, stateDir, name: h.name }, [
      sshd,
      '-D',
      '-e',
      '-f',
      config,
    ]);
    const child = spawn(cmd ?? 'sh', args, { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    closeSync(log);
  }
  writeFileSync(p.knownHosts, `${known.join('\n')}\n`);
  await Promise.all(inv.hosts.map((h) => waitListening(h.ip, 22, 10_000)));
}

/** The ssh argv that runs `argv` on a host with the pinned host key and the client key. */
export function sshArgv(stateDir: string, h: HostSpec, argv: readonly string[]): string[] {
  const p = sshPaths(stateDir);
  return [
    'ssh',
    '-i',
    p.clientKey,
    '-o',
    `UserKnownHostsFile=${p.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=5',
    `root@${h.ip}`,
    '--',
    // The remote side joins the words and runs them with a shell: quote every one.
    ...argv.map(shellQuote),
  ];
}

export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
