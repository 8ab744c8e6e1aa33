// Offered request rate at the front end, per second (req/s), before the closed-loop slowdown (index.ts).
//
//   rate(t) = BASE_RATE * (1 + A1 sin(2 pi t / P1 + phi1) + A2 sin(2 pi t / P2 + phi2)) * (1 + burst(t))
//   observed arrivals = rate(t) + Normal(0, sqrt(rate(t)))      (Poisson arrivals, normal approximation)
//
// - BASE_RATE: 350 req/s, what the seed's AWS RUBiS runs saw (~2,500 emulated users); see rubis.md.
// - Load cycle: a faster wave (period P1 in [10, 20] min, amplitude A1 = 0.20) and a slower one (P2 in
//   [60, 120] min, A2 = 0.10): user populations swell and shrink; random phases per seed.
// - Bursts: short request surges that are NOT faults (a flash crowd, a crawler, a batch of sessions
//   starting together). They arrive as a Poisson process (mean gap BURST_GAP_S), rise linearly over
//   BURST_RISE_S, hold for a random 5-20 s with a random height of +30..60 %, then decay exponentially
//   (time constant BURST_DECAY_S). Sized so that the busiest host stays under ~85 % utilisation: the SLO
//   holds through a burst, but a detector keyed on "load went up" alarms.
// Everything random comes from the `workload` stream.

import { stream } from './streams.ts';

/** Mean offered load (req/s), the seed's AWS RUBiS runs. */
export const BASE_RATE = 350;
const A1 = 0.2;
const P1_MIN_S = 600;
const P1_MAX_S = 1200;
const A2 = 0.1;
const P2_MIN_S = 3600;
const P2_MAX_S = 7200;
/** Mean time between bursts (s): a few per half-hour run. */
const BURST_GAP_S = 240;
const BURST_RISE_S = 2;
const BURST_HOLD_MIN_S = 5;
const BURST_HOLD_MAX_S = 20;
const BURST_HEIGHT_MIN = 0.3;
const BURST_HEIGHT_MAX = 0.6;
const BURST_DECAY_S = 3;

/** Offered front-end arrivals (req/s) for each second of the run. */
export function offeredLoad(seed: number, durationS: number): Float64Array {
  const rng = stream(seed, 'workload');
  const p1 = rng.uniform(P1_MIN_S, P1_MAX_S);
  const phi1 = rng.uniform(0, 2 * Math.PI);
  const p2 = rng.uniform(P2_MIN_S, P2_MAX_S);
  const phi2 = rng.uniform(0, 2 * Math.PI);

  const burst = new Float64Array(durationS);
  for (let at = rng.exponential(BURST_GAP_S); at < durationS; at += rng.exponential(BURST_GAP_S)) {
    const start = Math.floor(at);
    const hold = rng.uniform(BURST_HOLD_MIN_S, BURST_HOLD_MAX_S);
    const height = rng.uniform(BURST_HEIGHT_MIN, BURST_HEIGHT_MAX);
    const tail = hold + 6 * BURST_DECAY_S;
    for (let k = 0; k < tail && start + k < durationS; k++) {
      const shape =
        k < BURST_RISE_S ? (k + 1) / BURST_RISE_S : k < hold ? 1 : Math.exp(-(k - hold) / BURST_DECAY_S);
      const i = start + k;
      burst[i] = Math.max(burst[i] ?? 0, height * shape);
    }
  }

  const noise = stream(seed, 'workload:arrivals');
  const rate = new Float64Array(durationS);
  for (let t = 0; t < durationS; t++) {
    const cycle =
      1 + A1 * Math.sin((2 * Math.PI * t) / p1 + phi1) + A2 * Math.sin((2 * Math.PI * t) / p2 + phi2);
    const mean = BASE_RATE * cycle * (1 + (burst[t] ?? 0));
    rate[t] = Math.max(0, mean + noise.normal(0, Math.sqrt(mean)));
  }
  return rate;
}
