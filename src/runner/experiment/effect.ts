// What a fault did to the service, from a recorded dataset's SLO series: the numbers by which a
// shipped fault experiment is judged to "bite" (issue 18, docs/faults.md's table). Violation
// seconds follow scoring rules v2 (shared/spec/evaluation.md, "Ground truth"): a second violates
// when its SLO signal is at or over the threshold, when it had failed requests beyond
// slo.maxErrorRate (default 0), or, while a fault is active, when it had no requests at all.
// A run of at least MIN_SUSTAINED_S consecutive violation seconds is sustained.

import type { Dataset } from '../../core/dataset.ts';

/** rules v2 minDurationS: a violation run this long is sustained. */
export const MIN_SUSTAINED_S = 3;

export interface FaultEffect {
  /** Seconds from the fault start to its first violation second (null: none in the phase). */
  firstViolationS: number | null;
  /** Seconds from the fault start to the first second of its first sustained run. */
  sustainedOnsetS: number | null;
  /** Violation seconds in the fault phase (fault start to end). */
  violationS: number;
  /** Seconds of the fault phase with an SLO row. */
  phaseS: number;
  /** Longest violation run in the phase, s. */
  longestRunS: number;
  /** Highest per-second SLO signal in the phase (ms). */
  peakMs: number | null;
  /** Failed requests in the phase. */
  errors: number;
  /** Seconds with no requests while the fault was active. */
  silentS: number;
}

/** The fault-or-control phase: the dataset's fault, else its `control` phase. */
function phaseOf(ds: Dataset): { start: number; end: number; faulty: boolean } | null {
  const f = ds.manifest.faults[0];
  if (f) return { start: f.start, end: f.end, faulty: true };
  const c = ds.manifest.phases.find((p) => p.name === 'control');
  return c ? { start: c.start, end: c.end, faulty: false } : null;
}

/**
 * The effect in the fault phase (or, for a control run, the control phase: every violation there
 * is one the fault experiments would count against the fault).
 */
export function faultEffect(ds: Dataset): FaultEffect | null {
  const phase = phaseOf(ds);
  const slo = ds.slo;
  const spec = ds.manifest.slo;
  if (!phase || !slo || !spec) return null;
  const signal = slo.columns[spec.signal];
  const count = slo.columns.count;
  const errors = slo.columns.errors;
  if (!signal) return null;
  const maxErr = spec.maxErrorRate ?? 0;
  const out: FaultEffect = {
    firstViolationS: null,
    sustainedOnsetS: null,
    violationS: 0,
    phaseS: 0,
    longestRunS: 0,
    peakMs: null,
    errors: 0,
    silentS: 0,
  };
  let runStart: number | null = null;
  let runLen = 0;
  let prevT: number | null = null;
  for (let i = 0; i < slo.time.length; i++) {
    const t = slo.time[i]!;
    if (t < phase.start - 999 || t >= phase.end) continue;
    out.phaseS++;
    const n = count ? count[i]! : NaN;
    const e = errors ? errors[i]! : 0;
    const v = signal[i]!;
    if (Number.isFinite(v)) out.peakMs = Math.max(out.peakMs ?? v, v);
    out.errors += Number.isFinite(e) ? e : 0;
    const silent = phase.faulty && !(n > 0);
    if (silent) out.silentS++;
    const violates = (Number.isFinite(v) && v >= spec.threshold) || (n > 0 && e / n > maxErr) || silent;
    const contiguous = prevT !== null && t - prevT <= 1000;
    prevT = t;
    if (!violates || !contiguous) {
      runStart = null;
      runLen = 0;
    }
    if (!violates) continue;
    out.violationS++;
    const rel = Math.max(0, (t - phase.start) / 1000);
    out.firstViolationS ??= rel;
    runStart ??= rel;
    runLen++;
    out.longestRunS = Math.max(out.longestRunS, runLen);
    if (runLen >= MIN_SUSTAINED_S) out.sustainedOnsetS ??= runStart;
  }
  return out;
}

/** One line for the terminal. */
export function describeEffect(e: FaultEffect | null, control: boolean): string {
  if (!e) return 'SLO effect: n/a (no SLO series or no fault phase)';
  const s = (x: number | null): string => (x === null ? 'none' : `${x.toFixed(0)} s`);
  const head = control ? 'control phase' : 'fault phase';
  return (
    `SLO effect (${head}, ${e.phaseS} s): first violation ${s(e.firstViolationS)}, sustained onset ${s(e.sustainedOnsetS)}` +
    `, ${e.violationS} violation s (longest run ${e.longestRunS} s), peak ${e.peakMs === null ? 'n/a' : `${e.peakMs.toFixed(1)} ms`}` +
    `, ${e.errors} failed requests, ${e.silentS} s without requests`
  );
}

/** Issue 18's bounds on the target host in the first seconds of a fault (docs/faults.md). */
export const FOOTPRINT_BOUNDS = {
  /** Seconds after the fault start that are checked. */
  windowS: 2,
  /** pagein at most this factor of the normal phase's maximum, plus `pageinSlack`. */
  pageinFactor: 1.5,
  pageinSlack: 100,
  /** freemem at least the normal minimum minus this (MiB). */
  freememSlackMiB: 10,
  /** availcpu at least the normal minimum minus this (points). */
  availcpuSlack: 10,
} as const;

/**
 * Where the target host's metrics in the first FOOTPRINT_BOUNDS.windowS seconds of the fault leave
 * the range its normal phase had: the footprint of starting the fault program (an armed fault has
 * none). One line per breach, [] when clean or when there is nothing to compare.
 */
export function injectionFootprint(ds: Dataset): string[] {
  const f = ds.manifest.faults[0];
  const normal = ds.manifest.phases.find((p) => p.name === 'normal');
  if (!f || !normal) return [];
  const m = ds.metrics;
  const host = m.hosts.indexOf(f.host);
  const col = (name: string): Float64Array | undefined => m.columns[m.metrics.indexOf(name)];
  const b = FOOTPRINT_BOUNDS;
  const checks: {
    metric: string;
    limit: (normal: number[]) => number;
    bad: (v: number, lim: number) => boolean;
    what: string;
  }[] = [
    {
      metric: 'pagein',
      limit: (v) => Math.max(...v) * b.pageinFactor + b.pageinSlack,
      bad: (v, l) => v > l,
      what: 'above',
    },
    {
      metric: 'freemem',
      limit: (v) => Math.min(...v) - b.freememSlackMiB,
      bad: (v, l) => v < l,
      what: 'below',
    },
    {
      metric: 'availcpu',
      limit: (v) => Math.min(...v) - b.availcpuSlack,
      bad: (v, l) => v < l,
      what: 'below',
    },
  ];
  const out: string[] = [];
  for (const c of checks) {
    const values = col(c.metric);
    if (!values || host < 0) continue;
    const inNormal: number[] = [];
    const early: [number, number][] = [];
    for (let i = 0; i < m.time.length; i++) {
      if (m.host[i] !== host || !Number.isFinite(values[i]!)) continue;
      const t = m.time[i]!;
      if (t >= normal.start && t < normal.end) inNormal.push(values[i]!);
      else if (t >= f.start && t < f.start + b.windowS * 1000) early.push([t, values[i]!]);
    }
    if (inNormal.length === 0) continue;
    const lim = c.limit(inNormal);
    for (const [t, v] of early)
      if (c.bad(v, lim))
        out.push(
          `${f.host} ${c.metric} ${v.toFixed(1)} at +${((t - f.start) / 1000).toFixed(0)} s is ${c.what} the normal bound ${lim.toFixed(1)}`,
        );
  }
  return out;
}

/**
 * Issue 18's bounds on what a shipped fault experiment must do to the service (item 3), as data.
 * A fault run "bites" when its first violation comes `firstViolationS[0]..[1]` s after the start (a
 * ramp, not a cliff: something to predict), and its fault phase has at least `minViolationS`
 * violation seconds and a sustained run. A control run is clean when its control phase has no
 * sustained run and at most `controlMaxShare` of its seconds violate.
 */
export const BITE_CRITERIA = {
  firstViolationS: [15, 150] as const,
  minViolationS: 20,
  controlMaxShare: 0.01,
} as const;

/** Which of BITE_CRITERIA an effect misses: [] when it meets all of them. */
export function unmetCriteria(e: FaultEffect, control: boolean): string[] {
  const c = BITE_CRITERIA;
  const out: string[] = [];
  if (control) {
    if (e.sustainedOnsetS !== null)
      out.push(`a sustained violation run ${e.sustainedOnsetS.toFixed(0)} s in`);
    const share = e.phaseS > 0 ? e.violationS / e.phaseS : 0;
    if (share > c.controlMaxShare)
      out.push(`${(share * 100).toFixed(1)} % violation seconds (at most ${c.controlMaxShare * 100} %)`);
    return out;
  }
  const [lo, hi] = c.firstViolationS;
  if (e.firstViolationS === null) out.push('no violation');
  else if (e.firstViolationS < lo || e.firstViolationS > hi)
    out.push(`first violation ${e.firstViolationS.toFixed(0)} s in (want ${lo}-${hi} s)`);
  if (e.violationS < c.minViolationS) out.push(`${e.violationS} violation s (want >= ${c.minViolationS})`);
  if (e.sustainedOnsetS === null) out.push('no sustained run');
  return out;
}

/** Violation seconds in the normal phase (latency or failed requests; no fault, so silence does not count). */
export function normalViolationS(ds: Dataset): number | null {
  const normal = ds.manifest.phases.find((p) => p.name === 'normal');
  const slo = ds.slo;
  const spec = ds.manifest.slo;
  const signal = spec && slo ? slo.columns[spec.signal] : undefined;
  if (!normal || !slo || !spec || !signal) return null;
  const count = slo.columns.count;
  const errors = slo.columns.errors;
  const maxErr = spec.maxErrorRate ?? 0;
  let n = 0;
  for (let i = 0; i < slo.time.length; i++) {
    const t = slo.time[i]!;
    if (t < normal.start || t >= normal.end) continue;
    const v = signal[i]!;
    const c = count ? count[i]! : NaN;
    const e = errors ? errors[i]! : 0;
    if ((Number.isFinite(v) && v >= spec.threshold) || (c > 0 && e / c > maxErr)) n++;
  }
  return n;
}
