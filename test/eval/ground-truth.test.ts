// Ground truth, scoring rules version 2: violation seconds, episodes, one onset per episode, spurious onsets.
import { describe, expect, it } from 'vitest';
import { buildGroundTruth, DEFAULT_SCORING, type ScoringParams } from '../../src/eval/index.ts';
import { fault, makeDataset, s, wholePeriod } from './fixture.ts';

const P: ScoringParams = { ...DEFAULT_SCORING, pendingWindowS: 5, recoveryGraceS: 5 };
const secs = (xs: ArrayLike<number>): number[] => Array.from(xs, (t) => (t - s(0)) / 1000);

describe('buildGroundTruth v2: violation seconds', () => {
  it('violates at or over the threshold; a missing value or a missing row does not', () => {
    const ds = makeDataset({ pattern: '.X?X.._X' });
    ds.slo!.columns.mean_latency_ms![4] = 70; // exactly the threshold
    expect(secs(buildGroundTruth(ds, wholePeriod(ds), P).violationTimes)).toEqual([1, 3, 4, 7]);
  });

  it('a second with no requests violates while a fault is active, not outside faults (idle)', () => {
    //                        0123456789012345
    const ds = makeDataset({ pattern: '.000....000.....', faults: [fault('f', 'db', 8, 12)] });
    const gt = buildGroundTruth(ds, wholePeriod(ds), P);
    expect(secs(gt.violationTimes)).toEqual([8, 9, 10]);
    expect(secs(gt.onsets)).toEqual([8]);
  });

  it('a fault is active from its start to its end: no-request seconds in the grace are idle', () => {
    // Fault [4, 8), episode [4, 13) (grace 5 s). No requests at 5-7 (fault active: violate) and at
    // 9-11 (after the fault's end, still in its episode: the fault is no longer active, idle).
    //                                 0123456789012
    const ds = makeDataset({ pattern: '.....000.000.', faults: [fault('f', 'db', 4, 8)] });
    const gt = buildGroundTruth(ds, wholePeriod(ds), P);
    expect(secs(gt.violationTimes)).toEqual([5, 6, 7]);
    expect(secs(gt.onsets)).toEqual([5]);
    expect((gt.episodes[0]!.end - s(0)) / 1000).toBe(13);
  });

  it('failed requests violate (maxErrorRate 0 by default), up to slo.maxErrorRate', () => {
    const pattern = '....EEE.....';
    const strict = makeDataset({ pattern, faults: [fault('f', 'db', 3, 8)] });
    const gt = buildGroundTruth(strict, wholePeriod(strict), P);
    expect(secs(gt.violationTimes)).toEqual([4, 5, 6]);
    expect(gt.episodes[0]!.onset).toBe(s(4));
    expect(gt.maxErrorRate).toBe(0);
    // 1 of 10 requests failed: 0.1 <= 0.2 holds.
    const lax = makeDataset({ pattern, faults: [fault('f', 'db', 3, 8)], maxErrorRate: 0.2 });
    expect(buildGroundTruth(lax, wholePeriod(lax), P).violationTimes.length).toBe(0);
  });
});

describe('buildGroundTruth v2: episodes and onsets', () => {
  // Fault f1 [10, 20) -> episode [10, 25) with a 5 s grace. Blip at 16 (v1), sustained 18-21 (onset),
  // flicker 23-25 (sustained again, same episode: no second onset), sustained 32-34 outside (spurious).
  //             0         1         2         3
  //             0123456789012345678901234567890123456789
  const pattern = '................X.XXXX.XXX......XXX.....';
  const ds = makeDataset({ pattern, faults: [fault('f1', 'db', 10, 20)] });
  const gt = buildGroundTruth(ds, wholePeriod(ds), P);

  it('has one onset per episode however the SLO flickers, plus each spurious sustained run', () => {
    const [ep] = gt.episodes;
    expect([ep!.start, ep!.end].map((t) => (t - s(0)) / 1000)).toEqual([10, 25]);
    expect((ep!.firstViolation! - s(0)) / 1000).toBe(16);
    expect((ep!.onset! - s(0)) / 1000).toBe(18);
    expect(secs(gt.spuriousOnsets)).toEqual([32]);
    expect(secs(gt.onsets)).toEqual([18, 32]);
    // The episode's violation seconds are all of them in [10, 25), not only its first run.
    expect(secs(ep!.violationTimes)).toEqual([16, 18, 19, 20, 21, 23, 24]);
  });

  it('v1 counted every violation run of >= 3 s as an onset; v2 does not', () => {
    // The same timeline's sustained runs: 18, 23, 32. Only 18 and 32 are onsets.
    expect(gt.onsets.length).toBe(2);
  });

  it('cuts an episode at the next fault, and a run that started before the fault is spurious', () => {
    //                                 0         1         2
    //                                 012345678901234567890123456
    const two = makeDataset({
      pattern: '....XXXXX.....XXX.....XXX..',
      faults: [fault('a', 'db', 6, 10), fault('b', 'web', 12, 16)],
    });
    const t = buildGroundTruth(two, wholePeriod(two), { ...P, recoveryGraceS: 60 });
    const [a, b] = t.episodes;
    expect([a!.start, a!.end, b!.start, b!.end].map((x) => (x - s(0)) / 1000)).toEqual([6, 12, 12, 76]);
    // The run 4-8 started before a's start: spurious; a has no onset of its own (no SLO effect).
    expect(a!.onset).toBeNull();
    expect((a!.firstViolation! - s(0)) / 1000).toBe(6);
    expect((b!.onset! - s(0)) / 1000).toBe(14);
    expect(secs(t.spuriousOnsets)).toEqual([4]);
    // 22-24 lies in b's episode (grace 60 s): no onset of its own.
    expect(secs(t.onsets)).toEqual([4, 14]);
  });

  it('a fault without a sustained run has no onset (no SLO effect)', () => {
    const flat = makeDataset({ pattern: '.....XX.X.....', faults: [fault('f', 'db', 3, 9)] });
    const [ep] = buildGroundTruth(flat, wholePeriod(flat), P).episodes;
    expect(ep!.onset).toBeNull();
    expect(ep!.recovery).toBeNull();
    expect((ep!.firstViolation! - s(0)) / 1000).toBe(5);
  });

  it('recovers once the SLO holds for minDurationS', () => {
    const r = makeDataset({ pattern: 'XXXX.XXX.X......', faults: [fault('f1', 'db', 0, 16)] });
    const [ep] = buildGroundTruth(r, wholePeriod(r), P).episodes;
    expect(ep!.onset).toBe(s(0));
    expect(ep!.recovery).toBe(s(10));
  });

  it('scores hosts under test: harness hosts are left out unless hosts = all', () => {
    const h = makeDataset({ pattern: '....', hosts: ['web', 'db', 'kafka'], harness: ['kafka'] });
    expect(buildGroundTruth(h, wholePeriod(h), P).scoredHosts).toEqual(['web', 'db']);
    expect(buildGroundTruth(h, wholePeriod(h), { ...P, hosts: 'all' }).scoredHosts).toEqual([
      'web',
      'db',
      'kafka',
    ]);
  });

  it('takes the distinct sample times of the period, end exclusive', () => {
    const d = makeDataset({ pattern: '..........' });
    expect(secs(buildGroundTruth(d, { start: s(3), end: s(8) }, P).sampleTimes)).toEqual([3, 4, 5, 6, 7]);
  });
});
