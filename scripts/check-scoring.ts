// Cross-checks a results.json (from `foreshock replay` or `rescore`) against the independent reading of
// the scoring rules in test/helpers/independent-scorer.ts. Prints one line per predictor and every
// disagreement; exits 1 when a count differs by more than 1 % or a mean lead by more than 1.5 s.
//
//   node --import tsx scripts/check-scoring.ts <dataset dir> <results dir or results.json> [--train]
//
// --train: the replay used --train, so the whole test dataset is scored.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDataset } from '../src/data/dataset-io.ts';
import { independentPrediction, type IndependentParams } from '../test/helpers/independent-scorer.ts';

interface Stored {
  scoring: Record<string, unknown> & { scoredPeriod: { start: number; end: number } };
  algorithms: Record<
    string,
    {
      alarms: { time: number; host: string | null }[];
      metrics: { prediction: Record<string, unknown> | null; localization: Record<string, unknown> | null };
    }
  >;
}

const [datasetDir, resultsArg, ...rest] = process.argv.slice(2);
if (!datasetDir || !resultsArg) {
  console.error('usage: check-scoring.ts <dataset dir> <results dir or results.json> [--train]');
  process.exit(2);
}
const file = resultsArg.endsWith('.json') ? resultsArg : join(resultsArg, 'results.json');
const results = JSON.parse(readFileSync(file, 'utf8')) as Stored;
const dataset = readDataset(datasetDir);
const m = dataset.manifest;

// The scored period, read from the spec ("after the training split") and the documented default split.
const normal = m.phases.find((ph) => ph.name === 'normal');
const period = rest.includes('--train')
  ? { start: m.start, end: m.end }
  : normal && normal.end > normal.start
    ? { start: normal.end, end: m.end }
    : { start: m.start + Math.round((m.end - m.start) * 0.15), end: m.end };
const stored = results.scoring.scoredPeriod;
let bad = 0;
if (stored.start !== period.start || stored.end !== period.end) {
  console.log(`PERIOD differs: stored [${stored.start}, ${stored.end}) vs [${period.start}, ${period.end})`);
  bad++;
}
const s = results.scoring;
const params: IndependentParams = {
  pendingWindowS: s.pendingWindowS as number,
  minDurationS: s.minDurationS as number,
  recoveryGraceS: s.recoveryGraceS as number,
  gapS: s.gapS as number,
  hosts: s.hosts as 'under-test' | 'all',
};

const within = (a: number, b: number): boolean => Math.abs(a - b) <= Math.max(1, 0.01 * Math.max(a, b));
for (const [name, r] of Object.entries(results.algorithms)) {
  const fs = r.metrics.prediction;
  if (!fs) continue;
  const mine = independentPrediction(dataset, period, r.alarms, params);
  const diffs: string[] = [];
  const exact = (key: string, theirs: unknown, ours: unknown): void => {
    if (JSON.stringify(theirs) !== JSON.stringify(ours))
      diffs.push(`${key}: foreshock ${JSON.stringify(theirs)} vs independent ${JSON.stringify(ours)}`);
  };
  for (const k of ['tp', 'fp', 'tn', 'fn', 'outageSeconds', 'outageAlarmed', 'falseAlarms'] as const) {
    const theirs = fs[k] as number;
    const ours = mine[k];
    if (theirs !== ours) {
      diffs.push(
        `${k}: foreshock ${theirs} vs independent ${ours}${within(theirs, ours) ? ' (within 1 %)' : ''}`,
      );
      if (!within(theirs, ours)) bad++;
    }
  }
  for (const k of ['failingEpisodes', 'missedEpisodes', 'spuriousOnsets'] as const) exact(k, fs[k], mine[k]);
  const lead = (fs.leadTimeS as { mean: number | null }).mean;
  const leadTo = (fs.leadToFirstS as { mean: number | null }).mean;
  const near = (key: string, a: number | null, b: number | null): void => {
    if ((a === null) !== (b === null) || (a !== null && b !== null && Math.abs(a - b) > 1.5)) {
      diffs.push(`${key}: foreshock ${a} vs independent ${b}`);
      bad++;
    } else if (a !== b) diffs.push(`${key}: foreshock ${a} vs independent ${b} (within 1.5 s)`);
  };
  near('lead mean', lead, mine.meanLeadS);
  near('leadToFirst mean', leadTo, mine.meanLeadToFirstS);
  near('ttd', fs.ttdS as number | null, mine.meanTtdS);
  const fah = fs.falseAlarmsPerHour as number | null;
  if (fah !== null && mine.falseAlarmsPerHour !== null && Math.abs(fah - mine.falseAlarmsPerHour) > 1e-9)
    diffs.push(`FA/h: foreshock ${fah} vs independent ${mine.falseAlarmsPerHour}`);
  exact('scoredHosts', s.scoredHosts, mine.scoredHosts);
  const eps = (fs.episodes as { onset: number | null }[]).map((e) => e.onset);
  exact(
    'episode onsets',
    eps,
    mine.episodes.map((e) => e.onset),
  );
  console.log(
    `${name.padEnd(20)} TP/FP/TN/FN ${mine.tp}/${mine.fp}/${mine.tn}/${mine.fn} out ${mine.outageAlarmed}/${mine.outageSeconds} ` +
      `lead ${mine.meanLeadS} onsets ${mine.onsets.length} (spurious ${mine.spuriousOnsets}) FA ${mine.falseAlarms} ` +
      (diffs.length === 0 ? 'agree' : `\n    ${diffs.join('\n    ')}`),
  );
}

// Localization: AC@k null (never 0) without a case; cases = failing episodes.
for (const [name, r] of Object.entries(results.algorithms)) {
  const l = r.metrics.localization;
  if (!l) continue;
  const cases = l.cases as number;
  if (cases === 0 && (l.ac1 !== null || l.ac3 !== null || l.avg5 !== null)) {
    console.log(`${name}: AC@k not null without a case`);
    bad++;
  }
  if (cases > 0 && l.ac1 === null) {
    console.log(`${name}: AC@1 null with ${cases} case(s)`);
    bad++;
  }
}
process.exit(bad > 0 ? 1 : 0);
