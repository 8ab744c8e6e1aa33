// The SSH transport (transport.ts): one ssh2 connection per host, key-only, against a host key
// pinned in a known_hosts file; argv words quoted for the remote shell with shellQuote.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { ForeshockError, UserError } from '../core/errors.ts';
import { findHost } from '../testbed/local/inventory.ts';
import { readInventory } from '../testbed/local/lifecycle.ts';
import { shellQuote, sshPaths } from '../testbed/local/sshd.ts';
import {
  checkArgv,
  Collector,
  commandName,
  timeoutError,
  type HostTransport,
  type RunOptions,
  type RunResult,
} from './transport.ts';

export interface SshTransportOptions {
  /** Host id used in messages, e.g. "db". */
  host: string;
  /** IP address (or name) to connect to; the known_hosts line must name exactly this. */
  address: string;
  port?: number;
  username?: string;
  privateKeyFile: string;
  knownHostsFile: string;
  /** TCP connect + SSH handshake + auth limit (ssh2 readyTimeout). Default 5000. */
  connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** OpenSSH's default MaxSessions: more concurrent channels on one connection are refused. */
const MAX_CHANNELS = 10;

/**
 * Host keys pinned for `address` in an OpenSSH known_hosts file: `<hosts> <keytype> <base64>` per
 * line, where <hosts> is a comma list of `addr` (port 22) or `[addr]:port`. Hashed (`|1|`) names
 * and marker lines (`@cert-authority`, `@revoked`) are never matched: they cannot pin a plain key.
 */
export function pinnedKeys(knownHosts: string, address: string, port = 22): Buffer[] {
  const want = port === 22 ? address : `[${address}]:${port}`;
  const keys: Buffer[] = [];
  for (const raw of knownHosts.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('@')) continue;
    const [names = '', , b64 = ''] = line.split(/\s+/);
    if (!names.split(',').includes(want) || b64 === '') continue;
    keys.push(Buffer.from(b64, 'base64'));
  }
  return keys;
}

function readOrUserError(file: string, who: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const reason = e instanceof Error && 'code' in e ? String(e.code) : String(e);
    throw new UserError(`${who}: cannot read the ${what} ${file}: ${reason}`, { cause: e });
  }
}

/**
 * Channels in flight on one connection. sshd refuses more sessions than MaxSessions (OpenSSH
 * default 10) per connection, so run() waits here for a free slot instead of failing.
 */
class Slots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}

  /** Resolves with a release function once a slot is free. */
  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = (): void => {
        this.used++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.used--;
          this.waiting.shift()?.();
        });
      };
      if (this.used < this.max) grant();
      else this.waiting.push(grant);
    });
  }
}

/** How often, and how far apart, a refused channel open is retried (see openChannel). */
const OPEN_RETRIES = 40;
const OPEN_RETRY_MS = 25;
/** How long a timed-out run waits for its kill to finish before it rejects anyway. */
const KILL_WAIT_MS = 3000;

/**
 * Environment variable that marks every process of one run (the command and whatever it forks
 * inherit it), so a timed-out run can be killed even though sshd refuses "signal" requests for
 * root logins and closing a channel does not stop its command.
 */
const RUN_MARKER = 'FORESHOCK_RUN';

/**
 * Kills every process whose environment holds RUN_MARKER=<id> for each id in "$@", twice so that
 * a child forked during the first pass dies too. Fixed text: ids arrive as quoted arguments.
 */
const KILL_MARKED = [
  'for pass in 1 2; do',
  '  for id; do',
  `    for f in $(grep -lzxF "${RUN_MARKER}=$id" /proc/[0-9]*/environ 2>/dev/null); do`,
  '      p=${f#/proc/}; kill -KILL "${p%/environ}" 2>/dev/null',
  '    done',
  '  done',
  'done',
  'exit 0',
].join('\n');

/**
 * Asks sshd to SIGKILL the command's process group, then closes the channel. OpenSSH answers a
 * "signal" request with killpg() for ordinary users but refuses it for a root login ("session
 * signalling requires privilege separation"), hence the marker kill in SshTransport.kill. ssh2
 * 1.17's channel.signal() silently does nothing once stdin is at EOF (it checks Node's writable
 * flag; mscdex/ssh2 PR #1510) and run() always sends EOF, so the request goes through ssh2's
 * protocol object when it has the expected shape, else through signal() as a best effort.
 */
function killChannel(channel: ClientChannel): void {
  const inner = channel as unknown as {
    _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
    outgoing?: { id?: number; state?: string };
  };
  const protocol = inner._client?._protocol;
  const id = inner.outgoing?.id;
  const state = inner.outgoing?.state;
  if (protocol?.signal && id !== undefined && (state === 'open' || state === 'eof')) {
    protocol.signal(id, 'KILL');
  } else {
    channel.signal('KILL');
  }
  channel.close();
}

function isChannelOpenFailure(e: unknown): boolean {
  // ssh2 sets a numeric `reason` (RFC 4254 5.1) only on a refused channel open.
  return e instanceof Error && typeof (e as { reason?: unknown }).reason === 'number';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

class SshTransport implements HostTransport {
  private readonly who: string;
  /** One session stays free for the kill run, so timed-out runs can always be killed. */
  private readonly slots = new Slots(MAX_CHANNELS - 1);
  /** Run ids waiting for the (single, batched) kill run, with their waiters. */
  private readonly toKill: Array<{ id: string; done: () => void }> = [];
  private killing = false;
  /** Rejecters of the runs in flight, so a lost connection fails them instead of hanging them. */
  private readonly inFlight = new Set<(e: ForeshockError) => void>();
  private closed = false;

  constructor(
    readonly host: string,
    private readonly client: Client,
    readonly description: string,
  ) {
    this.who = `${description} (${host})`;
    // After connect, an 'error' without a listener would crash the process; 'close' follows it.
    client.on('error', () => undefined);
    client.once('close', () => {
      this.closed = true;
      const lost = new ForeshockError(`${this.who}: connection lost`, { retriable: true });
      for (const fail of [...this.inFlight]) fail(lost);
    });
  }

  run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.exec(argv, opts, true);
  }

  /** run(), optionally outside the slot count (only the kill run, which has a session reserved). */
  private exec(argv: readonly string[], opts: RunOptions, counted: boolean): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      checkArgv(this.who, argv); // a throw in here rejects the promise
      // The server hands the command string to the login shell (bash for root here): every word
      // is single-quoted, so no word is split, expanded or executed. The run id is our own hex.
      const runId = randomBytes(8).toString('hex');
      const command = `${RUN_MARKER}=${runId} ${argv.map(shellQuote).join(' ')}`;
      let settled = false;
      /** Set when the timeout fired: the run is being killed and must not resolve. */
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      let release: (() => void) | undefined;
      /** Set once the exec request may have gone out: from then on a timeout must kill. */
      let requested = false;
      let channel: ClientChannel | undefined;
      const finish = (f: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(fail);
        release?.();
        f();
      };
      const fail = (e: ForeshockError): void => finish(() => reject(e));
      this.inFlight.add(fail);
      if (this.closed) return fail(this.closedError());
      if (opts.timeoutMs !== undefined) {
        const ms = opts.timeoutMs;
        timer = setTimeout(() => {
          timedOut = true;
          const err = timeoutError(this.who, argv, ms);
          if (!requested) return fail(err); // still waiting for a slot: nothing runs yet
          // The slot stays held until the kill is done: sshd keeps the session until the
          // command has died, so releasing it earlier would overbook the server.
          void this.kill(runId, channel).finally(() => fail(err));
        }, ms);
      }
      // Listeners go on in the exec callback itself: ssh2 may parse the exit status and the close
      // from the same socket read, so one attached a microtask later can miss them.
      const attach = (ch: ClientChannel): void => {
        if (settled || timedOut) {
          // Timed out while the channel was opening: the command may have started after the kill.
          void this.kill(runId, ch);
          return;
        }
        channel = ch;
        const out = new Collector();
        const errOut = new Collector();
        let code: number | null = null;
        let signal: string | null = null;
        ch.on('data', out.push);
        ch.stderr.on('data', errOut.push);
        ch.on('exit', (c: number | null, s?: string) => {
          code = c ?? null;
          signal = s ?? null;
        });
        // 'close' comes after the output streams ended, so the collectors are complete.
        ch.once('close', () => {
          if (timedOut) return;
          finish(() => resolve({ code, signal, stdout: out.text(), stderr: errOut.text() }));
        });
        ch.end(opts.input); // without input: EOF at once, as for LocalTransport
      };
      const start = async (): Promise<void> => {
        if (counted) {
          const rel = await this.slots.acquire();
          if (settled || timedOut) return rel(); // timed out or connection lost while queued
          release = rel;
        }
        requested = true;
        await this.openChannel(command, () => settled || timedOut, attach);
      };
      start().catch((e: unknown) => {
        const reason = e instanceof Error ? e.message : String(e);
        fail(
          e instanceof ForeshockError
            ? e
            : new ForeshockError(`${this.who}: ${commandName(argv)}: cannot start: ${reason}`, {
                retriable: true,
                cause: e,
              }),
        );
      });
    });
  }

  /**
   * Opens a session channel and execs `command`. sshd frees a session slot only after it has
   * processed the close of the previous channel, which can come after our next open request, so
   * a refused open is retried for a moment rather than failed (seen with 12 concurrent runs).
   */
  private async openChannel(
    command: string,
    abandoned: () => boolean,
    attach: (ch: ClientChannel) => void,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw this.closedError();
      try {
        return await new Promise<void>((resolve, reject) => {
          this.client.exec(command, (err, ch) => {
            if (err) return reject(err);
            attach(ch);
            resolve();
          });
        });
      } catch (e) {
        if (attempt >= OPEN_RETRIES || abandoned() || !isChannelOpenFailure(e)) throw e;
        await sleep(OPEN_RETRY_MS);
      }
    }
  }

  /**
   * Kills a run's processes: a "signal" request on its channel (sshd honours it for non-root
   * users), then KILL_MARKED. Waits at most KILL_WAIT_MS; never throws.
   */
  private async kill(runId: string, channel: ClientChannel | undefined): Promise<void> {
    if (channel) killChannel(channel);
    if (this.closed) return;
    const done = new Promise<void>((resolve) => {
      this.toKill.push({ id: runId, done: resolve });
    });
    void this.drainKills();
    await Promise.race([done, sleep(KILL_WAIT_MS)]);
  }

  /**
   * One kill run at a time on the reserved session, each for every id queued so far: many runs
   * timing out together need one extra session, not one each.
   */
  private async drainKills(): Promise<void> {
    if (this.killing) return;
    this.killing = true;
    while (this.toKill.length > 0 && !this.closed) {
      const batch = this.toKill.splice(0);
      const argv = ['sh', '-c', KILL_MARKED, 'foreshock-kill', ...batch.map((b) => b.id)];
      await this.exec(argv, {}, false).catch(() => undefined);
      for (const b of batch) b.done();
    }
    for (const b of this.toKill.splice(0)) b.done(); // connection gone: nothing left to do
    this.killing = false;
  }

  private closedError(): ForeshockError {
    return new ForeshockError(`${this.who}: connection closed`, { retriable: true });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.client.once('close', () => resolve());
      this.client.end();
    });
  }
}

/** Connects with ssh2: key-only auth, host key pinned in knownHostsFile. */
export function connectSsh(o: SshTransportOptions): Promise<HostTransport> {
  const port = o.port ?? 22;
  const username = o.username ?? 'root';
  const timeoutMs = o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const target = port === 22 ? o.address : `${o.address}:${port}`;
  const description = `ssh ${username}@${target}`;
  const who = `${description} (${o.host})`;
  // Read both files first: a missing key or known_hosts file is the user's to fix, not retriable.
  const privateKey = readOrUserError(o.privateKeyFile, who, 'private key');
  const pinned = pinnedKeys(readOrUserError(o.knownHostsFile, who, 'known_hosts file'), o.address, port);

  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKeyRejected = false;
    let done = false;
    const fail = (e: ForeshockError): void => {
      if (done) return;
      done = true;
      client.destroy();
      reject(e);
    };
    client.once('ready', () => {
      if (done) return;
      done = true;
      resolve(new SshTransport(o.host, client, description));
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (hostKeyRejected) {
        // No key material in the message: the file is enough to find and compare the pin.
        fail(new UserError(`${who}: host key does not match the key pinned in ${o.knownHostsFile}`));
      } else if (err.level === 'client-authentication') {
        fail(
          new UserError(`${who}: authentication failed: the server refused the key ${o.privateKeyFile}`, {
            cause: err,
          }),
        );
      } else if (err.level === 'client-timeout') {
        fail(
          new ForeshockError(`${who}: unreachable: no SSH handshake within ${timeoutMs} ms`, {
            retriable: true,
            cause: err,
          }),
        );
      } else if (err.level === 'client-socket') {
        fail(
          new ForeshockError(`${who}: unreachable: ${err.code ?? err.message}`, {
            retriable: true,
            cause: err,
          }),
        );
      } else {
        fail(new ForeshockError(`${who}: SSH handshake failed: ${err.message}`, { cause: err }));
      }
    });
    // ssh2 may end the connection without an 'error' (e.g. the server drops it before 'ready').
    client.once('close', () =>
      fail(new ForeshockError(`${who}: unreachable: connection closed`, { retriable: true })),
    );
    const config: ConnectConfig = {
      host: o.address,
      port,
      username,
      privateKey,
      // Key-only: publickey is the one method offered (no "none", password, agent or
      // keyboard-interactive attempt), so a refused key fails instead of falling back.
      authHandler: ['publickey'],
      tryKeyboard: false,
      readyTimeout: timeoutMs,
      // Without hostHash ssh2 passes the raw key blob: the same bytes as known_hosts' base64.
      hostVerifier: (key: Buffer): boolean => {
        const ok = pinned.some((k) => k.equals(key));
        if (!ok) hostKeyRejected = true;
        return ok;
      },
    };
    try {
      client.connect(config);
      // Each run is a few small packets (open, exec, EOF) that Nagle's algorithm would hold back
      // for the server's delayed ACK: measured ~48 ms per run on an open connection, ~5 ms without.
      client.setNoDelay(true);
    } catch (e) {
      // ssh2 parses the private key synchronously in connect().
      const reason = e instanceof Error ? e.message : String(e);
      fail(new UserError(`${who}: unusable private key ${o.privateKeyFile}: ${reason}`, { cause: e }));
    }
  });
}

/** A transport to one host of a local testbed brought up with `--ssh`. */
export async function testbedTransport(
  stateDir: string,
  host: string,
  o: { connectTimeoutMs?: number } = {},
): Promise<HostTransport> {
  const inv = readInventory(stateDir);
  if (!inv) {
    throw new UserError(`testbed: no testbed in ${stateDir}; run \`foreshock testbed up --ssh\``);
  }
  if (!inv.ssh) {
    throw new UserError(
      `testbed: the testbed in ${stateDir} runs no sshd; run \`foreshock testbed down\` then \`foreshock testbed up --ssh\``,
    );
  }
  const h = findHost(inv, host);
  const p = sshPaths(stateDir);
  return connectSsh({
    host: h.name,
    address: h.ip,
    privateKeyFile: p.clientKey,
    knownHostsFile: p.knownHosts,
    connectTimeoutMs: o.connectTimeoutMs,
  });
}
