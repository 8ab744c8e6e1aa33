// Baseline localizer: "the most anomalous host". For each host and metric it compares the mean of
// the last `recentS` seconds before the trigger with the mean and spread of the rest of the
// look-back window (a z-score); a host's score is its largest |z| over metrics. Topology is ignored.
// It is the floor FChain must beat: it cannot tell a culprit from a victim that changed more.

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
import type { AlgorithmDefinition } from '../registry.ts';
import { MIN_LOOKBACK_SAMPLES_PARAM, MIN_RECENT_SAMPLES_PARAM, windowMs } from '../windows.ts';

const PARAMS = {
  lookbackS: {
    type: 'integer',
    default: 300,
    min: 10,
    doc: 'seconds of history before the trigger that the localizer reads',
    source: 'baseline (foreshock choice)',
  },
  recentS: {
    type: 'integer',
    default: 30,
    min: 1,
    doc: 'seconds just before the trigger compared with the earlier part of the window',
    source: 'baseline (foreshock choice)',
  },
  minLookBackSamples: MIN_LOOKBACK_SAMPLES_PARAM,
  minRecentSamples: MIN_RECENT_SAMPLES_PARAM,
  minSd: {
    type: 'number',
    default: 1e-6,
    min: 0,
    doc: 'floor on the baseline standard deviation, so a flat metric that moves gets a large finite z',
    source: 'baseline (foreshock choice)',
  },
} satisfies ParamSpecs;

type Config = ConfigOf<typeof PARAMS>;

class ZScoreLocalizer implements Localizer {
  readonly kind = 'localizer';
  readonly lookbackMs: number;
  private readonly recentMs: number;

  constructor(
    private readonly config: Config,
    private readonly ctx: AlgorithmContext,
  ) {
    const interval = ctx.sampleIntervalMs;
    this.lookbackMs = windowMs(config.lookbackS, config.minLookBackSamples, interval);
    this.recentMs = windowMs(config.recentS, config.minRecentSamples, interval);
  }

  localize(window: Window, trigger: Trigger, _topology: Topology): Ranking {
    const split = trigger.time - this.recentMs;
    const metrics = this.ctx.metrics;
    // Collect per-host series split into the baseline part and the recent part.
    const byHost = new Map<string, { base: number[][]; recent: number[][] }>();
    for (const s of window.samples) {
      let h = byHost.get(s.host);
      if (!h) byHost.set(s.host, (h = { base: metrics.map(() => []), recent: metrics.map(() => []) }));
      const part = s.time < split ? h.base : h.recent;
      s.values.forEach((v, m) => part[m]!.push(v));
    }
    const entries: MetricRank[] = [];
    for (const [host, h] of byHost) {
      let best: MetricRank = { host, metric: null, score: 0 };
      metrics.forEach((metric, m) => {
        const base = meanSd(h.base[m]!);
        const recent = meanSd(h.recent[m]!);
        if (base.n < 2 || recent.n === 0) return;
        const z = Math.abs(recent.mean - base.mean) / Math.max(base.sd, this.config.minSd);
        if (z > best.score || (z === best.score && best.metric === null)) best = { host, metric, score: z };
      });
      entries.push(best);
    }
    entries.sort((a, b) => b.score - a.score || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    return { entries, pinpointed: entries.length > 0 && entries[0]!.score > 0 ? [entries[0]!.host] : [] };
  }

  toJSON(): AlgorithmState {
    return { algorithm: 'zscore', config: this.config, state: null };
  }
}

export const zscoreDefinition: AlgorithmDefinition = {
  name: 'zscore',
  kind: 'localizer',
  summary: 'ranks hosts by the largest z-score of a metric just before the trigger vs. the look-back window',
  params: PARAMS,
  create: (config, ctx) => new ZScoreLocalizer(config as Config, ctx),
  load: (state, ctx) => new ZScoreLocalizer(state.config as Config, ctx),
};
