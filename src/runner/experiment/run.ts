// The experiment runner: for each repetition, bring the stack up, run the clients through the
// phases (warm-up, normal, fault or control, recovery), inject the fault at the start of the fault
// phase and revert it at its end (always: also on errors, SIGINT and SIGTERM; the fault also expires
// by itself on the host), record, write the phases and the fault into the dataset's manifest and tear
// down. Then replay every repetition through every registered algorithm and write results + report.
//
// Phase boundaries are measured, not assumed: the fault phase starts when the injector reports the
// fault running on the host, and the manifest records those times.

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import type { FaultRecord, Phase } from '../../core/dataset.ts';
import { atomicWrite, readDataset, writeDataset } from '../../data/dataset-io.ts';
import { assertCpuCapsPossible, describeCpuCaps } from '../../stack/cpu-cap.ts';
import { startSession, type SessionStack } from '../../stack/index.ts';
import type { RemoteStackSpec } from '../../stack/remote-spec.ts';
import { defaultDataDir } from '../../workload/data-files.ts';
import { registerShutdownHook } from '../../workload/tiers/children.ts';
import type { ExperimentSpec } from './spec.ts';
import { describeEffect, faultEffect, injectionFootprint, type FaultEffect } from './effect.ts';
import { waitForSettledLoad } from './settle.ts';
import { FaultSlot } from './fault-slot.ts';
import { performFix } from './fixes.ts';
import type { Progress } from './progress.ts';

export interface RunOptions {
  stack: SessionStack;
  /** Repetitions (default: the spec's). */
  reps?: number;
  /** Directory for rep-<i>/ datasets (must not hold them yet unless `overwrite`). */
  outDir: string;
  overwrite?: boolean;
  /** Perform the spec's fix when the SLO breaks (measured; stored in the manifest's actions). */
  fix?: boolean;
  stateDir?: string;
  /** The machines of the remote and aws stacks. */
  remote?: RemoteStackSpec;
  /** The longest wait for load5 to settle before a repetition, s (default SETTLE_MAX_WAIT_S; 0 = none). */
  settleMaxS?: number;
  log: (line: string) => void;
  progress: Progress;
}

export interface RepetitionResult {
  rep: number;
  datasetDir: string;
  requests: number;
  fault: FaultRecord | null;
  /** What the fault did to the SLO (effect.ts). */
  effect: FaultEffect | null;
}

/** When, before the fault phase ends, the runner asks the host when the fault really began. */
const CONFIRM_BEFORE_END_MS = 3000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Waits until `until` (epoch ms), ticking the progress display every second. */
async function waitUntil(until: number, progress: Progress, label: string): Promise<void> {
  while (Date.now() < until) {
    progress.update(label);
    await sleep(Math.min(1000, until - Date.now()));
  }
}

export async function runRepetition(
  spec: ExperimentSpec,
  rep: number,
  datasetDir: string,
  o: RunOptions,
): Promise<RepetitionResult> {
  const { phases } = spec;
  const seed = spec.seed + rep - 1;
  o.log(`rep ${rep}: bringing up the ${o.stack} stack ...`);
  const session = await startSession({
    stack: o.stack,
    out: datasetDir,
    users: spec.workload.users,
    mix: spec.workload.mix,
    scale: spec.workload.scale,
    seed,
    sloMs: spec.slo.latencyMs,
    dataDir: defaultDataDir(),
    ...(o.stateDir ? { stateDir: o.stateDir } : {}),
    ...(o.remote ? { remote: o.remote } : {}),
    ...(Object.keys(spec.caps).length > 0 ? { cpuCaps: spec.caps } : {}),
    log: o.log,
  });
  // Reverted on every way out, including a signal during the injection (fault-slot.ts).
  const fault = new FaultSlot(o.log);
  const revert = async (): Promise<void> => void (await fault.revert());
  // SIGINT/SIGTERM: revert first (children.ts runs this hook before it stops the processes).
  const unhook = registerShutdownHook(revert);
  try {
    // Hosts idle, recording on: no workload until no host's load5 is still falling (settle.ts).
    if (o.settleMaxS !== 0)
      await waitForSettledLoad(session, {
        log: (line) => o.log(`rep ${rep}: ${line}`),
        hosts: session.hosts.filter((h) => !h.harness).map((h) => h.host),
        ...(o.settleMaxS !== undefined ? { maxWaitS: o.settleMaxS } : {}),
      });
    const totalS = phases.warmupS + phases.normalS + phases.faultS + phases.recoveryS;
    const t0 = Date.now();
    const clients = session.runClients({ upRampMs: 0, runMs: totalS * 1000, downRampMs: 0 });
    clients.catch(() => undefined);
    o.progress.start(`${spec.name} rep ${rep}`, t0, totalS * 1000);
    const normalStart = t0 + phases.warmupS * 1000;
    const faultPlanned = normalStart + phases.normalS * 1000;
    let record: FaultRecord | null = null;
    if (spec.fault) {
      // Armed now, at the start of the warm-up: the fault program's own start-up (node, threads,
      // the SSH session) is over long before the fault phase, and no part of the normal phase sees
      // anything the fault phase would not (the idle program is on the host throughout).
      const id = `${spec.name}-r${rep}-${faultPlanned.toString(36)}`;
      const r = await fault.inject(session, { ...spec, fault: spec.fault }, id, faultPlanned);
      record = r.record;
      o.log(
        `rep ${rep}: ${spec.fault.type} armed on ${spec.target} (${r.via}, pid ${r.active.pid}), begins in ${Math.round((faultPlanned - Date.now()) / 1000)} s`,
      );
    }
    await waitUntil(normalStart, o.progress, 'warm-up');
    await waitUntil(faultPlanned, o.progress, 'normal');

    // The effect begins on the host by the host's own clock at faultPlanned. Asking the host now would
    // run a program there (node over SSH) in the fault's first second: a footprint of its own. It is
    // asked at the end of the fault phase instead, before the revert.
    let faultStart = record ? record.start : Date.now();
    const faultEnd = faultStart + phases.faultS * 1000;
    const active = fault.current;
    const actions = o.fix && spec.fix && active ? performFix(session, spec, active, o.log) : null;
    if (spec.fault && record) {
      // A few seconds before its end, while the fault still runs (it expires by itself at faultEnd).
      await waitUntil(faultEnd - CONFIRM_BEFORE_END_MS, o.progress, 'fault');
      await fault.confirm(record, phases.faultS);
      o.log(
        `rep ${rep}: ${spec.fault.type} ran on ${spec.target} from ${new Date(record.start).toISOString()} (${record.start - faultStart} ms after its planned start)`,
      );
      faultStart = record.start;
    }
    await waitUntil(faultEnd, o.progress, spec.fault ? 'fault' : 'control');
    if (active) {
      await revert();
      if (record) record.end = Math.min(record.end, Date.now());
      o.log(`rep ${rep}: fault reverted`);
    }
    const stats = await clients;
    o.progress.done();
    const summary = await session.finish();
    o.log(`rep ${rep}: ${stats.requests} requests, ${stats.errors} errors; ${summary.seconds} s recorded`);

    // Ground truth into the manifest: phases as measured, the fault, executed fixes.
    const ds = readDataset(datasetDir);
    const end = ds.manifest.end;
    const ph: Phase[] = [
      { name: 'warm-up', start: t0, end: normalStart },
      { name: 'normal', start: normalStart, end: faultStart },
      { name: spec.fault ? 'fault' : 'control', start: faultStart, end: faultEnd },
      { name: 'recovery', start: faultEnd, end: Math.max(faultEnd, end) },
    ].map((p) => ({ ...p, start: Math.round(p.start), end: Math.round(p.end) }));
    ds.manifest.phases = ph;
    ds.manifest.faults = record ? [record] : [];
    ds.manifest.actions = (await actions) ?? [];
    ds.manifest.seed = seed;
    ds.manifest.name = path.basename(datasetDir) === 'dataset' ? `${spec.name}-rep${rep}` : ds.manifest.name;
    ds.manifest.source = {
      kind: 'recording',
      detail: `${ds.manifest.source.detail ?? ''}; experiment ${spec.name} rep ${rep} on the ${o.stack} stack`,
    };
    writeDataset(datasetDir, ds);
    const effect = faultEffect(ds);
    o.log(`rep ${rep}: ${describeEffect(effect, !spec.fault)}`);
    for (const line of injectionFootprint(ds)) o.log(`rep ${rep}: warning: injection footprint: ${line}`);
    return { rep, datasetDir, requests: stats.requests, fault: record, effect };
  } finally {
    await revert();
    unhook();
    o.progress.done();
    await session.stop();
  }
}

/** Runs every repetition; returns their dataset directories. */
export async function runExperimentReps(spec: ExperimentSpec, o: RunOptions): Promise<RepetitionResult[]> {
  const reps = o.reps ?? spec.repetitions;
  if (!Number.isInteger(reps) || reps < 1)
    throw new UserError(`--reps must be a positive integer, got ${reps}`);
  // Refused before anything starts where the spec's CPU caps cannot be made (cpu-cap.ts).
  if (Object.keys(spec.caps).length > 0)
    assertCpuCapsPossible(`${spec.name} on the ${o.stack} stack (caps ${describeCpuCaps(spec.caps)})`);
  const out: RepetitionResult[] = [];
  for (let rep = 1; rep <= reps; rep++) {
    const dir = path.join(o.outDir, `rep-${rep}`, 'dataset');
    if (existsSync(dir)) {
      if (!o.overwrite) throw new UserError(`${dir} exists (use --overwrite or another --out)`);
      rmSync(dir, { recursive: true, force: true });
    }
    mkdirSync(path.dirname(dir), { recursive: true });
    out.push(await runRepetition(spec, rep, dir, o));
  }
  atomicWrite(
    path.join(o.outDir, 'experiment.json'),
    `${JSON.stringify({ spec, stack: o.stack, repetitions: out }, null, 2)}\n`,
  );
  return out;
}
