import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../src/core/errors.ts';
import { buildGroundTruth, DEFAULT_SCORING, type ScoringParams } from '../../src/eval/index.ts';
import { fault, makeDataset, s, wholePeriod } from './fixture.ts';

const P: ScoringParams = {
  pendingWindowS: 10,
  minDurationS: 3,
  excludeViolated: false,
  positives: 'onset' as const,
};
const secs = (xs: ArrayLike<number>): number[] => Array.from(xs, (t) => (t - s(0)) / 1000);

describe('buildGroundTruth', () => {
  it('takes the distinct metric times of the period, end exclusive', () => {
    const ds = makeDataset({ pattern: '..........' });
    const gt = buildGroundTruth(ds, { start: s(3), end: s(8) }, P);
    expect(secs(gt.sampleTimes)).toEqual([3, 4, 5, 6, 7]);
    expect(gt.hasSlo).toBe(true);
  });

  it('marks violation seconds at or over the threshold; NaN is not a violation', () => {
    const ds = makeDataset({ pattern: '.X?X..' });
    ds.slo!.columns.mean_latency_ms![4] = 70; // exactly the threshold violates
    const gt = buildGroundTruth(ds, wholePeriod(ds), P);
    expect(secs(gt.violationTimes)).toEqual([1, 3, 4]);
  });

  it('needs minDurationS for an onset: a 2-second blip is not one, 3 seconds are', () => {
    const ds = makeDataset({ pattern: '..XX....XXX....XXXXX..' });
    const gt = buildGroundTruth(ds, wholePeriod(ds), P);
    expect(secs(gt.onsets)).toEqual([8, 15]);
    const longer = buildGroundTruth(ds, wholePeriod(ds), { ...P, minDurationS: 4 });
    expect(secs(longer.onsets)).toEqual([15]);
  });

  it('breaks a run at a gap (missing slo rows) and at a NaN value', () => {
    const gap = makeDataset({ pattern: '.XX_XX.....' });
    expect(buildGroundTruth(gap, wholePeriod(gap), P).onsets).toEqual([]);
    const nan = makeDataset({ pattern: '.XX?XX.....' });
    expect(buildGroundTruth(nan, wholePeriod(nan), P).onsets).toEqual([]);
    const whole = makeDataset({ pattern: '.XXXX......' });
    expect(secs(buildGroundTruth(whole, wholePeriod(whole), P).onsets)).toEqual([1]);
  });

  it('gives a fault episode its first sustained violation as onset, and the natural recovery', () => {
    const ds = makeDataset({ pattern: '..X..XXXX.....', faults: [fault('f1', 'db', 1, 12)] });
    const [ep] = buildGroundTruth(ds, wholePeriod(ds), P).episodes;
    expect(ep!.onset).toBe(s(5)); // the blip at 2 is skipped
    expect(ep!.recovery).toBe(s(9));
    expect(secs(ep!.violationTimes)).toEqual([2, 5, 6, 7, 8]); // [fault.start, recovery)
  });

  it('recovers only once the SLO holds for minDurationS', () => {
    const ds = makeDataset({ pattern: 'XXXX.XXX.X......', faults: [fault('f1', 'db', 0, 16)] });
    const gt = buildGroundTruth(ds, wholePeriod(ds), P);
    const [ep] = gt.episodes;
    expect(ep!.onset).toBe(s(0));
    // 4 holds but 5 violates within 3 s; 8 holds but 9 violates; 10 holds from there on.
    expect(ep!.recovery).toBe(s(10));
    expect(secs(gt.onsets)).toEqual([0, 5]);
    expect(ep!.violationTimes.length).toBe(8);
  });

  it('uses the period end as recovery when the SLO never recovers', () => {
    const ds = makeDataset({ pattern: '...XXXXXXX', faults: [fault('f1', 'db', 1, 10)] });
    const [ep] = buildGroundTruth(ds, wholePeriod(ds), P).episodes;
    expect(ep!.onset).toBe(s(3));
    expect(ep!.recovery).toBe(s(10));
  });

  it('starts an episode onset mid-run when the rest of the run is long enough, and adds it to the onsets', () => {
    const ds = makeDataset({ pattern: 'XXXXXX......', faults: [fault('f1', 'db', 2, 10)] });
    const gt = buildGroundTruth(ds, wholePeriod(ds), P);
    expect(gt.episodes[0]!.onset).toBe(s(2));
    expect(secs(gt.onsets)).toEqual([0, 2]);
  });

  it('skips a run whose remainder after the fault start is too short', () => {
    const ds = makeDataset({ pattern: 'XXXXX.....XXX...', faults: [fault('f1', 'db', 3, 14)] });
    const gt = buildGroundTruth(ds, wholePeriod(ds), P);
    expect(gt.episodes[0]!.onset).toBe(s(10));
    expect(secs(gt.onsets)).toEqual([0, 10]);
  });

  it('does not attribute a violation starting after max(fault.end, fault.start + W) to the fault', () => {
    const pattern = '..X.......' + '..........' + '..........' + 'XXXX......';
    const ds = makeDataset({ pattern, faults: [fault('f1', 'db', 0, 5)] });
    const gt = buildGroundTruth(ds, wholePeriod(ds), P); // W = 10 s: search [0, 10)
    const [ep] = gt.episodes;
    expect(ep!.onset).toBeNull();
    expect(ep!.recovery).toBeNull();
    expect(secs(ep!.violationTimes)).toEqual([2]); // [fault.start, fault.end) without an onset
    expect(secs(gt.onsets)).toEqual([30]); // still an onset of the series
    // A point fault (end = start) can still have an onset within W of its start.
    const point = makeDataset({ pattern: '.....XXX..', faults: [fault('f1', 'db', 2, 2)] });
    expect(buildGroundTruth(point, wholePeriod(point), P).episodes[0]!.onset).toBe(s(5));
  });

  it('keeps only faults overlapping the period, sorted by start', () => {
    const ds = makeDataset({
      pattern: '....................',
      faults: [fault('late', 'db', 12, 15), fault('before', 'db', 0, 3), fault('early', 'web', 4, 9)],
    });
    const gt = buildGroundTruth(ds, { start: s(5), end: s(20) }, P);
    expect(gt.episodes.map((e) => e.fault.id)).toEqual(['early', 'late']);
  });

  it('has no violations and no onsets without an SLO', () => {
    const ds = makeDataset({ pattern: 'XXXXXXXX', slo: false, faults: [fault('f1', 'db', 1, 5)] });
    const gt = buildGroundTruth(ds, wholePeriod(ds), DEFAULT_SCORING);
    expect(gt.hasSlo).toBe(false);
    expect(gt.violationTimes.length).toBe(0);
    expect(gt.onsets).toEqual([]);
    expect(gt.episodes[0]!.onset).toBeNull();
    expect(gt.sampleTimes.length).toBe(8);
  });

  it('rejects an SLO signal missing from the slo table', () => {
    const ds = makeDataset({ pattern: '....' });
    ds.manifest.slo = { signal: 'p95_latency_ms', threshold: 70 };
    expect(() => buildGroundTruth(ds, wholePeriod(ds), P)).toThrow(DatasetError);
    expect(() => buildGroundTruth(ds, wholePeriod(ds), P)).toThrow(/p95_latency_ms/);
  });

  it('scales to millions of metric rows', () => {
    const times = 3600;
    const hosts = 1000;
    const ds = makeDataset({ pattern: '.'.repeat(times), hosts: ['h'] });
    const time = new Float64Array(times * hosts);
    for (let i = 0; i < time.length; i++) time[i] = s(Math.floor(i / hosts));
    ds.metrics = { time, host: new Int32Array(time.length), hosts: ['h'], metrics: [], columns: [] };
    const gt = buildGroundTruth(ds, wholePeriod(ds), P);
    expect(gt.sampleTimes.length).toBe(times);
  });
});
