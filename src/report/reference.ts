// Published reference numbers for the report's "paper" column and its reference section. Each entry
// is a fact with its source; numbers are copied from the cited text as collected in
// ../shared/spec/evaluation.md ("Published reference numbers"), ../shared/spec/algorithms.md §1.9,
// ../shared/spec/seed.md and ../shared/data/reference_results.json. Protocols differ between papers
// and from foreshock's replay (testbed, workload, SLO, W), so the difference the report prints is a
// pointer for the reader, not a verdict.

/** Numbers comparable with a row of the report's table (ratios in [0, 1], times in seconds). */
export interface ReferenceValues {
  tp?: number;
  fp?: number;
  tn?: number;
  fn?: number;
  tpr?: number;
  fpr?: number;
  leadMeanS?: number;
  leadMaxPossibleS?: number;
  msPerSample?: number;
}

export interface ReferenceEntry {
  id: string;
  /** What was measured, in the paper's words. */
  title: string;
  /** The foreshock registry name this entry is compared with in the table; null = context only. */
  algorithm: string | null;
  /** The foreshock fault type it is compared with; null = any / not fault-specific. */
  faultType: string | null;
  system: string;
  values: ReferenceValues;
  /** A claim that is not a comparable number (relative gains, "a few seconds"). */
  claim?: string;
  /** Protocol details a reader needs to compare like with like. */
  protocol?: string;
  source: string;
}

const UBL = 'Dean, Nguyen, Gu: UBL, ICAC 2012';
const UBL_NUMBERS = `${UBL}, headline numbers as read from the text (../shared/spec/algorithms.md §1.9; evaluation.md)`;

export const REFERENCE_ENTRIES: readonly ReferenceEntry[] = [
  {
    id: 'ubl-rubis-memleak',
    title: 'UBL, RUBiS MemLeak',
    algorithm: 'ubl',
    faultType: 'memleak',
    system: 'RUBiS (1 web, 2 app, 1 DB; NASA trace)',
    values: { tpr: 0.97, fpr: 0.02, leadMeanS: 7, leadMaxPossibleS: 50, msPerSample: 2.4 },
    claim: 'UBL-5PtS or the best UBL curve, as read from the text',
    protocol:
      'SLO: mean response time > 100 ms; W = time from injection to violation; 30-40 repetitions per fault; ' +
      'prediction cost 2.4 ± 2.6 ms per sample (Table 1)',
    source: `${UBL_NUMBERS}; cost: UBL Table 1`,
  },
  {
    id: 'ubl-rubis-cpuleak',
    title: 'UBL, RUBiS CpuLeak',
    algorithm: 'ubl',
    faultType: 'cpuhog',
    system: 'RUBiS',
    values: { leadMeanS: 38, leadMaxPossibleS: 40 },
    claim: 'TPR/FPR given only as a ROC curve',
    protocol:
      "UBL's CpuLeak is a CPU-bound program whose CPU use grows, in the DB VM; foreshock's cpuhog is the closest fault type",
    source: UBL_NUMBERS,
  },
  {
    id: 'ubl-rubis-nethog',
    title: 'UBL, RUBiS NetHog (worst RUBiS case)',
    algorithm: 'ubl',
    faultType: 'nethog',
    system: 'RUBiS',
    values: { tpr: 0.87, fpr: 0.047 },
    source: UBL_NUMBERS,
  },
  {
    id: 'ubl-systems-memleak',
    title: 'UBL, IBM System S MemLeak',
    algorithm: null,
    faultType: 'memleak',
    system: 'IBM System S',
    values: { tpr: 0.98, fpr: 0.017, leadMeanS: 47, leadMaxPossibleS: 50 },
    source: UBL_NUMBERS,
  },
  {
    id: 'ubl-systems-cpuhog',
    title: 'UBL, IBM System S CpuHog (best without smoothing)',
    algorithm: null,
    faultType: 'cpuhog',
    system: 'IBM System S',
    values: { tpr: 0.93, fpr: 0.005, leadMeanS: 3, leadMaxPossibleS: 4 },
    source: UBL_NUMBERS,
  },
  {
    id: 'ubl-overall',
    title: 'UBL vs PCA and k-NN',
    algorithm: null,
    faultType: null,
    system: 'RUBiS, IBM System S, Hadoop',
    values: {},
    claim:
      '5.9-87.7% higher TPR and 3.3-84.5% lower FPR than PCA and k-NN; bootstrap (3-fold x 3 maps) 42 s for 6000 samples',
    source: `${UBL_NUMBERS}; bootstrap: UBL Table 1`,
  },
  {
    id: 'prepare-actuation',
    title: 'PREPARE actions (as cited by UBL)',
    algorithm: 'prepare',
    faultType: null,
    system: 'Xen VMs',
    values: {},
    claim: 'VM resource scaling within 1 s; live VM migration 10-30 s',
    source: `Tan et al.: PREPARE, ICDCS 2012, as cited in ${UBL} (evaluation.md)`,
  },
  {
    id: 'fchain-abstract',
    title: 'FChain (abstract)',
    algorithm: 'fchain',
    faultType: null,
    system: 'RUBiS, Hadoop, IBM System S',
    values: {},
    claim:
      'up to 90% higher precision and 20% higher recall than existing schemes; pinpoints within a few seconds; < 1% overhead',
    protocol: 'relative to the compared schemes, so no absolute precision/recall to compare with',
    source: 'Nguyen, Shen, Tan, Gu: FChain, ICDCS 2013, abstract (algorithms.md §3.0)',
  },
  {
    id: 'seed-htm-cpuhog',
    title: 'Seed project, HTM Model I, CPU hog (threshold 0.98)',
    algorithm: 'htm',
    faultType: 'cpuhog',
    system: 'RUBiS-like PHP + MySQL on AWS (web server metrics only)',
    values: { tp: 3, fp: 33, tn: 2188, fn: 50, tpr: 3 / 53, fpr: 33 / 2221 },
    claim: 'reported as "95.9% accuracy"; lead time 12 s',
    protocol: '50 s window, SLO 70 ms',
    source: '2018 NCSU CSC 724 course project (../shared/spec/seed.md; evaluation.md)',
  },
];

export interface NabScoreboardRow {
  detector: string;
  /** Normalized NAB scores (null = 0, perfect = 100); a range where the source gives one over seeds. */
  standard: number | string;
  lowFp: number | string;
  lowFn: number | string;
}

/** The NAB scoreboard, for the NAB benchmark section of a report (scores "as of NAB v1.0"). */
export const NAB_SCOREBOARD: { source: string; rows: readonly NabScoreboardRow[] } = {
  source:
    'numenta/NAB README.md @ea702d7 (evaluation.md; ../shared/data/reference_results.json NAB_scoreboard_README)',
  rows: [
    { detector: 'ARTime', standard: 74.9, lowFp: 65.1, lowFn: 80.4 },
    { detector: 'Numenta HTM (NuPIC 1.0)', standard: '70.5-69.7', lowFp: '62.6-61.7', lowFn: '75.2-74.2' },
    { detector: 'CAD OSE', standard: 69.9, lowFp: 67.0, lowFn: 73.2 },
    { detector: 'KNN CAD', standard: 58.0, lowFp: 43.4, lowFn: 64.8 },
    { detector: 'Random Cut Forest', standard: 51.7, lowFp: 38.4, lowFn: 59.7 },
    { detector: 'Windowed Gaussian', standard: 39.6, lowFp: 20.9, lowFn: 47.4 },
    { detector: 'Random (mean over seeds)', standard: 11.0, lowFp: 1.2, lowFn: 19.5 },
    { detector: 'Null', standard: 0, lowFp: 0, lowFn: 0 },
  ],
};

/** The entry the table compares an (algorithm, fault type) row with, if any. */
export function referenceFor(algorithm: string, faultType: string): ReferenceEntry | null {
  return (
    REFERENCE_ENTRIES.find((e) => e.algorithm === algorithm && e.faultType === faultType) ??
    REFERENCE_ENTRIES.find((e) => e.algorithm === algorithm && e.faultType === null) ??
    null
  );
}
