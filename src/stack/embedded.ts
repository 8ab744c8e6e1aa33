// The embedded stack (session.ts): everything on this machine without root. Hosts are processes:
// web = the web tier, db = the SQLite database tier, client = this process (it runs the emulator).
// What differs from the namespaced stack (docs/telemetry.md, "Embedded stack"): no CPU or memory
// caps (availcpu is relative to 1 core, freemem to the machine's memory), per-process metrics from
// /proc (pagein/pageout are fault counts, netin/netout and PSI are null), the in-memory bus instead
// of Kafka, and the client host's metrics include the agent, aggregator and recorder themselves.

import path from 'node:path';
import { Aggregator } from '../telemetry/aggregator.ts';
import { HostAgent } from '../telemetry/agent/agent.ts';
import { ProcfsSource } from '../telemetry/agent/procfs-source.ts';
import { InMemoryBus } from '../telemetry/bus.ts';
import { Recorder, type RecordingSummary } from '../telemetry/recorder.ts';
import { dataFile, MIXES, readCategories, readRegions } from '../workload/data-files.ts';
import { ClientEmulator } from '../workload/emulator/emulator.ts';
import { readTransitionTable } from '../workload/emulator/transitions.ts';
import { startStack } from '../workload/stack.ts';
import { flatStatsOn, RUBIS_DEPENDENCIES, type SessionOptions, type StackSession } from './session.ts';

export async function startEmbeddedSession(o: SessionOptions): Promise<StackSession> {
  const log = o.log ?? (() => undefined);
  const table = readTransitionTable(dataFile(o.dataDir, MIXES[o.mix]));
  const bus = new InMemoryBus();
  const rubis = await startStack({
    stack: 'embedded',
    scale: o.scale,
    seed: o.seed,
    categories: readCategories(o.dataDir),
    regions: readRegions(o.dataDir),
    log,
  });
  const pids: Record<string, number[]> = {
    web: [rubis.pids.web],
    db: rubis.pids.db === null ? [] : [rubis.pids.db],
    client: [process.pid],
  };
  const diskDir = path.dirname(path.resolve(o.out));
  const agent = new HostAgent({
    hosts: Object.entries(pids)
      .filter(([, p]) => p.length > 0)
      .map(([host, p]) => ({ host, source: new ProcfsSource({ pids: p, diskDir }) })),
    bus: flatStatsOn(bus),
  });
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
    agent.stop();
    aggregator.stop();
    await rubis.stop();
  };
  try {
    recorder = new Recorder(bus, {
      out: o.out,
      sloThresholdMs: o.sloMs,
      dependencies: RUBIS_DEPENDENCIES,
      sourceDetail: `foreshock embedded stack (in-memory bus), ${o.users} users, ${o.mix} mix, scale ${o.scale}`,
    });
    recorder.start();
    aggregator.start();
    aggregator.startTimer();
    agent.start();
  } catch (err) {
    await stop();
    throw err;
  }
  const rec = recorder;
  let finished: Promise<RecordingSummary> | null = null;
  return {
    stack: 'embedded',
    hosts: Object.entries(pids).map(([host, p]) => ({ host, where: `pid ${p.join(',')}` })),
    webUrl: rubis.webUrl,
    pids,
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
        agent.stop();
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
