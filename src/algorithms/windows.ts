// Sample-interval-aware windows (issue 20 item 1). Windows are configured in seconds, as the papers
// state them for 1 s data, with a floor in samples: at 1 s the seconds decide; at 60 s (Nezha,
// Prometheus scrapes) a 100 s look-back would hold 2 samples, too few for any change-point test, so
// the floor decides. Every localizer converts its windows through here.

import type { ParamSpec } from '../core/config.ts';

/** The look-back floor as a localizer parameter (the baselines share its text and default). */
export const MIN_LOOKBACK_SAMPLES_PARAM = {
  type: 'integer',
  default: 10,
  min: 2,
  doc: 'windows hold at least this many samples: each window is max(its seconds, this x the sample interval) (issue 20: at 60 s a 100 s window held 2 samples)',
  source: 'foreshock choice (src/algorithms/windows.ts)',
} as const satisfies ParamSpec;

/** The floor of a window's "recent" part, for localizers that compare it with the rest. */
export const MIN_RECENT_SAMPLES_PARAM = {
  type: 'integer',
  default: 3,
  min: 1,
  doc: 'the recent part holds at least this many samples (at 60 s, 30 s held at most one)',
  source: 'foreshock choice (src/algorithms/windows.ts)',
} as const satisfies ParamSpec;

/** Samples that `seconds` span at `intervalMs` (rounded), at least `minSamples`. */
export function samplesIn(seconds: number, intervalMs: number, minSamples = 1): number {
  const interval = intervalMs > 0 ? intervalMs : 1000;
  return Math.max(minSamples, Math.round((seconds * 1000) / interval));
}

/** A window of `seconds`, widened to `minSamples` sample intervals when that is longer (ms). */
export function windowMs(seconds: number, minSamples: number, intervalMs: number): number {
  const interval = intervalMs > 0 ? intervalMs : 1000;
  return Math.max(seconds * 1000, minSamples * interval);
}
