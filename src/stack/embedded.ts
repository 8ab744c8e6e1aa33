// The embedded stack (session.ts): everything on this machine without root. Hosts are processes:
// web = the web tier, db = the SQLite database tier, client = this process (it runs the emulator).
// What differs from the namespaced stack (docs/telemetry.md, "Embedded stack"): no memory caps and
// no CPU caps unless asked for (cpu-cap.ts, root only; availcpu is against the cap or else, like
// freemem, relative to EMBEDDED_ALLOTMENT), per-process metrics from
// /proc (pagein/pageout are fault counts, netin/netout and PSI are null), the in-memory bus instead
// of Kafka, and the client host's metrics include the agent, aggregator and recorder themselves.

import { mkdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { UserError } from '../core/errors.ts';
import path from 'node:path';
import { serviceHookPath } from '../faults/memleak.ts';
import {
  assertCpuCapsPossible,
  createCpuCap,
  describeCpuCaps,
  removeStaleCaps,
  type CpuCap,
} from './cpu-cap.ts';
import { LocalTransport } from '../faults/transport.ts';
import { Aggregator } from '../telemetry/aggregator.ts';
import type { SourceSpec } from '../telemetry/agent/source-spec.ts';
import { startThreadedAgent, type ThreadedAgent } from '../telemetry/agent/threaded.ts';
import { InMemoryBus } from '../telemetry/bus.ts';
import { assertFreshRecordingDir, Recorder, type RecordingSummary } from '../telemetry/recorder.ts';
import { dataFile, MIXES, readCategories, readRegions } from '../workload/data-files.ts';
import { ClientEmulator } from '../workload/emulator/emulator.ts';
import { readTransitionTable } from '../workload/emulator/transitions.ts';
import { startStack } from '../workload/stack.ts';
import { flatStatsOn, RUBIS_DEPENDENCIES, type SessionOptions, type StackSession } from './session.ts';

/**
 * What availcpu and freemem are relative to on the embedded stack, per host (there are no cgroup
 * caps): one core and 1 GiB, so a fault process attached to a host moves its metrics visibly.
 */
export const EMBEDDED_ALLOTMENT = { cpuCores: 1, memMiB: 1024 } as const;

/**
 * Where faults on an embedded host keep markers and files, one directory per host as on real
 * hosts (FORESHOCK_FAULT_DIR overrides the parent). A host's service serves its fault hook there.
 */
export function embeddedFaultDir(host: string): string {
  return path.join(process.env.FORESHOCK_FAULT_DIR ?? path.join(tmpdir(), 'foreshock-faults'), host);
}

/**
 * The database tier's heap bound, MiB: what a container's memory limit is to a service, so that
 * a leak in it ends the way leaks end (docs/faults.md, "memleak on the embedded stack"). About 8x
 * the tier's heap under the default workload (~30 MiB measured).
 */
export const EMBEDDED_DB_HEAP_MIB = 256;

/**
 * The cores each embedded host runs on: db on core 0, web on core 1 (0 on a one-core machine);
 * commands run on a host (faults) are pinned there too. So a CPU hog on db competes with the
 * database tier for the same core on any machine, as on a host with its own CPU. The client (this
 * process: emulator, agent, recorder) is the harness and is not pinned.
 */
export function embeddedCpus(cores: number): { db: string; web: string } {
  return { db: '0', web: cores > 1 ? '1' : '0' };
}

/** The harness's own host on the embedded stack: the client (emulator, agent, recorder). */
export const EMBEDDED_HARNESS_HOSTS = ['client'] as const;

/** The CPU caps asked for, made (refused in one line where this machine cannot make them). */
function startCpuCaps(cores: Record<string, number>, log: (line: string) => void): Map<string, CpuCap> {
  const caps = new Map<string, CpuCap>();
  const entries = Object.entries(cores);
  if (entries.length === 0) return caps;
  assertCpuCapsPossible(`capping ${describeCpuCaps(cores)} on the embedded stack`);
  for (const name of removeStaleCaps()) log(`removed the CPU cap ${name} left by an earlier run`);
  try {
    for (const [host, c] of entries) {
      if (host !== 'db' && host !== 'web')
        throw new UserError(`CPU caps: only db and web can be capped, not ${host}`);
      caps.set(host, createCpuCap(host, c));
    }
  } catch (err) {
    for (const c of caps.values()) c.remove();
    throw err;
  }
  log(`CPU caps: ${describeCpuCaps(cores)} (cgroup v1 cpu quota)`);
  return caps;
}

export async function startEmbeddedSession(o: SessionOptions): Promise<StackSession> {
  const log = o.log ?? (() => undefined);
  assertFreshRecordingDir(path.resolve(o.out));
  const table = readTransitionTable(dataFile(o.dataDir, MIXES[o.mix]));
  const bus = new InMemoryBus();
  const cpus = embeddedCpus(availableParallelism());
  for (const h of ['web', 'db']) mkdirSync(embeddedFaultDir(h), { recursive: true, mode: 0o700 });
  const caps = startCpuCaps(o.cpuCaps ?? {}, log);
  const removeCaps = (): void => {
    for (const c of caps.values()) c.remove();
  };
  const capWrap = (host: string): ((argv: string[]) => string[]) | undefined => {
    const cap = caps.get(host);
    return cap ? (argv) => cap.joinArgv(argv) : undefined;
  };
  let onDbRestart = (_pid: number): void => undefined;
  const rubis = await startStack({
    stack: 'embedded',
    scale: o.scale,
    seed: o.seed,
    categories: readCategories(o.dataDir),
    regions: readRegions(o.dataDir),
    embedded: {
      dbHeapMiB: EMBEDDED_DB_HEAP_MIB,
      cpus,
      dbFaultHook: serviceHookPath(embeddedFaultDir('db')),
      onDbRestart: (pid) => onDbRestart(pid),
      // A restarted tier joins the cap before it runs, as every start does (cpu-cap.ts).
      wrap: {
        ...(caps.has('db') ? { db: capWrap('db')! } : {}),
        ...(caps.has('web') ? { web: capWrap('web')! } : {}),
      },
    },
    log,
  }).catch((err: unknown) => {
    removeCaps();
    throw err;
  });
  const pids: Record<string, number[]> = {
    web: [rubis.pids.web],
    db: rubis.pids.db === null ? [] : [rubis.pids.db],
    client: [process.pid],
  };
  const diskDir = path.dirname(path.resolve(o.out));
  const specs: { host: string; spec: SourceSpec }[] = [];
  for (const [host, p] of Object.entries(pids)) {
    if (p.length > 0)
      specs.push({
        host,
        spec: {
          kind: 'procfs',
          options: {
            pids: p,
            diskDir,
            // A capped host's availcpu is against its cap, as on the local testbed.
            cpuCores: caps.get(host)?.cores ?? EMBEDDED_ALLOTMENT.cpuCores,
            memLimitBytes: EMBEDDED_ALLOTMENT.memMiB * 2 ** 20,
          },
        },
      });
  }
  let agent: ThreadedAgent | null = null;
  // A restarted database tier is the db host's process from then on.
  onDbRestart = (pid) => {
    agent?.addPid('db', pid);
    pids.db = [pid];
  };
  const transports = new Map<string, LocalTransport>();
  const aggregator = new Aggregator(bus, {
    now: Date.now,
    sloThresholdMs: o.sloMs,
    lateDelayMs: o.lateDelayMs ?? 2000,
    hosts: Object.keys(pids),
  });
  let recorder: Recorder | null = null;
  let emulator: ClientEmulator | null = null;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    emulator?.stop();
    await agent?.stop();
    for (const t of transports.values()) await t.close();
    aggregator.stop();
    await rubis.stop();
    removeCaps();
  };
  try {
    recorder = new Recorder(bus, {
      out: o.out,
      sloThresholdMs: o.sloMs,
      dependencies: RUBIS_DEPENDENCIES,
      harnessHosts: [...EMBEDDED_HARNESS_HOSTS],
      sourceDetail: `foreshock embedded stack (in-memory bus), ${o.users} users, ${o.mix} mix, scale ${o.scale}`,
    });
    recorder.start();
    aggregator.start();
    aggregator.startTimer();
    // On its own thread: the harness's event loop (emulator, aggregator, recorder) cannot delay a
    // sample past its second.
    agent = startThreadedAgent({ hosts: specs, bus: flatStatsOn(bus) });
  } catch (err) {
    await stop();
    throw err;
  }
  const rec = recorder;
  const attached = new Map<string, number[]>();
  let finished: Promise<RecordingSummary> | null = null;
  return {
    stack: 'embedded',
    hosts: Object.entries(pids).map(([host, p]) => ({
      host,
      where: `pid ${p.join(',')}`,
      harness: (EMBEDDED_HARNESS_HOSTS as readonly string[]).includes(host),
    })),
    webUrl: rubis.webUrl,
    pids,
    transport: async (host) => {
      const wrap = capWrap(host);
      const hostCpus = host === 'db' || host === 'web' ? { cpus: cpus[host], ...(wrap ? { wrap } : {}) } : {};
      if (!transports.has(host)) transports.set(host, new LocalTransport(host, hostCpus));
      return transports.get(host)!;
    },
    faultDir: (host) => embeddedFaultDir(host),
    attachProcess: (host, pid) => {
      if (specs.some((h) => h.host === host)) agent?.addPid(host, pid);
      attached.set(host, [...(attached.get(host) ?? []), pid]);
    },
    raiseLimit: () => Promise.reject(new UserError('raise-limit needs the local stack (cgroup limits)')),
    restoreLimit: async () => undefined,
    hostProcesses: (host) => [...(pids[host] ?? []), ...(attached.get(host) ?? [])],
    telemetry: { kind: 'memory', bus },
    onAggregate: (cb) => bus.subscribe('aggregate', cb),
    runClients: async (phases) => {
      emulator = new ClientEmulator({
        baseUrl: rubis.webUrl,
        table,
        users: o.users,
        lists: rubis.lists,
        bus,
        seed: o.seed,
        clientId: 'client',
        phases,
      });
      return emulator.run();
    },
    finish: () => {
      finished ??= (async () => {
        await agent?.stop();
        // flush() emits only seconds that have ended: let the current one end (the clients are done).
        await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
        aggregator.flush();
        aggregator.stop();
        return rec.stop();
      })();
      return finished;
    },
    stop,
  };
}
