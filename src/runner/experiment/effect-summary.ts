// Per-run effect rows and per-fault-type verdicts over recorded datasets (issue 18, item 3): what
// `foreshock faults effect` prints and the recorded-datasets test checks.

import { UserError } from '../../core/errors.ts';
import { readDataset } from '../../data/dataset-io.ts';
import {
  faultEffect,
  injectionFootprint,
  normalViolationS,
  unmetCriteria,
  type FaultEffect,
} from './effect.ts';

export interface EffectRow {
  dataset: string;
  /** Fault type, or `control`. */
  kind: string;
  host: string | null;
  effect: FaultEffect;
  normalViolationS: number | null;
  footprint: string[];
  unmet: string[];
}

export function effectRow(dir: string): EffectRow {
  const ds = readDataset(dir);
  const f = ds.manifest.faults[0];
  const effect = faultEffect(ds);
  if (!effect)
    throw new UserError(`${dir}: no SLO series or no fault/control phase: nothing to measure the effect on`);
  const control = !f;
  return {
    dataset: dir,
    kind: f ? f.type : 'control',
    host: f ? f.host : null,
    effect,
    normalViolationS: normalViolationS(ds),
    footprint: injectionFootprint(ds),
    unmet: unmetCriteria(effect, control),
  };
}

/** Per kind: how many runs meet the criteria (with no footprint) out of how many. */
export function effectSummary(rows: EffectRow[]): { kind: string; ok: number; runs: number }[] {
  const by = new Map<string, { ok: number; runs: number }>();
  for (const r of rows) {
    const g = by.get(r.kind) ?? { ok: 0, runs: 0 };
    g.runs++;
    if (r.unmet.length === 0 && r.footprint.length === 0) g.ok++;
    by.set(r.kind, g);
  }
  return [...by].map(([kind, g]) => ({ kind, ...g })).sort((a, b) => a.kind.localeCompare(b.kind));
}

/** Issue 18's bar: at least 4 of 5 fault runs (80 %) bite; every control run is clean. */
export function summaryPasses(s: { kind: string; ok: number; runs: number }): boolean {
  return s.kind === 'control' ? s.ok === s.runs : s.ok >= Math.ceil(s.runs * 0.8);
}
