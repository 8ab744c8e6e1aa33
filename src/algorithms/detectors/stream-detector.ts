// Shared shell of the univariate streaming detectors (NAB-style: one value in, one score out).
//
// A detector supplies one or more `StreamScorer`s per stream (channels: each gives a raw score of
// every new value); this module turns them into a registered Predictor:
//   - every (host, metric) pair is its own stream with its own scorer and post-processing; a
//     multi-metric sample scores the maximum over its metrics, and explain() ranks the metrics of a
//     host by their latest score (the metric that made the host's score is the culprit);
//   - post-processing, in NAB's numenta-detector order: the anomaly likelihood (likelihood.ts) on
//     each channel's raw score, the maximum over channels, then the "spatial anomaly" rule: a value
//     more than `spatialTolerance` of the range seen so far beyond that range scores 1 (NAB numenta
//     detector, SPATIAL_TOLERANCE 0.05); last, an optional rest period: after a score at or above
//     `alarmThreshold`, the next `restPeriod` scores of the stream are capped at half the threshold
//     (one alarm per episode instead of a burst; Merlion's alarm suppression, CAD OSE's rest period);
//   - streaming detectors learn as they score: score() advances the stream, learn() of the sample
//     just scored is then a no-op, and learn() of a sample that was not scored advances the stream
//     without reporting. fit() streams the training samples the same way (NAB detectors see the
//     probationary rows as part of the stream) and, with `adaptToTraining`, sizes the likelihood's
//     learning period to the training length per host, as NAB's numenta detector does with the
//     probationary period: learning = floor(n / 2), estimation = n - learning.
// A missing value (NaN) leaves its stream untouched and scores 0.

import type {
  AlgorithmContext,
  AlgorithmState,
  MetricRank,
  Prediction,
  Predictor,
  Sample,
  TrainingData,
} from '../../core/algorithm.ts';
import type { ConfigOf, ParamSpecs } from '../../core/config.ts';
import type { AlgorithmDefinition } from '../registry.ts';
import { AnomalyLikelihood, LIKELIHOOD_DEFAULTS, logScore, type LikelihoodState } from './likelihood.ts';

const NUPIC =
  'Ahmad et al., Neurocomputing 2017, §3.3 (anomaly likelihood); value as in NuPIC AnomalyLikelihood';

/** Post-processing parameters every streaming detector has. */
export const POST_PARAMS = {
  likelihood: {
    type: 'boolean',
    default: true,
    doc: 'post-process raw scores with the anomaly likelihood (log scale); false = report raw scores',
    source: 'Ahmad et al., Neurocomputing 2017, §3.3',
  },
  learningPeriod: {
    type: 'integer',
    default: LIKELIHOOD_DEFAULTS.learningPeriod,
    min: 0,
    doc: 'records whose raw scores the likelihood ignores at the start (detector warm-up)',
    source: NUPIC,
  },
  estimationSamples: {
    type: 'integer',
    default: LIKELIHOOD_DEFAULTS.estimationSamples,
    min: 1,
    doc: 'records after the learning period before the first likelihood estimate',
    source: NUPIC,
  },
  adaptToTraining: {
    type: 'boolean',
    default: true,
    doc: 'when fit() gets n training samples of a host, use learningPeriod = floor(n/2), estimationSamples = n - floor(n/2)',
    source: "NAB numenta detector: likelihood periods from NAB's probationary period",
  },
  historicWindow: {
    type: 'integer',
    default: LIKELIHOOD_DEFAULTS.historicWindow,
    min: 10,
    doc: 'raw scores kept to estimate their distribution (8640 = 30 days of 5-minute data)',
    source: NUPIC,
  },
  reestimationPeriod: {
    type: 'integer',
    default: LIKELIHOOD_DEFAULTS.reestimationPeriod,
    min: 1,
    doc: 'records between refits of the raw-score distribution',
    source: NUPIC,
  },
  averagingWindow: {
    type: 'integer',
    default: LIKELIHOOD_DEFAULTS.averagingWindow,
    min: 1,
    doc: "short-term moving average of raw scores that is compared with their distribution (the paper's W')",
    source: NUPIC,
  },
  spatialTolerance: {
    type: 'number',
    default: 0.05,
    min: 0,
    doc: 'a value beyond the range seen so far by more than this fraction of the range scores 1; 0 disables the rule',
    source: 'NAB numenta detector (spatial anomaly, SPATIAL_TOLERANCE = 0.05)',
  },
  restPeriod: {
    type: 'integer',
    default: 0,
    min: 0,
    doc: 'records after an alarm whose scores are capped at alarmThreshold / 2 (0 = no rest period)',
    source:
      "alarm suppression as in Merlion's AggregateAlarms (alm_suppress_minutes); length: foreshock choice",
  },
  alarmThreshold: {
    type: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    doc: 'score at or above which a sample is an alarm (0.5 on the log-likelihood scale = likelihood 1 - 1e-5)',
    source: 'Ahmad et al., Neurocomputing 2017, §3.3 (threshold 1 - epsilon, epsilon = 1e-5)',
  },
} satisfies ParamSpecs;

export type PostConfig = ConfigOf<typeof POST_PARAMS>;

/** A raw scorer of one univariate stream (one channel). */
export interface StreamScorer {
  /** Raw anomaly score in [0, 1] of the next value; the value then becomes part of the history. */
  next(value: number): number;
  /** Optional: sees the training values of the stream before they are streamed (e.g. to set a range). */
  prime?(values: readonly number[]): void;
  toJSON(): unknown;
}

export interface StreamDetectorSpec<P extends ParamSpecs> {
  name: string;
  summary: string;
  /** The detector's own parameters (merged with POST_PARAMS). */
  params: P;
  /** Post-processing defaults that differ for this detector, each with its own source. */
  postDefaults?: Partial<Record<keyof PostConfig, { default: number | boolean; source: string }>>;
  /** The channels of one stream. */
  create(config: ConfigOf<P>, ctx: AlgorithmContext, stream: string): StreamScorer[];
  load(config: ConfigOf<P>, states: unknown[]): StreamScorer[];
}

interface Stream {
  channels: StreamScorer[];
  likelihoods: (AnomalyLikelihood | null)[];
  min: number;
  max: number;
  last: number;
  /** Records left in the rest period. */
  rest: number;
}

interface HostState {
  streams: (Stream | null)[];
  /** Time of the sample score() already advanced the streams with (learn() then skips it). */
  scoredTime: number | null;
}

interface StreamJSON {
  channels: unknown[];
  likelihoods: (LikelihoodState | null)[];
  min: number | null;
  max: number | null;
  last: number;
  rest: number;
}

export function streamDetector<P extends ParamSpecs>(spec: StreamDetectorSpec<P>): AlgorithmDefinition {
  const params: ParamSpecs = { ...spec.params, ...withDefaults(spec.postDefaults ?? {}) };
  type Config = ConfigOf<P> & PostConfig;

  class StreamPredictor implements Predictor {
    readonly kind = 'predictor';
    private readonly hosts = new Map<string, HostState>();

    constructor(
      private readonly config: Config,
      private readonly ctx: AlgorithmContext,
      private readonly periods = new Map<string, { learning: number; estimation: number }>(),
    ) {}

    private host(name: string): HostState {
      let h = this.hosts.get(name);
      if (!h) this.hosts.set(name, (h = { streams: this.ctx.metrics.map(() => null), scoredTime: null }));
      return h;
    }

    private stream(host: string, h: HostState, m: number): Stream {
      let s = h.streams[m];
      if (!s) {
        const c = this.config;
        const period = this.periods.get(host) ?? {
          learning: c.learningPeriod,
          estimation: c.estimationSamples,
        };
        const channels = spec.create(c, this.ctx, `${host}/${this.ctx.metrics[m]}`);
        s = {
          channels,
          likelihoods: channels.map(() =>
            c.likelihood
              ? new AnomalyLikelihood({
                  learningPeriod: period.learning,
                  estimationSamples: Math.max(1, period.estimation),
                  historicWindow: c.historicWindow,
                  reestimationPeriod: c.reestimationPeriod,
                  averagingWindow: c.averagingWindow,
                })
              : null,
          ),
          min: Infinity,
          max: -Infinity,
          last: 0,
          rest: 0,
        };
        h.streams[m] = s;
      }
      return s;
    }

    private advance(sample: Sample): number {
      const h = this.host(sample.host);
      let worst = 0;
      for (let m = 0; m < sample.values.length; m++) {
        const v = sample.values[m]!;
        if (Number.isNaN(v)) continue;
        const s = this.stream(sample.host, h, m);
        let score = 0;
        for (let k = 0; k < s.channels.length; k++) {
          const raw = clamp01(s.channels[k]!.next(v));
          const lik = s.likelihoods[k];
          const channelScore = lik ? logScore(lik.probability(v, raw)) : raw;
          if (channelScore > score) score = channelScore;
        }
        const c = this.config;
        if (c.spatialTolerance > 0 && s.max > s.min) {
          const slack = (s.max - s.min) * c.spatialTolerance;
          if (v > s.max + slack || v < s.min - slack) score = 1;
        }
        if (c.restPeriod > 0) {
          if (s.rest > 0) {
            s.rest--;
            score = Math.min(score, c.alarmThreshold / 2);
          } else if (score >= c.alarmThreshold) {
            s.rest = c.restPeriod;
          }
        }
        if (v > s.max) s.max = v;
        if (v < s.min) s.min = v;
        s.last = score;
        if (score > worst) worst = score;
      }
      return worst;
    }

    fit(training: TrainingData): void {
      if (this.config.adaptToTraining) {
        const counts = new Map<string, number>();
        for (const s of training.samples) counts.set(s.host, (counts.get(s.host) ?? 0) + 1);
        for (const [host, n] of counts) {
          if (this.hosts.has(host)) continue; // streams already exist: keep their periods
          const learning = Math.floor(n / 2);
          this.periods.set(host, { learning, estimation: n - learning });
        }
      }
      this.prime(training.samples);
      for (const s of training.samples) this.advance(s);
    }

    /** Hands each new stream its training values (channels that need a range take it from them). */
    private prime(samples: readonly Sample[]): void {
      const values = new Map<string, number[][]>();
      for (const s of samples) {
        let v = values.get(s.host);
        if (!v) values.set(s.host, (v = this.ctx.metrics.map(() => [])));
        s.values.forEach((x, m) => {
          if (!Number.isNaN(x)) v![m]!.push(x);
        });
      }
      for (const [host, perMetric] of values) {
        const h = this.host(host);
        perMetric.forEach((xs, m) => {
          if (xs.length === 0 || h.streams[m]) return;
          for (const ch of this.stream(host, h, m).channels) ch.prime?.(xs);
        });
      }
    }

    score(sample: Sample): Prediction {
      const score = this.advance(sample);
      this.host(sample.host).scoredTime = sample.time;
      return { score, anomalous: score >= this.config.alarmThreshold };
    }

    learn(sample: Sample): void {
      const h = this.host(sample.host);
      if (h.scoredTime === sample.time) {
        h.scoredTime = null;
        return;
      }
      this.advance(sample);
    }

    explain(host: string): MetricRank[] {
      const h = this.hosts.get(host);
      if (!h) return [];
      return this.ctx.metrics
        .map((metric, m) => ({ host, metric, score: h.streams[m]?.last ?? 0 }))
        .sort((a, b) => b.score - a.score || (a.metric < b.metric ? -1 : 1));
    }

    toJSON(): AlgorithmState {
      const hosts = [...this.hosts.entries()].map(([host, h]) => ({
        host,
        scoredTime: h.scoredTime,
        streams: h.streams.map((s): StreamJSON | null =>
          s
            ? {
                channels: s.channels.map((ch) => ch.toJSON()),
                likelihoods: s.likelihoods.map((l) => l?.toJSON() ?? null),
                min: Number.isFinite(s.min) ? s.min : null,
                max: Number.isFinite(s.max) ? s.max : null,
                last: s.last,
                rest: s.rest,
              }
            : null,
        ),
      }));
      return {
        algorithm: spec.name,
        config: this.config,
        state: { hosts, periods: [...this.periods.entries()] },
      };
    }

    static fromJSON(state: AlgorithmState, ctx: AlgorithmContext): StreamPredictor {
      const config = state.config as Config;
      const saved = state.state as {
        hosts: { host: string; scoredTime: number | null; streams: (StreamJSON | null)[] }[];
        periods: [string, { learning: number; estimation: number }][];
      };
      const p = new StreamPredictor(config, ctx, new Map(saved.periods));
      for (const h of saved.hosts) {
        p.hosts.set(h.host, {
          scoredTime: h.scoredTime,
          streams: h.streams.map((s) =>
            s
              ? {
                  channels: spec.load(config, s.channels),
                  likelihoods: s.likelihoods.map((l) => (l ? new AnomalyLikelihood(l.params, l) : null)),
                  min: s.min ?? Infinity,
                  max: s.max ?? -Infinity,
                  last: s.last,
                  rest: s.rest,
                }
              : null,
          ),
        });
      }
      return p;
    }
  }

  return {
    name: spec.name,
    kind: 'predictor',
    summary: spec.summary,
    params,
    create: (config, ctx) => new StreamPredictor(config as Config, ctx),
    load: (state, ctx) => StreamPredictor.fromJSON(state, ctx),
  };
}

function withDefaults(overrides: NonNullable<StreamDetectorSpec<ParamSpecs>['postDefaults']>): ParamSpecs {
  const out: ParamSpecs = {};
  for (const [key, spec] of Object.entries(POST_PARAMS)) {
    const o = overrides[key as keyof PostConfig];
    out[key] =
      o === undefined ? spec : ({ ...spec, default: o.default, source: o.source } as ParamSpecs[string]);
  }
  return out;
}

function clamp01(x: number): number {
  if (!(x > 0)) return 0; // also NaN
  return x > 1 ? 1 : x;
}
