// `foreshock workload run`: validate the inputs, start the stack, run the client emulator for the
// phases, stop everything (always, also on errors and signals), and summarise the response times.

import { UserError } from '../core/errors.ts';
import { InMemoryBus, type Bus } from '../telemetry/bus.ts';
import { dataFile, MIXES, readCategories, readRegions, RUBIS_CITATION, type Mix } from './data-files.ts';
import { DEFAULT_SCALE } from './db/datagen.ts';
import type { MariaDbTarget } from './db/mariadb.ts';
import { ClientEmulator, type EmulatorStats } from './emulator/emulator.ts';
import { DEFAULT_THINK, type ThinkTimeOptions } from './emulator/think.ts';
import { readTransitionTable } from './emulator/transitions.ts';
import { STACKS, startStack, type RubisStack, type StackKind } from './stack.ts';
import { DEFAULT_SLO_MS, ResponseCollector, type ResponseSummary } from './summary.ts';

/** Users per client host: the seed ran 500 on each of its 5 client machines. */
export const DEFAULT_USERS = 500;
export const DEFAULT_DURATION_S = 60;

export interface WorkloadRunOptions {
  stack: StackKind;
  mariadb?: MariaDbTarget;
  users: number;
  mix: Mix;
  /** Length of the run phase (the measured one), seconds. */
  durationS: number;
  rampUpS?: number;
  rampDownS?: number;
  dataDir: string;
  /** A transition table to use instead of the mix's file. */
  transitionsFile?: string;
  scale?: number;
  seed?: number;
  think?: ThinkTimeOptions;
  sloMs?: number;
  /** Where `responsetime` messages go (default: a fresh in-memory bus). */
  bus?: Bus;
  log?: (line: string) => void;
  /** Called once the stack is up (pids for fault injection), before the clients start. */
  onStackReady?: (stack: RubisStack) => void | Promise<void>;
  /** Called once the run phase starts (epoch ms). */
  onRunPhase?: (startMs: number) => void;
}

export interface WorkloadReport extends ResponseSummary {
  stack: StackKind;
  mixName: Mix;
  table: string;
  users: number;
  durationS: number;
  database: { description: string; scale: number; rows: Record<string, number>; loadMs: number };
  /** Processes of the run (all stopped by the time the report exists). */
  pids: { web: number; db: number | null; client: number };
  emulator: EmulatorStats;
}

function positive(value: number, what: string, integer = false): void {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UserError(`${what} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
}

export async function runWorkload(o: WorkloadRunOptions): Promise<WorkloadReport> {
  // Every input is checked before anything starts, so bad input never leaves processes behind.
  if (!STACKS.includes(o.stack))
    throw new UserError(`unknown stack "${String(o.stack)}" (known: ${STACKS.join(', ')})`);
  positive(o.users, '--users', true);
  positive(o.durationS, '--duration');
  const scale = o.scale ?? DEFAULT_SCALE;
  if (!(scale > 0 && scale <= 1)) throw new UserError(`--scale must be in (0, 1], got ${scale}`);
  const think = o.think ?? DEFAULT_THINK;
  positive(think.scale, '--think-scale');
  const tableFile = o.transitionsFile ?? dataFile(o.dataDir, MIXES[o.mix]);
  const table = readTransitionTable(tableFile);
  const categories = readCategories(o.dataDir);
  const regions = readRegions(o.dataDir);
  const log = o.log ?? (() => undefined);
  const bus = o.bus ?? new InMemoryBus();
  const collector = new ResponseCollector(bus);
  const stack = await startStack({
    stack: o.stack,
    mariadb: o.mariadb,
    scale,
    seed: o.seed ?? 1,
    categories,
    regions,
    log,
  });
  try {
    await o.onStackReady?.(stack);
    const upRampMs = (o.rampUpS ?? 0) * 1000;
    const runMs = o.durationS * 1000;
    const emulator = new ClientEmulator({
      baseUrl: stack.webUrl,
      table,
      users: o.users,
      lists: stack.lists,
      bus,
      seed: o.seed ?? 1,
      think,
      phases: { upRampMs, runMs, downRampMs: (o.rampDownS ?? 0) * 1000 },
    });
    log(`${RUBIS_CITATION}`);
    log(`web tier at ${stack.webUrl}; ${o.users} users, ${o.mix} mix, ${o.durationS} s ...`);
    const done = emulator.run();
    collector.setWindow(emulator.startTime + upRampMs, emulator.startTime + upRampMs + runMs);
    o.onRunPhase?.(emulator.startTime + upRampMs);
    const stats = await done;
    return {
      stack: o.stack,
      mixName: o.mix,
      table: table.file,
      users: o.users,
      durationS: o.durationS,
      ...collector.summary(o.sloMs ?? DEFAULT_SLO_MS),
      database: { description: stack.database, scale, rows: stack.rows, loadMs: stack.loadMs },
      pids: { ...stack.pids, client: process.pid },
      emulator: stats,
    };
  } finally {
    collector.close();
    await stack.stop();
  }
}
