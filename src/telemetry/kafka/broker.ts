// A local Apache Kafka broker in KRaft mode (one process, broker + controller, no ZooKeeper):
// format storage in a fresh directory, write server.properties bound to 127.0.0.1 only (both
// listeners on ports the OS picked free), start `java -cp '<lib>/*' kafka.Kafka`, wait until the
// kafkajs admin client can create the topics and find a group coordinator (a readiness check, not
// a sleep), and stop it by killing its process group and removing the directory.
//
//   const broker = await startKafkaBroker();           // broker.brokers = ['127.0.0.1:<port>']
//   try { ... } finally { await broker.stop(); }
//
// restart() stops the JVM and starts the same command on the same directory (same data, cluster id
// and ports), for tests and drills of what clients do when the broker goes away and comes back.
//
// Attached mode (the default, for tests and `foreshock` commands that own the broker): the JVM runs
// under a small shell that kills it when our stdin closes, so even a parent killed with SIGKILL
// leaves no broker behind. Detached mode (`foreshock kafka start`): the broker outlives the command
// and is found again through <stateDir>/broker.json.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  openSync,
  closeSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { stdinWatchdogArgv } from '../../core/stdin-watchdog.ts';
import { UserError } from '../../core/errors.ts';
import { TOPICS } from '../bus.ts';
import { kafkaLibDir } from './install.ts';

export interface KafkaBrokerOptions {
  /** Directory of the broker's jars (default: the setup cache, see install.ts). */
  lib?: string;
  /** Parent directory for the broker's state (default: the OS temp directory). */
  baseDir?: string;
  /** Client port (default: a free one). The controller port is always picked free. */
  port?: number;
  /** Topics to create up front (default: stats, responsetime, aggregate), one partition each. */
  topics?: readonly string[];
  partitions?: number;
  readyTimeoutMs?: number;
  /** JVM heap (default 512m: the testbed's kafka host is shared with nothing, tests are small). */
  heap?: string;
  /** Leave the broker running when this process exits (see the header). */
  detached?: boolean;
  /**
   * Address both listeners bind and the broker advertises (default 127.0.0.1). On the local
   * testbed: the kafka host's bridge address, which is what clients on the other hosts dial.
   */
  bindHost?: string;
  /** Controller port (default: a free one on 127.0.0.1; give one when binding elsewhere). */
  controllerPort?: number;
  /** Wraps the JVM's argv, e.g. to run it inside a testbed host (testbed/local hostArgv). */
  wrap?: (argv: string[]) => string[];
}

export interface KafkaBrokerInfo {
  pid: number;
  port: number;
  controllerPort: number;
  dir: string;
  brokers: string[];
  startedAt: string;
}

export interface KafkaBroker extends KafkaBrokerInfo {
  /**
   * The process group leader of the running broker (the watchdog shell in attached mode, the JVM's
   * wrapper or the JVM when detached). A getter: it changes on every restart().
   */
  readonly pid: number;
  /** Kills the broker's process group and removes its directory. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stops the broker (its process group, SIGTERM then SIGKILL), waits `downMs` (default 0), starts
   * the same JVM command on the same state directory (same data, cluster id and ports) and resolves
   * once it is ready again (topics present, group coordinator loaded). Concurrent calls run one
   * after the other; after stop() it rejects. A detached broker's broker.json keeps the old pid.
   */
  restart(options?: { downMs?: number }): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function serverProperties(
  dataDir: string,
  host: string,
  port: number,
  controllerPort: number,
  partitions: number,
): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${controllerPort}`,
    // One address (loopback, or the testbed host's own): clients reach the broker at exactly the
    // advertised address, and nothing listens anywhere else.
    `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    `num.partitions=${partitions}`,
    // One broker: internal topics cannot have more replicas than that.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    // The default waits 3 s for more members before the first rebalance; we have one consumer per group.
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

/** Alive and not a zombie (an orphan is reaped slowly by PID 1 here: see testbed.md). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}

function logTail(file: string): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
}

async function waitReady(
  brokers: string[],
  topics: readonly string[],
  partitions: number,
  pid: number,
  log: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const kafka = new Kafka({
    clientId: 'foreshock-ready',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  let last = '';
  while (Date.now() < deadline) {
    if (!processAlive(pid)) throw new UserError(`kafka broker exited during start-up: ${logTail(log)}`);
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.createTopics({
        topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
        waitForLeaders: true,
      });
      // Topics that already exist (a restart) make createTopics return early, without waiting for
      // their leaders: check those here, so a restarted broker is only "ready" once it serves them.
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = metadata.filter((t) => t.partitions.some((p) => p.leader < 0)).map((t) => t.name);
      if (leaderless.length > 0) throw new Error(`no leader yet for ${leaderless.join(', ')}`);
      // Asking for a group makes the broker create __consumer_offsets now rather than on the first
      // consumer's join (which then fails with "coordinator is loading" for a few seconds).
      await admin.describeGroups(['foreshock-ready']);
      return;
    } catch (err) {
      last = (err as Error).message;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new UserError(`kafka broker on ${brokers.join(',')} not ready within ${timeoutMs} ms (${last})`);
}

/** Kills the process group (the JVM and, in attached mode, its watchdog shell) and waits. */
export async function killBrokerGroup(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(pid)) {
    signal('SIGKILL');
    const hard = Date.now() + 5000;
    while (processAlive(pid) && Date.now() < hard) await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startKafkaBroker(options: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const started = Date.now();
  const lib = options.lib ?? kafkaLibDir();
  if (!existsSync(lib)) {
    throw new UserError(
      `kafka jars not found in ${lib} (run \`foreshock kafka setup\` or scripts/kafka/setup.sh)`,
    );
  }
  const base = options.baseDir ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'foreshock-kafka-'));
  const partitions = options.partitions ?? 1;
  const topics = options.topics ?? TOPICS;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const cp = `${lib}/*`;
  const log = path.join(dir, 'broker.log');
  try {
    const port = options.port ?? (await freePort());
    const controllerPort = options.controllerPort ?? (await freePort());
    const host = options.bindHost ?? '127.0.0.1';
    const props = path.join(dir, 'server.properties');
    writeFileSync(props, serverProperties(path.join(dir, 'data'), host, port, controllerPort, partitions));
    const format = spawnSync(
      'java',
      ['-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', props],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (format.status !== 0) {
      const why = (format.stderr || format.stdout || String(format.error ?? '')).trim().split('\n').pop();
      throw new UserError(`kafka storage format failed in ${dir}: ${why}`);
    }
    const java = ['java', `-Xmx${options.heap ?? '512m'}`, '-Xss1m', '-cp', cp, 'kafka.Kafka', props];
    const wrap = options.wrap ?? ((argv: string[]) => argv);
    // Own process group (detached: true) so stop() can kill the JVM and its shell together.
    const argv = options.detached
      ? wrap(java)
      : // When our end of its stdin closes (normal exit, crash or SIGKILL of this process), the JVM goes.
        wrap(stdinWatchdogArgv(java));
    const brokers = [`${host}:${port}`];
    // The current process group leader: replaced by every restart(), so everything that signals the
    // broker (the exit safety net, stop(), restart()) reads this variable rather than a copy.
    let pid = 0;
    const onExit = (): void => {
      // pid 0 would be our own process group (kill(-0) is kill(0)).
      if (pid <= 0) return;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    // Starts the JVM (same argv, same state directory: formatted once, so the cluster id, log dirs
    // and ports are those of the first start) and records its pid; does not wait for readiness.
    const launch = (): void => {
      const out = openSync(log, 'a');
      let child: ChildProcess;
      try {
        child = spawn(argv[0]!, argv.slice(1), {
          detached: true,
          stdio: [options.detached ? 'ignore' : 'pipe', out, out],
        });
      } finally {
        closeSync(out);
      }
      if (child.pid === undefined) {
        throw new UserError('kafka: could not start java (is a JDK 17+ installed?)');
      }
      pid = child.pid;
      child.unref();
      (child.stdin as { unref?: () => void } | null)?.unref?.();
    };
    // One listener for the broker's lifetime, registered once: it reads `pid`, so it follows restarts.
    if (!options.detached) process.once('exit', onExit);
    let stopped = false;
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', onExit);
      if (pid > 0) await killBrokerGroup(pid);
      rmSync(dir, { recursive: true, force: true });
    };
    // Restarts run one at a time (a second call waits for the first), so two JVMs never race for
    // the same ports and data directory.
    let restarting: Promise<void> = Promise.resolve();
    const restartOnce = async (downMs: number): Promise<void> => {
      const gone = (): UserError =>
        new UserError(`kafka broker on ${brokers.join(',')} was stopped; it cannot be restarted`);
      if (stopped) throw gone();
      await killBrokerGroup(pid);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      // stop() may have run while the broker was down; it removed the directory: start nothing.
      if (stopped) throw gone();
      launch();
      try {
        await waitReady(brokers, topics, partitions, pid, log, readyTimeoutMs);
      } catch (err) {
        // A broker that did not come back is not left half-started; the caller's stop() is then a
        // no-op apart from removing the directory.
        await killBrokerGroup(pid);
        throw err;
      }
    };
    const restart = (restartOptions: { downMs?: number } = {}): Promise<void> => {
      const downMs = restartOptions.downMs ?? 0;
      if (!(downMs >= 0) || !Number.isFinite(downMs)) {
        return Promise.reject(
          new UserError(`kafka: restart downMs must be a non-negative number of ms (got ${downMs})`),
        );
      }
      const next = restarting.then(() => restartOnce(downMs));
      restarting = next.catch(() => undefined);
      return next;
    };
    try {
      launch();
      await waitReady(brokers, topics, partitions, pid, log, readyTimeoutMs);
    } catch (err) {
      await stop();
      throw err;
    }
    return {
      // A getter, not a copy: restart() replaces the process. Object spread and JSON.stringify
      // (local.ts writes broker.json that way) read the current value.
      get pid(): number {
        return pid;
      },
      port,
      controllerPort,
      dir,
      brokers,
      startedAt: new Date(started).toISOString(),
      stop,
      restart,
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding (what `random-uuid` prints). One
 * in 64 such strings starts with '-', which the storage tool's argument parser takes for an option
 * ("--cluster-id/-t: expected one argument"); Kafka's own Uuid.randomUuid() redraws those, so do we.
 */
export function clusterId(random: () => string = randomUUID): string {
  for (;;) {
    const id = Buffer.from(random().replace(/-/g, ''), 'hex').toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
