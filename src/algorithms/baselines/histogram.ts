// Baseline localizer: a distribution-change ("histogram") scheme, one of the schemes FChain was
// compared with (algorithms.md §3.2, [R]). For each host and metric it compares the histogram of the
// look-back window with the histogram of normal data (the training data, else the window's warm-up
// part) by the Jensen-Shannon divergence; a host's score is its largest divergence over metrics and
// every host above `threshold` is pinpointed. It sees that something changed, not where it started,
// so the victims of a fault are pinpointed along with the culprit: low precision by design.
//
// Histogram: `bins` equal-width bins over the normal data's range plus one bin below and one above
// it (so values outside the normal range count), add-one smoothing; JS divergence in bits, in [0, 1].

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
import { indexAtOrAfter, windowSeries } from '../fchain/series.ts';
import type { AlgorithmDefinition } from '../registry.ts';
import { MIN_LOOKBACK_SAMPLES_PARAM, windowMs } from '../windows.ts';

const PARAMS = {
  lookBackS: {
    type: 'integer',
    default: 100,
    min: 10,
    doc: 'look-back window before the trigger whose distribution is compared with normal data (s)',
    source: 'reconstruction: the same W as fchain, for a like-for-like comparison',
  },
  minLookBackSamples: MIN_LOOKBACK_SAMPLES_PARAM,
  warmupS: {
    type: 'integer',
    default: 100,
    min: 0,
    doc: 'history before the look-back window used as the normal distribution when there was no training data (s)',
    source: 'reconstruction: foreshock choice (as fchain)',
  },
  bins: {
    type: 'integer',
    default: 10,
    min: 2,
    max: 1000,
    doc: 'equal-width bins over the normal range (plus one below and one above it)',
    source: 'baseline (foreshock choice)',
  },
  threshold: {
    type: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    doc: 'hosts whose largest Jensen-Shannon divergence (bits) reaches this are pinpointed',
    source: 'baseline (foreshock choice): half of the maximum divergence',
  },
} satisfies ParamSpecs;

type Config = ConfigOf<typeof PARAMS>;

/** A reference histogram: counts over [below, bins..., above]. */
interface Reference {
  lo: number;
  hi: number;
  counts: number[];
}

class HistogramLocalizer implements Localizer {
  readonly kind = 'localizer';
  readonly lookbackMs: number;
  private readonly windowMs: number;
  private readonly refs = new Map<string, (Reference | null)[]>();

  constructor(
    private readonly config: Config,
    private readonly ctx: AlgorithmContext,
    state?: { refs: Record<string, (Reference | null)[]> },
  ) {
    const interval = ctx.sampleIntervalMs;
    this.windowMs = windowMs(config.lookBackS, config.minLookBackSamples, interval);
    this.lookbackMs = this.windowMs + windowMs(config.warmupS, config.minLookBackSamples, interval);
    for (const [host, list] of Object.entries(state?.refs ?? {})) this.refs.set(host, list);
  }

  fit(training: TrainingData): void {
    this.refs.clear();
    const m = this.ctx.metrics.length;
    const byHost = new Map<string, number[][]>();
    for (const s of training.samples) {
      let cols = byHost.get(s.host);
      if (!cols) byHost.set(s.host, (cols = Array.from({ length: m }, () => [])));
      for (let k = 0; k < m; k++) if (Number.isFinite(s.values[k]!)) cols[k]!.push(s.values[k]!);
    }
    for (const host of [...byHost.keys()].sort()) {
      this.refs.set(
        host,
        byHost.get(host)!.map((v) => reference(v, 0, v.length, this.config.bins)),
      );
    }
  }

  localize(window: Window, trigger: Trigger, _topology: Topology): Ranking {
    const cfg = this.config;
    const metrics = this.ctx.metrics;
    const ws = windowSeries(window.samples, metrics.length);
    const n = ws.times.length;
    const from = indexAtOrAfter(ws.times, trigger.time - this.windowMs);
    const entries: MetricRank[] = ws.hosts.map((host, h) => {
      let best: MetricRank = { host, metric: null, score: 0 };
      metrics.forEach((metric, m) => {
        const x = ws.values[h]![m]!;
        if (!Number.isFinite(x[0]!) || from >= n) return;
        const ref = this.refs.get(host)?.[m] ?? reference(x, 0, from, cfg.bins);
        if (!ref) return;
        const d = jsDivergence(ref, x, from, n);
        if (d > best.score) best = { host, metric, score: d };
      });
      return best;
    });
    entries.sort((a, b) => b.score - a.score || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    return {
      entries,
      pinpointed: entries.filter((e) => e.score >= cfg.threshold && e.score > 0).map((e) => e.host),
    };
  }

  toJSON(): AlgorithmState {
    return { algorithm: 'histogram', config: this.config, state: { refs: Object.fromEntries(this.refs) } };
  }
}

function binOf(ref: { lo: number; hi: number }, bins: number, v: number): number {
  if (v < ref.lo) return 0;
  if (v > ref.hi) return bins + 1;
  const span = ref.hi - ref.lo;
  return 1 + (span > 0 ? Math.min(bins - 1, Math.floor(((v - ref.lo) / span) * bins)) : 0);
}

function reference(x: ArrayLike<number>, from: number, to: number, bins: number): Reference | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi >= lo)) return null;
  const ref: Reference = { lo, hi, counts: new Array<number>(bins + 2).fill(0) };
  for (let i = from; i < to; i++) if (Number.isFinite(x[i]!)) ref.counts[binOf(ref, bins, x[i]!)]! += 1;
  return ref;
}

/** Jensen-Shannon divergence (bits) between the reference and the histogram of x[from..to). */
function jsDivergence(ref: Reference, x: ArrayLike<number>, from: number, to: number): number {
  const k = ref.counts.length;
  const bins = k - 2;
  const cur = new Array<number>(k).fill(0);
  for (let i = from; i < to; i++) cur[binOf(ref, bins, x[i]!)]! += 1;
  let refTotal = 0;
  let curTotal = 0;
  for (let i = 0; i < k; i++) {
    refTotal += ref.counts[i]! + 1;
    curTotal += cur[i]! + 1;
  }
  let d = 0;
  for (let i = 0; i < k; i++) {
    const p = (ref.counts[i]! + 1) / refTotal;
    const q = (cur[i]! + 1) / curTotal;
    const mid = (p + q) / 2;
    d += 0.5 * p * Math.log2(p / mid) + 0.5 * q * Math.log2(q / mid);
  }
  return Math.max(0, Math.min(1, d));
}

export const histogramDefinition: AlgorithmDefinition = {
  name: 'histogram',
  kind: 'localizer',
  summary:
    'distribution-change baseline: Jensen-Shannon divergence of each metric vs. normal data; pinpoints every changed host',
  params: PARAMS,
  create: (config, ctx) => new HistogramLocalizer(config as Config, ctx),
  load: (state, ctx) =>
    new HistogramLocalizer(
      state.config as Config,
      ctx,
      state.state as { refs: Record<string, (Reference | null)[]> },
    ),
};
