// Baseline localizer: topology only (one of the schemes FChain was compared with, algorithms.md §3.2
// [R]). It takes the hosts that look abnormal (a metric's mean over the last `recentS` seconds is
// `zThreshold` standard deviations away from the rest of the look-back window, as `zscore` measures
// it) and blames the most downstream ones: an abnormal host none of whose (transitive) callees is
// abnormal is a root cause, the others are taken for callers waiting on it. Time plays no part, so
// back-pressure fools it: when a faulty host starves its callees, they look like the root.
// Without a topology every abnormal host is a root (the note says so).

import type {
  AlgorithmContext,
  AlgorithmState,
  Localizer,
  MetricRank,
  Ranking,
  Topology,
  Trigger,
  Window,
} from '../../core/algorithm.ts';
import type { ConfigOf, ParamSpecs } from '../../core/config.ts';
import { meanSd } from '../../core/stats.ts';
import { KnownTopology } from '../fchain/dependencies.ts';
import { indexAtOrAfter, windowSeries } from '../fchain/series.ts';
import type { AlgorithmDefinition } from '../registry.ts';
import { MIN_LOOKBACK_SAMPLES_PARAM, MIN_RECENT_SAMPLES_PARAM, windowMs } from '../windows.ts';

const PARAMS = {
  lookBackS: {
    type: 'integer',
    default: 100,
    min: 10,
    doc: 'seconds of history before the trigger that the localizer reads',
    source: 'reconstruction: the same W as fchain, for a like-for-like comparison',
  },
  recentS: {
    type: 'integer',
    default: 30,
    min: 1,
    doc: 'seconds just before the trigger compared with the earlier part of the window',
    source: 'baseline (foreshock choice, as zscore)',
  },
  zThreshold: {
    type: 'number',
    default: 3,
    min: 0,
    doc: 'a host is abnormal when some metric moved this many standard deviations',
    source: 'baseline (foreshock choice): the usual 3 sigma',
  },
  minLookBackSamples: MIN_LOOKBACK_SAMPLES_PARAM,
  minRecentSamples: MIN_RECENT_SAMPLES_PARAM,
  minSd: {
    type: 'number',
    default: 1e-6,
    min: 0,
    doc: 'floor on the baseline standard deviation, so a flat metric that moves gets a large finite z',
    source: 'baseline (foreshock choice, as zscore)',
  },
} satisfies ParamSpecs;

type Config = ConfigOf<typeof PARAMS>;

export const NOTE_NO_TOPOLOGY = 'topology unknown: every abnormal host counts as a root';

class TopologyLocalizer implements Localizer {
  readonly kind = 'localizer';
  readonly lookbackMs: number;
  private readonly recentMs: number;

  constructor(
    private readonly config: Config,
    private readonly ctx: AlgorithmContext,
  ) {
    const interval = ctx.sampleIntervalMs;
    this.lookbackMs = windowMs(config.lookBackS, config.minLookBackSamples, interval);
    this.recentMs = windowMs(config.recentS, config.minRecentSamples, interval);
  }

  localize(window: Window, trigger: Trigger, topology: Topology): Ranking {
    const cfg = this.config;
    const metrics = this.ctx.metrics;
    const ws = windowSeries(window.samples, metrics.length);
    const n = ws.times.length;
    const split = indexAtOrAfter(ws.times, trigger.time - this.recentMs);
    const scored = ws.hosts.map((host, h) => {
      let best: MetricRank = { host, metric: null, score: 0 };
      metrics.forEach((metric, m) => {
        const x = ws.values[h]![m]!;
        const base = meanSd(x, 0, split);
        const recent = meanSd(x, split, n);
        if (base.n < 2 || recent.n === 0) return;
        const z = Math.abs(recent.mean - base.mean) / Math.max(base.sd, cfg.minSd);
        if (z > best.score) best = { host, metric, score: z };
      });
      return best;
    });
    const abnormal = scored.filter((s) => s.score >= cfg.zThreshold).map((s) => s.host);
    const graph = new KnownTopology(topology.edges);
    const roots = new Set(abnormal.filter((h) => !abnormal.some((o) => o !== h && graph.reaches(h, o))));
    const squash = (z: number): number => (Number.isFinite(z) ? z / (1 + z) : 1);
    const entries: MetricRank[] = scored.map((s) => ({
      ...s,
      score: (roots.has(s.host) ? 2 : abnormal.includes(s.host) ? 1 : 0) + squash(s.score) * 0.999,
    }));
    entries.sort((a, b) => b.score - a.score || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    const ranking: Ranking = {
      entries,
      pinpointed: entries.filter((e) => roots.has(e.host)).map((e) => e.host),
    };
    if (topology.edges.length === 0) ranking.note = NOTE_NO_TOPOLOGY;
    return ranking;
  }

  toJSON(): AlgorithmState {
    return { algorithm: 'topology', config: this.config, state: null };
  }
}

export const topologyDefinition: AlgorithmDefinition = {
  name: 'topology',
  kind: 'localizer',
  summary: 'topology-only baseline: blames the most downstream abnormal hosts of the call graph',
  params: PARAMS,
  create: (config, ctx) => new TopologyLocalizer(config as Config, ctx),
  load: (state, ctx) => new TopologyLocalizer(state.config as Config, ctx),
};
