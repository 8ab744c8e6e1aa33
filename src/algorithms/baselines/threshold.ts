// Baseline predictor: a static band per (host, metric), learned from training data (or from the
// first `warmupSamples` samples of each host when there is no training data). A sample is out of
// band when any metric leaves [q_lo - margin*range, q_hi + margin*range]; the alarm fires after
// `consecutive` out-of-band samples in a row (the same filter UBL uses, UBL §3.3, for a fair
// comparison). Deliberately simple: it exists so the pipeline runs end to end and so that real
// algorithms have a floor to beat.

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
import { quantileSorted } from '../../core/stats.ts';
import type { AlgorithmDefinition } from '../registry.ts';

const PARAMS = {
  lowQuantile: {
    type: 'number',
    default: 0.005,
    min: 0,
    max: 0.5,
    doc: 'lower edge of the normal band, as a quantile of the training values',
    source: 'baseline (foreshock choice)',
  },
  highQuantile: {
    type: 'number',
    default: 0.995,
    min: 0.5,
    max: 1,
    doc: 'upper edge of the normal band, as a quantile of the training values',
    source: 'baseline (foreshock choice)',
  },
  margin: {
    type: 'number',
    // 1.0 keeps the false-alarm rate of a synthetic control run near 2% (load averages and free disk
    // drift beyond a short training window); 0.1 alarmed on two thirds of its samples.
    default: 1,
    min: 0,
    doc: 'band widening on each side, as a fraction of the training range (q_hi - q_lo)',
    source: 'baseline (foreshock choice)',
  },
  minRelativeRange: {
    type: 'number',
    default: 0.01,
    min: 0,
    doc: 'floor on the band scale as a fraction of the median magnitude, so a slowly drifting, nearly flat metric (free disk) does not alarm on tiny moves',
    source: 'baseline (foreshock choice)',
  },
  consecutive: {
    type: 'integer',
    default: 3,
    min: 1,
    doc: 'out-of-band samples in a row before the alarm fires',
    source: 'UBL §3.3 (alarm after 3 consecutive anomalous samples), reused for comparability',
  },
  warmupSamples: {
    type: 'integer',
    default: 120,
    min: 2,
    doc: 'samples per host used to learn the band online when no training data is given',
    source: 'baseline (foreshock choice)',
  },
} satisfies ParamSpecs;

type Config = ConfigOf<typeof PARAMS>;

interface Band {
  lo: number;
  hi: number;
  range: number;
}

interface HostState {
  bands: Band[] | null;
  /** Warm-up values per metric, used only until bands exist. */
  warmup: number[][];
  run: number;
  lastExceed: number[];
}

/** Score of an exceedance e (in units of the training range): e/(e+0.1), so 10% beyond the band = 0.5. */
const SCORE_HALF = 0.1;

class ThresholdPredictor implements Predictor {
  readonly kind = 'predictor';
  private readonly hosts = new Map<string, HostState>();

  constructor(
    private readonly config: Config,
    private readonly ctx: AlgorithmContext,
  ) {}

  private state(host: string): HostState {
    let s = this.hosts.get(host);
    if (!s) {
      s = {
        bands: null,
        warmup: this.ctx.metrics.map(() => []),
        run: 0,
        lastExceed: this.ctx.metrics.map(() => 0),
      };
      this.hosts.set(host, s);
    }
    return s;
  }

  fit(training: TrainingData): void {
    const byHost = new Map<string, number[][]>();
    for (const sample of training.samples) {
      let cols = byHost.get(sample.host);
      if (!cols) byHost.set(sample.host, (cols = this.ctx.metrics.map(() => [])));
      sample.values.forEach((v, m) => {
        if (!Number.isNaN(v)) cols![m]!.push(v);
      });
    }
    for (const [host, cols] of [...byHost].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      this.state(host).bands = cols.map((c) => this.band(c));
    }
  }

  private band(values: number[]): Band {
    if (values.length === 0) return { lo: -Infinity, hi: Infinity, range: 1 };
    const sorted = Float64Array.from(values).sort();
    const qlo = quantileSorted(sorted, this.config.lowQuantile);
    const qhi = quantileSorted(sorted, this.config.highQuantile);
    // A flat or slowly drifting metric needs a usable scale: at least minRelativeRange of its median
    // magnitude (and something positive for a metric that is constantly 0).
    const floor = this.config.minRelativeRange * Math.abs(quantileSorted(sorted, 0.5));
    const range = Math.max(qhi - qlo, floor, qhi - qlo > 0 ? 0 : 1);
    const pad = this.config.margin * range;
    return { lo: qlo - pad, hi: qhi + pad, range };
  }

  score(sample: Sample): Prediction {
    const s = this.state(sample.host);
    if (!s.bands) return { score: 0, anomalous: false };
    let worst = 0;
    sample.values.forEach((v, m) => {
      const b = s.bands![m]!;
      const e = Number.isNaN(v) ? 0 : Math.max(0, (v - b.hi) / b.range, (b.lo - v) / b.range);
      s.lastExceed[m] = e;
      if (e > worst) worst = e;
    });
    s.run = worst > 0 ? s.run + 1 : 0;
    return { score: worst / (worst + SCORE_HALF), anomalous: s.run >= this.config.consecutive };
  }

  learn(sample: Sample): void {
    const s = this.state(sample.host);
    if (s.bands) return;
    sample.values.forEach((v, m) => {
      if (!Number.isNaN(v)) s.warmup[m]!.push(v);
    });
    const seen = Math.max(...s.warmup.map((w) => w.length));
    if (seen >= this.config.warmupSamples) {
      s.bands = s.warmup.map((w) => this.band(w));
      s.warmup = this.ctx.metrics.map(() => []);
    }
  }

  explain(host: string): MetricRank[] {
    const s = this.hosts.get(host);
    if (!s) return [];
    return this.ctx.metrics
      .map((metric, m) => ({ host, metric, score: s.lastExceed[m]! }))
      .sort((a, b) => b.score - a.score || (a.metric < b.metric ? -1 : 1));
  }

  toJSON(): AlgorithmState {
    const hosts = [...this.hosts.entries()].map(([host, s]) => ({
      host,
      bands: s.bands,
      warmup: s.warmup,
      run: s.run,
      lastExceed: s.lastExceed,
    }));
    return { algorithm: 'threshold', config: this.config, state: { hosts } };
  }

  static fromJSON(state: AlgorithmState, ctx: AlgorithmContext): ThresholdPredictor {
    const p = new ThresholdPredictor(state.config as Config, ctx);
    const saved = state.state as { hosts: (HostState & { host: string })[] };
    for (const h of saved.hosts) {
      // JSON turns +-Infinity into null: restore the open band of a metric that had no training data.
      const bands =
        h.bands?.map((b) => ({ lo: b.lo ?? -Infinity, hi: b.hi ?? Infinity, range: b.range })) ?? null;
      p.hosts.set(h.host, { bands, warmup: h.warmup, run: h.run, lastExceed: h.lastExceed });
    }
    return p;
  }
}

export const thresholdDefinition: AlgorithmDefinition = {
  name: 'threshold',
  kind: 'predictor',
  summary: 'static per-metric band from training quantiles; alarm after k out-of-band samples in a row',
  params: PARAMS,
  create: (config, ctx) => new ThresholdPredictor(config as Config, ctx),
  load: (state, ctx) => ThresholdPredictor.fromJSON(state, ctx),
};
