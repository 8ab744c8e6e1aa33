// UBL's anomaly cause inference (§III-C, algorithms.md §1.5). From the anomalous winner b, walk the
// lattice outwards (nearest first by Euclidean lattice distance; equal distances in row-major offset
// order) and collect the first Q normal neurons (area < threshold); anomalous ones are skipped, and the
// search widens until Q are found or the lattice is exhausted. Each collected neuron n ranks the metrics
// by |W[n,m] - W[b,m]| and votes for its top one (lowest metric index on a tie). Metrics are output by
// votes; ties between metrics go to the larger total difference summed over the voters (the paper's
// suggested tie-breaker), then to the metric listed first.

import type { SomMap } from './som.ts';

interface Offsets {
  dRow: Int32Array;
  dCol: Int32Array;
}

const offsetCache = new Map<string, Offsets>();

/** Every lattice offset except (0,0), nearest first; cached per lattice shape. */
function searchOrder(rows: number, cols: number): Offsets {
  const key = `${rows}x${cols}`;
  const hit = offsetCache.get(key);
  if (hit) return hit;
  const all: [number, number, number][] = [];
  for (let dr = -(rows - 1); dr < rows; dr++) {
    for (let dc = -(cols - 1); dc < cols; dc++) {
      if (dr !== 0 || dc !== 0) all.push([dr * dr + dc * dc, dr, dc]);
    }
  }
  all.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const out = { dRow: Int32Array.from(all, (o) => o[1]), dCol: Int32Array.from(all, (o) => o[2]) };
  offsetCache.set(key, out);
  return out;
}

export interface Votes {
  /** Votes per map dimension (kept metric). */
  votes: Float64Array;
  /** Sum over the voters of |W[n,m] - W[b,m]| per dimension. */
  totalDiff: Float64Array;
  /** Number of normal neurons that voted (< Q when the map has fewer). */
  voters: number;
}

export function voteMetrics(
  map: SomMap,
  areas: Float64Array,
  threshold: number,
  bmu: number,
  q: number,
): Votes {
  const { rows, cols, dim, weights: w } = map;
  const votes = new Float64Array(dim);
  const totalDiff = new Float64Array(dim);
  const { dRow, dCol } = searchOrder(rows, cols);
  const r0 = Math.floor(bmu / cols);
  const c0 = bmu - r0 * cols;
  const ob = bmu * dim;
  let voters = 0;
  for (let k = 0; k < dRow.length && voters < q; k++) {
    const r = r0 + dRow[k]!;
    const c = c0 + dCol[k]!;
    if (r < 0 || r >= rows || c < 0 || c >= cols) continue;
    const v = r * cols + c;
    if (!(areas[v]! < threshold)) continue;
    let top = 0;
    let topDiff = -1;
    for (let m = 0, o = v * dim; m < dim; m++, o++) {
      const d = Math.abs(w[o]! - w[ob + m]!);
      totalDiff[m] = totalDiff[m]! + d;
      if (d > topDiff) {
        topDiff = d;
        top = m;
      }
    }
    votes[top] = votes[top]! + 1;
    voters++;
  }
  return { votes, totalDiff, voters };
}

/** Dimensions ordered by votes, then total difference, then index. */
export function rankDimensions(v: Votes): number[] {
  const idx = Array.from(v.votes, (_, m) => m);
  return idx.sort((a, b) => v.votes[b]! - v.votes[a]! || v.totalDiff[b]! - v.totalDiff[a]! || a - b);
}
