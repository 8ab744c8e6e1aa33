// The chance floor (evaluation.md v2 "Chance"): a predictor that alarms each second with probability p
// and a localizer that ranks the hosts in a uniformly random order, both seeded. A predictor that
// alarms at random has TPR = FPR (Youden's J = 0) and a random ranking has AC@k = k/N; every default
// replay runs both so each table has its floor beside the algorithms.
//
// Both are stateless functions of (seed, time): the same second gets the same draw whatever the call
// order, so they serialize trivially and give the same output in replay and live mode.

import type {
  AlgorithmContext,
  AlgorithmState,
  Localizer,
  Prediction,
  Predictor,
  Ranking,
  Sample,
  Topology,
  Trigger,
  Window,
} from '../../core/algorithm.ts';
import type { ConfigOf, ParamSpecs } from '../../core/config.ts';
import { createRng, hashString } from '../../core/rng.ts';
import type { AlgorithmDefinition } from '../registry.ts';

const PREDICTOR_PARAMS = {
  p: {
    type: 'number',
    default: 0.05,
    min: 0,
    max: 1,
    doc: 'probability that a second alarms (on one host drawn uniformly among the known hosts)',
    source: 'evaluation.md v2 "Chance" (default p = 0.05)',
  },
} satisfies ParamSpecs;

const LOCALIZER_PARAMS = {
  lookbackS: {
    type: 'integer',
    default: 10,
    min: 1,
    doc: 'seconds of history before the trigger whose hosts are ranked',
    source: 'baseline (foreshock choice): enough to see every host once',
  },
} satisfies ParamSpecs;

type PredictorConfig = ConfigOf<typeof PREDICTOR_PARAMS>;
type LocalizerConfig = ConfigOf<typeof LOCALIZER_PARAMS>;

/** Two uniform draws in [0, 1) for (seed, label, time), independent of any call order. */
function draws(seed: number, label: string, time: number): [number, number] {
  const rng = createRng((hashString(`${label}:${time}`) ^ Math.floor(seed)) >>> 0);
  return [rng.next(), rng.next()];
}

class RandomPredictor implements Predictor {
  readonly kind = 'predictor';
  constructor(
    private readonly config: PredictorConfig,
    private readonly ctx: AlgorithmContext,
  ) {}

  score(sample: Sample): Prediction {
    const [u, v] = draws(this.ctx.seed, 'random-predictor', sample.time);
    const hosts = this.ctx.hosts;
    const chosen = hosts.length > 0 ? hosts[Math.floor(v * hosts.length)] : sample.host;
    const alarm = u < this.config.p;
    // Score 1 - u (so `alarm` = score > 1 - p) on the chosen host, 0 on the others.
    if (chosen !== sample.host) return { score: 0, anomalous: false };
    return { score: 1 - u, anomalous: alarm };
  }

  learn(_sample: Sample): void {}

  mode(): { mode: string; reason: string } {
    return { mode: 'chance', reason: `alarms each second with probability ${this.config.p} (seeded)` };
  }

  toJSON(): AlgorithmState {
    return { algorithm: 'random', config: this.config, state: null };
  }
}

class RandomLocalizer implements Localizer {
  readonly kind = 'localizer';
  readonly lookbackMs: number;
  constructor(
    private readonly config: LocalizerConfig,
    private readonly ctx: AlgorithmContext,
  ) {
    this.lookbackMs = config.lookbackS * 1000;
  }

  localize(window: Window, trigger: Trigger, topology: Topology): Ranking {
    const seen = new Set(window.samples.map((s) => s.host));
    const hosts = (topology.hosts.length > 0 ? topology.hosts : [...seen]).filter(
      (h) => seen.size === 0 || seen.has(h),
    );
    const rng = createRng((hashString(`random-localizer:${trigger.time}`) ^ Math.floor(this.ctx.seed)) >>> 0);
    const order = [...hosts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const entries = order.map((host, i) => ({
      host,
      metric: null,
      score: (order.length - i) / order.length,
    }));
    return { entries, pinpointed: entries.length > 0 ? [entries[0]!.host] : [] };
  }

  toJSON(): AlgorithmState {
    return { algorithm: 'random-localizer', config: this.config, state: null };
  }
}

export const randomPredictorDefinition: AlgorithmDefinition = {
  name: 'random',
  kind: 'predictor',
  summary: 'chance floor: alarms each second with probability p on a random host (seeded); TPR = FPR',
  params: PREDICTOR_PARAMS,
  create: (config, ctx) => new RandomPredictor(config as PredictorConfig, ctx),
  load: (state, ctx) => new RandomPredictor(state.config as PredictorConfig, ctx),
};

export const randomLocalizerDefinition: AlgorithmDefinition = {
  name: 'random-localizer',
  kind: 'localizer',
  summary: 'chance floor: ranks the hosts in a uniformly random order (seeded); AC@k = k/N',
  params: LOCALIZER_PARAMS,
  create: (config, ctx) => new RandomLocalizer(config as LocalizerConfig, ctx),
  load: (state, ctx) => new RandomLocalizer(state.config as LocalizerConfig, ctx),
};
