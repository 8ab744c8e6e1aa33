// Sample-interval-aware windows (issue 20 item 1). Windows are configured in seconds, as the papers
// state them for 1 s data, with a floor in samples: at 1 s the seconds decide; at 60 s (Nezha,
// Prometheus scrapes) a 100 s look-back would hold 2 samples, too few for any change-point test, so
// the floor decides. Every localizer converts its windows through here.

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
