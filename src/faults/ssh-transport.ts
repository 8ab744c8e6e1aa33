// The SSH transport (transport.ts): one ssh2 connection per host, key-only, against a host key
// pinned in a known_hosts file; argv words quoted for the remote shell with shellQuote. A host
// reachable only through a bastion (jump host) is reached over a second ssh2 connection to the
// bastion, pinned the same way, and a direct-tcpip channel from it. Besides run(), the transport
// starts long-running processes (spawn) and opens TCP tunnels from the host (tunnel).

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PassThrough, type Duplex, type Readable } from 'node:stream';
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

/** The bastion (jump host) a target is reached through: key-only, its host key pinned too. */
export interface SshJumpOptions {
  /** The bastion's address; its known_hosts line must name exactly this. */
  address: string;
  port?: number;
  /** Default "root". */
  username?: string;
  privateKeyFile: string;
  knownHostsFile: string;
  /** TCP connect + SSH handshake + auth limit for the bastion hop. Default 5000. */
  connectTimeoutMs?: number;
}

export interface SshTransportOptions {
  /** Host id used in messages, e.g. "db". */
  host: string;
  /** IP address (or name) to connect to; the known_hosts line must name exactly this. */
  address: string;
  port?: number;
  username?: string;
  privateKeyFile: string;
  knownHostsFile: string;
  /**
   * TCP connect + SSH handshake + auth limit (ssh2 readyTimeout); through a bastion it also bounds
   * the bastion's connect to the target. Also bounds opening a tunnel. Default 5000.
   */
  connectTimeoutMs?: number;
  /** Reach `address` through this bastion (its sshd connects to address:port). */
  jump?: SshJumpOptions;
}

/** A long-running command on a host (SshHostTransport.spawn). */
export interface RemoteProcess {
  /**
   * The command's output. Read (or resume()) both: like a child process's pipes, unread output
   * eventually blocks the command. Both end when the command's channel closes.
   */
  readonly stdout: Readable;
  readonly stderr: Readable;
  /**
   * Settles (never rejects) when the command has exited (code, or signal name with the SIG
   * prefix), was killed by stop() or the connection was lost (code null).
   */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** Writes to the command's stdin; ignored once stop() was called or the command exited. */
  write(data: string): void;
  /**
   * Ends stdin (a command that exits on EOF stops by itself), waits up to graceMs (default 3000)
   * for the exit, then kills the command and everything it forked. Resolves once the command is
   * gone or the connection is closed; never rejects; calling it again returns the same promise.
   */
  stop(graceMs?: number): Promise<void>;
}

/** The SSH transport: run(), plus long-running processes and TCP tunnels from the host. */
export interface SshHostTransport extends HostTransport {
  /**
   * Starts argv on the host (quoted as for run()) and resolves once it runs, with stdin open.
   * Counts against the connection's channel slots until it is gone. A refused start rejects
   * with a retriable ForeshockError, an empty argv or a NUL byte with a UserError.
   */
  spawn(argv: readonly string[]): Promise<RemoteProcess>;
  /**
   * A TCP connection from the host to host:port (SSH direct-tcpip, as `ssh -W`): e.g. a client
   * reaching private addresses through a bastion. Failure: retriable ForeshockError naming
   * host:port. Closing the transport closes its tunnels.
   */
  tunnel(host: string, port: number): Promise<Duplex>;
  /** Calls `cb` once the connection is closed or lost (at once if it already is). */
  onClose(cb: () => void): void;
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

/** A connected ssh2 client and the moment its connection is gone. */
interface Connection {
  client: Client;
  closed: Promise<void>;
}

class SshTransport implements SshHostTransport {
  private readonly who: string;
  /** One session stays free for the kill run, so timed-out runs can always be killed. */
  private readonly slots = new Slots(MAX_CHANNELS - 1);
  /** Run ids waiting for the (single, batched) kill run, with their waiters. */
  private readonly toKill: Array<{ id: string; done: () => void }> = [];
  private killing = false;
  /** Rejecters of the runs in flight, so a lost connection fails them instead of hanging them. */
  private readonly inFlight = new Set<(e: ForeshockError) => void>();
  private closed = false;
  private readonly closeListeners: (() => void)[] = [];

  private readonly client: Client;
  /** Both connections (target and bastion, if any) are gone. */
  private readonly gone: Promise<void>;

  /**
   * `target` is the host's connection; `jump` the bastion's, whose channel carries it. They live
   * and die together: either closing closes the other, and runs in flight fail as lost.
   */
  constructor(
    readonly host: string,
    target: Connection,
    readonly description: string,
    /** Limit for opening a tunnel. */
    private readonly openTimeoutMs: number,
    private readonly jump?: Connection,
  ) {
    this.who = `${description} (${host})`;
    const client = (this.client = target.client);
    // After connect, an 'error' without a listener would crash the process; 'close' follows it.
    client.on('error', () => undefined);
    jump?.client.on('error', () => undefined);
    const onClose = (): void => {
      if (this.closed) return;
      this.closed = true;
      jump?.client.end();
      const lost = new ForeshockError(`${this.who}: connection lost`, { retriable: true });
      for (const fail of [...this.inFlight]) fail(lost);
      for (const cb of this.closeListeners.splice(0)) cb();
    };
    // Synchronously: ssh2 emits 'close' just before it closes the open channels, and the runs in
    // flight must fail as lost rather than resolve from their channel's close. The promise covers
    // a connection already gone by now.
    client.once('close', onClose);
    void target.closed.then(onClose);
    // The target's socket is a channel of the bastion connection: it ends with it, but destroy
    // the client anyway so that nothing waits on a half-closed stream.
    void jump?.closed.then(() => client.destroy());
    this.gone = Promise.all([target.closed, jump?.closed]).then(() => undefined);
  }

  run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.exec(argv, opts, true);
  }

  /** run(), optionally outside the slot count (only the kill run, which has a session reserved). */
  private exec(argv: readonly string[], opts: RunOptions, counted: boolean): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const { runId, command } = this.command(argv); // a throw in here rejects the promise
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
      start().catch((e: unknown) => fail(this.startError(argv, e)));
    });
  }

  /**
   * Checks argv and builds the command string sent to the server, tagged with a fresh run id. The
   * server hands it to the login shell (bash for root here): every word is single-quoted, so no word
   * is split, expanded or executed. The run id is our own hex.
   */
  private command(argv: readonly string[]): { runId: string; command: string } {
    checkArgv(this.who, argv);
    const runId = randomBytes(8).toString('hex');
    return { runId, command: `${RUN_MARKER}=${runId} ${argv.map(shellQuote).join(' ')}` };
  }

  /** Why a run or spawn could not start: a ForeshockError as it is, anything else as retriable. */
  private startError(argv: readonly string[], e: unknown): ForeshockError {
    if (e instanceof ForeshockError) return e;
    const reason = e instanceof Error ? e.message : String(e);
    return new ForeshockError(`${this.who}: ${commandName(argv)}: cannot start: ${reason}`, {
      retriable: true,
      cause: e,
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

  spawn(argv: readonly string[]): Promise<RemoteProcess> {
    return new Promise<RemoteProcess>((resolve, reject) => {
      const { runId, command } = this.command(argv); // a throw in here rejects the promise
      let proc: RemoteProcess | undefined;
      let release: (() => void) | undefined;
      const start = async (): Promise<void> => {
        if (this.closed) throw this.closedError();
        release = await this.slots.acquire();
        await this.openChannel(
          command,
          () => false,
          (ch) => {
            proc = this.remoteProcess(ch, runId, release ?? (() => undefined));
          },
        );
        if (proc) resolve(proc);
      };
      start().catch((e: unknown) => {
        release?.();
        reject(this.startError(argv, e));
      });
    });
  }

  /** The RemoteProcess of a started exec channel; `release` frees its slot once it is gone. */
  private remoteProcess(ch: ClientChannel, runId: string, release: () => void): RemoteProcess {
    // Listeners go on at once, in the exec callback (see exec()).
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    ch.pipe(stdout);
    ch.stderr.pipe(stderr);
    ch.on('error', () => undefined);
    let code: number | null = null;
    let signal: string | null = null;
    let resolveExit: (r: { code: number | null; signal: string | null }) => void = () => undefined;
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => {
      resolveExit = r;
    });
    let hasExited = false;
    const markExited = (): void => {
      if (hasExited) return;
      hasExited = true;
      resolveExit({ code, signal });
    };
    /** The channel is closed (or the connection lost, or the kill done): free the slot. */
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      this.inFlight.delete(lost);
      release();
      markExited();
    };
    const lost = (): void => finish(); // connection lost: code stays null
    this.inFlight.add(lost);
    /** Set while stop() kills: the slot stays held until the kill is done (see exec()). */
    let killing = false;
    ch.on('exit', (c: number | null, s?: string) => {
      code = c ?? null;
      signal = s ?? null;
      markExited();
    });
    ch.once('close', () => {
      if (!killing) finish();
    });
    let stdinEnded = false;
    const endStdin = (): void => {
      if (stdinEnded) return;
      stdinEnded = true;
      ch.end();
    };
    let stopping: Promise<void> | undefined;
    const stop = async (graceMs: number): Promise<void> => {
      endStdin();
      const timer = { id: undefined as NodeJS.Timeout | undefined };
      const inTime = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((r) => {
          timer.id = setTimeout(() => r(false), Math.max(0, graceMs));
        }),
      ]);
      clearTimeout(timer.id);
      if (inTime || finished) return;
      killing = true;
      await this.kill(runId, ch);
      finish();
    };
    return {
      stdout,
      stderr,
      exited,
      write: (data: string): void => {
        if (stdinEnded || hasExited || finished) return;
        ch.write(data);
      },
      stop: (graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> => (stopping ??= stop(graceMs)),
    };
  }

  tunnel(host: string, port: number): Promise<Duplex> {
    const where = `${host}:${port}`;
    if (this.closed) {
      return Promise.reject(
        new ForeshockError(`${this.who}: tunnel to ${where}: connection closed`, { retriable: true }),
      );
    }
    return forwardOut(this.client, host, port, this.openTimeoutMs).catch((e: unknown) => {
      const reason = e instanceof Error ? e.message : String(e);
      throw new ForeshockError(`${this.who}: tunnel to ${where}: ${reason}`, { retriable: true, cause: e });
    });
  }

  close(): Promise<void> {
    this.client.end();
    this.jump?.client.end();
    // A server that never answers (a dead path) must not hold the caller: destroy after a while.
    const timer = setTimeout(() => {
      this.client.destroy();
      this.jump?.client.destroy();
    }, CLOSE_WAIT_MS);
    return this.gone.finally(() => clearTimeout(timer));
  }

  onClose(cb: () => void): void {
    if (this.closed) cb();
    else this.closeListeners.push(cb);
  }
}

const KEEPALIVE_MS = 10_000;
/** How long close() waits for the server to close the connection before destroying it. */
const CLOSE_WAIT_MS = 5000;

/** How long RemoteProcess.stop() waits for an exit after stdin EOF before it kills. */
const DEFAULT_STOP_GRACE_MS = 3000;

/**
 * Opens a direct-tcpip channel from the server of `client` to host:port, within timeoutMs (sshd
 * may wait for the kernel's TCP connect timeout, minutes for an address that does not answer).
 * Rejects with ssh2's error (refusals carry sshd's reason, e.g. "Connection refused").
 */
function forwardOut(client: Client, host: string, port: number, timeoutMs: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error(`no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    try {
      client.forwardOut('127.0.0.1', 0, host, port, (err, ch) => {
        clearTimeout(timer);
        if (done) {
          ch?.close(); // too late: nobody takes it
          return;
        }
        done = true;
        if (err) reject(err);
        else resolve(ch);
      });
    } catch (e) {
      // ssh2 throws when the connection is no longer writable.
      clearTimeout(timer);
      done = true;
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}

/** One SSH hop: where to connect, as whom, and the host keys pinned for it. */
interface Hop {
  /** Prefix of every message, e.g. "ssh root@10.0.0.2 (db)" or "...: bastion 10.0.0.3". */
  who: string;
  address: string;
  port: number;
  username: string;
  privateKey: string;
  privateKeyFile: string;
  knownHostsFile: string;
  pinned: Buffer[];
  timeoutMs: number;
  /** An already-connected stream to the server (a bastion's channel) instead of a TCP connect. */
  sock?: Duplex;
}

/** Reads a hop's key and pins: a missing key or known_hosts file is the user's to fix. */
function hop(
  who: string,
  o: {
    address: string;
    port?: number;
    username?: string;
    privateKeyFile: string;
    knownHostsFile: string;
    connectTimeoutMs?: number;
  },
): Hop {
  const port = o.port ?? 22;
  return {
    who,
    address: o.address,
    port,
    username: o.username ?? 'root',
    privateKey: readOrUserError(o.privateKeyFile, who, 'private key'),
    privateKeyFile: o.privateKeyFile,
    knownHostsFile: o.knownHostsFile,
    pinned: pinnedKeys(readOrUserError(o.knownHostsFile, who, 'known_hosts file'), o.address, port),
    timeoutMs: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  };
}

/** `addr` or `addr:port` (port 22 is left out). */
function endpoint(address: string, port: number): string {
  return port === 22 ? address : `${address}:${port}`;
}

/**
 * Connects and authenticates one hop with ssh2: key-only auth, host key pinned. The one
 * implementation for a direct host, a bastion and a host behind a bastion.
 */
function handshake(h: Hop): Promise<Connection> {
  const { who } = h;
  return new Promise((resolve, reject) => {
    const client = new Client();
    const closed = new Promise<void>((r) => client.once('close', () => r()));
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
      resolve({ client, closed });
    });
    // Stays on after 'ready' (fail is a no-op then): an 'error' without a listener would crash.
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (hostKeyRejected) {
        // No key material in the message: the file is enough to find and compare the pin.
        fail(new UserError(`${who}: host key does not match the key pinned in ${h.knownHostsFile}`));
      } else if (err.level === 'client-authentication') {
        fail(
          new UserError(`${who}: authentication failed: the server refused the key ${h.privateKeyFile}`, {
            cause: err,
          }),
        );
      } else if (err.level === 'client-timeout') {
        fail(
          new ForeshockError(`${who}: unreachable: no SSH handshake within ${h.timeoutMs} ms`, {
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
    void closed.then(() =>
      fail(new ForeshockError(`${who}: unreachable: connection closed`, { retriable: true })),
    );
    const config: ConnectConfig = {
      host: h.address,
      port: h.port,
      username: h.username,
      privateKey: h.privateKey,
      // Key-only: publickey is the one method offered (no "none", password, agent or
      // keyboard-interactive attempt), so a refused key fails instead of falling back.
      authHandler: ['publickey'],
      tryKeyboard: false,
      readyTimeout: h.timeoutMs,
      // A path that dies silently (an instance gone, a NAT or bastion dropping the flow) would
      // leave runs and close() waiting forever: ssh2 ends the connection after 3 unanswered
      // keepalives 10 s apart, and everything waiting on it fails as "connection lost".
      keepaliveInterval: KEEPALIVE_MS,
      keepaliveCountMax: 3,
      // Without hostHash ssh2 passes the raw key blob: the same bytes as known_hosts' base64.
      hostVerifier: (key: Buffer): boolean => {
        const ok = h.pinned.some((k) => k.equals(key));
        if (!ok) hostKeyRejected = true;
        return ok;
      },
      ...(h.sock ? { sock: h.sock } : {}),
    };
    try {
      client.connect(config);
      // Each run is a few small packets (open, exec, EOF) that Nagle's algorithm would hold back
      // for the server's delayed ACK: measured ~48 ms per run on an open connection, ~5 ms without.
      // (A no-op over a bastion's channel: the bastion's own socket has it.)
      client.setNoDelay(true);
    } catch (e) {
      // ssh2 parses the private key synchronously in connect().
      const reason = e instanceof Error ? e.message : String(e);
      fail(new UserError(`${who}: unusable private key ${h.privateKeyFile}: ${reason}`, { cause: e }));
    }
  });
}

/**
 * Connects with ssh2: key-only auth, host key pinned in knownHostsFile. With `jump`, connects to
 * the bastion first (pinned in its own known_hosts file), has it open a TCP connection to
 * address:port and runs the target's SSH connection over that channel.
 */
export async function connectSsh(o: SshTransportOptions): Promise<SshHostTransport> {
  const port = o.port ?? 22;
  const username = o.username ?? 'root';
  const timeoutMs = o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const target = endpoint(o.address, port);
  const via = o.jump ? endpoint(o.jump.address, o.jump.port ?? 22) : undefined;
  const description = `ssh ${username}@${target}${via === undefined ? '' : ` via ${via}`}`;
  const who = `${description} (${o.host})`;
  // Read every file first: a missing key or known_hosts file is the user's to fix, not retriable.
  const targetHop = hop(who, o);
  const jumpHop = o.jump ? hop(`${who}: bastion ${via}`, o.jump) : undefined;
  if (!jumpHop) return new SshTransport(o.host, await handshake(targetHop), description, timeoutMs);

  const jump = await handshake(jumpHop);
  try {
    let sock: ClientChannel;
    try {
      sock = await forwardOut(jump.client, o.address, port, timeoutMs);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new ForeshockError(`${who}: unreachable from bastion ${via}: ${reason}`, {
        retriable: true,
        cause: e,
      });
    }
    const conn = await handshake({ ...targetHop, sock });
    return new SshTransport(o.host, conn, description, timeoutMs, jump);
  } catch (e) {
    jump.client.destroy();
    throw e;
  }
}

/** A transport to one host of a local testbed brought up with `--ssh`. */
export async function testbedTransport(
  stateDir: string,
  host: string,
  o: { connectTimeoutMs?: number } = {},
): Promise<SshHostTransport> {
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
