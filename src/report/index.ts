// The report library: `foreshock report` and `npm run experiment` go through these.
export {
  buildBenchmarksReport,
  buildReport,
  bestFileFor,
  writeBenchmarksReport,
  writeReport,
  type BestModelFile,
  type ReportOptions,
  type WrittenReport,
} from './build.ts';
export { benchmarksSection, ranked } from './benchmarks.ts';
export {
  checkLeaderboard,
  readLeaderboardFile,
  type Leaderboard,
  type LeaderboardInput,
} from './leaderboard-input.ts';
export { configHash, canonicalJson, sha256Hex } from './canonical.ts';
export { escapeHtml, scriptJson } from './escape.ts';
export {
  checkResults,
  datasetFilesHash,
  loadExperiments,
  readResults,
  withDatasetPath,
  type ExperimentInput,
  type ReportResults,
} from './inputs.ts';
export { readRocFile } from './roc-input.ts';
export { REFERENCE_ENTRIES, NAB_SCOREBOARD, referenceFor } from './reference.ts';
export { FPR_BOUND, LOCALIZER_RULE, PREDICTOR_RULE } from './verdict.ts';
