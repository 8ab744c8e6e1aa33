// The namespaced stack (session.ts) on a local testbed brought up by `foreshock testbed up`:
//
//   kafka     Apache Kafka (KRaft) bound to the host's bridge address, advertised there, 256 MiB heap
//   db        mariadbd bound to its address; user `foreshock` for the subnet with a random password
//   web       the web tier on its address, talking to db over the bridge
//   client    the emulator (tiers/client-main.ts), publishing responsetime to Kafka
//   analysis  `foreshock record --bus kafka` (its aggregator publishes aggregate; it writes the dataset)
//
// The metric agents run beside the testbed, in this process (on a thread of their own): one CgroupSource per host reads the
// host's cgroups, its loop disk and the bridge side of its veth, and publishes to the kafka host. So
// the hosts' own metrics carry no agent overhead (the agent's cost is measured by its benchmark).
// Every process started in a host is stopped by stop(); `foreshock testbed down` kills anything left.

import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.ts';
import { readDataset } from '../data/dataset-io.ts';
import type { SourceSpec } from '../telemetry/agent/source-spec.ts';
import { startThreadedAgent } from '../telemetry/agent/threaded.ts';
import { startKafkaBroker } from '../telemetry/kafka/broker.ts';
import { kafkaLibDir } from '../telemetry/kafka/install.ts';
import { createKafkaBus, type KafkaBus } from '../telemetry/kafka/bus.ts';
import { assertFreshRecordingDir, type RecordingSummary } from '../telemetry/recorder.ts';
import { testbedTransport, type HostTransport } from '../faults/transport.ts';
import { findHost, objectName, readInventory, openHost, hostArgv } from '../testbed/local/index.ts';
import { DEFAULT_STATE_DIR, type Inventory } from '../testbed/local/inventory.ts';
import { layout } from '../testbed/local/layout.ts';
import { testbedLimits } from '../testbed/local/limits.ts';
import { cgroupDir, tryRun } from '../testbed/local/sys.ts';
import { dataFile, MIXES, readCategories, readRegions } from '../workload/data-files.ts';
import type { EmulatorStats } from '../workload/emulator/emulator.ts';
import { startStack } from '../workload/stack.ts';
import { registerChild, startTier } from '../workload/tiers/children.ts';
import { serviceHookPath } from '../faults/memleak.ts';
import type { ClientTierConfig, ClientTierInfo } from '../workload/tiers/client-main.ts';
import {
  aggregateFanout,
  flatStatsOn,
  RUBIS_DEPENDENCIES,
  type SessionOptions,
  type StackSession,
} from './session.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FORESHOCK_BIN = path.join(REPO_ROOT, 'bin', 'foreshock.js');
const CLIENT_ENTRY = path.join(REPO_ROOT, 'src', 'workload', 'tiers', 'client-main.ts');

/** The hosts this stack needs, by role. */
export const LOCAL_STACK_HOSTS = ['web', 'db', 'client', 'kafka', 'analysis'] as const;
/**
 * The web tier's V8 heap bound on the testbed, MiB: what a container's memory limit is to a
 * service, so a leak in its heap ends as leaks end (GC pressure, then out of heap, then a restart).
 * As the embedded stack's database tier (EMBEDDED_DB_HEAP_MIB); well under the host's 512 MiB cap.
 */
export const LOCAL_WEB_HEAP_MIB = 256;
/** The harness's own hosts: the recorder (analysis), Kafka, the load generator (client). */
export const LOCAL_HARNESS_HOSTS = ['analysis', 'kafka', 'client'] as const;
/**
 * How MariaDB is sized on the db host (docs/testbed.md, "The database on its host"): a buffer pool
 * much smaller than the working set, backed by the OS page cache (buffered I/O), so the database's
 * reads depend on the host's memory the way a server's page cache does; a small redo log so that
 * the data fits the host's 256 MiB disk with room for a disk fault; durable commits.
 */
export const LOCAL_MARIADB = {
  bufferPool: '16M',
  redoLog: '16M',
  flushMethod: 'fsync',
  // MariaDB's own, durable default: every commit fsyncs the redo log, so commits wait for the disk.
  flushLogAtCommit: 1,
} as const;
/** Fixed service ports: each host has its own network namespace, so nothing else holds them. */
export const LOCAL_PORTS = { kafka: 9092, kafkaController: 9093, mariadb: 3306 } as const;
/** The recorder stops by itself after the planned run plus this much, should nobody stop it. */
const RECORDER_SAFETY_S = 3600;

/** The loop device behind a host's disk image, from `losetup -j`, as /sys/block/<dev>/stat. */
function blockStatOf(image: string): string | undefined {
  const r = tryRun(['losetup', '-j', image]);
  const dev = /^\/dev\/(loop\d+):/m.exec(r.stdout)?.[1];
  return dev ? `/sys/block/${dev}/stat` : undefined;
}

export function agentSources(stateDir: string, inv: Inventory): { host: string; spec: SourceSpec }[] {
  const lay = layout(stateDir, inv);
  return inv.hosts.map((h) => {
    const obj = objectName(inv, h.name);
    const unified = path.join('/sys/fs/cgroup/unified', obj);
    const block = blockStatOf(lay.image(h.name));
    return {
      host: h.name,
      spec: {
        kind: 'cgroup',
        options: {
          cpuacctDir: cgroupDir('cpuacct', obj),
          cpuDir: cgroupDir('cpu', obj),
          memoryDir: cgroupDir('memory', obj),
          ...(existsSync(unified) ? { unifiedDir: unified } : {}),
          diskDir: lay.diskMount(h.name),
          ...(block ? { blockStatFile: block } : {}),
          netDevFile: '/proc/net/dev',
          netIface: obj,
          netPeerSide: true,
        },
      },
    };
  });
}

/**
 * The Kafka jars where the hosts can see them. The setup cache lives under $HOME, and a testbed
 * brought up with --ssh gives every host an empty private /root, so the kafka host would not find
 * them there: copy them once into the testbed's state directory (43 MB; kept across runs).
 */
export function hostVisibleKafkaLib(stateDir: string): string {
  const src = kafkaLibDir();
  if (!existsSync(src))
    throw new UserError(
      `kafka jars not found in ${src} (run \`foreshock kafka setup\` or scripts/kafka/setup.sh)`,
    );
  const dest = path.join(path.resolve(stateDir), 'kafka-lib');
  const want = readdirSync(src).sort().join('\n');
  const have = existsSync(dest) ? readdirSync(dest).sort().join('\n') : '';
  if (want !== have) {
    rmSync(dest, { recursive: true, force: true });
    cpSync(src, dest, { recursive: true });
  }
  return dest;
}

/** Where faults on a testbed host keep markers and files: on the host's own disk, as it sees it. */
export function testbedFaultDir(stateDir: string, inv: Inventory): string {
  return path.join(layout(stateDir, inv).hostDiskPath, '.foreshock-faults');
}

/** Waits for a line matching `re` on the child's stderr; rejects if it exits or times out first. */
function waitForLine(child: ChildProcess, re: RegExp, what: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let tail = '';
    const timer = setTimeout(
      () => done(new UserError(`${what}: not ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = (d: Buffer): void => {
      buf += d.toString('utf8');
      tail = buf.trim().split('\n').pop() ?? tail;
      if (re.test(buf)) done();
    };
    const onExit = (code: number | null): void =>
      done(new UserError(`${what}: exited with ${code} during start-up${tail ? `: ${tail}` : ''}`));
    function done(err?: Error): void {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    }
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

function summaryOf(dir: string): RecordingSummary {
  const ds = readDataset(dir);
  return {
    dir,
    seconds: new Set(ds.metrics.time).size,
    hosts: [...ds.metrics.hosts],
    metrics: [...ds.metrics.metrics],
    sloRows: ds.slo?.time.length ?? 0,
    tornSegments: 0,
  };
}

export async function startLocalSession(o: SessionOptions): Promise<StackSession> {
  const log = o.log ?? (() => undefined);
  const stateDir = o.stateDir ?? DEFAULT_STATE_DIR;
  const inv = readInventory(stateDir);
  if (!inv) {
    throw new UserError(
      `local stack: no testbed in ${stateDir} (run \`foreshock testbed up\` as root first)`,
    );
  }
  for (const role of LOCAL_STACK_HOSTS) findHost(inv, role);
  if (!inv.ssh) {
    throw new UserError(
      `local stack: the testbed in ${stateDir} has no sshd (faults and fixes run over SSH): run \`foreshock testbed down\` and \`foreshock testbed up --ssh\``,
    );
  }
  const ip = (name: string): string => findHost(inv, name).ip;
  const at = (name: string): ((argv: string[]) => string[]) => {
    const host = openHost(stateDir, name);
    return (argv) => hostArgv(host, argv);
  };
  const out = path.resolve(o.out);
  assertFreshRecordingDir(out);
  const table = dataFile(o.dataDir, MIXES[o.mix]);
  const stoppers: (() => Promise<void>)[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
  };
  const work = mkdtempSync(path.join(tmpdir(), 'foreshock-stack-'));
  stoppers.push(async () => rmSync(work, { recursive: true, force: true }));
  try {
    log(`starting Kafka on kafka (${ip('kafka')}:${LOCAL_PORTS.kafka}) ...`);
    const broker = await startKafkaBroker({
      lib: hostVisibleKafkaLib(stateDir),
      bindHost: ip('kafka'),
      port: LOCAL_PORTS.kafka,
      controllerPort: LOCAL_PORTS.kafkaController,
      heap: '256m',
      wrap: at('kafka'),
    });
    stoppers.push(() => broker.stop());
    const brokers = broker.brokers;

    const rubis = await startStack({
      stack: 'mariadb',
      scale: o.scale,
      seed: o.seed,
      categories: readCategories(o.dataDir),
      regions: readRegions(o.dataDir),
      placement: {
        db: {
          bindHost: ip('db'),
          wrap: at('db'),
          clientHosts: `${inv.subnet}.%`,
          port: LOCAL_PORTS.mariadb,
          server: {
            // On the db host's own (throttled) disk, as it sees it.
            baseDir: layout(stateDir, inv).diskMount('db'),
            baseDirInside: layout(stateDir, inv).hostDiskPath,
            ...LOCAL_MARIADB,
          },
        },
        web: {
          bindHost: ip('web'),
          wrap: at('web'),
          // Deployed as a service is (docs/faults.md, "memleak on the local testbed"): a bounded
          // heap, a fault hook for a leak in its own heap, restarted after a crash.
          heapMiB: LOCAL_WEB_HEAP_MIB,
          faultHook: serviceHookPath(testbedFaultDir(stateDir, inv)),
          supervised: true,
        },
      },
      log,
    });
    stoppers.push(() => rubis.stop());

    log('starting the recorder on analysis ...');
    const recArgv = at('analysis')([
      process.execPath,
      FORESHOCK_BIN,
      'record',
      '--bus',
      'kafka',
      '--brokers',
      brokers.join(','),
      '--out',
      out,
      '--slo-ms',
      String(o.sloMs),
      '--late-delay-ms',
      String(o.lateDelayMs ?? 2000),
      '--duration',
      String(RECORDER_SAFETY_S),
      '--harness',
      LOCAL_HARNESS_HOSTS.join(','),
      ...RUBIS_DEPENDENCIES.flatMap(([a, b]) => ['--dependency', `${a}:${b}`]),
    ]);
    const recorder = spawn(recArgv[0]!, recArgv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    const unregisterRecorder = registerChild(recorder, 'recorder');
    const recorderExit = new Promise<number | null>((resolve) =>
      recorder.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))),
    );
    let recorderErr = '';
    recorder.stderr!.on('data', (d: Buffer) => {
      recorderErr = (recorderErr + d.toString('utf8')).slice(-4000);
    });
    stoppers.push(async () => {
      if (recorder.exitCode === null && recorder.signalCode === null) {
        recorder.kill('SIGKILL');
        await recorderExit;
      }
      unregisterRecorder();
    });
    await waitForLine(recorder, /record: recording to/, 'recorder on analysis', 90_000);

    const bus: KafkaBus = await createKafkaBus({ brokers, clientId: 'foreshock-agents' });
    stoppers.push(() => bus.close());
    // On its own thread, so this process's event loop cannot delay a sample past its second.
    const agent = startThreadedAgent({ hosts: agentSources(stateDir, inv), bus: flatStatsOn(bus) });
    stoppers.push(() => agent.stop());

    const transports = new Map<string, Promise<HostTransport>>();
    stoppers.push(async () => {
      for (const t of transports.values()) await (await t.catch(() => null))?.close();
    });
    const limits = testbedLimits(inv);
    // A later repetition reuses the testbed: put raised limits back when the session stops.
    stoppers.push(async () => limits.restoreAll());
    let finished: Promise<RecordingSummary> | null = null;
    return {
      transport: (host) => {
        findHost(inv, host);
        if (!transports.has(host)) transports.set(host, testbedTransport(stateDir, host));
        return transports.get(host)!;
      },
      faultDir: () => testbedFaultDir(stateDir, inv),
      attachProcess: () => undefined,
      raiseLimit: async (host, resource) => limits.raise(host, resource),
      restoreLimit: async (host, resource) => limits.restore(host, resource),
      hostProcesses: (host) => limits.processes(host),
      telemetry: { kind: 'kafka', brokers },
      onAggregate: aggregateFanout(bus),
      stack: 'local',
      hosts: inv.hosts.map((h) => ({
        host: h.name,
        where: h.ip,
        harness: (LOCAL_HARNESS_HOSTS as readonly string[]).includes(h.name),
      })),
      webUrl: rubis.webUrl,
      pids: {
        web: [rubis.pids.web],
        db: rubis.pids.db === null ? [] : [rubis.pids.db],
        kafka: [broker.pid],
        analysis: recorder.pid === undefined ? [] : [recorder.pid],
      },
      runClients: async (phases): Promise<EmulatorStats> => {
        const statsFile = path.join(work, `client-${Date.now()}.json`);
        const config: ClientTierConfig = {
          baseUrl: rubis.webUrl,
          transitionsFile: table,
          users: o.users,
          lists: rubis.lists,
          seed: o.seed,
          clientId: 'client',
          phases,
          brokers,
          statsFile,
        };
        const tier = await startTier<ClientTierInfo>('client', CLIENT_ENTRY, config, {
          wrap: at('client'),
          readyTimeoutMs: 60_000,
        });
        stoppers.push(() => tier.stop());
        const code = await tier.exited;
        if (code !== 0 || !existsSync(statsFile))
          throw new UserError(`client on ${ip('client')}: emulator exited with ${code}`);
        return JSON.parse(readFileSync(statsFile, 'utf8')) as EmulatorStats;
      },
      finish: () => {
        finished ??= (async () => {
          agent.stop();
          // Let the last second's stats reach the recorder's aggregator before it flushes.
          await new Promise((r) => setTimeout(r, 1500));
          recorder.kill('SIGTERM');
          const code = await recorderExit;
          if (code !== 0) {
            const last = recorderErr.trim().split('\n').pop() ?? '';
            throw new UserError(`recorder on analysis exited with ${code}${last ? `: ${last}` : ''}`);
          }
          return summaryOf(out);
        })();
        return finished;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
