// Labelled training history for PREPARE on synthetic data. PREPARE is supervised (spec/algorithms.md
// §2.2 step 3): it learns from SLO-labelled history of the same deployment. A synthetic seed fixes a
// deployment (hosts, host specs, workload), so the history is several runs of the test's seed laid
// end to end, each with one incident of the same fault on the same host at a different time.
//
// Choices, each for a reason (docs/prepare.md, "Synthetic evaluation"):
// - several incidents: with one, every slowly varying metric (the load cycle) looks like a cause of
//   the violation merely because of the level it had while that one incident lasted;
// - no incident starts near the test run's fault start, so no history run nearly duplicates it;
// - free disk space is left out of both: it falls monotonically with the run time, so in a same-seed
//   history it encodes the time of day of each incident (PREPARE watched CPU, memory, I/O rates);
// - caveat: the generator draws a host's noise from (seed, host), so the runs of one seed share their
//   normal-time noise, and the test run's fault-free samples recur in the history.
import type { Dataset } from '../../../src/core/dataset.ts';
import { synthesize, type SynthFaultType } from '../../../src/sim/synth/index.ts';

/** The dataset with only the given metrics. */
export function keepMetrics(d: Dataset, metrics: readonly string[]): Dataset {
  const idx = metrics.map((m) => d.metrics.metrics.indexOf(m));
  if (idx.some((k) => k < 0)) throw new Error(`unknown metric in ${metrics.join(', ')}`);
  return {
    ...d,
    manifest: { ...d.manifest, metrics: [...metrics] },
    metrics: { ...d.metrics, metrics: [...metrics], columns: idx.map((k) => d.metrics.columns[k]!) },
  };
}

/** Concatenates datasets with identical hosts and metrics, shifting each one to start where the previous ended. */
export function concatRuns(runs: readonly Dataset[], name: string): Dataset {
  const first = runs[0]!;
  let offset = 0;
  const time: number[] = [];
  const host: number[] = [];
  const columns: number[][] = first.metrics.metrics.map(() => []);
  const sloTime: number[] = [];
  const sloCols: Record<string, number[]> = {};
  const faults: Dataset['manifest']['faults'] = [];
  runs.forEach((run, k) => {
    if (run.metrics.hosts.join() !== first.metrics.hosts.join()) throw new Error('runs differ in hosts');
    const shift = offset - run.manifest.start + first.manifest.start;
    run.metrics.time.forEach((t, i) => {
      time.push(t + shift);
      host.push(run.metrics.host[i]!);
      run.metrics.columns.forEach((c, m) => columns[m]!.push(c[i]!));
    });
    if (run.slo) {
      run.slo.time.forEach((t) => sloTime.push(t + shift));
      for (const [col, values] of Object.entries(run.slo.columns)) (sloCols[col] ??= []).push(...values);
    }
    for (const f of run.manifest.faults)
      faults.push({ ...f, id: `r${k}-${f.id}`, start: f.start + shift, end: f.end + shift });
    offset += run.manifest.end - run.manifest.start;
  });
  return {
    manifest: { ...first.manifest, name, end: first.manifest.start + offset, phases: [], faults },
    metrics: {
      time: Float64Array.from(time),
      host: Int32Array.from(host),
      hosts: first.metrics.hosts,
      metrics: first.metrics.metrics,
      columns: columns.map((c) => Float64Array.from(c)),
    },
    slo: first.slo
      ? {
          time: Float64Array.from(sloTime),
          columns: Object.fromEntries(Object.entries(sloCols).map(([k, v]) => [k, Float64Array.from(v)])),
        }
      : null,
  };
}

/** Metrics of the synthetic generator that PREPARE's evaluation uses (all but the free-disk level). */
export const RESOURCE_METRICS = ['availcpu', 'freemem', 'pagein', 'pageout', 'load1', 'load5', 'diskwrite'];

/**
 * Fault starts of the history runs: every 150 s from 0 to 900 s and one late incident at 1250 s, so
 * incidents (and their aftermath) fall on many phases of the workload cycle; none within 150 s of
 * the test run's fault start (1080 s).
 */
export const HISTORY_STARTS_S: readonly number[] = [0, 150, 300, 450, 600, 750, 900, 1250];

export interface SyntheticCase {
  test: Dataset;
  history: Dataset;
  culprit: string;
}

/**
 * The test run (synthesize defaults: 1800 s, fault from 1080 s for 540 s) and its history: one run
 * per start in `historyStartsS` (default HISTORY_STARTS_S), each with a 540 s incident of the same
 * fault on the same host.
 */
export function syntheticCase(o: {
  fault: Exclude<SynthFaultType, 'none'>;
  seed: number;
  hosts?: number;
  historyStartsS?: readonly number[];
}): SyntheticCase {
  const hosts = o.hosts ?? 5;
  const test = synthesize({ hosts, fault: o.fault, seed: o.seed });
  const culprit = test.manifest.faults[0]!.host;
  const runs = (o.historyStartsS ?? HISTORY_STARTS_S).map((faultStartS) =>
    synthesize({ hosts, fault: o.fault, seed: o.seed, faultHost: culprit, faultStartS, faultDurationS: 540 }),
  );
  return {
    test: keepMetrics(test, RESOURCE_METRICS),
    history: keepMetrics(concatRuns(runs, `history-${o.fault}-s${o.seed}`), RESOURCE_METRICS),
    culprit,
  };
}
