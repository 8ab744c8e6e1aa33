// `run` mode: the fault itself, as one process. Its life:
//   marker (state 'starting', listing what it will touch) -> effect set up -> marker 'running'
//   -> durationS -> effect stopped and reverted -> leftovers and marker removed -> exit 0.
// SIGTERM/SIGINT/SIGHUP take the same exit path early. So that a fault ALWAYS expires by itself,
// three clocks guard the end:
//   1. the duration timer (normal end);
//   2. the hard deadline at faultTimeoutS(spec) from process start: revert best-effort, exit 3
//      (covers a revert or a setup that hangs on the event loop, e.g. a stuck fsync or nft);
//   3. a watchdog worker thread, DEADLINE + WATCHDOG_EXTRA_S: it has its own event loop, so even a
//      main thread stuck in a synchronous call cannot stop it; it spawns a detached `revert` of
//      this fault, which SIGTERMs, then SIGKILLs us and removes the leftovers listed in the marker.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { UserError } from '../core/errors.ts';
import { prepareEffect, type ActiveFault, type FaultContext, type PreparedFault } from './effect.ts';
import {
  isFaultAlive,
  plannedLeftovers,
  readMarker,
  removeLeftovers,
  writeMarker,
  type FaultMarker,
} from './marker.ts';
import { faultProgramArgv } from './program.ts';
import { faultTimeoutS, validateFaultId, validateFaultSpec } from './spec.ts';

/** How long stopping an effect may take before we stop waiting for it and clean up anyway. */
const STOP_WAIT_MS = 10_000;
const WATCHDOG_EXTRA_S = 15;

// Plain JS (eval worker: no TypeScript loader in worker threads).
const WATCHDOG_SRC = `
const { workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
setTimeout(() => {
  const [cmd, ...args] = workerData.argv;
  spawn(cmd, args, { detached: true, stdio: ['ignore', 2, 2] }).unref();
}, workerData.delayMs);
`;

export function parseSpecArg(specJson: string | undefined): unknown {
  try {
    return JSON.parse(specJson ?? '');
  } catch {
    throw new UserError(`fault: spec argument is not JSON: ${String(specJson).slice(0, 80)}`);
  }
}

function raceTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, sleep(ms, undefined, { ref: false })]);
}

/** How far ahead a fault may be armed: a day, like the longest duration. */
const MAX_ARM_AHEAD_MS = 86_400_000;

/**
 * The optional `<begin>` argument: epoch ms at which an armed fault begins its effect. Absent, the
 * effect begins as soon as it is set up. A time in the past begins at once.
 */
export function parseBeginArg(arg: string | undefined, now = Date.now()): number | null {
  if (arg === undefined) return null;
  const t = Number(arg);
  if (!/^\d{10,15}$/.test(arg) || !Number.isSafeInteger(t))
    throw new UserError(
      `fault: begin time must be epoch milliseconds, got ${JSON.stringify(arg.slice(0, 40))}`,
    );
  if (t > now + MAX_ARM_AHEAD_MS)
    throw new UserError(`fault: begin time ${new Date(t).toISOString()} is more than a day ahead`);
  return t;
}

export async function runFault(
  dirArg: string,
  idArg: string,
  specJson: string,
  beginArg?: string,
): Promise<void> {
  const t0 = performance.now();
  const id = validateFaultId(idArg);
  const spec = validateFaultSpec(parseSpecArg(specJson));
  const beginAt = parseBeginArg(beginArg);
  /** How long the program waits, armed, before its effect begins. */
  const armMs = beginAt === null ? 0 : Math.max(0, beginAt - Date.now());
  const dir = path.resolve(dirArg);
  mkdirSync(dir, { recursive: true });
  const log = (message: string): void =>
    void process.stderr.write(`${new Date().toISOString()} [${id}] ${message}\n`);

  const old = readMarker(dir, id);
  if (old && old.pid !== process.pid && isFaultAlive(old)) {
    throw new UserError(`fault ${id}: already running (pid ${old.pid}) in ${dir}`);
  }
  if (old) {
    log(`removing the leftovers of a dead run (pid ${old.pid})`);
    removeLeftovers(dir, old);
  }

  const startedAt = new Date();
  const marker: FaultMarker = {
    id,
    pid: process.pid,
    type: spec.type,
    spec,
    startedAt: startedAt.toISOString(),
    expiresAt: new Date(startedAt.getTime() + spec.durationS * 1000).toISOString(),
    ...plannedLeftovers(spec, dir, id),
    state: 'starting',
    notes: [],
  };
  writeMarker(dir, marker);

  const timeoutMs = armMs + faultTimeoutS(spec) * 1000;
  const watchdog = new Worker(WATCHDOG_SRC, {
    eval: true,
    workerData: { argv: faultProgramArgv('revert', [dir, id]), delayMs: timeoutMs + WATCHDOG_EXTRA_S * 1000 },
  });
  watchdog.unref();

  const ctx: FaultContext = { dir, id, log };
  let effectP: Promise<ActiveFault> | null = null;
  let prepared: PreparedFault | null = null;
  let finishing = false;
  const forceExit = (code: number): never => {
    try {
      removeLeftovers(dir, marker);
    } catch (err) {
      log(`revert failed: ${(err as Error).message}`);
    }
    process.exit(code);
  };
  const finish = async (code: number, why: string): Promise<void> => {
    if (finishing) return;
    finishing = true;
    log(`ending (${why})`);
    try {
      const effect = effectP ? await raceTimeout(effectP, STOP_WAIT_MS) : undefined;
      if (effect) await raceTimeout(effect.stop(), STOP_WAIT_MS);
      else if (prepared) await raceTimeout(prepared.abort(), STOP_WAIT_MS);
    } catch (err) {
      log(`stopping the effect failed: ${(err as Error).message}`);
    }
    forceExit(code);
  };

  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void finish(0, sig));
  process.on('uncaughtException', (err) => {
    log(`uncaught: ${err.stack ?? err.message}`);
    void finish(1, 'error');
  });
  setTimeout(
    () => {
      log(`hard deadline (${faultTimeoutS(spec)} s) reached`);
      if (finishing) forceExit(3);
      void finish(3, 'deadline');
      setTimeout(() => forceExit(3), 5000).unref();
    },
    timeoutMs - (performance.now() - t0),
  ).unref();

  let effect: ActiveFault;
  try {
    prepared = await prepareEffect(spec, ctx);
    if (finishing) return;
    if (beginAt !== null) {
      // Armed: idle until the planned start, so the program's own start-up (node, its threads) is
      // over before the fault phase begins and the phase opens with the fault's ramp alone.
      Object.assign(marker, {
        state: 'armed',
        beginsAt: new Date(beginAt).toISOString(),
        expiresAt: new Date(beginAt + spec.durationS * 1000).toISOString(),
      });
      writeMarker(dir, marker);
      log(`armed: begins at ${marker.beginsAt}`);
      await sleep(Math.max(0, beginAt - Date.now()));
      if (finishing) return;
    }
    effectP = prepared.begin();
    effect = await effectP;
  } catch (err) {
    log(`setup failed: ${(err as Error).message}`);
    removeLeftovers(dir, marker);
    throw err;
  }
  if (finishing) return; // a signal came during setup; finish() stops the effect

  const running = new Date();
  delete marker.beginsAt;
  Object.assign(marker, {
    startedAt: running.toISOString(),
    expiresAt: new Date(running.getTime() + spec.durationS * 1000).toISOString(),
    state: 'running',
    notes: effect.notes,
  });
  writeMarker(dir, marker);
  log(`running until ${marker.expiresAt}`);
  setTimeout(() => void finish(0, 'duration over'), spec.durationS * 1000);
}
