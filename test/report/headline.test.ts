// The headline card from hand-built results: the words and numbers per algorithm, the chance floor
// beside them, the "nothing to predict" banner, a verdict only with positive evidence, ties named.
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/dataset.ts';
import type { AlgorithmResult } from '../../src/core/results.ts';
import { headlineFor, headlineLines } from '../../src/report/headline.ts';
import type { ExperimentInput } from '../../src/report/inputs.ts';
import { minMedianMax, spreadSection } from '../../src/report/spread.ts';
import { summarize } from '../../src/report/summary.ts';
import { chooseLocalizer } from '../../src/report/verdict.ts';

interface Spec {
  tp?: number;
  fp?: number;
  tn?: number;
  fn?: number;
  lead?: number | null;
  possible?: number;
  failing?: number;
  ac1?: number | null;
  avg5?: number;
  ttl?: number | null;
  fix?: number | null;
  saved?: number;
  violation?: number;
  mode?: string;
}

function predictor(o: Spec): AlgorithmResult['metrics']['prediction'] {
  const tp = o.tp ?? 0;
  const fp = o.fp ?? 0;
  const tn = o.tn ?? 1000;
  const fn = o.fn ?? 50 - tp;
  const tpr = tp + fn > 0 ? tp / (tp + fn) : null;
  const fpr = fp + tn > 0 ? fp / (fp + tn) : null;
  const failing = o.failing ?? 1;
  const lead = o.lead === undefined ? null : o.lead;
  return {
    tp,
    fp,
    tn,
    fn,
    tpr,
    fpr,
    j: tpr !== null && fpr !== null ? tpr - fpr : null,
    outageSeconds: 0,
    outageAlarmed: 0,
    leadTimeS: { mean: lead, median: lead, maxPossible: failing > 0 ? (o.possible ?? 72) : null },
    leadToFirstS: { mean: lead, maxPossible: o.possible ?? 72 },
    ttdS: null,
    failingEpisodes: failing,
    missedEpisodes: failing > 0 && lead === null ? failing : 0,
    noEffectFaults: failing === 0 ? 1 : 0,
    spuriousOnsets: 0,
    falseAlarms: 0,
    falseAlarmsPerHour: 0,
    scoredHours: 1,
    episodes: [],
  };
}

function alg(kind: 'predictor' | 'localizer', o: Spec = {}): AlgorithmResult {
  const cases = o.ac1 === null ? 0 : 1;
  return {
    config: { k: 1 },
    ...(o.mode ? { mode: { mode: o.mode, reason: 'test' } } : {}),
    alarms: [],
    localizations: [],
    actions: [],
    metrics: {
      prediction: kind === 'predictor' ? predictor(o) : null,
      localization: {
        cases,
        hosts: 5,
        ac1: o.ac1 === undefined ? 1 : o.ac1,
        ac3: 1,
        avg5: o.avg5 ?? 1,
        chance: { ac1: cases ? 0.2 : null, ac3: cases ? 0.6 : null, avg5: null },
        precision: null,
        recall: null,
        timeS: 2,
        ttlS: o.ttl === undefined ? 74 : o.ttl,
      },
      fix: {
        actions: 1,
        measured: 0,
        modelled: 1,
        fixTimeS: o.fix === undefined ? 8 : o.fix,
        fixTimeSource: o.fix === null ? null : 'modelled',
        violationSecondsSaved: o.saved ?? 458,
        episodeViolationSeconds: o.violation ?? 468,
        preventions: 0,
        falseActions: 0,
        falseActionDisruptionS: 0,
      },
      cost: { msPerSample: null },
    },
  };
}

function run(
  algorithms: Record<string, AlgorithmResult>,
  faults = [{ type: 'memleak', host: 'db-0' }],
): ExperimentInput {
  const dataset = { manifest: { name: 'synth-memleak', faults } } as unknown as Dataset;
  return {
    label: '/tmp/some/where/out',
    resultsFile: null,
    resultsSha256: null,
    results: { foreshock: 'test', dataset: 'synth-memleak', train: null, scoring: {}, algorithms },
    dataset,
    datasetDir: null,
    datasetSha256: null,
    datasetNote: null,
  };
}

describe('headline card', () => {
  it('says each part in words and numbers, with the chance floor beside it', () => {
    const card = headlineFor([
      run({
        ubl: alg('predictor', { tp: 40, fp: 5, lead: 54, possible: 72 }),
        random: alg('predictor', {
          tp: 2,
          fp: 50,
          lead: 59,
          ac1: 0,
          ttl: null,
          fix: null,
          saved: 0,
          mode: 'chance',
        }),
        fchain: alg('localizer', { ac1: 1, ttl: 12, fix: 4, saved: 462 }),
      }),
    ]);
    expect(card.title).toBe('synth-memleak (memleak)');
    expect(card.title).not.toContain('/tmp');
    expect(card.banner).toBeNull();
    const ubl = card.rows.find((r) => r.algorithm === 'ubl')!;
    expect(ubl.predicted).toBe('alarmed 54 s before the violation (of 72 s possible)');
    expect(ubl.localized).toBe('named db-0 first in 74 s');
    expect(ubl.fixed).toBe('fixed in 8 s (modelled), 458 of 468 violation seconds saved');
    expect(ubl.chance).toMatch(/^J 0\.80 \(chance 0; TP 40, FP 5\); AC@1 1\.00 \(chance 0\.20\)$/);
    // Predictors first, floors last in their group.
    expect(card.rows.map((r) => r.algorithm)).toEqual(['ubl', 'random [chance]', 'fchain']);
    expect(card.rows[1]!.floor).toBe(true);
    expect(card.rows[1]!.localized).toBe('never named db-0 first');
    expect(card.rows[1]!.fixed).toBe('no fix restored the SLO, 0 of 468 violation seconds saved');
    expect(card.verdict.predictor).toMatch(/^Predictor: ubl \(TPR 0\.80, FPR 0\.00/);
    expect(card.verdict.localizer).toMatch(/^Localizer: fchain \(AC@1 1\.00 \(chance 0\.20\).*first in 12 s/);
    const lines = headlineLines(card);
    expect(lines[0]).toBe('headline: synth-memleak (memleak)');
    expect(lines.some((l) => l.includes('random [chance]') && l.includes('alarmed 59 s'))).toBe(true);
    expect(lines.at(-2)).toMatch(/^verdict: Predictor: ubl/);
  });

  it('shows a banner and no verdict when there was nothing to predict', () => {
    const card = headlineFor([
      run({
        ubl: alg('predictor', { tp: 0, fn: 0, fp: 3, failing: 0, ac1: null }),
        fchain: alg('localizer', { ac1: null }),
      }),
    ]);
    expect(card.banner).toMatch(/^Nothing to predict: no SLO violation in the fault phase/);
    expect(card.rows[0]!.predicted).toBe('nothing to predict');
    expect(card.verdict.predictor).toMatch(/no verdict/);
    expect(card.verdict.localizer).toMatch(/no verdict/);
    expect(headlineLines(card)[1]).toMatch(/^!! Nothing to predict/);
    const control = headlineFor([
      run({ ubl: alg('predictor', { tp: 0, fn: 0, failing: 0, ac1: null }) }, []),
    ]);
    expect(control.banner).toMatch(/control run/);
    expect(control.title).toBe('synth-memleak (control)');
  });

  it('names no predictor without a true positive, or outside the FPR bound, or not above random', () => {
    const none = headlineFor([run({ quiet: alg('predictor', { tp: 0, fp: 0, lead: null }) })]);
    expect(none.rows[0]!.predicted).toMatch(/^missed the violation/);
    expect(none.verdict.predictor).toMatch(/no verdict.*none has a true positive at all/);
    const noisy = headlineFor([run({ noisy: alg('predictor', { tp: 50, fp: 500, tn: 500, lead: 60 }) })]);
    expect(noisy.verdict.predictor).toMatch(/no verdict: none of 1 has a true positive with FPR <= 0.05/);
    const belowFloor = headlineFor([
      run({
        weak: alg('predictor', { tp: 1, fp: 40, tn: 960, lead: 5 }),
        random: alg('predictor', { tp: 3, fp: 40, tn: 960, lead: 30, mode: 'chance' }),
      }),
    ]);
    expect(belowFloor.verdict.predictor).toMatch(/no verdict.*above the random floor/);
  });

  it('names ties as ties (not chosen by name), and says when the random floor is among them', () => {
    const tie = headlineFor([
      run({
        a: alg('predictor', { tp: 25, fp: 1, lead: 30 }),
        b: alg('predictor', { tp: 25, fp: 2, lead: 30 }),
        zscore: alg('localizer', { ac1: 1 }),
        fchain: alg('localizer', { ac1: 1 }),
        slow: alg('localizer', { ac1: 1, ttl: 90 }),
        'random-localizer': alg('localizer', { ac1: 0 }),
      }),
    ]);
    expect(tie.verdict.predictor).toMatch(
      /^Predictor: a tie between a, b \(.*\); these runs do not separate them\.$/,
    );
    expect(tie.verdict.localizer).toMatch(/^Localizer: a tie between zscore, fchain \(/);
    expect(tie.verdict.localizer).not.toContain('slow');
    const floorTie = headlineFor([
      run({ zscore: alg('localizer', { ac1: 1 }), 'random-localizer': alg('localizer', { ac1: 1 }) }),
    ]);
    expect(floorTie.verdict.localizer).toMatch(/random floor is among them/);
    // best.json's rule still needs one localizer: its reason says the name settled a tie.
    const pooled = summarize([
      run({ zscore: alg('localizer', { ac1: 1 }), fchain: alg('localizer', { ac1: 1 }) }),
    ]).pooled;
    expect(chooseLocalizer(pooled)!.why).toBe(
      'Highest AC@1 among 2 localizer(s); tied on AC@1, Avg@5 and time with zscore: taken by name, not by evidence',
    );
    const atChance = headlineFor([run({ zscore: alg('localizer', { ac1: 0 }) })]);
    expect(atChance.verdict.localizer).toMatch(/no verdict: the best AC@1 is 0\.00, not above chance/);
  });

  it('pools several runs: means of the times, counts summed, the run count in the title', () => {
    const card = headlineFor([
      run({ ubl: alg('predictor', { tp: 40, fp: 5, lead: 50 }) }),
      run({ ubl: alg('predictor', { tp: 10, fp: 5, lead: null }) }),
    ]);
    expect(card.title).toBe('synth-memleak (memleak), 2 runs');
    expect(card.rows[0]!.predicted).toBe(
      'alarmed 50 s before the violation (of 72 s possible) in 1 of 2 episodes',
    );
    expect(card.rows[0]!.numbers.tp).toBe(50);
  });
});

describe('spread across repetitions', () => {
  it('min / median / max of the non-null values', () => {
    expect(minMedianMax([0.98, null, 0.11, 0.01])).toEqual({ min: 0.01, median: 0.11, max: 0.98 });
    expect(minMedianMax([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 });
    expect(minMedianMax([null])).toBeNull();
  });

  it('shows each run beside min, median and max, only for algorithms with several runs', () => {
    const runs = [40, 5, 49].map((tp, i) => ({
      heading: `synth-memleak (memleak), run ${i + 1} of 3`,
      anchor: `exp-${i + 1}`,
      rows: summarize([run({ ubl: alg('predictor', { tp, fn: 50 - tp, lead: 10 * (i + 1) }) })]).rows,
    }));
    const markup = spreadSection(runs)!.value;
    // The pooled TPR would be 62.7%; the runs are 80.0%, 10.0%, 98.0%.
    for (const v of ['80.0%', '10.0%', '98.0%']) expect(markup).toContain(`>${v}</td>`);
    expect(markup).toMatch(/<b>min<\/b> of 3 runs[^]*?<b>10\.0%<\/b>/);
    expect(markup).toMatch(/<b>median<\/b> of 3 runs[^]*?<b>80\.0%<\/b>[^]*?<b>20\.0<\/b>/);
    expect(markup).toMatch(/<b>max<\/b> of 3 runs[^]*?<b>98\.0%<\/b>/);
    expect(spreadSection(runs.slice(0, 1))).toBeNull();
  });
});
