// Rescoring without replay (NAB's split of detection from scoring): every metric of a results.json is
// recomputed from its stored alarms, localizations and actions under (possibly other) scoring
// parameters, without running any algorithm. Because scoring parameters no longer change what the
// pipeline does (replay-job.ts PipelineParams), a rescore gives the metrics a replay with the same
// parameters gives, byte for byte: both call the same evaluate() on the same streams.

import type { Dataset } from '../core/dataset.ts';
import { UserError } from '../core/errors.ts';
import type { AlgorithmResult, ReplayResults } from '../core/results.ts';
import { evaluate, scoringBlock, type ScoringParams } from '../eval/index.ts';
import { chooseSplit } from '../sim/samples.ts';

type Period = { start: number; end: number };

function periodOf(v: unknown): Period | null {
  const p = v as { start?: unknown; end?: unknown } | null;
  return p && typeof p.start === 'number' && typeof p.end === 'number'
    ? { start: p.start, end: p.end }
    : null;
}

export function rescoreResults(
  results: ReplayResults,
  test: Dataset,
  train: Dataset | null,
  scoring: ScoringParams,
): ReplayResults {
  if (results.dataset !== test.manifest.name) {
    throw new UserError(
      `the results are for dataset "${results.dataset}", not "${test.manifest.name}" (give the dataset they were replayed on)`,
    );
  }
  const stored = (
    typeof results.scoring === 'object' && results.scoring !== null ? results.scoring : {}
  ) as Record<string, unknown>;
  const storedPeriod = periodOf(stored.scoredPeriod);
  let scoredPeriod: Period;
  if (train !== null || storedPeriod === null) {
    const split = chooseSplit(test, train);
    if (
      storedPeriod &&
      (storedPeriod.start !== split.scoredPeriod.start || storedPeriod.end !== split.scoredPeriod.end)
    ) {
      throw new UserError(
        `the results were scored over [${storedPeriod.start}, ${storedPeriod.end}) but ${train ? `--train ${train.manifest.name}` : 'the default split'} gives [${split.scoredPeriod.start}, ${split.scoredPeriod.end}); give the --train the replay used`,
      );
    }
    scoredPeriod = split.scoredPeriod;
  } else {
    scoredPeriod = storedPeriod;
  }
  // The host selection decides what was replayed, not only what is scored (harness hosts are left out
  // of the replay): results replayed under another selection cannot give what a replay gives.
  const replayedHosts = stored.hosts;
  if (
    (replayedHosts === 'all' || replayedHosts === 'under-test') &&
    replayedHosts !== scoring.hosts &&
    test.manifest.hosts.some((h) => h.harness === true)
  ) {
    throw new UserError(
      `the results were replayed with --hosts ${replayedHosts}, which decides which hosts the algorithms saw; ` +
        `replay with --hosts ${scoring.hosts} instead of rescoring`,
    );
  }
  const trigger = stored.trigger as { kind?: unknown } | undefined;
  const fixes = 'fixModel' in stored ? stored.fixModel !== null : true;

  const algorithms: Record<string, AlgorithmResult> = {};
  for (const [name, r] of Object.entries(results.algorithms)) {
    const scored = evaluate(test, scoredPeriod, r, scoring, {
      predicts: r.metrics.prediction !== null && r.metrics.prediction !== undefined,
      localizes: r.metrics.localization !== null && r.metrics.localization !== undefined,
      fixes: fixes && r.metrics.fix !== null && r.metrics.fix !== undefined,
      allFaultCases: trigger?.kind === 'explicit',
    });
    algorithms[name] = {
      ...r,
      metrics: { ...scored, cost: r.metrics.cost ?? { msPerSample: null } },
    };
  }
  // The scoring block in replay-job.ts's key order, so a rescore and a replay serialize alike.
  const {
    rules: _r,
    pendingWindowS: _w,
    minDurationS: _m,
    recoveryGraceS: _g,
    gapS: _a,
    hosts: _h,
    maxErrorRate: _e,
    scoredHosts: _s,
    excludeViolated: _x,
    positives: _p,
    pipeline,
    ...rest
  } = stored;
  return {
    ...results,
    scoring: {
      ...scoringBlock(scoring, test),
      ...(pipeline !== undefined ? { pipeline } : {}),
      ...rest,
      scoredPeriod,
    },
    algorithms,
  };
}
