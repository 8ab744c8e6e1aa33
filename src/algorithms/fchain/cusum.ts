// Change points by CUSUM with bootstrap confidence (Taylor's change-point analysis, the method PAL
// and FChain build on; algorithms.md §3.1 step 3), applied by binary segmentation.
//
// One segment x[a..b): S(0) = 0, S(i) = S(i-1) + (x(a+i-1) - mean); the CUSUM range is
// Sdiff = max S - min S. Under "no change" the order of the values does not matter, so Sdiff is
// compared with the Sdiff of B random permutations of the segment: confidence = share of
// permutations with a smaller range. A change is accepted at confidence >= the level; it lies after
// the sample where |S| peaks, so the new regime starts at c = a + argmax|S|. Both halves are then
// tested again (breadth first, so a cap on the number of change points keeps the largest ones).
//
// Cost control (the 1,000-host goal): where the permutation distribution leaves no doubt, the test
// is decided without permutations (kuiperTail); otherwise it stops as soon as enough permutations
// reach Sdiff that the level can no longer be met (the same decision as running all B). The
// permutations come from one table drawn once per localizer from its seed (BootstrapTable), so no
// random number is drawn per series, and each permutation and its CUSUM take one pass. Each test is
// still a permutation test with permutations independent of the data; tests on different series
// share draws, which does not bias any one test.

import { createRng } from '../../core/rng.ts';

export interface CusumOptions {
  /** Permutations per test. */
  bootstrap: number;
  /** Confidence a change point needs, in (0, 1]. */
  confidence: number;
  /** Both sides of a change point keep at least this many samples. */
  minSegment: number;
  maxChangePoints: number;
  /** Always run the permutations (no Kuiper shortcut); for tests. */
  exact?: boolean;
}

/**
 * Where the bootstrap's answer is a foregone conclusion it is skipped. Under random order the CUSUM
 * of n values is a discrete Brownian bridge scaled by sd sqrt(n) (= sqrt of the sum of squared
 * deviations), and the range of a Brownian bridge follows Kuiper's distribution,
 * P(range > z) = 2 sum_k (4 k^2 z^2 - 1) exp(-2 k^2 z^2). With z = Sdiff / (sd sqrt(n)) and
 * p = P(range > z), the share of permutations that would reach Sdiff:
 * - p <= (1 - confidence) / (10 B): accept (the bootstrap would reject with probability < 1e-6);
 * - p >= 20 (1 - confidence): reject (it would accept with probability < 1e-4 for B = 100);
 * - otherwise run the permutations. A sampled bridge has a slightly smaller range than the
 *   continuous one, so the real p is smaller still: the accept side errs on the safe side.
 * test/algorithms/fchain/steps.test.ts checks that the decisions match the full bootstrap.
 */
export function kuiperTail(z: number): number {
  if (!(z > 0.4)) return 1;
  let p = 0;
  for (let k = 1; k <= 100; k++) {
    const t = 2 * k * k * z * z;
    const term = (2 * t - 1) * Math.exp(-t);
    p += term;
    if (Math.abs(term) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, 2 * p));
}

/**
 * The Fisher-Yates swap partners of B permutations, drawn from the seed: row r, step i swaps
 * position i with J[r][i], uniform in [0, i]. A segment of n values uses steps n-1 .. 1 of a row,
 * which is a uniform random permutation of them. Each row is its own stream, so widening the table
 * (ensureWidth) keeps every entry it had: the draws never depend on earlier calls.
 */
export class BootstrapTable {
  readonly rows: number;
  width = 0;
  j: Int32Array = new Int32Array(0);

  constructor(
    private readonly seed: number,
    rows: number,
    width: number,
  ) {
    this.rows = rows;
    this.ensureWidth(width);
  }

  ensureWidth(width: number): void {
    if (width <= this.width) return;
    const j = new Int32Array(this.rows * width);
    const root = createRng(this.seed).fork('fchain:bootstrap');
    for (let r = 0; r < this.rows; r++) {
      const rng = root.fork(`row ${r}`);
      for (let i = 0; i < width; i++) j[r * width + i] = Math.floor(rng.next() * (i + 1));
    }
    this.j = j;
    this.width = width;
  }
}

/**
 * Change points of x within [from, to): ascending indices c (the first sample of a new regime),
 * from < c < to. `scratch` must hold at least to - from values.
 */
export function changePoints(
  x: Float64Array,
  from: number,
  to: number,
  opts: CusumOptions,
  table: BootstrapTable,
  scratch: Float64Array,
): number[] {
  const found: number[] = [];
  const queue: [number, number][] = [[from, to]];
  for (let q = 0; q < queue.length && found.length < opts.maxChangePoints; q++) {
    const [a, b] = queue[q]!;
    const c = testSegment(x, a, b, opts, table, scratch);
    if (c < 0) continue;
    found.push(c);
    queue.push([a, c], [c, b]);
  }
  return found.sort((p, q) => p - q);
}

/** The change point of x[a..b) if the bootstrap accepts one, else -1. */
export function testSegment(
  x: Float64Array,
  a: number,
  b: number,
  opts: CusumOptions,
  table: BootstrapTable,
  scratch: Float64Array,
): number {
  const n = b - a;
  const minSeg = Math.max(1, opts.minSegment);
  if (n < 2 * minSeg) return -1;
  let sum = 0;
  for (let i = a; i < b; i++) sum += x[i]!;
  const mean = sum / n;
  // Cumulative sums, the range and where |S| peaks (the split must leave minSeg on each side).
  let s = 0;
  let max = 0;
  let min = 0;
  let peak = -1;
  let peakAbs = -1;
  for (let i = 0; i < n; i++) {
    s += x[a + i]! - mean;
    if (s > max) max = s;
    if (s < min) min = s;
    const k = i + 1; // samples in the left part if the split comes after this one
    if (k >= minSeg && n - k >= minSeg && Math.abs(s) > peakAbs) {
      peakAbs = Math.abs(s);
      peak = k;
    }
  }
  const range = max - min;
  // A (numerically) flat segment has no change.
  if (!(range > 1e-12 * (Math.abs(mean) + 1)) || peak < 0) return -1;

  const B = Math.min(opts.bootstrap, table.rows);
  const alpha = 1 - opts.confidence;
  if (!opts.exact) {
    // Decided by Kuiper's tail where the permutations could only agree (see kuiperTail); smooth
    // metrics (load averages, slowly wandering memory) and plain noise mostly end here.
    let ss = 0;
    for (let i = a; i < b; i++) ss += (x[i]! - mean) ** 2;
    const p = kuiperTail(range / Math.sqrt(ss));
    if (p <= alpha / (10 * B)) return a + peak;
    if (alpha > 0 && p >= 20 * alpha) return -1;
  }
  table.ensureWidth(n);
  const allowed = Math.floor(B * alpha + 1e-9);
  const width = table.width;
  const J = table.j;
  for (let i = 0; i < n; i++) scratch[i] = x[a + i]! - mean;
  let exceed = 0;
  for (let r = 0; r < B; r++) {
    // Shuffle (continuing from the previous permutation: still uniform) and, in the same pass, the
    // CUSUM range: position i is final once step i is done, so the suffix sums come for free, and
    // as the deviations sum to zero, prefix sums are minus suffix sums: same range.
    const base = r * width;
    let suffix = 0;
    let hi = 0;
    let lo = 0;
    for (let i = n - 1; i > 0; i--) {
      const j = J[base + i]!;
      const v = scratch[j]!;
      scratch[j] = scratch[i]!;
      scratch[i] = v;
      suffix += v;
      hi = Math.max(hi, suffix);
      lo = Math.min(lo, suffix);
    }
    suffix += scratch[0]!;
    if (suffix > hi) hi = suffix;
    else if (suffix < lo) lo = suffix;
    if (hi - lo >= range) {
      exceed++;
      if (exceed > allowed) return -1;
    }
  }
  return a + peak;
}
