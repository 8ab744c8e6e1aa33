// The replay fix model: how long each kind of fix takes and which faults it resolves. Replay cannot
// perform a fix, so it draws the fix's latency from a distribution per action type and, when the
// action fits the fault (right host, suitable action), counts the SLO as restored from the moment
// the action completes. Defaults come from the literature; latencies measured by real runs
// (`actions` in recorded manifests) replace them, so replay numbers converge on measured ones.
//
// Limitation (stated in reports): the recorded samples after a modeled fix are replayed unchanged;
// only the SLO ground truth is counterfactual.

import type { ActionRecord } from '../core/dataset.ts';
import { ConfigError } from '../core/errors.ts';
import type { Rng } from '../core/rng.ts';

export type LatencyDistribution =
  | { kind: 'uniform'; minMs: number; maxMs: number; source: string }
  | { kind: 'empirical'; samplesMs: number[]; source: string };

export interface FixModel {
  latency: Record<string, LatencyDistribution>;
  /** fault type -> action types that resolve it; the `*` entry applies to fault types not listed. */
  resolves: Record<string, string[]>;
}

export const DEFAULT_FIX_MODEL: FixModel = {
  latency: {
    // "VM scaling within 1 s" (PREPARE's measurement, as cited by UBL §1 / spec/evaluation.md).
    'scale-cpu': { kind: 'uniform', minMs: 200, maxMs: 1000, source: 'PREPARE via UBL: scaling within 1 s' },
    'scale-memory': {
      kind: 'uniform',
      minMs: 200,
      maxMs: 1000,
      source: 'PREPARE via UBL: scaling within 1 s',
    },
    // "live migration 10-30 s" (same citation).
    migrate: {
      kind: 'uniform',
      minMs: 10_000,
      maxMs: 30_000,
      source: 'PREPARE via UBL: live migration 10-30 s',
    },
    restart: {
      kind: 'uniform',
      minMs: 2_000,
      maxMs: 8_000,
      source: 'reconstruction: process restart plus warm-up; replace with latencies measured live',
    },
    'replace-host': {
      kind: 'uniform',
      minMs: 60_000,
      maxMs: 180_000,
      source: 'reconstruction: cloud instance launch to service-ready; replace with latencies measured live',
    },
  },
  resolves: {
    memleak: ['restart', 'scale-memory', 'migrate', 'replace-host'],
    cpuhog: ['scale-cpu', 'migrate', 'replace-host'],
    diskhog: ['migrate', 'replace-host'],
    diskfill: ['migrate', 'replace-host'],
    netloss: ['migrate', 'replace-host'],
    // Imported datasets name faults freely: any fix aimed at the right host counts.
    '*': ['*'],
  },
};

/** Overrides default latencies with those measured in recorded manifests (per action type). */
export function calibrateFixModel(
  base: FixModel,
  measured: readonly ActionRecord[],
  origin: string,
): FixModel {
  const byType = new Map<string, number[]>();
  for (const a of measured) {
    const list = byType.get(a.type) ?? [];
    list.push(a.completed - a.requested);
    byType.set(a.type, list);
  }
  const latency = { ...base.latency };
  for (const [type, samplesMs] of [...byType].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    latency[type] = {
      kind: 'empirical',
      samplesMs,
      source: `measured: ${samplesMs.length} action(s) in ${origin}`,
    };
  }
  return { latency, resolves: base.resolves };
}

export function drawLatencyMs(model: FixModel, actionType: string, rng: Rng): number {
  const dist = model.latency[actionType];
  if (!dist) {
    throw new ConfigError(
      `fix model: no latency for action type "${actionType}" (known: ${Object.keys(model.latency).join(', ')})`,
    );
  }
  if (dist.kind === 'uniform') return Math.round(rng.uniform(dist.minMs, dist.maxMs));
  return dist.samplesMs[rng.int(dist.samplesMs.length)]!;
}

/** Does `actionType` on the fault's own host resolve a fault of `faultType`? */
export function resolvesFault(model: FixModel, faultType: string, actionType: string): boolean {
  const list = model.resolves[faultType] ?? model.resolves['*'] ?? [];
  return list.includes('*') || list.includes(actionType);
}

/** Checks a user-supplied fix model (JSON) and merges it over the defaults. */
export function parseFixModel(raw: unknown, origin: string): FixModel {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(`${origin}: fix model must be a JSON object { "latency"?, "resolves"? }`);
  const unknown = Object.keys(raw).find((k) => k !== 'latency' && k !== 'resolves');
  if (unknown !== undefined) {
    throw new ConfigError(
      `${origin}: unknown fix model key "${unknown.slice(0, 200)}" (known: latency, resolves)`,
    );
  }
  const r = raw as Partial<FixModel>;
  for (const key of ['latency', 'resolves'] as const) {
    const v = r[key];
    if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v)))
      throw new ConfigError(
        `${origin}: ${key} must be an object keyed by ${key === 'latency' ? 'action' : 'fault'} type`,
      );
  }
  for (const [type, list] of Object.entries(r.resolves ?? {})) {
    if (!Array.isArray(list) || !list.every((a) => typeof a === 'string'))
      throw new ConfigError(`${origin}: resolves.${type.slice(0, 200)} must be a list of action types`);
  }
  const latency = { ...DEFAULT_FIX_MODEL.latency };
  for (const [type, d] of Object.entries(r.latency ?? {})) {
    if (typeof d !== 'object' || d === null || Array.isArray(d))
      throw new ConfigError(`${origin}: latency.${type.slice(0, 200)} must be an object`);
    const dist = d as Partial<LatencyDistribution> & { minMs?: number; maxMs?: number; samplesMs?: number[] };
    if (dist.kind === 'uniform' && Number.isFinite(dist.minMs) && Number.isFinite(dist.maxMs)) {
      if (dist.minMs! < 0 || dist.maxMs! < dist.minMs!) {
        throw new ConfigError(`${origin}: latency.${type} needs 0 <= minMs <= maxMs`);
      }
      latency[type] = { kind: 'uniform', minMs: dist.minMs!, maxMs: dist.maxMs!, source: `${origin}` };
    } else if (dist.kind === 'empirical' && Array.isArray(dist.samplesMs) && dist.samplesMs.length > 0) {
      if (!dist.samplesMs.every((x) => Number.isFinite(x) && x >= 0)) {
        throw new ConfigError(`${origin}: latency.${type}.samplesMs must be non-negative numbers`);
      }
      latency[type] = { kind: 'empirical', samplesMs: [...dist.samplesMs], source: `${origin}` };
    } else {
      throw new ConfigError(
        `${origin}: latency.${type} must be {"kind":"uniform","minMs","maxMs"} or {"kind":"empirical","samplesMs":[...]}`,
      );
    }
  }
  const resolves = { ...DEFAULT_FIX_MODEL.resolves, ...(r.resolves ?? {}) };
  return { latency, resolves };
}
