// The online decision (UBL §III-B): winner's area >= threshold = anomalous sample; the alarm after 3 in
// a row. And cause inference (§III-C): Q nearest normal neurons vote. Hand-built maps throughout.
import { describe, expect, it } from 'vitest';
import { getAlgorithm, resolveConfig } from '../../../src/algorithms/registry.ts';
import { analyseMap } from '../../../src/algorithms/ubl/bootstrap.ts';
import { rankDimensions, voteMetrics } from '../../../src/algorithms/ubl/cause.ts';
import { HostModel } from '../../../src/algorithms/ubl/host-model.ts';
import type { UblConfig } from '../../../src/algorithms/ubl/params.ts';
import type { Scaling } from '../../../src/algorithms/ubl/preprocess.ts';
import type { SomMap } from '../../../src/algorithms/ubl/som.ts';

function config(over: Record<string, unknown>): UblConfig {
  return resolveConfig(getAlgorithm('ubl'), over) as UblConfig;
}

// 3x3, one metric (areas 2 10 2 / 10 28 8 / 2 8 2; see area.test.ts). At the 90th percentile the
// threshold is 13.6: only the centre (weight 9, area 28) is anomalous.
const grid: SomMap = { rows: 3, cols: 3, dim: 1, weights: Float64Array.from([0, 1, 2, 1, 9, 3, 2, 3, 4]) };
// Scale 100: the pre-processed value equals the raw one.
const identity: Scaling = {
  kept: Int32Array.from([0]),
  scale: Float64Array.from([100]),
  fill: Float64Array.from([0]),
};

function hostModel(over: Record<string, unknown> = {}): HostModel {
  const cfg = config({ smoothing: 1, percentile: 90, ...over });
  const copy = { ...grid, weights: Float64Array.from(grid.weights) };
  return new HostModel(identity, analyseMap(copy, cfg.percentile), cfg, 1);
}

const v = (x: number) => Float64Array.from([x]);

describe('streak rule', () => {
  it('alarms from the third anomalous sample in a row, and a normal sample resets it', () => {
    const h = hostModel();
    expect(h.threshold).toBeCloseTo(13.6, 12);
    const inputs = [9, 9, 4, 9, 9, 9, 9, 0, 9];
    const out = inputs.map((x, i) => h.score(i, v(x)));
    expect(out.map((o) => o.anomalous)).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      false,
      false,
    ]);
    // Score = area / (area + threshold): centre 28 / 41.6; corner 2 / 15.6.
    expect(out[0]!.score).toBeCloseTo(28 / 41.6, 12);
    expect(out[2]!.score).toBeCloseTo(2 / 15.6, 12);
  });

  it('treats an area equal to the threshold as anomalous (>=)', () => {
    // 85th percentile: threshold exactly 10, so the edge neurons of weight 1 (area 10) are anomalous.
    const h = hostModel({ percentile: 85, consecutive: 1 });
    expect(h.threshold).toBe(10);
    expect(h.score(0, v(1)).anomalous).toBe(true);
    expect(h.score(1, v(3.1)).anomalous).toBe(false); // neuron of weight 3 at (1,2): area 8
  });

  it('follows `consecutive`', () => {
    const h = hostModel({ consecutive: 1 });
    expect(h.score(0, v(9)).anomalous).toBe(true);
  });

  it('carries the last value over a missing one', () => {
    const h = hostModel({ consecutive: 2 });
    expect(h.score(0, v(9)).anomalous).toBe(false);
    // NaN = missing: the last value (9) again, so the second anomalous sample in a row.
    expect(h.score(1, v(NaN)).anomalous).toBe(true);
  });
});

describe('cause inference (voting)', () => {
  // 3x3, three metrics; the centre (index 4) is the anomalous neuron.
  const w = [
    [7, 10, 10], // (0,0) diagonal: diff [3,0,0] -> metric 0
    [10, 0, 10], // (0,1) above: diff [0,10,0] -> metric 1
    [10, 10, 10], // (0,2)
    [0, 10, 10], // (1,0) left: diff [10,0,0] -> metric 0
    [10, 10, 10], // (1,1) anomalous neuron
    [10, 10, 4], // (1,2) right: diff [0,0,6] -> metric 2
    [10, 10, 10], // (2,0)
    [10, 2, 10], // (2,1) below: diff [0,8,0] -> metric 1
    [10, 10, 10], // (2,2)
  ];
  const m: SomMap = { rows: 3, cols: 3, dim: 3, weights: Float64Array.from(w.flat()) };
  const areas = Float64Array.from([1, 1, 1, 1, 100, 1, 1, 1, 1]);

  it('collects the Q nearest normal neurons (4 at distance 1, then the first diagonal) and votes', () => {
    const votes = voteMetrics(m, areas, 50, 4, 5);
    expect(votes.voters).toBe(5);
    expect(Array.from(votes.votes)).toEqual([2, 2, 1]);
    // Tie 2:2 broken by the total difference: metric 1 (10 + 8) before metric 0 (10 + 3).
    expect(Array.from(votes.totalDiff)).toEqual([13, 18, 6]);
    expect(rankDimensions(votes)).toEqual([1, 0, 2]);
  });

  it('skips anomalous neighbours and widens the search', () => {
    const a = Float64Array.from(areas);
    a[1] = 100; // (0,1) anomalous: it does not vote; the next diagonal (0,2) does (diffs all 0 -> metric 0)
    const votes = voteMetrics(m, a, 50, 4, 5);
    expect(Array.from(votes.votes)).toEqual([3, 1, 1]);
    expect(rankDimensions(votes)).toEqual([0, 1, 2]);
  });

  it('stops at the lattice edge with fewer than Q voters', () => {
    const a = Float64Array.from([100, 100, 100, 100, 100, 100, 100, 1, 100]);
    const votes = voteMetrics(m, a, 50, 4, 5);
    expect(votes.voters).toBe(1);
    expect(Array.from(votes.votes)).toEqual([0, 1, 0]);
  });

  it("explains a host model's latest anomalous sample, and nothing before one", () => {
    const h = hostModel();
    expect(h.explain()).toEqual([]);
    h.score(0, v(9));
    // Centre weight 9; its nearest normal neurons: 1, 1, 3, 3 (d = 1) and 0 (the first diagonal).
    const ranked = h.explain();
    expect(ranked).toHaveLength(1);
    expect(ranked[0]).toMatchObject({ metric: 0, votes: 5 });
  });
});
