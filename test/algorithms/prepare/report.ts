// Reproduces the PREPARE numbers of docs/prepare.md (not a test: it prints markdown tables).
//   node bin/run-ts.js test/algorithms/prepare/report.ts [--seeds 1,2,...] [--part synthetic|ablations|sweep|seed]
// Synthetic setup and scoring options: see synthetic.test.ts and history.ts. Seed traces: read from
// ../shared/data/seed-traces (skipped when absent).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { importSeed } from '../../../src/data/import/seed.ts';
import { runReplayJob } from '../../../src/runner/replay-job.ts';
import { syntheticCase, type SyntheticCase } from './history.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const seeds = (arg('seeds') ?? '1,2,3,4,5,6,7,8').split(',').map(Number);
const part = arg('part');
const FAULTS = [
  { fault: 'memleak', windowS: 80, resource: /mem|page|swap/ },
  { fault: 'cpuhog', windowS: 40, resource: /cpu|load/ },
] as const;

const cache = new Map<string, SyntheticCase>();
function caseFor(fault: 'memleak' | 'cpuhog', seed: number): SyntheticCase {
  const key = `${fault}:${seed}`;
  if (!cache.has(key)) cache.set(key, syntheticCase({ fault, seed }));
  return cache.get(key)!;
}

interface Row {
  seed: number;
  fpr: number;
  tp: number;
  fp: number;
  lead: number | null;
  maxLead: number;
  culpritFirst: string;
  top: string;
  hostOk: boolean;
  resourceOk: boolean;
  prevented: boolean;
  saved: number;
  firstAction: string;
}

function evaluateCase(fault: (typeof FAULTS)[number], seed: number, config: Record<string, unknown>): Row {
  const { test, history, culprit } = caseFor(fault.fault, seed);
  const r = runReplayJob(test, history, {
    algorithms: ['prepare'],
    configs: { prepare: config },
    trigger: { kind: 'alarm' },
    scoring: {
      pendingWindowS: fault.windowS,
      minDurationS: 3,
      recoveryGraceS: 60,
      gapS: 3,
      hosts: 'under-test' as const,
    },
  });
  const a = r.algorithms.prepare!;
  const p = a.metrics.prediction!;
  const f = test.manifest.faults[0]!;
  const onset = f.start + (p.leadTimeS.maxPossible ?? 0) * 1000;
  const first = a.alarms.find((x) => x.time >= f.start);
  const loc = a.localizations.find((l) => l.trigger.time >= f.start);
  const top = loc?.ranking[0];
  const actions = a.actions.filter((x) => x.faultId === f.id);
  const effective = actions.find((x) => x.effective);
  return {
    seed,
    fpr: p.fpr ?? NaN,
    tp: p.tp,
    fp: p.fp,
    lead: p.leadTimeS.mean,
    maxLead: p.leadTimeS.maxPossible ?? NaN,
    culpritFirst: first
      ? `${(first.time - f.start) / 1000} s ${first.host === culprit ? '(culprit)' : `(${first.host})`}`
      : '-',
    top: top ? `${top.host === culprit ? 'culprit' : top.host}/${top.metric}` : '-',
    hostOk: top?.host === culprit,
    resourceOk: top?.host === culprit && fault.resource.test(top.metric ?? ''),
    prevented: effective !== undefined && effective.completed < onset,
    saved: a.metrics.fix!.violationSecondsSaved ?? 0,
    firstAction: actions[0] ? `${actions[0].type}${actions[0].effective ? ' ok' : ' x'}` : '-',
  };
}

const fmt = (x: number | null, d = 3): string => (x === null || Number.isNaN(x) ? '-' : x.toFixed(d));

function summary(rows: Row[]): string {
  const n = rows.length;
  const mean = (f: (r: Row) => number): number => rows.reduce((s, r) => s + f(r), 0) / n;
  const leads = rows.filter((r) => r.lead !== null);
  return [
    fmt(mean((r) => r.fpr)),
    `${rows.filter((r) => r.fpr <= 0.05).length}/${n}`,
    leads.length ? fmt(leads.reduce((s, r) => s + r.lead!, 0) / leads.length, 1) : '-',
    `${rows.filter((r) => r.culpritFirst.includes('culprit') && r.lead !== null).length}/${n}`,
    `${rows.filter((r) => r.hostOk).length}/${n}`,
    `${rows.filter((r) => r.resourceOk).length}/${n}`,
    `${rows.filter((r) => r.prevented).length}/${n}`,
    fmt(
      mean((r) => r.saved),
      0,
    ),
  ].join(' | ');
}
const SUMMARY_HEAD =
  '| config | fault | mean FPR | FPR <= 0.05 | mean lead (s) | culprit alarms first, with lead | host first | host + resource first | prevented | mean violation s saved |\n|---|---|---|---|---|---|---|---|---|---|';

if (!part || part === 'synthetic') {
  for (const fault of FAULTS) {
    console.log(`\n### ${fault.fault}, default config (W = ${fault.windowS} s, excludeViolated)\n`);
    console.log(
      '| seed | FPR | TP | FP | lead (s) / max | first alarm after fault start | top of ranking | first action | violation s saved |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    const rows = seeds.map((seed) => evaluateCase(fault, seed, {}));
    for (const r of rows) {
      console.log(
        `| ${r.seed} | ${fmt(r.fpr)} | ${r.tp} | ${r.fp} | ${r.lead ?? '-'} / ${r.maxLead} | ${r.culpritFirst} | ${r.top} | ${r.firstAction} | ${r.saved} |`,
      );
    }
    console.log(`\nsummary: ${summary(rows)}`);
  }
}

const ABLATIONS: [string, Record<string, unknown>][] = [
  ['default (TAN, order 2, 3-of-5, L = 10, normal-quantile 0.999)', {}],
  ['naive Bayes', { classifier: 'naive-bayes' }],
  ['1-dependent Markov', { markovOrder: 1 }],
  ['no alarm filter', { alarmFilter: false }],
  ['no look-ahead (L = 0)', { horizonSteps: 0 }],
  ['fixed threshold 0 (MAP)', { thresholdMode: 'fixed' }],
];
const SWEEP: [string, Record<string, unknown>][] = [
  ['normalQuantile 0.99', { normalQuantile: 0.99 }],
  ['normalQuantile 0.995', { normalQuantile: 0.995 }],
  ['normalQuantile 0.999 (default)', {}],
  ['normalQuantile 0.999, threshold +2', { threshold: 2 }],
  ['normalQuantile 0.9999', { normalQuantile: 0.9999 }],
  ['fixed, threshold -5', { thresholdMode: 'fixed', threshold: -5 }],
  ['fixed, threshold 0', { thresholdMode: 'fixed' }],
  ['fixed, threshold 5', { thresholdMode: 'fixed', threshold: 5 }],
];
for (const [name, list] of [
  ['ablations', ABLATIONS],
  ['sweep', SWEEP],
] as const) {
  if (part && part !== name) continue;
  console.log(`\n### ${name} (seeds ${seeds.join(', ')})\n`);
  console.log(SUMMARY_HEAD);
  for (const [label, config] of list) {
    for (const fault of FAULTS) {
      console.log(
        `| ${label} | ${fault.fault} | ${summary(seeds.map((s) => evaluateCase(fault, s, config)))} |`,
      );
    }
  }
}

if (!part || part === 'seed') {
  const dir = path.resolve(process.cwd(), '../shared/data/seed-traces');
  if (!existsSync(dir)) {
    console.log(`\n(seed traces not found at ${dir}: skipped)`);
  } else {
    const load = (f: string) => importSeed(path.join(dir, f));
    const train = load('TrainingData.txt');
    console.log('\n### seed traces (train on TrainingData.txt, W = 50 s, every sample counted)\n');
    console.log('| test trace | algorithm | TP | FP | TN | FN | TPR | FPR | alarms |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const test of ['TestingData.txt', 'Aggregate3NoneData1.txt']) {
      const r = runReplayJob(load(test), train, {
        algorithms: ['prepare', 'threshold'],
        trigger: { kind: 'alarm' },
        scoring: {
          pendingWindowS: 50,
          minDurationS: 3,
          recoveryGraceS: 60,
          gapS: 3,
          hosts: 'under-test' as const,
        },
      });
      for (const name of ['prepare', 'threshold']) {
        const m = r.algorithms[name]!.metrics.prediction!;
        console.log(
          `| ${test} | ${name} | ${m.tp} | ${m.fp} | ${m.tn} | ${m.fn} | ${fmt(m.tpr)} | ${fmt(m.fpr, 4)} | ${r.algorithms[name]!.alarms.length} |`,
        );
      }
    }
  }
}
