// replace-host's health check for the AWS testbed: a fresh instance is healthy once its user data
// has finished (user-data.ts ends the script with `foreshock setup (<role>) finished` in
// /var/log/foreshock-setup.log, after the role's boot-time services started; `set -e` stops it
// before that line on any failure). Checked over SSH through the bastion, key-only, with the new
// host's keys pinned first from its EC2 console (host-keys.ts), never trust on first use.
// Dependencies (the SSH connect, the console host-key fetch) are injectable for tests without AWS.

import { readFileSync } from 'node:fs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { ForeshockError, InternalError, UserError } from '../../core/errors.ts';
import {
  connectSsh,
  pinnedKeys,
  type HostTransport,
  type SshTransportOptions,
} from '../../faults/transport.ts';
import type { Log } from './cloudformation.ts';
import { atomicWrite } from '../../data/dataset-io.ts';
import { fetchHostKeys, KNOWN_HOSTS_MODES, type HostKeyInstance } from './host-keys.ts';
import { checkSgRole, type HealthCheckContext } from './replace-host.ts';
import { AWS_SSH_USER } from './user-data.ts';

/** Where the user data logs (user-data.ts: `exec >>/var/log/foreshock-setup.log`). */
export const SETUP_LOG = '/var/log/foreshock-setup.log';

/** The line the user data writes last (followed by a timestamp). */
export function setupFinishedLine(role: string): string {
  return `foreshock setup (${role}) finished`;
}

/** What the user data's ERR trap writes when a step fails (followed by the line number). */
export function setupFailedLine(role: string): string {
  return `foreshock setup (${role}) FAILED`;
}

/** The probe's command: argv only (the transport quotes each word), fixed-string match. */
export function setupFinishedArgv(role: string): string[] {
  return ['grep', '-qsF', '--', setupFinishedLine(role), SETUP_LOG];
}

export interface SetupFinishedProbeOptions {
  role: string;
  /** The bastion's public IP (BastionPublicIp): every connection goes through it. */
  bastion: string;
  /** The private key of the stack's key pair. */
  privateKeyFile: string;
  /** Must already pin the bastion (`foreshock aws known-hosts`); the new host's keys are added. */
  knownHostsFile: string;
  /** Default AWS_SSH_USER (`admin`), on the bastion too. */
  username?: string;
  /** Per SSH hop (default 10 s). */
  connectTimeoutMs?: number;
  /** Limit for the grep (default 30 s). */
  runTimeoutMs?: number;
  /** For the default host-key fetch (GetConsoleOutput). */
  ec2?: EC2Client;
  /**
   * The new instance's known_hosts text from its console (default: fetchHostKeys, one poll). A
   * retriable rejection means "no keys yet": the probe answers false and asks again next time.
   */
  fetchKeys?: (instance: HostKeyInstance) => Promise<string>;
  /** Default connectSsh. */
  connect?: (o: SshTransportOptions) => Promise<HostTransport>;
  /** Progress lines (each state once, never key material). */
  log?: Log;
}

function isRetriable(err: unknown): boolean {
  return err instanceof ForeshockError && !(err instanceof UserError) && err.retriable;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The address names of a known_hosts line (`a,b,[c]:2222 type key`); none for comments and markers. */
function lineAddresses(line: string): string[] {
  const t = line.trim();
  if (t === '' || t.startsWith('#') || t.startsWith('@')) return [];
  return (t.split(/\s+/)[0] ?? '').split(',').map((n) => n.replace(/^\[([^\]]*)\](:\d+)?$/, '$1'));
}

/**
 * `existing` known_hosts text with `fetched` (renderKnownHosts output for the new instance) added:
 * the lines of `drop.addresses` (the old instance's, and stale ones for the new address) and the
 * `# <role> <id>` comments of `drop.instanceIds` are removed, every other line is kept as it was.
 */
export function mergeKnownHosts(
  existing: string,
  fetched: string,
  drop: { addresses: readonly string[]; instanceIds: readonly string[] },
): string {
  const addresses = new Set(drop.addresses.filter((a) => a !== ''));
  const ids = new Set(drop.instanceIds);
  const kept = existing.split('\n').filter((line) => {
    const comment = /^#\s*\S+\s+(\S+)\s*$/.exec(line.trim());
    if (comment && ids.has(comment[1]!)) return false;
    return !lineAddresses(line).some((a) => addresses.has(a));
  });
  while (kept.length > 0 && kept.at(-1)!.trim() === '') kept.pop();
  const hasHeader = kept.some((l) => l.startsWith('# foreshock:'));
  const added = fetched
    .split('\n')
    .filter((l) => l.trim() !== '' && !(hasHeader && l.startsWith('# foreshock:')));
  return `${[...kept, ...added].join('\n')}\n`;
}

/** mergeKnownHosts on a file, rewritten atomically (mode 0600); a missing file counts as empty. */
export function addKnownHosts(
  file: string,
  fetched: string,
  drop: { addresses: readonly string[]; instanceIds: readonly string[] },
): void {
  let existing = '';
  try {
    existing = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new UserError(`known_hosts ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  try {
    atomicWrite(file, mergeKnownHosts(existing, fetched, drop), KNOWN_HOSTS_MODES);
  } catch (err) {
    throw new UserError(`known_hosts ${file}: cannot write (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
}

/**
 * replace-host's `healthy(ip, ctx)`: on each poll, pins the new instance's host keys from its
 * console until they are there (known_hosts rewritten: the old instance's lines out, the new ones
 * in), then connects through the bastion and greps the setup log for the "finished" line. "No keys
 * yet", connection failures (the host is booting) and a missing line answer false (replace-host
 * polls again until its timeout); a UserError (wrong key, host key mismatch, unreadable file)
 * rejects, which aborts the replacement. Checks the key and known_hosts files at once, so a
 * mistake fails before anything is launched.
 */
export function setupFinishedProbe(
  o: SetupFinishedProbeOptions,
): (ip: string, ctx: HealthCheckContext) => Promise<boolean> {
  checkSgRole(o.role);
  let known: string;
  try {
    readFileSync(o.privateKeyFile);
  } catch (err) {
    throw new UserError(
      `--ssh-key ${o.privateKeyFile}: cannot read (${(err as NodeJS.ErrnoException).code ?? err}); the private key of the stack's key pair`,
    );
  }
  try {
    known = readFileSync(o.knownHostsFile, 'utf8');
  } catch (err) {
    throw new UserError(
      `--known-hosts ${o.knownHostsFile}: cannot read (${(err as NodeJS.ErrnoException).code ?? err}); run \`foreshock aws known-hosts\` first`,
    );
  }
  if (pinnedKeys(known, o.bastion).length === 0) {
    throw new UserError(
      `--known-hosts ${o.knownHostsFile}: no host key pinned for the bastion ${o.bastion}; run \`foreshock aws known-hosts\` first`,
    );
  }
  const ec2 = o.ec2;
  const fetchKeys =
    o.fetchKeys ??
    (ec2
      ? (inst: HostKeyInstance) => fetchHostKeys(ec2, [inst], { timeoutMs: 0 })
      : () => Promise.reject(new InternalError('setupFinishedProbe: neither fetchKeys nor ec2 given')));
  const connect = o.connect ?? connectSsh;
  const username = o.username ?? AWS_SSH_USER;
  const connectTimeoutMs = o.connectTimeoutMs ?? 10_000;
  const runTimeoutMs = o.runTimeoutMs ?? 30_000;
  const argv = setupFinishedArgv(o.role);
  const pinnedFor = new Set<string>();
  let last = '';
  const note = (line: string): void => {
    if (line !== last) o.log?.(line);
    last = line;
  };

  return async (ip, ctx) => {
    const who = `${o.role} ${ctx.instanceId} (${ip})`;
    if (!pinnedFor.has(ctx.instanceId)) {
      let text: string;
      try {
        text = await fetchKeys({ id: ctx.instanceId, address: ip, role: o.role });
      } catch (err) {
        if (!isRetriable(err)) throw err;
        note(`${who}: no SSH host keys in its console yet`);
        return false;
      }
      addKnownHosts(o.knownHostsFile, text, {
        addresses: [ip, ...(ctx.oldIp !== undefined ? [ctx.oldIp] : [])],
        instanceIds: [ctx.oldId, ctx.instanceId],
      });
      pinnedFor.add(ctx.instanceId);
      note(`${who}: host keys pinned in ${o.knownHostsFile}; waiting for its setup to finish`);
    }
    let t: HostTransport | undefined;
    try {
      t = await connect({
        host: o.role,
        address: ip,
        username,
        privateKeyFile: o.privateKeyFile,
        knownHostsFile: o.knownHostsFile,
        connectTimeoutMs,
        jump: {
          address: o.bastion,
          username,
          privateKeyFile: o.privateKeyFile,
          knownHostsFile: o.knownHostsFile,
          connectTimeoutMs,
        },
      });
      const r = await t.run(argv, { timeoutMs: runTimeoutMs });
      if (r.code === 0) {
        note(`${who}: setup finished`);
        return true;
      }
      // A failed setup never finishes: say so now rather than wait out the timeout.
      const failed = await t.run(['grep', '-sF', '--', setupFailedLine(o.role), SETUP_LOG], {
        timeoutMs: runTimeoutMs,
      });
      if (failed.code === 0)
        throw new UserError(
          `${who}: its boot setup failed (${failed.stdout.trim().split('\n').pop()}); see ${SETUP_LOG} on it`,
        );
      note(`${who}: setup not finished yet (no "${setupFinishedLine(o.role)}" in ${SETUP_LOG})`);
      return false;
    } catch (err) {
      // A booting host refuses or drops connections; only what the user must fix stops the wait.
      if (err instanceof UserError) throw err;
      note(`${who}: not reachable over SSH yet: ${errText(err)}`);
      return false;
    } finally {
      await t?.close().catch(() => undefined);
    }
  };
}
