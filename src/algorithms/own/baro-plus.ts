// `baro-plus`: foreshock's own localizer (issue 20), beside the papers' ones. It takes what BARO
// (Pham, Ha, Zhang, FSE'24) does well, Bayesian online change-point detection to find when the
// system changed and robust scaling to compare metrics of any unit, and adds what FChain gets right
// and what real microservice data needs:
//
//   1. reference per host and metric from normal data (fit(): the training samples, i.e. fault-free
//      recordings and each case's own pre-fault part): median and IQR, with the scale floored by a
//      share of the normal range, of |median| and of the metric's typical magnitude across hosts
//      (robust.ts), so flat metrics (quantised latency percentiles, idle counters) do not explode;
//   2. the system's change time t*: BOCPD (bocpd.ts) on the aggregate anomaly series (per sample,
//      the mean of the largest clipped |z| over all series);
//   3. each series' score: a high quantile of |z| over [t*, end] (a persistent shift, not a single
//      spike), times the metric's prior weight: metrics measured by a caller about its callees
//      (`client-*`: their latency moves with the callee's fault) count less;
//   4. a host's score is its best metric's (named in the ranking); with known dependencies, an
//      abnormal host whose callee changed as much is taken for a victim of it (score scaled down).
//
// Windows are sample-interval aware (windows.ts): at least minLookBackSamples samples.

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
import { quantileSorted } from '../../core/stats.ts';
import { KnownTopology } from '../fchain/dependencies.ts';
import { indexAtOrAfter, windowSeries } from '../fchain/series.ts';
import type { AlgorithmDefinition } from '../registry.ts';
import { samplesIn, windowMs } from '../windows.ts';
import { lastChangePoint } from './bocpd.ts';
import { quantileSelect, robustScale, robustStats, type RobustStats } from './robust.ts';

const PARAMS = {
  lookBackS: {
    type: 'integer',
    default: 600,
    min: 10,
    doc: 'look-back window before the trigger that is searched for the change (s)',
    source: 'foreshock choice (BARO reads the whole case; 10 min covers a fault detected minutes late)',
  },
  minLookBackSamples: {
    type: 'integer',
    default: 10,
    min: 3,
    doc: 'the look-back window holds at least this many samples (windows.ts)',
    source: 'foreshock choice (issue 20 item 1)',
  },
  hazardSamples: {
    type: 'number',
    default: 100,
    min: 1,
    doc: 'BOCPD constant hazard 1/h: expected samples between changes',
    source:
      'Adams & MacKay 2007 (constant hazard); BARO uses BOCPD with a constant hazard; h foreshock choice',
  },
  maxBocpdSamples: {
    type: 'integer',
    default: 0,
    min: 0,
    doc: 'speed mode, off by default (0 = exact): BOCPD (O(n^2)) reads at most this many points, a longer aggregate series as means of blocks of ceil(n / this) samples (aligned to the end), the hazard scaled by the block length, t* the start of the block',
    source:
      'foreshock choice (issue 20 item 6: BOCPD on 600 samples costs ~13 ms); measured: 150 makes the bench ~1.6x faster but costs the 1 s synthetic set AC@1 0.90 -> 0.87 (docs/localization.md), so it is not the default',
  },
  topK: {
    type: 'integer',
    default: 5,
    min: 1,
    doc: 'the aggregate anomaly series BOCPD reads: per sample, the mean of the k largest clipped |z| over all series',
    source:
      'foreshock choice: a fault moves a few series; one noisy series should not decide the change time',
  },
  zCap: {
    type: 'number',
    default: 20,
    min: 1,
    doc: '|z| is clipped at this in the aggregate series (one huge series must not hide the others)',
    source: 'foreshock choice',
  },
  postQuantile: {
    type: 'number',
    default: 0.75,
    min: 0,
    max: 1,
    doc: "a series scores this quantile of |z| over the samples from the change time on (1 = BARO's max)",
    source: 'foreshock deviation from BARO (max): a persistent shift outranks a single spike',
  },
  minPostS: {
    type: 'number',
    default: 60,
    min: 0,
    doc: 'a series scores over at least the last this many seconds (at least 1 sample), even when the change time t* is later',
    source:
      'foreshock choice: a fault persists; at 1 s a 10 s burst at the end must not decide (at 60 s this is one sample: no effect)',
  },
  rangeShare: {
    type: 'number',
    default: 0.1,
    min: 0,
    doc: 'the scale is at least this share of the normal range (1st to 99th percentile)',
    source: 'foreshock choice (robust.ts): quantised metrics have IQR 0',
  },
  relShare: {
    type: 'number',
    default: 0.1,
    min: 0,
    doc: "the scale is at least this share of |median| and of the metric's typical magnitude across hosts (relative change)",
    source: 'foreshock choice (robust.ts): CPU 1 % -> 97 % must count as a huge change',
  },
  callerWeight: {
    type: 'number',
    default: 0.3,
    min: 0,
    max: 1,
    doc: 'prior weight of metrics a caller measures about its callees (names starting with "client-"): a callee\'s fault moves them too',
    source: 'foreshock choice (issue 20: "callers\' latency moving with the callee\'s fault")',
  },
  minPreSamples: {
    type: 'integer',
    default: 2,
    min: 1,
    doc: "the window's level before the change time is a second reference when it holds at least this many samples",
    source: 'foreshock choice (BARO fits its scaler on the data before the change; we keep both references)',
  },
  victimRatio: {
    type: 'number',
    default: 0.5,
    min: 0,
    doc: 'a host whose best metric is a latency is a victim when a (transitive) callee scored at least as much, or at least this share of its score and shows a resource metric at causeZ or more',
    source:
      "foreshock choice (a caller's latency includes its callee's: RCD/CIRCA-style reasoning reduced to one rule)",
  },
  causeZ: {
    type: 'number',
    default: 3,
    min: 0,
    doc: 'within a host, resource metrics (cpu*, mem*) scoring at least this are named before latency and traffic metrics',
    source:
      'foreshock choice (data-free prior: resource use is a cause, latency a symptom; 3 = a clear robust-z outlier)',
  },
  victimFactor: {
    type: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    doc: 'with known dependencies, a host with a (transitive) callee whose score is at least as high is scaled by this (a victim of the callee)',
    source: 'foreshock choice (topology-aware reasoning as in RCD/CIRCA, reduced to one rule)',
  },
} satisfies ParamSpecs;

type Config = ConfigOf<typeof PARAMS>;

interface State {
  stats: Record<string, (RobustStats | null)[]>;
}

export class BaroPlusLocalizer implements Localizer {
  readonly kind = 'localizer';
  readonly lookbackMs: number;
  private readonly stats = new Map<string, (RobustStats | null)[]>();

  constructor(
    private readonly config: Config,
    private readonly ctx: AlgorithmContext,
    state?: State,
  ) {
    this.lookbackMs = windowMs(config.lookBackS, config.minLookBackSamples, ctx.sampleIntervalMs);
    for (const [host, list] of Object.entries(state?.stats ?? {})) this.stats.set(host, list);
  }

  fit(training: TrainingData): void {
    const m = this.ctx.metrics.length;
    const cols = new Map<string, number[][]>();
    for (const s of training.samples) {
      let c = cols.get(s.host);
      if (!c) cols.set(s.host, (c = Array.from({ length: m }, () => [])));
      for (let k = 0; k < m; k++) c[k]!.push(s.values[k] ?? NaN);
    }
    this.stats.clear();
    for (const host of [...cols.keys()].sort()) {
      this.stats.set(
        host,
        cols.get(host)!.map((x) => robustStats(x)),
      );
    }
  }

  localize(window: Window, trigger: Trigger, topology: Topology): Ranking {
    const cfg = this.config;
    const metrics = this.ctx.metrics;
    const ws = windowSeries(window.samples, metrics.length);
    const n = ws.times.length;
    if (n === 0) return { entries: [], pinpointed: [] };
    const from = Math.min(n - 1, indexAtOrAfter(ws.times, trigger.time - this.lookbackMs));
    const weights = metrics.map((name) => (name.startsWith('client-') ? cfg.callerWeight : 1));

    // 1. Reference statistics and scales; untrained series use the window's first half.
    const refs = ws.hosts.map((host, h) =>
      metrics.map(
        (_, m) => this.stats.get(host)?.[m] ?? robustStats(ws.values[h]![m]!, 0, Math.max(2, n >> 1)),
      ),
    );
    const typical = metrics.map((_, m) => {
      const mags = refs.flatMap((r) => (r[m] ? [Math.max(Math.abs(r[m]!.hi), Math.abs(r[m]!.lo))] : []));
      return mags.length > 0 ? quantileSorted(Float64Array.from(mags).sort(), 0.5) : 0;
    });
    const scales = refs.map((r) =>
      metrics.map((_, m) =>
        r[m] ? Math.max(robustScale(r[m]!, cfg.rangeShare, cfg.relShare), cfg.relShare * typical[m]!) : 1,
      ),
    );
    // |z| of a series at t is |x[t] - median| / scale, computed where it is read (no per-series
    // arrays); `level` is the second reference of step 2b (NaN until set).
    const z: ({ x: Float64Array; median: number; scale: number; level: number } | null)[][] = ws.hosts.map(
      (_, h) =>
        metrics.map((_, m) => {
          const st = refs[h]![m];
          const x = ws.values[h]![m]!;
          if (!st || !Number.isFinite(x[0]!)) return null;
          return { x, median: st.median, scale: scales[h]![m]!, level: NaN };
        }),
    );

    // 2. The change time t*: BOCPD on the aggregate anomaly series of the look-back window.
    // Series by series (each z array read in order, not 500 arrays per sample): per sample the
    // topK largest clipped |z|, kept in descending order, so the sums are those of a per-sample scan.
    const k = cfg.topK;
    const span = n - from;
    const top = new Float64Array(span * k);
    for (const row of z) {
      for (const s of row) {
        if (!s) continue;
        const { x, median, scale } = s;
        for (let t = 0; t < span; t++) {
          const v = Math.min(cfg.zCap, Math.abs(x[from + t]! - median) / scale);
          const base = t * k;
          if (v > top[base + k - 1]!) {
            let i = k - 1;
            while (i > 0 && top[base + i - 1]! < v) {
              top[base + i] = top[base + i - 1]!;
              i--;
            }
            top[base + i] = v;
          }
        }
      }
    }
    const agg = new Float64Array(span);
    for (let t = 0; t < span; t++) {
      let sum = 0;
      for (let i = 0; i < k; i++) sum += top[t * k + i]!;
      agg[t] = sum / k;
    }
    // The trigger says the system changed in the window: when BOCPD finds no change (a short
    // window of 60 s samples), take the most likely single mean shift instead.
    const found = coarseChangePoint(agg, cfg.hazardSamples, cfg.maxBocpdSamples);
    const change = from + (found > 0 ? found : bestSplit(agg, cfg.minPreSamples));

    // The samples the scores read (step 3).
    const scoreFrom = Math.max(0, Math.min(change, n - samplesIn(cfg.minPostS, this.ctx.sampleIntervalMs)));

    // 2b. Change, not level: a series counts by how far it moved from BOTH references, the normal
    // data and its own level in the window before t* (a series that drifted away from the training
    // data before the fault, e.g. a memory rate on another day, is not a change at t*).
    if (change >= cfg.minPreSamples) {
      const pre = new Float64Array(change);
      for (const row of z) {
        for (const s of row) {
          if (!s) continue;
          for (let t = 0; t < change; t++) pre[t] = s.x[t]!;
          s.level = quantileSelect(pre, 0.5);
        }
      }
    }

    // 3. Series scores over [t*, end], weighted; 4. host = its best metric.
    // A fault persists: a series scores over at least the last minPostS seconds, so a burst of a
    // few seconds at the end (housekeeping) that moved t* cannot outrank a persistent shift.
    const post = new Float64Array(n - scoreFrom);
    const scored = ws.hosts.map((host, h) => {
      const list: MetricRank[] = [];
      z[h]!.forEach((s, m) => {
        if (!s) return;
        const { x, median, scale, level } = s;
        const twoRefs = !Number.isNaN(level);
        for (let t = scoreFrom; t < n; t++) {
          const d = Math.abs(x[t]! - median) / scale;
          post[t - scoreFrom] = twoRefs ? Math.min(d, Math.abs(x[t]! - level) / scale) : d;
        }
        const v = weights[m]! * quantileSelect(post, cfg.postQuantile);
        if (Number.isFinite(v) && v > 0) list.push({ host, metric: metrics[m]!, score: v });
      });
      list.sort((a, b) => b.score - a.score);
      return { host, score: list[0]?.score ?? 0, metrics: list };
    });

    // Victims: a host whose best metric is a latency (a symptom that travels up the call graph)
    // and that has a (transitive) callee that moved as much, or that shows a clear resource cause
    // (cpu, mem) and moved at least victimRatio as much.
    const cause = (e: MetricRank): boolean => isResource(e.metric!) && e.score >= cfg.causeZ;
    if (topology.edges.length > 0 && cfg.victimFactor < 1) {
      const graph = new KnownTopology(topology.edges);
      const raw = new Map(scored.map((s) => [s.host, s.score]));
      const hasCause = new Map(scored.map((s) => [s.host, s.metrics.some(cause)]));
      for (const s of scored) {
        if (!isSymptom(s.metrics[0]?.metric ?? '')) continue;
        const own = raw.get(s.host)!;
        const explained = scored.some((o) => {
          if (o.host === s.host || !graph.reaches(s.host, o.host)) return false;
          const r = raw.get(o.host)!;
          return r >= own || (hasCause.get(o.host)! && r >= cfg.victimRatio * own);
        });
        if (explained) s.score *= cfg.victimFactor;
      }
    }
    scored.sort((a, b) => b.score - a.score || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    // (host, metric) pairs: hosts in score order; within a host, clearly abnormal resource metrics
    // (causes) before latency and traffic (symptoms), then by score.
    const entries: MetricRank[] = [];
    for (const s of scored) {
      if (s.metrics.length === 0) {
        entries.push({ host: s.host, metric: null, score: 0 });
        continue;
      }
      const ordered = [...s.metrics.filter(cause), ...s.metrics.filter((e) => !cause(e))];
      for (const e of ordered) entries.push({ host: s.host, metric: e.metric, score: s.score });
    }
    return {
      entries,
      pinpointed: scored.length > 0 && scored[0]!.score > 0 ? [scored[0]!.host] : [],
    };
  }

  toJSON(): AlgorithmState {
    return { algorithm: 'baro-plus', config: this.config, state: { stats: Object.fromEntries(this.stats) } };
  }
}

/**
 * lastChangePoint on at most maxPoints points (0: no limit, the exact answer): a longer x is read as the means of blocks of
 * b = ceil(n / maxPoints) samples, aligned to its end (the first block may be shorter), with the
 * hazard scaled to blocks; the answer is the first sample of the block where the run starts.
 */
export function coarseChangePoint(x: Float64Array, hazardSamples: number, maxPoints: number): number {
  const n = x.length;
  const b = maxPoints > 0 ? Math.ceil(n / maxPoints) : 1;
  if (b <= 1) return lastChangePoint(x, { hazardSamples });
  const m = Math.ceil(n / b);
  const startOf = (j: number) => Math.max(0, n - (m - j) * b);
  const coarse = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const lo = startOf(j);
    const hi = n - (m - j - 1) * b;
    let sum = 0;
    for (let t = lo; t < hi; t++) sum += x[t]!;
    coarse[j] = sum / (hi - lo);
  }
  const found = lastChangePoint(coarse, { hazardSamples: hazardSamples / b });
  return found > 0 ? startOf(found) : 0;
}

/**
 * The split index i (min <= i <= n - 1) that maximises the standardised mean shift of x between
 * [0, i) and [i, n) (the least-squares single change point); 0 when the series is too short.
 */
export function bestSplit(x: ArrayLike<number>, min: number): number {
  const n = x.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += x[i]!;
  let best = 0;
  let bestStat = 0;
  let left = 0;
  for (let i = 1; i < n; i++) {
    left += x[i - 1]!;
    if (i < min) continue;
    const d = (total - left) / (n - i) - left / i;
    const stat = d * Math.sqrt((i * (n - i)) / n);
    if (stat > bestStat) {
      bestStat = stat;
      best = i;
    }
  }
  return best;
}

/** Metrics that move with a callee's fault: latencies (a caller's include its callees'). */
function isSymptom(metric: string): boolean {
  return metric.includes('latency');
}

/** A service's own resource use (CPU, memory): a fault's cause, not a callee's echo. */
function isResource(metric: string): boolean {
  return /^(cpu|mem)/.test(metric);
}

export const baroPlusDefinition: AlgorithmDefinition = {
  name: 'baro-plus',
  kind: 'localizer',
  summary:
    "foreshock's own: BOCPD change time + robust, unit-free scaling (BARO) with scale floors, caller-metric prior and a victim rule over known dependencies",
  params: PARAMS,
  create: (config, ctx) => new BaroPlusLocalizer(config as Config, ctx),
  load: (state, ctx) => new BaroPlusLocalizer(state.config as Config, ctx, state.state as State),
};
