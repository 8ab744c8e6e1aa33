// Reading the `scoring` block of results.json (typed `unknown` in src/core/results.ts) for display,
// and the command line that reproduces a results file.

import type { ReportResults } from './inputs.ts';

export interface ScoringView {
  /** Scoring rules version; null for results written before version 2. */
  rules: number | null;
  pendingWindowS: number | null;
  minDurationS: number | null;
  recoveryGraceS: number | null;
  gapS: number | null;
  hosts: string | null;
  scoredHosts: string[];
  trigger: { kind: string; source?: string; times?: number[] } | null;
  seed: number | null;
  trainSource: string | null;
  fixes: boolean | null;
  /** The fix model's latency per action type, as text ("restart: uniform 2-8 s (source)"). */
  fixLatencies: string[];
}

/** Reads results.scoring.fixModel.latency (src/sim/fix-model.ts) for display; unknown shapes are skipped. */
function fixLatencies(fixModel: unknown): string[] {
  const latency = (fixModel as { latency?: unknown } | null)?.latency;
  if (typeof latency !== 'object' || latency === null) return [];
  return Object.entries(latency as Record<string, Record<string, unknown>>).map(([action, d]) => {
    const source = typeof d.source === 'string' ? ` (${d.source})` : '';
    if (d.kind === 'uniform' && typeof d.minMs === 'number' && typeof d.maxMs === 'number')
      return `${action}: uniform ${d.minMs / 1000}-${d.maxMs / 1000} s${source}`;
    if (d.kind === 'empirical' && Array.isArray(d.samplesMs))
      return `${action}: empirical, ${d.samplesMs.length} measured latencies${source}`;
    return `${action}: ${String(d.kind)}${source}`;
  });
}

export function scoringOf(results: ReportResults): ScoringView {
  const s = (
    typeof results.scoring === 'object' && results.scoring !== null ? results.scoring : {}
  ) as Record<string, unknown>;
  const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const t = s.trigger as Record<string, unknown> | undefined;
  return {
    rules: n(s.rules),
    pendingWindowS: n(s.pendingWindowS),
    minDurationS: n(s.minDurationS),
    recoveryGraceS: n(s.recoveryGraceS),
    gapS: n(s.gapS),
    hosts: typeof s.hosts === 'string' ? s.hosts : null,
    scoredHosts: Array.isArray(s.scoredHosts)
      ? s.scoredHosts.filter((h): h is string => typeof h === 'string')
      : [],
    trigger:
      t && typeof t.kind === 'string'
        ? {
            kind: t.kind,
            ...(typeof t.source === 'string' ? { source: t.source } : {}),
            ...(Array.isArray(t.times)
              ? { times: t.times.filter((x): x is number => typeof x === 'number') }
              : {}),
          }
        : null,
    seed: n(s.seed),
    trainSource: typeof s.trainSource === 'string' ? s.trainSource : null,
    fixes: 'fixModel' in s ? s.fixModel !== null : null,
    fixLatencies: fixLatencies(s.fixModel),
  };
}

/** Quotes an argument for a POSIX shell when it needs it (display only). */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The `foreshock replay` command that reproduces a results file (configs from the report's appendix). */
export function reproduceCommand(results: ReportResults, datasetDir: string | null): string {
  const s = scoringOf(results);
  const args = [
    'foreshock',
    'replay',
    '--dataset',
    datasetDir ?? results.datasetPath ?? `<dir of ${results.dataset}>`,
  ];
  if (results.train) args.push('--train', `<dir of ${results.train}>`);
  if (s.trigger?.kind === 'explicit' && s.trigger.times)
    args.push('--localize-at', s.trigger.times.join(','));
  else if (s.trigger?.kind === 'alarm') {
    args.push('--trigger', 'alarm');
    if (s.trigger.source) args.push('--alarm-source', s.trigger.source);
  }
  if (s.pendingWindowS !== null) args.push('--pending-window', String(s.pendingWindowS));
  if (s.minDurationS !== null) args.push('--min-duration', String(s.minDurationS));
  if (s.recoveryGraceS !== null) args.push('--grace', String(s.recoveryGraceS));
  if (s.gapS !== null) args.push('--gap', String(s.gapS));
  if (s.hosts === 'all') args.push('--hosts', 'all');
  if (s.fixes === false) args.push('--no-fix');
  if (s.seed !== null) args.push('--seed', String(s.seed));
  if (Object.values(results.algorithms).some((a) => a.metrics.cost?.msPerSample != null))
    args.push('--measure-cost');
  args.push('--algorithms', Object.keys(results.algorithms).join(','));
  args.push('--config', '<configs.json: the configs listed under "Algorithm configs">', '--out', '<dir>');
  return args.map((a) => (a.startsWith('<') ? a : shellQuote(a))).join(' ');
}
