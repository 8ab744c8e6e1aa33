// Experiments for the report tests: a small synthetic memory-leak run replayed through the two
// baselines (fast, and independent of the paper algorithms other engineers are still tuning), and
// a hostile one whose host, metric, fault, dataset and algorithm names are HTML/script injections.
import type { Dataset } from '../../src/core/dataset.ts';
import type { ExperimentInput } from '../../src/report/index.ts';
import { withDatasetPath } from '../../src/report/index.ts';
import { runReplayJob } from '../../src/runner/replay-job.ts';
import { synthesize } from '../../src/sim/synth/index.ts';
import { T0, tinyDataset } from '../helpers/tiny-dataset.ts';

export const EVIL_HOST = '<script>alert(1)</script>';
export const EVIL_METRIC = '"><img src=x onerror=alert(1)>';
export const EVIL_ALGORITHM = '<svg onload=alert(3)>';
export const EVIL_DATASET = 'evil\'"><script>alert(2)</script>';
export const EVIL_FAULT = '<b onmouseover=alert(4)>memleak</b>';

export function experimentFrom(dataset: Dataset, label: string, datasetPath?: string): ExperimentInput {
  const raw = runReplayJob(dataset, null, { algorithms: ['threshold', 'zscore'] });
  const results = datasetPath ? withDatasetPath(raw, datasetPath) : raw;
  return {
    label,
    resultsFile: null,
    resultsSha256: null,
    results,
    dataset,
    datasetDir: null,
    datasetSha256: null,
    datasetNote: null,
  };
}

export function smallSynth(fault: 'memleak' | 'none' = 'memleak', hosts = 4): Dataset {
  return synthesize({ hosts, fault, seed: 3, durationS: 600 });
}

export function evilDataset(): Dataset {
  const seconds = 300;
  const d = tinyDataset({
    seconds,
    hosts: [EVIL_HOST, 'db'],
    metrics: [EVIL_METRIC, 'freemem'],
    // Normal for 200 s, then a violation the culprit's metric ramps into.
    slo: '.'.repeat(220) + 'X'.repeat(60) + '.'.repeat(20),
    faults: [{ id: 'f1', type: EVIL_FAULT, host: EVIL_HOST, start: T0 + 200_000, end: T0 + 280_000 }],
    value: (host, metric, s, noise) =>
      host === EVIL_HOST && metric === EVIL_METRIC && s >= 200 ? 50 + (s - 200) * 2 + noise : 50 + 5 * noise,
  });
  d.manifest.name = EVIL_DATASET;
  d.manifest.phases = [{ name: 'normal', start: T0, end: T0 + 150_000 }];
  return d;
}

/** The hostile experiment, with one algorithm renamed as if results.json came from anywhere. */
export function evilExperiment(): ExperimentInput {
  const e = experimentFrom(evilDataset(), `runs/${EVIL_HOST}`);
  const algorithms = e.results.algorithms;
  e.results.algorithms = { [EVIL_ALGORITHM]: algorithms.threshold!, zscore: algorithms.zscore! };
  return e;
}
