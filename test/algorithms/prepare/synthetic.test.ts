// PREPARE end to end on synthetic memory-leak and CPU-hog runs: prediction ahead of the SLO
// violation, cause inference, and prevention through the replay engine's fix model.
//
// Setup (docs/prepare.md "Synthetic evaluation"): PREPARE is supervised, so it trains on SLO-labelled
// history of the same deployment (history.ts: eight runs of the test's seed with the same fault at
// other times) and is replayed on the default run of that seed (fault at 1080 s), localizing and
// acting at its own alarms (--trigger alarm), i.e. before the violation when it predicts it.
// Scoring options, and why:
// - pendingWindowS = the fault's injection-to-violation delay, rounded up (UBL §1.8 sets W per data
//   set that way): memleak onsets come ~70-80 s after the fault starts -> 80; cpuhog ~32-35 s -> 40.
// - excludeViolated = true: PREPARE's classifier is trained to recognize SLO-violation states, so it
//   keeps alarming while the SLO is violated (hundreds of seconds here); evaluation.md would count
//   each of those seconds as a false positive. They are left out; every other second counts.
// The two seeds are pinned; docs/prepare.md reports seeds 1-8 (where some miss these goals).
import { describe, expect, it } from 'vitest';
import { buildGroundTruth, type ScoringParams } from '../../../src/eval/index.ts';
import { runReplayJob } from '../../../src/runner/replay-job.ts';
import { syntheticCase } from './history.ts';

const cases = [
  { fault: 'memleak', seed: 2, windowS: 80, resource: /mem|page|swap/, action: 'scale-memory' },
  { fault: 'cpuhog', seed: 2, windowS: 40, resource: /cpu|load/, action: 'scale-cpu' },
] as const;

describe.each(cases)(
  'prepare on synthetic $fault (seed $seed)',
  ({ fault, seed, windowS, resource, action }) => {
    const { test, history, culprit } = syntheticCase({ fault, seed });
    const scoring: ScoringParams = {
      pendingWindowS: windowS,
      minDurationS: 3,
      recoveryGraceS: 60,
      gapS: 3,
      hosts: 'under-test' as const,
    };
    const results = runReplayJob(test, history, {
      algorithms: ['prepare'],
      trigger: { kind: 'alarm' },
      scoring,
    });
    const run = results.algorithms.prepare!;
    const { prediction, fix } = run.metrics;
    const f = test.manifest.faults[0]!;
    const onset = f.start + prediction!.leadTimeS.maxPossible! * 1000;

    it('trains on the labelled history (supervised, not the unlabelled fallback)', () => {
      expect(results.train).toBe(history.manifest.name);
      expect(history.manifest.faults.length).toBe(8);
    });

    it('alarms on the culprit host before the SLO violation, with sample-level FPR <= 0.05', () => {
      const first = run.alarms.find((a) => a.time >= f.start)!;
      expect(first.host).toBe(culprit);
      expect(first.time).toBeLessThan(onset);
      expect(prediction!.leadTimeS.mean!).toBeGreaterThan(0);
      expect(prediction!.fpr!).toBeLessThanOrEqual(0.05);
      expect(prediction!.tp).toBeGreaterThan(0);
    });

    it('ranks the culprit host and the faulty resource first at that alarm', () => {
      const loc = run.localizations.find((l) => l.trigger.time >= f.start)!;
      expect(loc.trigger.kind).toBe('alarm');
      expect(loc.ranking[0]!.host).toBe(culprit);
      expect(loc.ranking[0]!.metric).toMatch(resource);
      expect(loc.pinpointed[0]).toBe(culprit);
    });

    it('prevents: the chosen action resolves the fault before the violation and saves violation time', () => {
      const first = run.actions.find((a) => a.faultId === f.id)!;
      expect(first).toMatchObject({ type: action, host: culprit, effective: true, attempt: 1, undone: null });
      expect(first.completed).toBeLessThan(onset);
      // Violation seconds with no action (ground truth) vs with PREPARE's: all of them prevented.
      const truth = buildGroundTruth(test, { start: test.manifest.start, end: test.manifest.end }, scoring);
      const withoutAction = truth.episodes[0]!.violationTimes.length;
      expect(withoutAction).toBeGreaterThan(100);
      expect(fix!.violationSecondsSaved).toBe(withoutAction);
    });
  },
);
