// Online pinpointing validation (algorithms.md §3.1 step 6: existence [C-abs], mechanism [R]): for
// each pinpointed host, scale its resources up and keep it only if the application's SLO metric
// improves; a host whose scale-up does not help is dropped as a false alarm.
//
// One decision rule, two drivers:
// - live mode (not built yet) scales the host up for real and calls sloImproved() with the SLO
//   samples before the action and after it completed;
// - replay cannot change a recording, so validateWithRecording() looks for a scale-up that was
//   really executed in the recorded run (manifest.actions) on a pinpointed host after the
//   localization, and judges it on the recorded SLO. Hosts without such an action stay pinpointed,
//   marked "not validated".

/** Action types that count as "scale the host up" (the fix model's names). */
export const SCALE_UP_ACTIONS: readonly string[] = Object.freeze(['scale-cpu', 'scale-memory']);

export interface ValidationOptions {
  /** SLO seconds compared before the action and after its completion. */
  observeMs: number;
  /** The mean SLO signal after must be at most (1 - minImprovement) x the mean before. */
  minImprovement: number;
  /** Only actions requested within this long after the localization count. */
  horizonMs: number;
}

/** Defaults (reconstruction: foreshock choice; the paper's validation details were not retrieved). */
export const DEFAULT_VALIDATION: ValidationOptions = Object.freeze({
  observeMs: 30_000,
  minImprovement: 0.1,
  horizonMs: 120_000,
});

/** True when the SLO signal (e.g. mean latency: lower is better) improved by minImprovement. */
export function sloImproved(
  before: readonly number[],
  after: readonly number[],
  minImprovement: number,
): boolean {
  const mb = finiteMean(before);
  const ma = finiteMean(after);
  if (mb === null || ma === null) return false;
  return ma <= (1 - minImprovement) * mb;
}

export interface RecordedAction {
  type: string;
  host: string;
  requested: number;
  completed: number;
}

export interface SloSeries {
  times: ArrayLike<number>;
  values: ArrayLike<number>;
}

export interface ValidationOutcome {
  /** Pinpointed hosts that stay pinpointed (validated ones and those that could not be validated). */
  kept: string[];
  validated: string[];
  dropped: string[];
  notValidated: string[];
  note: string;
}

/** Validates `pinpointed` (a localization at `time`) against scale-ups recorded in the run. */
export function validateWithRecording(
  pinpointed: readonly string[],
  time: number,
  actions: readonly RecordedAction[],
  slo: SloSeries | null,
  opts: ValidationOptions = DEFAULT_VALIDATION,
): ValidationOutcome {
  const validated: string[] = [];
  const dropped: string[] = [];
  const notValidated: string[] = [];
  for (const host of pinpointed) {
    const action = slo
      ? actions
          .filter(
            (a) =>
              a.host === host &&
              SCALE_UP_ACTIONS.includes(a.type) &&
              a.requested >= time &&
              a.requested <= time + opts.horizonMs,
          )
          .sort((a, b) => a.requested - b.requested)[0]
      : undefined;
    if (!action || !slo) {
      notValidated.push(host);
      continue;
    }
    const before = between(slo, action.requested - opts.observeMs, action.requested);
    const after = between(slo, action.completed, action.completed + opts.observeMs);
    if (after.length === 0 || before.length === 0) notValidated.push(host);
    else if (sloImproved(before, after, opts.minImprovement)) validated.push(host);
    else dropped.push(host);
  }
  const kept = pinpointed.filter((h) => !dropped.includes(h));
  const parts: string[] = [];
  if (validated.length > 0) parts.push(`validated: ${validated.join(', ')}`);
  if (dropped.length > 0) parts.push(`dropped by validation: ${dropped.join(', ')}`);
  if (notValidated.length > 0 || pinpointed.length === 0) parts.push(NOT_VALIDATED);
  return { kept, validated, dropped, notValidated, note: parts.join('; ') };
}

/** The note FChain gives when it could not validate (always, from inside a replayed localize()). */
export const NOT_VALIDATED = 'not validated';

function between(slo: SloSeries, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < slo.times.length; i++) {
    const t = slo.times[i]!;
    if (t >= from && t < to) out.push(slo.values[i]!);
  }
  return out;
}

function finiteMean(values: readonly number[]): number | null {
  let n = 0;
  let sum = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      n++;
      sum += v;
    }
  }
  return n === 0 ? null : sum / n;
}
