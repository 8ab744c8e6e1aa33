// A stack session: the RUBiS services, a metric agent per host, the aggregator and the recorder,
// all running, with the clients started on demand. Three providers sit behind this one interface:
//
//   embedded (embedded.ts): no root needed. Hosts web, db, client are plain processes on loopback
//     (the web tier, the SQLite database tier, this process running the emulator); procfs agents,
//     the in-memory bus, aggregator and recorder in this process.
//   local (local.ts): the namespaced testbed (`foreshock testbed up`). Kafka on the kafka host,
//     MariaDB on db, the web tier on web, the emulator on client, the recorder (with its
//     aggregator) on analysis; cgroup agents beside the testbed publish each host's stats to Kafka.
//   remote (remote.ts), also `aws`: machines reached only over SSH (through a bastion on AWS);
//     Kafka and MariaDB run there already, the session starts the database, web tier, machine-wide
//     agents and emulators over SSH; aggregator and recorder here, on Kafka through SSH tunnels.
//
//   const s = await startSession({ stack: 'embedded', ... });
//   try { await s.runClients({ upRampMs: 0, runMs: 60_000, downRampMs: 0 }); const sum = await s.finish(); }
//   finally { await s.stop(); }
//
// The experiment runner (faults) drives the same object: it injects while runClients() is running.

import { flattenStats, type AgentTopics } from '../telemetry/agent/types.ts';
import type { AggregateMessage, Bus, TopicMessages } from '../telemetry/bus.ts';
import type { ISocketFactory } from 'kafkajs';
import type { HostTransport } from '../faults/transport.ts';
import type { RecordingSummary } from '../telemetry/recorder.ts';
import type { Mix } from '../workload/data-files.ts';
import type { EmulatorStats, PhaseDurations } from '../workload/emulator/emulator.ts';
import type { RemoteStackSpec } from './remote-spec.ts';

export type SessionStack = 'embedded' | 'local' | 'remote' | 'aws';
export const SESSION_STACKS: readonly SessionStack[] = ['embedded', 'local', 'remote', 'aws'];

export interface SessionOptions {
  stack: SessionStack;
  /** Dataset directory the recorder writes (must not hold a dataset yet). */
  out: string;
  users: number;
  mix: Mix;
  /** RUBiS data scale (0, 1]. */
  scale: number;
  seed: number;
  /** SLO threshold on latency, ms (the manifest's slo). */
  sloMs: number;
  /** The RUBiS data files (transition tables, categories, regions). */
  dataDir: string;
  /** The local testbed's state directory (local only). */
  stateDir?: string;
  /** The machines and how to reach them (remote and aws; see remote-spec.ts). */
  remote?: RemoteStackSpec;
  /**
   * CPU caps of embedded hosts, cores by host (stack/cpu-cap.ts; root and cgroup v1 only, refused
   * in one line elsewhere). Embedded only: the local testbed's hosts have their own caps.
   */
  cpuCaps?: Record<string, number>;
  /** How long the aggregator waits for late messages, ms (default 2000). */
  lateDelayMs?: number;
  log?: (line: string) => void;
}

export interface StackHostInfo {
  /** Host id in the recording. */
  host: string;
  /** Where it runs: a pid list (embedded) or an address (local). */
  where: string;
  /** One of the harness's own hosts (recorder, Kafka, load generators), not the system under test. */
  harness: boolean;
}

export interface StackSession {
  stack: SessionStack;
  hosts: StackHostInfo[];
  webUrl: string;
  /** Services' processes by host, for fault injection (embedded: pids; local: the host's cgroups). */
  pids: Record<string, number[]>;
  /** Runs the clients for the phases; resolves with their statistics once they are done. */
  runClients(phases: PhaseDurations): Promise<EmulatorStats>;
  /** Runs commands on a host (faults, fixes): local processes, or SSH into the testbed host. */
  transport(host: string): Promise<HostTransport>;
  /** Directory, as the host sees it, for fault markers and fault files (on the host's own disk). */
  faultDir(host: string): string;
  /** Counts a process started for a host in that host's metrics (embedded; cgroups do it on local). */
  attachProcess(host: string, pid: number): void;
  /**
   * Doubles a host's CPU quota or memory limit (the `raise-limit` fix); the original is restored
   * by stop(). Local stack only: the embedded stack has no limits and throws a UserError.
   */
  raiseLimit(host: string, resource: 'cpu' | 'memory'): Promise<void>;
  /** Puts a raised limit back to what it was before the first raise (live mode's rollback). */
  restoreLimit(host: string, resource: 'cpu' | 'memory'): Promise<void>;
  /** The processes that make up a host right now (local: its cgroup; embedded: its services + attached). */
  hostProcesses(host: string): number[];
  /** Where the telemetry flows: a Kafka cluster (local) or the in-process bus (embedded). */
  telemetry:
    | { kind: 'kafka'; brokers: string[]; socketFactory?: ISocketFactory }
    | { kind: 'memory'; bus: Bus<TopicMessages> };
  /** Calls `cb` with every aggregate row as it is published (live SLO watching). */
  onAggregate(cb: (row: AggregateMessage) => void): () => void;
  /** Ends the recording and finalises the dataset (every ended second written). */
  finish(): Promise<RecordingSummary>;
  /** Stops everything this session started; safe to call twice and after a failure. */
  stop(): Promise<void>;
}

/** The client -> web -> db call graph of the RUBiS stack, for the manifest's dependencies. */
export const RUBIS_DEPENDENCIES: [string, string][] = [
  ['client', 'web'],
  ['web', 'db'],
];

/** The agent's publisher onto a telemetry bus: stats in the flat shape the aggregator and recorder read. */
export function flatStatsOn(bus: Pick<Bus<TopicMessages>, 'publish'>): Pick<Bus<AgentTopics>, 'publish'> {
  return { publish: (_topic, msg) => bus.publish('stats', flattenStats(msg)) };
}

/**
 * onAggregate of a session whose aggregate rows arrive on `bus`: one subscription (a consumer
 * group on Kafka), made on first use and shared by every callback.
 */
export function aggregateFanout(bus: Pick<Bus<TopicMessages>, 'subscribe'>): StackSession['onAggregate'] {
  const callbacks = new Set<(row: AggregateMessage) => void>();
  let subscribed = false;
  return (cb) => {
    callbacks.add(cb);
    if (!subscribed) {
      subscribed = true;
      bus.subscribe('aggregate', (row) => {
        for (const f of callbacks) f(row);
      });
    }
    return () => void callbacks.delete(cb);
  };
}
