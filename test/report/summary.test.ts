// The report's numbers: aggregation across runs, the best-model rule, config hashes, downsampling,
// host selection, ROC inputs, published references, and byte-stable output.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlgorithmResult, PredictionMetrics } from '../../src/core/results.ts';
import { bucketize, chooseBucketMs, mergeTimes } from '../../src/report/downsample.ts';
import { selectHosts } from '../../src/report/hosts.ts';
import {
  bestFileFor,
  buildReport,
  canonicalJson,
  configHash,
  NAB_SCOREBOARD,
  REFERENCE_ENTRIES,
  referenceFor,
  type ExperimentInput,
} from '../../src/report/index.ts';
import { rocPointsFrom } from '../../src/report/roc-input.ts';
import { summarize } from '../../src/report/summary.ts';
import { choosePredictor, chooseLocalizer } from '../../src/report/verdict.ts';
import { experimentFrom, smallSynth } from './fixtures.ts';

function predictionOf(p: {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  lead: number | null;
}): PredictionMetrics {
  const tpr = p.tp + p.fn > 0 ? p.tp / (p.tp + p.fn) : null;
  const fpr = p.fp + p.tn > 0 ? p.fp / (p.fp + p.tn) : null;
  return {
    tp: p.tp,
    fp: p.fp,
    tn: p.tn,
    fn: p.fn,
    tpr,
    fpr,
    j: tpr !== null && fpr !== null ? tpr - fpr : null,
    outageSeconds: 0,
    outageAlarmed: 0,
    leadTimeS: { mean: p.lead, median: p.lead, maxPossible: 50 },
    leadToFirstS: { mean: null, maxPossible: null },
    ttdS: null,
    failingEpisodes: 1,
    missedEpisodes: p.lead === null ? 1 : 0,
    noEffectFaults: 0,
    spuriousOnsets: 0,
    falseAlarms: 0,
    falseAlarmsPerHour: 0,
    scoredHours: 1,
    episodes: [],
  };
}

function result(
  prediction: { tp: number; fp: number; tn: number; fn: number; lead: number | null } | null,
  ac1: number | null,
  config: unknown = { k: 1 },
): AlgorithmResult {
  return {
    config,
    alarms: [],
    localizations: [],
    actions: [],
    metrics: {
      prediction: prediction && predictionOf(prediction),
      localization: {
        cases: ac1 === null ? 0 : 2,
        hosts: 4,
        ac1,
        ac3: ac1,
        avg5: ac1,
        chance: { ac1: ac1 === null ? null : 0.25, ac3: ac1 === null ? null : 0.75, avg5: null },
        precision: ac1,
        recall: ac1,
        timeS: 2,
        ttlS: null,
      },
      fix: null,
      cost: { msPerSample: null },
    },
  };
}

/** An experiment made of hand-written results; the dataset only provides the fault type. */
function fake(faultType: 'memleak' | 'none', algorithms: Record<string, AlgorithmResult>): ExperimentInput {
  const dataset = smallSynth(faultType, 3);
  return {
    label: faultType,
    resultsFile: null,
    resultsSha256: null,
    results: { foreshock: 'test', dataset: dataset.manifest.name, train: null, scoring: {}, algorithms },
    dataset,
    datasetDir: null,
    datasetSha256: null,
    datasetNote: null,
  };
}

describe('config hashes', () => {
  it('hash the canonical JSON: key order does not matter, values do', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
    expect(configHash({ a: 1, b: 2 })).toBe(configHash({ b: 2, a: 1 }));
    expect(configHash({ a: 1, b: 2 })).not.toBe(configHash({ a: 1, b: 3 }));
    expect(configHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('summary across experiments', () => {
  it('sums counts per fault type, keeps control runs apart, and pools them for the verdict', () => {
    const runA = fake('memleak', {
      threshold: result({ tp: 40, fp: 10, tn: 950, fn: 10, lead: 20 }, 1),
      zscore: result(null, 1),
    });
    const runB = fake('memleak', {
      threshold: result({ tp: 20, fp: 0, tn: 1000, fn: 30, lead: 10 }, 0),
      zscore: result(null, 0.5),
    });
    const control = fake('none', {
      threshold: result({ tp: 0, fp: 100, tn: 900, fn: 0, lead: null }, null),
      zscore: result(null, null),
    });
    const s = summarize([runA, runB, control]);
    expect(s.faultTypes).toEqual(['memleak', 'control']);
    const mem = s.rows.find((r) => r.identity.name === 'threshold' && r.faultType === 'memleak')!;
    expect(mem.runs).toBe(2);
    expect(mem.prediction).toMatchObject({ tp: 60, fp: 10, tn: 1950, fn: 40, leadMeanS: 15 });
    expect(mem.prediction!.tpr).toBeCloseTo(60 / 100);
    expect(mem.prediction!.fpr).toBeCloseTo(10 / 1960);
    expect(mem.localization!.ac1).toBeCloseTo(0.5);
    const ctl = s.rows.find((r) => r.identity.name === 'threshold' && r.faultType === 'control')!;
    expect(ctl.prediction).toMatchObject({ tp: 0, fp: 100, tpr: null });
    const pooled = s.pooled.find((r) => r.identity.name === 'threshold')!;
    expect(pooled.prediction!.fpr).toBeCloseTo(110 / 2960);
    expect(s.pooled.find((r) => r.identity.name === 'zscore')!.localization!.ac1).toBeCloseTo(0.75);
  });

  it('treats one name with two configs as two candidates, labelled by hash', () => {
    const s = summarize([
      fake('memleak', { threshold: result({ tp: 1, fp: 0, tn: 1, fn: 0, lead: 1 }, 1, { k: 1 }) }),
      fake('memleak', { threshold: result({ tp: 1, fp: 0, tn: 1, fn: 0, lead: 1 }, 1, { k: 2 }) }),
    ]);
    expect(s.identities).toHaveLength(2);
    expect(s.identities[0]!.label).toMatch(/^threshold \([0-9a-f]{8}\)$/);
    expect(s.identities[0]!.label).not.toBe(s.identities[1]!.label);
  });

  it('picks the paper reference by algorithm and fault type', () => {
    expect(referenceFor('ubl', 'memleak')!.values).toMatchObject({ tpr: 0.97, fpr: 0.02, leadMeanS: 7 });
    expect(referenceFor('fchain', 'cpuhog')!.id).toBe('fchain-abstract');
    expect(referenceFor('zscore', 'memleak')).toBeNull();
  });
});

describe('best-model rule', () => {
  const rows = (algs: Record<string, AlgorithmResult>): ReturnType<typeof summarize>['pooled'] =>
    summarize([fake('memleak', algs)]).pooled;

  it('takes the highest TPR among predictors within the FPR bound, lead time breaking ties', () => {
    const pooled = rows({
      threshold: result({ tp: 99, fp: 500, tn: 500, fn: 1, lead: 30 }, 1), // high TPR, FPR 0.5
      ubl: result({ tp: 80, fp: 10, tn: 990, fn: 20, lead: 5 }, 0), // FPR 0.01
      prepare: result({ tp: 80, fp: 20, tn: 980, fn: 20, lead: 9 }, 0), // same TPR, longer lead
    });
    const choice = choosePredictor(pooled)!;
    expect(choice.row.identity.name).toBe('prepare');
    expect(choice.meetsRule).toBe(true);
  });

  it('names the best J with a true positive as not meeting the rule when none qualifies', () => {
    const choice = choosePredictor(
      rows({
        threshold: result({ tp: 100, fp: 900, tn: 100, fn: 0, lead: 30 }, 1), // J = 0.1
        ubl: result({ tp: 60, fp: 200, tn: 800, fn: 40, lead: 5 }, 0), // J = 0.4
        quiet: result({ tp: 0, fp: 0, tn: 1000, fn: 100, lead: null }, 0), // no TP: never chosen
      }),
    )!;
    expect(choice.row.identity.name).toBe('ubl');
    expect(choice.meetsRule).toBe(false);
  });

  it('never chooses a predictor without a true positive (v1 chose ubl with TP 0, FP 0)', () => {
    const pooled = rows({
      ubl: result({ tp: 0, fp: 0, tn: 1000, fn: 100, lead: null }, 0), // FPR 0, but no TP
      prepare: result({ tp: 10, fp: 30, tn: 970, fn: 90, lead: 4 }, 0), // FPR 0.03
    });
    expect(choosePredictor(pooled)).toMatchObject({
      meetsRule: true,
      row: { identity: { name: 'prepare' } },
    });
    expect(
      choosePredictor(rows({ ubl: result({ tp: 0, fp: 0, tn: 1000, fn: 100, lead: null }, 0) })),
    ).toBeNull();
  });

  it('takes the localizer with the highest AC@1 and ignores predictors', () => {
    const choice = chooseLocalizer(
      rows({
        threshold: result({ tp: 1, fp: 0, tn: 1, fn: 0, lead: 1 }, 1),
        zscore: result(null, 0.5),
        fchain: result(null, 0.75),
      }),
    )!;
    expect(choice.row.identity.name).toBe('fchain');
  });
});

describe('downsampling', () => {
  it('chooses a nice bucket that keeps a series under 200 points', () => {
    expect(chooseBucketMs(1_800_000, 1000)).toBe(10_000);
    expect(chooseBucketMs(60_000, 1000)).toBe(1000);
    expect(chooseBucketMs(60_000, 5000)).toBe(5000);
    expect(Math.ceil(86_400_000 / chooseBucketMs(86_400_000, 1000))).toBeLessThanOrEqual(200);
  });

  it('keeps min, max and mean per bucket, skipping missing values', () => {
    const times = [0, 1000, 2000, 10_000, 11_000];
    const values = [1, 5, NaN, 2, 4];
    expect(bucketize(times, values, [0, 1, 2, 3, 4], 0, 10_000)).toEqual([
      { t: 0, lo: 1, hi: 5, m: 3 },
      { t: 10, lo: 2, hi: 4, m: 3 },
    ]);
  });

  it('merges events closer than the join distance into runs', () => {
    expect(mergeTimes([0, 1000, 2000, 30_000], 10_000, 1000)).toEqual([
      { start: 0, end: 3000 },
      { start: 30_000, end: 31_000 },
    ]);
  });
});

describe('host selection', () => {
  it('always shows culprits, then hosts ranked first, then others, up to the limit', () => {
    const dataset = smallSynth('memleak', 12);
    const culprit = dataset.manifest.faults[0]!.host;
    const ranked = dataset.metrics.hosts.find((h) => h !== culprit && h.startsWith('web'))!;
    const loc = { time: 0, trigger: { kind: 'slo', time: 0, host: null }, pinpointed: [], computeMs: null };
    const r = result(null, 1);
    r.localizations = [{ ...loc, ranking: [{ host: ranked, metric: null, score: 1 }] }];
    const results = { foreshock: 't', dataset: 'x', train: null, scoring: {}, algorithms: { zscore: r } };
    const sel = selectHosts(dataset, results, 3);
    expect(sel.total).toBe(12);
    expect(sel.shown).toHaveLength(3);
    expect(sel.shown.find((s) => s.host === culprit)!.reasons).toContain('culprit');
    expect(sel.shown.find((s) => s.host === ranked)!.reasons[0]).toMatch(/ranked first by zscore/);
    expect(selectHosts(dataset, results, 1).shown.map((s) => s.host)).toEqual([culprit]);
    expect(selectHosts(dataset, results, 1).omittedRankedFirst).toEqual([ranked]);
  });
});

describe('ROC inputs', () => {
  it('finds operating points however the sweep file nests them', () => {
    const points = rocPointsFrom(
      {
        sweep: {
          ubl: [
            { percentile: 90, metrics: { prediction: { tpr: 0.5, fpr: 0.1 } } },
            { percentile: 70, tpr: 0.9, fpr: 0.4 },
          ],
        },
        runs: [{ algorithm: 'prepare', faultType: 'cpuhog', points: [{ tpr: 0.3, fpr: 0.05 }] }],
      },
      'sweep.json',
    );
    expect(points).toEqual([
      { curve: 'ubl (sweep.json)', tpr: 0.5, fpr: 0.1, order: 0.1 },
      { curve: 'ubl (sweep.json)', tpr: 0.9, fpr: 0.4, order: 0.4 },
      { curve: 'prepare / cpuhog (sweep.json)', tpr: 0.3, fpr: 0.05, order: 0.05 },
    ]);
  });
});

describe('published reference numbers', () => {
  it('every entry cites a source', () => {
    for (const e of REFERENCE_ENTRIES) expect(e.source.length).toBeGreaterThan(10);
    expect(new Set(REFERENCE_ENTRIES.map((e) => e.id)).size).toBe(REFERENCE_ENTRIES.length);
  });

  const shared = resolve(process.cwd(), '../shared/data/reference_results.json');
  it.skipIf(!existsSync(shared))('the NAB scoreboard matches ../shared/data/reference_results.json', () => {
    const rows = (
      JSON.parse(readFileSync(shared, 'utf8')) as {
        NAB_scoreboard_README: { rows: Record<string, (number | string)[]> };
      }
    ).NAB_scoreboard_README.rows;
    // The shared file's row names, where ours are shorter.
    const key: Record<string, string> = {
      'Numenta HTM (NuPIC 1.0)': 'Numenta HTM (NuPIC 1.0, range over seeds)',
      'Random Cut Forest': 'Random Cut Forest (AWS proprietary)',
    };
    for (const r of NAB_SCOREBOARD.rows)
      expect([r.standard, r.lowFp, r.lowFn]).toEqual(rows[key[r.detector] ?? r.detector]);
  });
});

describe('the report', () => {
  it('is byte-identical for the same inputs and names its inputs', async () => {
    const experiment = experimentFrom(smallSynth('memleak', 3), 'small', 'datasets/small');
    const a = await buildReport([experiment], { bestFileName: 'small.best.json' });
    const b = await buildReport([experiment], { bestFileName: 'small.best.json' });
    expect(a.html).toBe(b.html);
    expect(a.warnings).toEqual([]);
    expect(a.html).toContain(experiment.results.dataset);
    expect(a.html).toContain(configHash(experiment.results.algorithms.threshold!.config));
    expect(a.html).toContain('foreshock replay --dataset datasets/small');
    // threshold (FPR 0.50 here) does not meet the rule: no predictor, threshold named as the closest.
    expect(a.best.predictor).toBeNull();
    expect(a.best.scoringRules).toBe(2);
    expect(a.best.noPredictor!.closest!.algorithm).toBe('threshold');
    expect(a.best.noPredictor!.why).toMatch(/threshold does not meet the rule/);
    expect(a.html).toContain('does not meet the rule');
    expect(a.best.localizer!.algorithm).toBe('zscore');
    expect(a.best.localizer!.configHash).toBe(configHash(experiment.results.algorithms.zscore!.config));
    expect(bestFileFor('reports/x.html')).toBe('reports/x.best.json');
    expect(bestFileFor('x')).toBe('x.best.json');
  });

  it('without its dataset still scores everything and says why there are no timelines', async () => {
    const experiment = {
      ...experimentFrom(smallSynth(), 'small'),
      dataset: null,
      datasetNote: 'NOT-FOUND-NOTE',
    };
    const { html, warnings } = await buildReport([experiment]);
    expect(warnings).toEqual([]);
    expect(html).toContain('NOT-FOUND-NOTE');
    expect(html).not.toContain('data-kind="host-timeline"');
    expect(html).toContain('data-kind="overview"');
    expect(html).toContain('<td>unknown</td>');
  });

  it('stays small for many hosts: a bounded number of host timelines, and it says which', async () => {
    const experiment = experimentFrom(smallSynth('memleak', 20), 'many');
    const { html } = await buildReport([experiment], { maxHosts: 3 });
    expect(html.match(/data-kind="host-timeline"/g)).toHaveLength(3);
    expect(html).toContain('3 of 20 hosts: the culprits, the hosts an algorithm ranked first');
    // 3 host timelines of 8 metrics at <= 200 buckets each, plus the overview: about 0.6 MB.
    expect(html.length).toBeLessThan(1_000_000);
  });
});
