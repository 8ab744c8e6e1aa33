// The NAB scorer (numenta/NAB nab/sweeper.py semantics, rebuilt from ../shared/spec/benchmarks.md):
//
// 1. Per file, every row after the probationary period gets an *unweighted* score that depends only
//    on where the row lies relative to the anomaly windows:
//      - inside a window: sigma(y) with y = -(rightIdx - i + 1) / width (left edge -1, right edge ~0);
//      - outside: sigma(|i - prevRight| / (prevWidth - 1)) after a window, -1 before the first one;
//    where sigma(y) = 2 / (1 + e^{5y}) - 1, and -1 for y > 3.
//    Windows are given as timestamps and are matched on rows: a window opens at the first row whose
//    timestamp equals its start and closes after the first row whose timestamp equals its end (NAB's
//    outputs repeat timestamps, so rows, not times, are the unit).
// 2. A detection is a row with anomaly_score >= threshold. A window scores the weighted value of its
//    best (= earliest) detection, tpWeight * sigma / sigma(-1), or -fnWeight without one; every
//    detection outside a window adds fpWeight * sigma (a negative number).
// 3. The raw score of a detector is the sum over the corpus at one global threshold per profile.
//    thresholdCurve() evaluates every distinct score at once: rows sorted by score (descending),
//    each row changes the running sum by a known amount, and the sum is recorded whenever the
//    threshold drops to the next distinct value, exactly as NAB's calcScoreByThreshold does.
// 4. Normalisation: 100 (S - S_null) / (S_perfect - S_null), S_perfect = windows * tpWeight,
//    S_null = -windows * fnWeight.
//
// Everything here is pure; reading files is in results-io.ts.

import { UserError } from '../../core/errors.ts';
import { nabProbationaryLength, type NabProfile } from './profiles.ts';

/** NAB's scaled sigmoid: sigma(-1) = 0.98661, sigma(0) = 0, sigma(1) = -0.98661; -1 beyond y = 3. */
export function scaledSigmoid(y: number): number {
  if (y > 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/** The weighted value of the earliest possible detection is tpWeight: scores are divided by this. */
const MAX_TP = scaledSigmoid(-1);

/** The threshold NAB's sweep starts from: above any score in [0, 1], so nothing is detected. */
export const SWEEP_START = 1.1;

/** One file's detector output, aligned on the file's rows. */
export interface NabFileScores {
  /** Data file key, e.g. `realKnownCause/nyc_taxi.csv`. */
  key: string;
  /** Row timestamps (epoch ms); repeated timestamps stay separate rows. */
  times: ArrayLike<number>;
  scores: ArrayLike<number>;
}

/** What the scorer derived from one file's rows and windows. */
export interface LabelledFile {
  key: string;
  rows: number;
  probation: number;
  /** Per scored row (row index - probation): the file's window index, or -1 outside windows. */
  window: Int32Array;
  /** Per scored row: the unweighted scaled-sigmoid value described above. */
  sigma: Float64Array;
  /** Windows that were opened (their start timestamp matched a row). */
  windowsOpened: number;
}

/**
 * Step 1 for one file. `windows` are [start, end] epoch-ms pairs in time order (as in
 * combined_windows.json). A window whose end matches no row is an error, as in NAB.
 */
export function labelFile(
  key: string,
  times: ArrayLike<number>,
  windows: readonly [number, number][],
): LabelledFile {
  const n = times.length;
  const probation = nabProbationaryLength(n);
  const firstRow = new Map<number, number>();
  for (let i = n - 1; i >= 0; i--) firstRow.set(times[i]!, i);

  const scored = Math.max(0, n - probation);
  const windowOf = new Int32Array(scored).fill(-1);
  const sigma = new Float64Array(scored);
  let next = 0; // the next window to open; NAB only ever looks at the first unopened one
  let current = -1;
  let currentRight = -1;
  let currentWidth = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const t = times[i]!;
    if (current < 0 && next < windows.length && t === windows[next]![0]) {
      current = next++;
      const right = firstRow.get(windows[current]![1]);
      if (right === undefined) {
        throw new UserError(
          `${key}: anomaly window end ${new Date(windows[current]![1]).toISOString()} matches no row`,
        );
      }
      currentRight = right;
      currentWidth = right - i + 1;
    }
    let s: number;
    if (current >= 0) s = scaledSigmoid(-(currentRight - i + 1) / currentWidth);
    else if (prevRight < 0) s = -1;
    else s = scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
    if (i >= probation) {
      windowOf[i - probation] = current;
      sigma[i - probation] = s;
    }
    if (current >= 0 && t === windows[current]![1]) {
      prevRight = i;
      prevWidth = currentWidth;
      current = -1;
    }
  }
  return { key, rows: n, probation, window: windowOf, sigma, windowsOpened: next };
}

/** The whole corpus, scored rows concatenated, windows numbered globally. */
export interface ScoredCorpus {
  files: { key: string; rows: number; probation: number; windows: number }[];
  score: Float64Array;
  /** Global window id per scored row, or -1. */
  window: Int32Array;
  sigma: Float64Array;
  /** Windows with at least one scored row: the n_windows of normalisation (116 for NAB v1.1). */
  windowCount: number;
  /** Row order by score, descending; ties keep corpus order (as Python's stable sort). */
  order: Uint32Array;
  /** Windows listed in the labels that never opened (their start matched no row). */
  unopened: string[];
}

export function buildCorpus(
  files: readonly NabFileScores[],
  windowsByKey: ReadonlyMap<string, readonly [number, number][]>,
): ScoredCorpus {
  const labelled: { file: NabFileScores; l: LabelledFile }[] = [];
  const unopened: string[] = [];
  let total = 0;
  for (const file of files) {
    if (file.times.length !== file.scores.length) {
      throw new UserError(`${file.key}: ${file.times.length} timestamps but ${file.scores.length} scores`);
    }
    const windows = windowsByKey.get(file.key);
    if (windows === undefined) throw new UserError(`${file.key}: not in the anomaly-window labels`);
    const l = labelFile(file.key, file.times, windows);
    for (let w = l.windowsOpened; w < windows.length; w++) unopened.push(`${file.key} window ${w + 1}`);
    labelled.push({ file, l });
    total += l.window.length;
  }
  const score = new Float64Array(total);
  const window = new Int32Array(total);
  const sigma = new Float64Array(total);
  const out: ScoredCorpus['files'] = [];
  let offset = 0;
  let windowBase = 0;
  for (const { file, l } of labelled) {
    const seen = new Set<number>();
    for (let j = 0; j < l.window.length; j++) {
      const s = Number(file.scores[l.probation + j]);
      if (!Number.isFinite(s))
        throw new UserError(`${file.key}: row ${l.probation + j + 1}: anomaly score ${s} is not finite`);
      score[offset + j] = s;
      const w = l.window[j]!;
      if (w >= 0) seen.add(w);
      window[offset + j] = w >= 0 ? windowBase + w : -1;
      sigma[offset + j] = l.sigma[j]!;
    }
    // Windows are numbered per file by opening order; only those with scored rows count.
    out.push({ key: l.key, rows: l.rows, probation: l.probation, windows: seen.size });
    windowBase += l.windowsOpened;
    offset += l.window.length;
  }
  const ids = new Set<number>();
  for (const w of window) if (w >= 0) ids.add(w);
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((a, b) => score[b]! - score[a]! || a - b);
  return { files: out, score, window, sigma, windowCount: ids.size, order, unopened };
}

/** Raw score at every distinct threshold, thresholds descending (the first is SWEEP_START). */
export interface ThresholdCurve {
  thresholds: Float64Array;
  raw: Float64Array;
}

/** NAB's calcScoreByThreshold over the whole corpus for one profile. */
export function thresholdCurve(corpus: ScoredCorpus, profile: NabProfile): ThresholdCurve {
  const { score, window, sigma, order } = corpus;
  const thresholds: number[] = [];
  const raw: number[] = [];
  const best = new Float64Array(windowIds(corpus)).fill(NaN);
  let sum = -profile.fnWeight * corpus.windowCount;
  let threshold = SWEEP_START;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const s = score[i]!;
    if (s !== threshold) {
      thresholds.push(threshold);
      raw.push(sum);
      threshold = s;
    }
    const w = window[i]!;
    if (w < 0) {
      sum += profile.fpWeight * sigma[i]!;
    } else {
      const value = (profile.tpWeight * sigma[i]!) / MAX_TP;
      const prev = best[w]!;
      if (Number.isNaN(prev)) {
        best[w] = value;
        sum += value + profile.fnWeight;
      } else if (value > prev) {
        best[w] = value;
        sum += value - prev;
      }
    }
  }
  thresholds.push(threshold);
  raw.push(sum);
  return { thresholds: Float64Array.from(thresholds), raw: Float64Array.from(raw) };
}

function windowIds(corpus: ScoredCorpus): number {
  let max = -1;
  for (const w of corpus.window) if (w > max) max = w;
  return max + 1;
}

/** Raw score when rows with score >= threshold are detections (reads the curve). */
export function rawScoreAt(curve: ThresholdCurve, threshold: number): number {
  // The smallest recorded threshold >= `threshold`; thresholds are descending.
  const t = curve.thresholds;
  let lo = 0;
  let hi = t.length; // find the first index with t[idx] < threshold
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! >= threshold) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? curve.raw[0]! : curve.raw[lo - 1]!;
}

/** NAB's normalisation: null detector = 0, perfect detector = 100. */
export function normalizeScore(raw: number, windowCount: number, profile: NabProfile): number {
  const perfect = windowCount * profile.tpWeight;
  const nullScore = -windowCount * profile.fnWeight;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}

/** Windows detected and detections outside windows (rows) at a threshold. */
export function countsAt(
  corpus: ScoredCorpus,
  threshold: number,
): { detectedWindows: number; falsePositives: number } {
  const hit = new Set<number>();
  let fp = 0;
  for (let i = 0; i < corpus.score.length; i++) {
    if (corpus.score[i]! < threshold) continue;
    const w = corpus.window[i]!;
    if (w >= 0) hit.add(w);
    else fp++;
  }
  return { detectedWindows: hit.size, falsePositives: fp };
}
