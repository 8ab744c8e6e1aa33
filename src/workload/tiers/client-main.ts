// A client host's emulator as its own process (so it runs inside the testbed's client host): it
// drives the web tier with the RUBiS transition table and publishes every response on the
// `responsetime` topic of a Kafka broker. Prints READY once the users are started; when the phases
// are over it writes its statistics (EmulatorStats as JSON) to `statsFile` and exits 0.
//
//   node bin/run-ts.js src/workload/tiers/client-main.ts '<ClientTierConfig json>'

import { writeFileSync } from 'node:fs';
import { createKafkaBus } from '../../telemetry/kafka/bus.ts';
import { ClientEmulator, type PhaseDurations } from '../emulator/emulator.ts';
import type { WorkloadLists } from '../emulator/requests.ts';
import type { ThinkTimeOptions } from '../emulator/think.ts';
import { readTransitionTable } from '../emulator/transitions.ts';
import { runTier } from './tier-main.ts';

export interface ClientTierConfig {
  baseUrl: string;
  transitionsFile: string;
  users: number;
  lists: WorkloadLists;
  seed: number;
  clientId: string;
  think?: ThinkTimeOptions;
  phases: PhaseDurations;
  brokers: string[];
  statsFile: string;
}

export interface ClientTierInfo {
  clientId: string;
  users: number;
  startTime: number;
}

runTier<ClientTierConfig, ClientTierInfo>(async (config) => {
  const table = readTransitionTable(config.transitionsFile);
  const bus = await createKafkaBus({ brokers: config.brokers, clientId: config.clientId });
  const emulator = new ClientEmulator({
    baseUrl: config.baseUrl,
    table,
    users: config.users,
    lists: config.lists,
    bus,
    seed: config.seed,
    clientId: config.clientId,
    ...(config.think ? { think: config.think } : {}),
    phases: config.phases,
  });
  const done = emulator.run().then(async (stats) => {
    await bus.close();
    writeFileSync(config.statsFile, JSON.stringify(stats));
    process.exit(0);
  });
  done.catch((err: unknown) => {
    process.stderr.write(`client: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  });
  return {
    info: { clientId: config.clientId, users: config.users, startTime: emulator.startTime },
    close: async () => {
      emulator.stop();
      await bus.close();
    },
  };
});
