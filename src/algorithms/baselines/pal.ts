// Baseline localizer PAL (Nguyen, Tan, Gu, SLAML'11), reduced to what distinguishes it from FChain:
// "critical change point discovery" per metric, then "sorting all critical change points in
// chronological order" (algorithms.md §3.0, [C-abs]): the host with the earliest critical change is
// the culprit. No normal-fluctuation model, no burst filter, no rollback, no dependency filter, one
// culprit. So it names a victim whose symptom shows first (back-pressure, a noisy metric) and it
// cannot name two concurrent faults: what FChain's additions are for.
//
// Change points: the same CUSUM + bootstrap as FChain (fchain/cusum.ts) over the look-back window.
// Critical (reconstruction; PAL's exact rule was not retrieved): the mean shift across the change
// point (the segment after it vs the one before) exceeds `criticalShare` of the metric's normal range
// (from training data, else from the window's warm-up part). Onset = the first critical change point.

import type {
  AlgorithmContext,
  AlgorithmState,
  Localizer,
  MetricRank,
  Ranking,
  Topology,
  TrainingData,
  Trigger,
  Window,
} from '../../core/algorithm.ts';
import type { ConfigOf, ParamSpecs } from '../../core/config.ts';
import { BootstrapTable, changePoints } from '../fchain/cusum.ts';
import { indexAtOrAfter, windowSeries } from '../fchain/series.ts';
import type { AlgorithmDefinition } from '../registry.ts';
import { MIN_LOOKBACK_SAMPLES_PARAM, samplesIn, windowMs } from '../windows.ts';

const PARAMS = {
  lookBackS: {
    type: 'integer',
    default: 100,
    min: 10,
    doc: 'look-back window before the trigger in which change points are searched (s)',
    source: 'reconstruction: the same W as fchain, for a like-for-like comparison',
  },
  minLookBackSamples: MIN_LOOKBACK_SAMPLES_PARAM,
  warmupS: {
    type: 'integer',
    default: 100,
    min: 0,
    doc: 'history before the look-back window that gives the normal range when there was no training data (s)',
    source: 'reconstruction: foreshock choice (as fchain)',
  },
  bootstrap: {
    type: 'integer',
    default: 100,
    min: 10,
    max: 10000,
    doc: 'bootstrap permutations per CUSUM test',
    source:
      'reconstruction: CUSUM + bootstrap change-point analysis (algorithms.md §3.0, PAL [C-abs] / §3.1 step 3 [R])',
  },
  confidence: {
    type: 'number',
    default: 0.95,
    min: 0.5,
    max: 1,
    doc: 'bootstrap confidence a change point needs',
    source: 'reconstruction: as fchain (0.95: 0.99 is unreachable on the 7 samples of a 60 s case)',
  },
  minSegmentS: {
    type: 'integer',
    default: 5,
    min: 2,
    doc: 'shortest segment on each side of a change point (s)',
    source: 'reconstruction: foreshock choice',
  },
  maxChangePoints: {
    type: 'integer',
    default: 12,
    min: 1,
    doc: 'most change points per metric',
    source: 'reconstruction: as fchain',
  },
  criticalShare: {
    type: 'number',
    default: 0.5,
    min: 0,
    doc: "a change point is critical when the mean shift across it exceeds this share of the metric's normal range",
    source:
      "reconstruction: PAL's critical change point rule was not retrieved; the same scale as fchain's minErrorOfRange",
  },
} satisfies ParamSpecs;

type Config = ConfigOf<typeof PARAMS>;

interface Range {
  lo: number;
  hi: number;
}

class PalLocalizer implements Localizer {
  readonly kind = 'localizer';
  readonly lookbackMs: number;
  private readonly windowMs: number;
  private readonly ranges = new Map<string, (Range | null)[]>();
  private table: BootstrapTable | null = null;

  constructor(
    private readonly config: Config,
    private readonly ctx: AlgorithmContext,
    state?: { ranges: Record<string, (Range | null)[]> },
  ) {
    const interval = ctx.sampleIntervalMs;
    this.windowMs = windowMs(config.lookBackS, config.minLookBackSamples, interval);
    this.lookbackMs = this.windowMs + windowMs(config.warmupS, config.minLookBackSamples, interval);
    for (const [host, list] of Object.entries(state?.ranges ?? {})) this.ranges.set(host, list);
  }

  fit(training: TrainingData): void {
    this.ranges.clear();
    const m = this.ctx.metrics.length;
    for (const s of training.samples) {
      let list = this.ranges.get(s.host);
      if (!list) this.ranges.set(s.host, (list = Array.from({ length: m }, () => null)));
      for (let k = 0; k < m; k++) {
        const v = s.values[k]!;
        if (!Number.isFinite(v)) continue;
        const r = list[k];
        if (!r) list[k] = { lo: v, hi: v };
        else {
          if (v < r.lo) r.lo = v;
          if (v > r.hi) r.hi = v;
        }
      }
    }
  }

  localize(window: Window, trigger: Trigger, _topology: Topology): Ranking {
    const cfg = this.config;
    const metrics = this.ctx.metrics;
    const ws = windowSeries(window.samples, metrics.length);
    const n = ws.times.length;
    const from = indexAtOrAfter(ws.times, trigger.time - this.windowMs);
    const interval = this.ctx.sampleIntervalMs;
    const opts = {
      bootstrap: cfg.bootstrap,
      confidence: cfg.confidence,
      minSegment: samplesIn(cfg.minSegmentS, interval, 1),
      maxChangePoints: cfg.maxChangePoints,
    };
    this.table ??= new BootstrapTable(
      this.ctx.seed,
      cfg.bootstrap,
      Math.max(256, Math.ceil(this.windowMs / interval) + 64),
    );
    const scratch = new Float64Array(Math.max(1, n));
    const found: { host: string; onset: number; metric: string; shift: number }[] = [];
    const quiet: MetricRank[] = [];
    ws.hosts.forEach((host, h) => {
      let best: { onset: number; metric: string; shift: number } | null = null;
      let largest = 0;
      let largestMetric: string | null = null;
      metrics.forEach((metric, m) => {
        const x = ws.values[h]![m]!;
        if (!Number.isFinite(x[0]!)) return;
        const cps = changePoints(x, from, n, opts, this.table!, scratch);
        if (cps.length === 0) return;
        const range = this.normalRange(host, m, x, from);
        for (let k = 0; k < cps.length; k++) {
          const a = k > 0 ? cps[k - 1]! : from;
          const c = cps[k]!;
          const b = k + 1 < cps.length ? cps[k + 1]! : n;
          const shift = Math.abs(mean(x, c, b) - mean(x, a, c)) / (range > 0 ? range : 1);
          if (shift > largest) {
            largest = shift;
            largestMetric = metric;
          }
          if (shift > cfg.criticalShare && (!best || c < best.onset)) best = { onset: c, metric, shift };
        }
      });
      if (best) found.push({ host, ...(best as { onset: number; metric: string; shift: number }) });
      else quiet.push({ host, metric: largestMetric, score: largest / (1 + largest) });
    });
    // Chronological order of the critical change points; the first host is the culprit.
    found.sort((a, b) => a.onset - b.onset || b.shift - a.shift || (a.host < b.host ? -1 : 1));
    const end = Math.max(1, n - from);
    const entries: MetricRank[] = found.map((f, i) => ({
      host: f.host,
      metric: f.metric,
      score: (i === 0 ? 2 : 1) + Math.min(1, Math.max(0, (n - f.onset) / end)),
    }));
    quiet.sort((a, b) => b.score - a.score || (a.host < b.host ? -1 : 1));
    entries.push(...quiet);
    return { entries, pinpointed: found.length > 0 ? [found[0]!.host] : [] };
  }

  /** Spread of the training values, widened by the warm-up part x[0..from). */
  private normalRange(host: string, m: number, x: Float64Array, from: number): number {
    const r = this.ranges.get(host)?.[m] ?? null;
    let lo = r ? r.lo : Infinity;
    let hi = r ? r.hi : -Infinity;
    for (let i = 0; i < from; i++) {
      if (x[i]! < lo) lo = x[i]!;
      if (x[i]! > hi) hi = x[i]!;
    }
    return hi > lo ? hi - lo : 0;
  }

  toJSON(): AlgorithmState {
    return { algorithm: 'pal', config: this.config, state: { ranges: Object.fromEntries(this.ranges) } };
  }
}

function mean(x: Float64Array, a: number, b: number): number {
  let s = 0;
  for (let i = a; i < b; i++) s += x[i]!;
  return b > a ? s / (b - a) : 0;
}

export const palDefinition: AlgorithmDefinition = {
  name: 'pal',
  kind: 'localizer',
  summary: "PAL (SLAML'11) baseline: the host whose critical change point comes first (onset order only)",
  params: PARAMS,
  create: (config, ctx) => new PalLocalizer(config as Config, ctx),
  load: (state, ctx) =>
    new PalLocalizer(
      state.config as Config,
      ctx,
      state.state as { ranges: Record<string, (Range | null)[]> },
    ),
};
