// SSH host keys of fresh EC2 instances, for pinning (no trust on first use). cloud-init's
// cc_keys_to_console module (its write-ssh-key-fingerprints helper) prints every host public key to
// the serial console between `-----BEGIN SSH HOST KEY KEYS-----` and `-----END SSH HOST KEY KEYS-----`,
// one `<type> <base64> [comment]` line each; EC2 GetConsoleOutput returns that console. The console
// comes from the instance itself over the AWS API (authenticated, not over the network we are about
// to trust), so a key read from it is as good as one copied from the host. Only well-formed key lines
// inside the last complete block are used; nothing else in the console is trusted.

import { GetConsoleOutputCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { ForeshockError, UserError } from '../../core/errors.ts';
import { atomicWrite } from '../../data/dataset-io.ts';
import { ROLE_TAG } from './cloudformation.ts';
import type { AwsInventory } from './inventory.ts';
import { tagOf } from './live-inventory.ts';

export const BEGIN_HOST_KEYS = '-----BEGIN SSH HOST KEY KEYS-----';
export const END_HOST_KEYS = '-----END SSH HOST KEY KEYS-----';
/** GetConsoleOutput becomes non-empty a few minutes after boot; cloud-init prints the keys late in boot. */
export const DEFAULT_HOST_KEY_TIMEOUT_MS = 600_000;
export const DEFAULT_HOST_KEY_POLL_MS = 15_000;

export interface HostKey {
  type: string;
  /** The base64 public key blob, as in a known_hosts line. */
  key: string;
}

export interface HostKeyInstance {
  id: string;
  /** The address ssh connects to (the bastion's public IP, a private host's private IP). */
  address: string;
  role: string;
}

/** ECDSA key type -> curve name in the blob and the length of its uncompressed point. */
const ECDSA_CURVES: Record<string, { curve: string; point: number }> = {
  'ecdsa-sha2-nistp256': { curve: 'nistp256', point: 65 },
  'ecdsa-sha2-nistp384': { curve: 'nistp384', point: 97 },
  'ecdsa-sha2-nistp521': { curve: 'nistp521', point: 133 },
};
export const HOST_KEY_TYPES = ['ssh-ed25519', ...Object.keys(ECDSA_CURVES), 'ssh-rsa'] as const;

/** The SSH wire-format strings (uint32 length + bytes) of a public key blob; null if it does not split exactly. */
function sshStrings(blob: Buffer): Buffer[] | null {
  const out: Buffer[] = [];
  let at = 0;
  while (at < blob.length) {
    if (at + 4 > blob.length || out.length >= 8) return null;
    const len = blob.readUInt32BE(at);
    at += 4;
    if (at + len > blob.length) return null;
    out.push(blob.subarray(at, at + len));
    at += len;
  }
  return out;
}

/** Is `b64` the canonical base64 of a public key blob of the declared `type`? */
function wellFormedKey(type: string, b64: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return false;
  const blob = Buffer.from(b64, 'base64');
  // Node's decoder skips junk silently; re-encoding must give the same text back.
  if (blob.toString('base64') !== b64) return false;
  const parts = sshStrings(blob);
  if (!parts || parts.length === 0 || parts[0]!.toString('latin1') !== type) return false;
  if (type === 'ssh-ed25519') return parts.length === 2 && parts[1]!.length === 32;
  const curve = ECDSA_CURVES[type];
  if (curve !== undefined) {
    return (
      parts.length === 3 && parts[1]!.toString('latin1') === curve.curve && parts[2]!.length === curve.point
    );
  }
  if (type === 'ssh-rsa') return parts.length === 3 && parts[1]!.length > 0 && parts[2]!.length >= 128;
  return false;
}

/**
 * The host keys in the LAST complete BEGIN/END block of a console (a rebooted instance prints the
 * block again; an unterminated block, e.g. cut by the console's size limit, does not count). Lines
 * that are not `<known type> <base64 of a key of that type> [comment]` are skipped; the comment is
 * dropped. Returns [] when there is no complete block.
 */
export function parseConsoleHostKeys(consoleText: string): HostKey[] {
  let open: string[] | null = null;
  let last: string[] | null = null;
  for (const raw of consoleText.split('\n')) {
    const line = raw.replace(/\r/g, '').trim();
    if (line === BEGIN_HOST_KEYS) open = [];
    else if (line === END_HOST_KEYS) {
      if (open) last = open;
      open = null;
    } else if (open) open.push(line);
  }
  const keys: HostKey[] = [];
  for (const line of last ?? []) {
    const [type = '', key = ''] = line.split(/[ \t]+/);
    if (!(HOST_KEY_TYPES as readonly string[]).includes(type) || !wellFormedKey(type, key)) continue;
    if (!keys.some((k) => k.type === type && k.key === key)) keys.push({ type, key });
  }
  return keys;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** OpenSSH known_hosts lines for a host on port 22: `address type base64`. */
export function knownHostsLines(address: string, keys: readonly HostKey[]): string[] {
  if (!HOSTNAME.test(address)) {
    throw new UserError(`known_hosts: ${JSON.stringify(address)} is not a plain host name or IPv4 address`);
  }
  return keys.map((k) => {
    if (!(HOST_KEY_TYPES as readonly string[]).includes(k.type) || !wellFormedKey(k.type, k.key)) {
      throw new UserError(`known_hosts: ${address}: not a well-formed ${k.type} public key`);
    }
    return `${address} ${k.type} ${k.key}`;
  });
}

export interface FetchHostKeysOptions {
  /** Give up after this long (default 10 min); the error is retriable. */
  timeoutMs?: number;
  /** Between polls of the instances still without keys (default 15 s). */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Injected clock (ms), default Date.now. */
  now?: () => number;
  /** Progress lines (never key material). */
  log?: (line: string) => void;
}

export interface InstanceHostKeys {
  instance: HostKeyInstance;
  keys: HostKey[];
}

function sdkRetriable(err: unknown): boolean {
  const e = err as { $retryable?: unknown; $fault?: string };
  return e.$retryable !== undefined || e.$fault === 'server';
}

function label(i: HostKeyInstance): string {
  return `${i.role} ${i.id} (${i.address})`;
}

/**
 * Poll GetConsoleOutput until every instance's console holds a host key block with at least one
 * valid key, or the timeout (a retriable ForeshockError naming the instances still without keys).
 * `Latest: true` (the live console, Nitro only) is asked first; an instance type that rejects it is
 * asked again without it from then on.
 */
export async function collectHostKeys(
  ec2: EC2Client,
  instances: readonly HostKeyInstance[],
  opts: FetchHostKeysOptions = {},
): Promise<InstanceHostKeys[]> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HOST_KEY_TIMEOUT_MS;
  const pollMs = opts.pollMs ?? DEFAULT_HOST_KEY_POLL_MS;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = opts.now ?? Date.now;
  const found = new Map<string, HostKey[]>();
  const noLatest = new Set<string>();
  const lastError = new Map<string, string>();
  const start = now();

  const consoleOf = async (inst: HostKeyInstance): Promise<string> => {
    const ask = async (latest: boolean): Promise<string> => {
      const r = await ec2.send(
        new GetConsoleOutputCommand({ InstanceId: inst.id, ...(latest ? { Latest: true } : {}) }),
      );
      return r.Output ? Buffer.from(r.Output, 'base64').toString('utf8') : '';
    };
    if (!noLatest.has(inst.id)) {
      try {
        return await ask(true);
      } catch (err) {
        const name = err instanceof Error ? err.name : '';
        if (sdkRetriable(err) || name.startsWith('InvalidInstanceID') || name === 'UnauthorizedOperation')
          throw err;
        // e.g. UnsupportedOperation on a Xen instance type: the buffered console is all there is.
        noLatest.add(inst.id);
      }
    }
    return ask(false);
  };

  for (;;) {
    const pending = instances.filter((i) => !found.has(i.id));
    await Promise.all(
      pending.map(async (inst) => {
        let text: string;
        try {
          text = await consoleOf(inst);
        } catch (err) {
          const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          if (sdkRetriable(err)) {
            lastError.set(inst.id, msg); // throttled or a 5xx: poll again
            return;
          }
          throw new UserError(`${label(inst)}: GetConsoleOutput failed: ${msg}`, { cause: err });
        }
        lastError.delete(inst.id);
        const keys = parseConsoleHostKeys(text);
        if (keys.length > 0) found.set(inst.id, keys);
      }),
    );
    const still = instances.filter((i) => !found.has(i.id));
    if (still.length === 0) break;
    const elapsed = now() - start;
    if (elapsed >= timeoutMs) {
      const errs = still.filter((i) => lastError.has(i.id)).map((i) => `${i.id}: ${lastError.get(i.id)}`);
      throw new ForeshockError(
        `no SSH host keys in the console of ${still.map(label).join(', ')} within ${Math.round(timeoutMs / 1000)} s ` +
          `(cloud-init prints them a few minutes after boot; try again later)` +
          (errs.length > 0 ? `; last errors: ${errs.join('; ')}` : ''),
        { retriable: true },
      );
    }
    opts.log?.(
      `host keys: ${instances.length - still.length}/${instances.length} instance(s) done, waiting for ` +
        `${still.map((i) => i.id).join(', ')} (${Math.round(elapsed / 1000)} s)`,
    );
    await sleep(Math.max(0, Math.min(pollMs, timeoutMs - elapsed)));
  }
  return instances.map((instance) => ({ instance, keys: found.get(instance.id)! }));
}

/** The known_hosts text for collected keys (a comment line per instance, then its key lines). */
export function renderKnownHosts(collected: readonly InstanceHostKeys[]): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._:-]/g, '_');
  const lines = [
    '# foreshock: SSH host keys pinned from the EC2 console (cloud-init); regenerate, do not edit',
  ];
  for (const { instance, keys } of collected) {
    lines.push(`# ${safe(instance.role)} ${safe(instance.id)}`, ...knownHostsLines(instance.address, keys));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * What to pin: the bastion at its public IP (the stack output users connect to), every other
 * running instance tagged with the stack at its private IP (reached through the bastion). Instances,
 * not the outputs, decide the private addresses: after replace-host an output can be stale.
 */
export function knownHostsTargets(
  inv: AwsInventory,
  instances: readonly Instance[],
  log: (line: string) => void = () => undefined,
): HostKeyInstance[] {
  const stack = inv.stackName;
  const out: HostKeyInstance[] = [];
  for (const i of instances) {
    const id = i.InstanceId;
    if (!id) continue;
    const role = tagOf(i, ROLE_TAG) ?? 'unknown';
    if (role === 'bastion') {
      if (i.PublicIpAddress && i.PublicIpAddress !== inv.bastion) {
        throw new UserError(
          `stack ${stack}: bastion ${id} has public IP ${i.PublicIpAddress}, but output BastionPublicIp is ${inv.bastion}; not pinning a key to the wrong address`,
        );
      }
      out.push({ id, role, address: inv.bastion });
    } else {
      if (!i.PrivateIpAddress) {
        throw new ForeshockError(`stack ${stack}: ${role} instance ${id} has no private IP yet`, {
          retriable: true,
        });
      }
      out.push({ id, role, address: i.PrivateIpAddress });
    }
  }
  if (!out.some((h) => h.role === 'bastion')) {
    throw new UserError(`stack ${stack}: no running instance tagged ${ROLE_TAG}=bastion`);
  }
  for (const h of inv.hosts) {
    if (!out.some((o) => o.address === h.ip)) {
      log(`stack ${stack}: no running instance has ${h.name}'s address ${h.ip} (replaced? stale output)`);
    }
  }
  return out;
}

/** Poll the instances' consoles for their host keys and return the known_hosts file text. */
export async function fetchHostKeys(
  ec2: EC2Client,
  instances: readonly HostKeyInstance[],
  opts: FetchHostKeysOptions = {},
): Promise<string> {
  return renderKnownHosts(await collectHostKeys(ec2, instances, opts));
}

/** atomicWrite options for a known_hosts file: mode 0600, missing parent directories created 0700. */
export const KNOWN_HOSTS_MODES = { mode: 0o600, dirMode: 0o700 } as const;

/**
 * Write `text` to `file` with KNOWN_HOSTS_MODES through a temporary file in the same directory and
 * a rename, so a reader never sees a partial file (atomicWrite).
 */
export function writeFileAtomic(file: string, text: string): void {
  atomicWrite(file, text, KNOWN_HOSTS_MODES);
}
