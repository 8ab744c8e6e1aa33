// What the remote stack (remote.ts) needs to know about machines it reaches over SSH: their
// addresses, how to log in (key-only, pinned host keys, optionally through a bastion), and where
// the repository, node and a scratch directory are on them. `--stack aws` builds it from the
// CloudFormation stack's outputs (src/testbed/aws/remote-spec.ts); `--stack remote --remote-spec FILE` reads it from
// a JSON file (any machines prepared like the AWS hosts: see docs/aws.md).

import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import path from 'node:path';
import { UserError } from '../core/errors.ts';
import { checkJsonBounds } from '../core/schema.ts';

export interface RemoteHostSpec {
  /** Host id in the recording: web, db, kafka, analysis, client or client-<n>. */
  name: string;
  /** Address the harness (or the bastion) reaches the host's sshd at, and its services listen on. */
  address: string;
}

export interface RemoteStackSpec {
  hosts: RemoteHostSpec[];
  ssh: {
    username: string;
    privateKeyFile: string;
    /** known_hosts with every host's key pinned (and the bastion's): never trust on first use. */
    knownHostsFile: string;
    port?: number;
    /** The bastion every connection goes through (same key and known_hosts file). */
    jump?: { address: string; port?: number; username?: string };
  };
  /** Absolute path of this repository (with node_modules) on every host. */
  repoDir: string;
  /** Absolute scratch directory on every host's own disk: fault markers, data files, stats. */
  workDir: string;
  /** The node binary on the hosts. */
  node: string;
  /** argv of a MariaDB client with admin rights on the db host; it reads SQL on stdin. */
  dbAdmin: string[];
  ports?: { kafka?: number; mariadb?: number; web?: number };
}

export const REMOTE_DEFAULT_PORTS = { kafka: 9092, mariadb: 3306, web: 8080 } as const;

/** Roles the remote stack needs; `client` may be several hosts (client, client-1, client-2, ...). */
export const REMOTE_REQUIRED = ['web', 'db', 'kafka'] as const;

const NAME_RE = /^(web|db|kafka|analysis|client|client-[1-9][0-9]?)$/;

function fail(where: string, what: string): never {
  throw new UserError(`${where}: ${what}`);
}

function str(where: string, v: unknown, key: string): string {
  if (typeof v !== 'string' || v === '') fail(where, `"${key}" must be a non-empty string`);
  return v;
}

/** An absolute path; `posix`: one on the hosts (always POSIX), else one on this machine. */
function absPath(where: string, v: unknown, key: string, posix = false): string {
  const s = str(where, v, key);
  const abs = posix ? path.posix.isAbsolute(s) : path.isAbsolute(s);
  if (!abs || s.includes('\0')) fail(where, `"${key}" must be an absolute path`);
  return s;
}

/** A typo in a key must not silently fall back to a default (e.g. no bastion, another port). */
function onlyKeys(where: string, o: object, keys: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k)) fail(where, `unknown key "${k}" (known: ${keys.join(', ')})`);
}

function port(where: string, v: unknown, key: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 65535)
    fail(where, `"${key}" must be a TCP port (1-65535)`);
  return v as number;
}

/** The client hosts, in order (client, then client-1, client-2, ...). */
export function clientHosts(spec: RemoteStackSpec): RemoteHostSpec[] {
  return spec.hosts
    .filter((h) => h.name === 'client' || h.name.startsWith('client-'))
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

export function remoteHost(spec: RemoteStackSpec, name: string): RemoteHostSpec {
  const h = spec.hosts.find((x) => x.name === name);
  if (!h)
    throw new UserError(
      `remote stack: no host "${name}" (hosts: ${spec.hosts.map((x) => x.name).join(', ')})`,
    );
  return h;
}

/** Checks a parsed spec; every problem is a one-line UserError naming `where` and the field. */
export function validateRemoteSpec(raw: unknown, where: string): RemoteStackSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(where, 'must be a JSON object');
  const o = raw as Record<string, unknown>;
  onlyKeys(where, o, ['hosts', 'ssh', 'repoDir', 'workDir', 'node', 'dbAdmin', 'ports']);
  if (!Array.isArray(o.hosts) || o.hosts.length === 0) fail(where, '"hosts" must be a non-empty array');
  const seen = new Set<string>();
  const hosts = o.hosts.map((h: unknown, i): RemoteHostSpec => {
    const at = `${where}: hosts[${i}]`;
    if (typeof h !== 'object' || h === null) fail(at, 'must be an object');
    onlyKeys(at, h, ['name', 'address']);
    const name = str(at, (h as Record<string, unknown>).name, 'name');
    const address = str(at, (h as Record<string, unknown>).address, 'address');
    if (!NAME_RE.test(name))
      fail(at, `name "${name}" must be web, db, kafka, analysis, client or client-<n>`);
    // isIPv4 refuses leading zeros: known_hosts names an address exactly as written.
    if (!isIPv4(address)) fail(at, `address "${address}" must be an IPv4 address`);
    if (seen.has(name)) fail(at, `host "${name}" given twice`);
    seen.add(name);
    return { name, address };
  });
  for (const role of REMOTE_REQUIRED) if (!seen.has(role)) fail(where, `no "${role}" host`);
  if (![...seen].some((n) => n === 'client' || n.startsWith('client-'))) fail(where, 'no client host');
  const sshRaw = o.ssh;
  if (typeof sshRaw !== 'object' || sshRaw === null) fail(where, '"ssh" must be an object');
  const s = sshRaw as Record<string, unknown>;
  const sw = `${where}: ssh`;
  onlyKeys(sw, s, ['username', 'privateKeyFile', 'knownHostsFile', 'port', 'jump']);
  let jump: RemoteStackSpec['ssh']['jump'];
  if (s.jump !== undefined) {
    if (typeof s.jump !== 'object' || s.jump === null) fail(sw, '"jump" must be an object');
    const j = s.jump as Record<string, unknown>;
    onlyKeys(`${sw}.jump`, j, ['address', 'port', 'username']);
    const address = str(`${sw}.jump`, j.address, 'address');
    if (!isIPv4(address)) fail(`${sw}.jump`, `address "${address}" must be an IPv4 address`);
    const p = port(`${sw}.jump`, j.port, 'port');
    jump = {
      address,
      ...(p !== undefined ? { port: p } : {}),
      ...(j.username !== undefined ? { username: str(`${sw}.jump`, j.username, 'username') } : {}),
    };
  }
  const sshPort = port(sw, s.port, 'port');
  const ssh: RemoteStackSpec['ssh'] = {
    username: str(sw, s.username, 'username'),
    privateKeyFile: absPath(sw, s.privateKeyFile, 'privateKeyFile'),
    knownHostsFile: absPath(sw, s.knownHostsFile, 'knownHostsFile'),
    ...(sshPort !== undefined ? { port: sshPort } : {}),
    ...(jump ? { jump } : {}),
  };
  if (!Array.isArray(o.dbAdmin) || o.dbAdmin.length === 0 || o.dbAdmin.some((w) => typeof w !== 'string'))
    fail(where, '"dbAdmin" must be a non-empty array of strings (an argv, e.g. ["sudo", "mariadb"])');
  let ports: RemoteStackSpec['ports'];
  if (o.ports !== undefined) {
    if (typeof o.ports !== 'object' || o.ports === null) fail(where, '"ports" must be an object');
    const p = o.ports as Record<string, unknown>;
    onlyKeys(`${where}: ports`, p, ['kafka', 'mariadb', 'web']);
    const kafka = port(`${where}: ports`, p.kafka, 'kafka');
    const mariadb = port(`${where}: ports`, p.mariadb, 'mariadb');
    const web = port(`${where}: ports`, p.web, 'web');
    ports = {
      ...(kafka !== undefined ? { kafka } : {}),
      ...(mariadb !== undefined ? { mariadb } : {}),
      ...(web !== undefined ? { web } : {}),
    };
  }
  return {
    hosts,
    ssh,
    repoDir: absPath(where, o.repoDir, 'repoDir', true),
    workDir: absPath(where, o.workDir, 'workDir', true),
    node: str(where, o.node, 'node'),
    dbAdmin: [...(o.dbAdmin as string[])],
    ...(ports ? { ports } : {}),
  };
}

/** Reads and checks a remote stack spec file (`--remote-spec`). */
export function readRemoteSpec(file: string): RemoteStackSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(
      `--remote-spec ${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  let raw: unknown;
  checkJsonBounds(text, `--remote-spec ${file}`);
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(`--remote-spec ${file}: not valid JSON: ${(e as Error).message}`);
  }
  return validateRemoteSpec(raw, file);
}
