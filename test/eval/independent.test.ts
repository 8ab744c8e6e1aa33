// src/eval against an independent reading of the scoring rules (test/helpers/independent-scorer.ts,
// written from ../shared/spec/evaluation.md, not from src/eval) on seeded random timelines: flickering
// SLO, failed requests, seconds without requests in and out of faults, overlapping and adjacent faults,
// spurious runs, a harness host, alarms at sub-second offsets. Both must give the same counts, onsets,
// leads, TTD and false alarms (issue 19: an independent implementation is run against foreshock's).
import { describe, expect, it } from 'vitest';
import type { Dataset, FaultRecord } from '../../src/core/dataset.ts';
import type { AlarmRecord } from '../../src/core/results.ts';
import {
  buildGroundTruth,
  DEFAULT_SCORING,
  scorePrediction,
  type ScoringParams,
} from '../../src/eval/index.ts';
import { runReplayJob } from '../../src/runner/replay-job.ts';
import { synthesize } from '../../src/sim/synth/index.ts';
import { independentPrediction } from '../helpers/independent-scorer.ts';

const T0 = 1_700_000_000_000;
const HOSTS = ['web', 'db', 'app', 'kafka'];

/** mulberry32: a small seeded generator, so every case is reproducible from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCase(seed: number): {
  dataset: Dataset;
  alarms: AlarmRecord[];
  period: { start: number; end: number };
} {
  const r = rng(seed);
  const n = 300 + Math.floor(r() * 300);
  const at = (s: number): number => T0 + s * 1000;
  // Faults: 0-3, random lengths, sometimes overlapping the next one's grace or each other.
  const faults: FaultRecord[] = [];
  const nf = Math.floor(r() * 4);
  for (let k = 0; k < nf; k++) {
    const start = 40 + Math.floor(r() * (n - 80)) + 0.37 * k; // not on a second boundary
    faults.push({
      id: `f${k}`,
      type: 'cpuhog',
      host: HOSTS[Math.floor(r() * 3)]!,
      start: at(start),
      end: at(start + 10 + Math.floor(r() * 80)),
    });
  }
  // SLO: bursts of violation with flicker, seconds without requests, failed requests, missing rows.
  const sloTimes: number[] = [];
  const latency: number[] = [];
  const count: number[] = [];
  const errors: number[] = [];
  let burst = 0;
  for (let s = 0; s < n; s++) {
    if (r() < 0.01) continue; // no slo row this second
    if (burst === 0 && r() < 0.03) burst = 2 + Math.floor(r() * 25);
    const inBurst = burst > 0;
    if (burst > 0) burst--;
    const x = r();
    sloTimes.push(at(s));
    if (x < 0.03) {
      latency.push(NaN);
      count.push(0);
      errors.push(0);
    } else if (x < 0.06) {
      latency.push(10);
      count.push(20);
      errors.push(r() < 0.5 ? 1 : 5); // 5 % or 25 % failed
    } else {
      latency.push(inBurst && r() < 0.8 ? 150 : 10);
      count.push(20);
      errors.push(0);
    }
  }
  const rows = HOSTS.length * n;
  const time: number[] = [];
  const host: number[] = [];
  for (let s = 0; s < n; s++) {
    for (let h = 0; h < HOSTS.length; h++) {
      if (r() < 0.02) continue; // a host missed a sample
      time.push(at(s));
      host.push(h);
    }
  }
  const alarms: AlarmRecord[] = [];
  const p = 0.02 + r() * 0.15;
  for (let s = 0; s < n; s++) {
    for (const h of HOSTS)
      if (r() < p) alarms.push({ time: at(s) - Math.floor(r() * 3) * 250, host: h, score: 1 });
  }
  const split = Math.floor(n * 0.1 * r());
  const dataset: Dataset = {
    manifest: {
      format: 'foreshock-dataset/1',
      name: `random-${seed}`,
      source: { kind: 'test' },
      sampleIntervalMs: 1000,
      start: at(0),
      end: at(n),
      hosts: HOSTS.map((id) => (id === 'kafka' ? { id, harness: true } : { id })),
      dependencies: [],
      metrics: ['m'],
      slo: { signal: 'mean_latency_ms', threshold: 100, maxErrorRate: 0.1 },
      phases: [],
      faults,
      actions: [],
    },
    metrics: {
      time: Float64Array.from(time),
      host: Int32Array.from(host),
      hosts: HOSTS,
      metrics: ['m'],
      columns: [new Float64Array(time.length).fill(rows)],
    },
    slo: {
      time: Float64Array.from(sloTimes),
      columns: {
        mean_latency_ms: Float64Array.from(latency),
        count: Float64Array.from(count),
        errors: Float64Array.from(errors),
      },
    },
  };
  return { dataset, alarms, period: { start: at(split), end: at(n) } };
}

describe('src/eval agrees with an independent reading of the rules', () => {
  const paramsList: ScoringParams[] = [
    { pendingWindowS: 50, minDurationS: 3, recoveryGraceS: 60, gapS: 3, hosts: 'under-test' },
    { pendingWindowS: 20, minDurationS: 5, recoveryGraceS: 10, gapS: 1, hosts: 'all' },
  ];
  for (let seed = 1; seed <= 40; seed++) {
    const params = paramsList[seed % 2]!;
    it(`random timeline ${seed} (W ${params.pendingWindowS}, hosts ${params.hosts})`, () => {
      const { dataset, alarms, period } = randomCase(seed);
      const truth = buildGroundTruth(dataset, period, params);
      const fs = scorePrediction(alarms, truth, params);
      const mine = independentPrediction(dataset, period, alarms, params);
      expect(truth.scoredHosts).toEqual(mine.scoredHosts);
      expect(truth.onsets).toEqual(mine.onsets);
      expect(fs.spuriousOnsets).toBe(mine.spuriousOnsets);
      const counts = (m: typeof mine | typeof fs): number[] => [
        m.tp,
        m.fp,
        m.tn,
        m.fn,
        m.outageSeconds,
        m.outageAlarmed,
        m.falseAlarms,
        m.failingEpisodes,
        m.missedEpisodes,
      ];
      expect(counts(fs)).toEqual(counts(mine));
      expect(fs.episodes.map((e) => [e.onset, e.firstViolation, e.leadS, e.leadToFirstS, e.ttdS])).toEqual(
        mine.episodes.map((e) => [e.onset, e.v1, e.leadS, e.leadToFirstS, e.ttdS]),
      );
      expect(fs.leadTimeS.mean).toBe(mine.meanLeadS);
      expect(fs.falseAlarmsPerHour).toBe(mine.falseAlarmsPerHour);
    });
  }

  it('agrees on the streams of a real replay (default split, a harness host left out)', () => {
    const ds = synthesize({ hosts: 4, fault: 'cpuhog', seed: 3, durationS: 400 });
    const harness = ds.manifest.hosts.find((h) => h.id !== ds.manifest.faults[0]!.host)!;
    harness.harness = true;
    const results = runReplayJob(ds, null, { algorithms: ['threshold', 'random'], fix: false });
    // The scored period is the spec's "after the training split": from the normal phase's end.
    const normal = ds.manifest.phases.find((p) => p.name === 'normal')!;
    const period = { start: normal.end, end: ds.manifest.end };
    expect((results.scoring as { scoredPeriod: unknown }).scoredPeriod).toEqual(period);
    for (const name of ['threshold', 'random']) {
      const r = results.algorithms[name]!;
      const fs = r.metrics.prediction!;
      const mine = independentPrediction(ds, period, r.alarms, DEFAULT_SCORING);
      expect(mine.scoredHosts).not.toContain(harness.id);
      expect(r.alarms.some((a) => a.host === harness.id)).toBe(false);
      expect([fs.tp, fs.fp, fs.tn, fs.fn, fs.outageSeconds, fs.outageAlarmed, fs.falseAlarms]).toEqual([
        mine.tp,
        mine.fp,
        mine.tn,
        mine.fn,
        mine.outageSeconds,
        mine.outageAlarmed,
        mine.falseAlarms,
      ]);
      expect(fs.leadTimeS.mean).toBe(mine.meanLeadS);
      expect(fs.leadToFirstS.mean).toBe(mine.meanLeadToFirstS);
    }
    // Something to compare: the threshold baseline alarms and the fault breaks the SLO.
    expect(results.algorithms.threshold!.alarms.length).toBeGreaterThan(0);
    expect(results.algorithms.threshold!.metrics.prediction!.failingEpisodes).toBe(1);
  });
});
