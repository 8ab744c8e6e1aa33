// Builds the comparison report: inputs -> summary and verdict -> charts (rendered to SVG in Node)
// -> one HTML file, plus the best-model JSON that live mode reads. Deterministic: the same inputs
// give byte-identical files (no dates, no absolute paths beyond those given, stable ordering).

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InternalError } from '../core/errors.ts';
import { isoTime } from '../core/time.ts';
import { atomicWrite } from '../data/dataset-io.ts';
import { VERSION } from '../version.ts';
import { BENCHMARKS_ANCHOR, benchmarksSection } from './benchmarks.ts';
import { renderSvg, type VlSpec } from './charts/render.ts';
import { rocSpec, type RocCurvePoint, type RocPoint } from './charts/roc.ts';
import { hostTimelineSpec, overviewSpec, type TimelineEvents } from './charts/timeline.ts';
import { TIME_MEASURES, timesSpec, type TimeBar } from './charts/times.ts';
import { bucketize, chooseBucketMs, maxBucketsFor, rowsByHost, sloSeries } from './downsample.ts';
import { html, type Markup } from './escape.ts';
import { experimentEvents, timelineFrame, type ExperimentEvents, type TimelineFrame } from './events.ts';
import { DEFAULT_MAX_HOSTS, DEFAULT_MAX_METRICS, selectHosts, selectMetrics } from './hosts.ts';
import { faultTypeOf, type ExperimentInput } from './inputs.ts';
import type { LeaderboardInput } from './leaderboard-input.ts';
import { documentShell, figure, type ChartBlock } from './page.ts';
import {
  comparisonSection,
  configsSection,
  faultList,
  provenanceSection,
  referencesSection,
  sloText,
  summaryTable,
  verdictSection,
} from './sections.ts';
import { summarize, type SummaryRow } from './summary.ts';
import { headlineFor, rowLabel, type HeadlineCard } from './headline.ts';
import { HEADLINE_ANCHOR, headlineSection } from './headline-html.ts';
import { spreadSection, type RunRows } from './spread.ts';
import { SCORING_RULES } from '../eval/params.ts';
import { chooseLocalizer, choosePredictor, LOCALIZER_RULE, PREDICTOR_RULE, type Choice } from './verdict.ts';

export interface ReportOptions {
  title?: string;
  /** Host timelines per experiment (default 12; culprits are always shown). */
  maxHosts?: number;
  /** Metric panels per host timeline (default 16). */
  maxMetrics?: number;
  /** Sweep results for ROC curves (see roc-input.ts). */
  rocCurves?: RocCurvePoint[];
  /** The best-model file's name as the report mentions it (it sits next to the report). */
  bestFileName?: string;
  /** Benchmark leaderboards (leaderboard.json of `foreshock bench nab|smd`): a "Benchmarks" section. */
  leaderboards?: LeaderboardInput[];
}

export interface BestModelEntry {
  algorithm: string;
  kind: string;
  config: unknown;
  configHash: string;
  /** The modes it ran in (PREPARE: supervised / unlabeled), when it reports one. */
  modes?: { mode: string; reason: string }[];
  meetsRule: boolean;
  why: string;
  evidence: Record<string, number | null>;
}

export interface BestModelFile {
  format: 'foreshock-best-model/1';
  foreshock: string;
  /** Scoring rules version the verdict was taken under. */
  scoringRules: number;
  rules: { predictor: string; localizer: string };
  /** Null when no predictor meets the rule (live mode then asks for --model). */
  predictor: BestModelEntry | null;
  /** Why there is no predictor, and the one closest to the rule (highest J with a true positive). */
  noPredictor?: { why: string; closest: BestModelEntry | null };
  localizer: BestModelEntry | null;
  inputs: {
    results: string | null;
    resultsSha256: string | null;
    foreshock: string;
    dataset: string;
    datasetPath: string | null;
    datasetSha256: string | null;
    faultType: string;
  }[];
}

export interface BuiltReport {
  html: string;
  best: BestModelFile;
  /** Number of charts rendered. */
  charts: number;
  /** Warnings from vega/vega-lite while rendering (none expected). */
  warnings: string[];
}

function bestEntry(choice: Choice | null): BestModelEntry | null {
  if (!choice) return null;
  const r = choice.row;
  const evidence: Record<string, number | null> =
    r.identity.kind === 'predictor'
      ? {
          runs: r.runs,
          tp: r.prediction?.tp ?? null,
          fp: r.prediction?.fp ?? null,
          tn: r.prediction?.tn ?? null,
          fn: r.prediction?.fn ?? null,
          tpr: r.prediction?.tpr ?? null,
          fpr: r.prediction?.fpr ?? null,
          j: r.prediction?.j ?? null,
          falseAlarmsPerHour: r.prediction?.falseAlarmsPerHour ?? null,
          leadMeanS: r.prediction?.leadMeanS ?? null,
          missedEpisodes: r.prediction?.missedEpisodes ?? null,
        }
      : {
          runs: r.runs,
          ac1: r.localization?.ac1 ?? null,
          chanceAc1: r.localization?.chanceAc1 ?? null,
          ac3: r.localization?.ac3 ?? null,
          avg5: r.localization?.avg5 ?? null,
          timeS: r.localization?.timeS ?? null,
        };
  return {
    algorithm: r.identity.name,
    kind: r.identity.kind,
    config: r.identity.config,
    configHash: r.identity.configHash,
    ...(r.modes.length > 0 ? { modes: r.modes } : {}),
    meetsRule: choice.meetsRule,
    why: choice.why,
    evidence,
  };
}

class ChartSet {
  readonly blocks: ChartBlock[] = [];
  readonly warnings: string[] = [];
  async add(kind: string, caption: string, spec: VlSpec): Promise<ChartBlock> {
    const id = `chart-${this.blocks.length + 1}`;
    const { svg, warnings } = await renderSvg(spec);
    for (const w of warnings) this.warnings.push(`${id} (${kind}): ${w}`);
    const block = { id, kind, caption, svg, spec };
    this.blocks.push(block);
    return block;
  }
}

function eventsFor(all: ExperimentEvents, host: string | null): TimelineEvents {
  return {
    algorithms: all.algorithms,
    faults: all.faults,
    violations: all.violations,
    alarmRuns: all.alarmRuns(host),
    localizations: all.localizations(host),
    fixes: all.fixes(host),
  };
}

function timeBars(input: ExperimentInput): TimeBar[] {
  return Object.entries(input.results.algorithms).flatMap(([algorithm, r]) => {
    const values: Record<(typeof TIME_MEASURES)[number], number | null> = {
      'prediction lead (mean)': r.metrics.prediction?.leadTimeS.mean ?? null,
      'time to localize': r.metrics.localization?.ttlS ?? null,
      fix: r.metrics.fix?.fixTimeS ?? null,
    };
    return TIME_MEASURES.map((measure) => ({ algorithm, measure, value: values[measure] }));
  });
}

/** The three times of the headline card (pooled: means over the runs), in the card's order. */
function cardTimeBars(card: HeadlineCard): TimeBar[] {
  return card.rows.flatMap((r) => {
    const values: Record<(typeof TIME_MEASURES)[number], number | null> = {
      'prediction lead (mean)': r.numbers.leadS,
      'time to localize': r.numbers.ttlS,
      fix: r.numbers.fixS,
    };
    return TIME_MEASURES.map((measure) => ({ algorithm: rowLabel(r), measure, value: values[measure] }));
  });
}

async function experimentSection(
  input: ExperimentInput,
  anchor: string,
  faultType: string,
  rows: SummaryRow[],
  charts: ChartSet,
  opts: Required<Pick<ReportOptions, 'maxHosts' | 'maxMetrics'>> & { timesChart: boolean; heading: string },
): Promise<Markup> {
  const { results, dataset } = input;
  // Which hosts and metrics are drawn decides the bucket length: the more panels, the longer the
  // buckets (PANEL_BUCKET_BUDGET), so a run's report stays small without dropping a panel.
  const selection = dataset ? selectHosts(dataset, results, opts.maxHosts) : null;
  const metricsOf = new Map(
    (selection?.shown ?? []).map(({ host }) => [
      host,
      selectMetrics(dataset!, results, host, opts.maxMetrics),
    ]),
  );
  const panels = 1 + [...metricsOf.values()].reduce((a, m) => a + m.metrics.length, 0);
  const frame: TimelineFrame = timelineFrame(results, dataset, (span, interval) =>
    chooseBucketMs(span, interval, maxBucketsFor(panels)),
  );
  const bucketS = frame.bucketMs / 1000;
  const originLabel = `the run's start (${isoTime(frame.originMs)})`;
  const events = experimentEvents(results, dataset, frame);
  const algorithms = Object.keys(results.algorithms);

  const slo = dataset ? sloSeries(dataset) : null;
  const sloBuckets = slo
    ? {
        signal: slo.signal,
        threshold: slo.threshold,
        buckets: bucketize(
          slo.times,
          slo.values,
          Int32Array.from(slo.times, (_t, i) => i),
          frame.originMs,
          frame.bucketMs,
        ),
      }
    : null;
  const overview = await charts.add(
    'overview',
    `${opts.heading}: SLO signal and every algorithm's alarms, localizations and fixes`,
    overviewSpec(sloBuckets, eventsFor(events, null), frame, originLabel),
  );
  // With one experiment the headline card already shows its three times.
  const times = opts.timesChart
    ? await charts.add(
        'times',
        `${opts.heading}: prediction lead, time to localize and fix time per algorithm (seconds)`,
        timesSpec(
          timeBars(input),
          algorithms,
          `${opts.heading}: the three times per algorithm (seconds; n/a = did not happen)`,
        ),
      )
    : null;

  let hostPart: Markup;
  if (!dataset) {
    hostPart = html`<p class="note">
      No metric or SLO timelines: ${input.datasetNote ?? 'dataset not available'}.
    </p>`;
  } else {
    const sel = selection!;
    const byHost = rowsByHost(dataset);
    const figures: Markup[] = [];
    for (const { host, reasons } of sel.shown) {
      const h = dataset.metrics.hosts.indexOf(host);
      const { metrics, omitted } = metricsOf.get(host)!;
      const panels = metrics.map((metric) => ({
        metric,
        buckets: bucketize(
          dataset.metrics.time,
          dataset.metrics.columns[dataset.metrics.metrics.indexOf(metric)]!,
          byHost[h]!,
          frame.originMs,
          frame.bucketMs,
        ),
      }));
      const role = dataset.manifest.hosts.find((x) => x.id === host)?.role;
      const chart = await charts.add(
        'host-timeline',
        `host ${host}${role ? ` (${role})` : ''}: ${reasons.join('; ')}`,
        hostTimelineSpec(panels, eventsFor(events, host), frame, originLabel),
      );
      figures.push(
        figure(
          chart,
          omitted > 0
            ? html`<p class="muted">
                ${omitted} of ${dataset.metrics.metrics.length} metrics not drawn (limit ${opts.maxMetrics};
                the fault's culprit metrics and the metrics rankings named come first).
              </p>`
            : null,
        ),
      );
    }
    const shownAll = sel.shown.length === sel.total;
    hostPart = html`<h3>Host timelines</h3>
      <p>
        ${
          shownAll
            ? `All ${sel.total} hosts.`
            : `${sel.shown.length} of ${sel.total} hosts: the culprits, the hosts an algorithm ranked first, then others in manifest order, up to ${opts.maxHosts}.`
        }${
          sel.omittedRankedFirst.length > 0
            ? ` Also ranked first by some algorithm but not drawn: ${sel.omittedRankedFirst.join(', ')}.`
            : ''
        }
        Each metric panel shows per-${bucketS} s buckets: the band spans the bucket's minimum to maximum, the
        line is its mean.
      </p>
      ${figures}`;
  }

  return html`<section id="${anchor}" class="experiment">
    <h2>Experiment ${opts.heading}</h2>
    <p>
      Dataset <b>${results.dataset}</b> (${faultType}); SLO ${sloText(dataset)}; results by foreshock
      ${results.foreshock}${input.resultsFile ? html`, read from <code>${input.label}</code>` : ''}.
    </p>
    ${dataset ? faultList(dataset) : html`<p class="note">${input.datasetNote ?? 'dataset not available'}</p>`}
    <p class="muted">
      Timelines: x is seconds since the run's start (${isoTime(frame.originMs)}); charts use ${bucketS} s
      buckets; alarms closer than ${bucketS} s are drawn as one run; a triangle marks a localization at its
      time (on a host chart: a ranking with that host first), a diamond a fix's completion with a line from
      its request.
    </p>
    ${figure(overview)} ${times ? figure(times) : ''} ${summaryTable(rows, false)} ${hostPart}
  </section>`;
}

/** An experiment's name in headings: its dataset and fault type (not the results path), numbered when repeated. */
function experimentHeading(experiments: ExperimentInput[], i: number): string {
  const e = experiments[i]!;
  const base = `${e.results.dataset} (${faultTypeOf(e.dataset)})`;
  const same = experiments.filter((x) => x.results.dataset === e.results.dataset);
  return same.length > 1 ? `${base}, run ${same.indexOf(e) + 1} of ${same.length}` : base;
}

export async function buildReport(
  experiments: ExperimentInput[],
  options: ReportOptions = {},
): Promise<BuiltReport> {
  const opts = {
    maxHosts: options.maxHosts ?? DEFAULT_MAX_HOSTS,
    maxMetrics: options.maxMetrics ?? DEFAULT_MAX_METRICS,
  };
  const charts = new ChartSet();
  const summary = summarize(experiments);
  const predictor = choosePredictor(summary.pooled);
  const localizer = chooseLocalizer(summary.pooled);
  const views = experiments.map((input, i) => ({
    input,
    faultType: faultTypeOf(input.dataset),
    anchor: `exp-${i + 1}`,
    heading: experimentHeading(experiments, i),
  }));
  const card = headlineFor(experiments);
  const cardTimes = await charts.add(
    'times',
    `The three times per algorithm${experiments.length > 1 ? ` (means over ${experiments.length} runs)` : ''}: prediction lead before the SLO-violation onset, time from the fault's start to the culprit named first, fix time (seconds)`,
    timesSpec(
      cardTimeBars(card),
      card.rows.map((r) => rowLabel(r)),
      'seconds (n/a = did not happen)',
      true,
    ),
  );

  const rocPoints: RocPoint[] = summary.rows
    .filter((r) => r.prediction && r.prediction.tpr !== null && r.prediction.fpr !== null)
    .map((r) => ({
      algorithm: r.identity.label,
      faultType: r.faultType,
      tpr: r.prediction!.tpr!,
      fpr: r.prediction!.fpr!,
    }));
  const curves = options.rocCurves ?? [];
  const roc = await charts.add(
    'roc',
    curves.length > 0
      ? 'ROC: operating points per algorithm and fault type, with the swept curves'
      : 'ROC space: one operating point per algorithm and fault type',
    rocSpec(rocPoints, curves),
  );

  const sections: Markup[] = [];
  const perRun: RunRows[] = [];
  for (const v of views) {
    const rows = summarize([v.input]).rows;
    perRun.push({ heading: v.heading, anchor: v.anchor, rows });
    sections.push(
      await experimentSection(v.input, v.anchor, v.faultType, rows, charts, {
        ...opts,
        timesChart: views.length > 1,
        heading: v.heading,
      }),
    );
  }
  const leaderboards = options.leaderboards ?? [];
  if (leaderboards.length > 0) sections.push(await benchmarksSection(leaderboards, charts));

  const title = options.title ?? `foreshock: ${card.title}`;
  const nav = html`<nav>
    <ul>
      <li><a href="#${HEADLINE_ANCHOR}">Headline</a>, <a href="#verdict">best model</a></li>
      <li>
        <a href="#comparison">Comparison across experiments</a
        >${views.length > 1 ? html`, <a href="#spread">spread across repetitions</a>` : ''} and
        <a href="#roc">ROC</a>
      </li>
      ${views.map((v) => html`<li><a href="#${v.anchor}">Experiment ${v.heading}</a></li>`)}
      ${leaderboards.length > 0 ? html`<li><a href="#${BENCHMARKS_ANCHOR}">Benchmarks</a> (${leaderboards.map((l) => l.board.benchmark).join(', ')})</li>` : ''}
      <li>
        <a href="#inputs">Inputs and reproduction</a>, <a href="#configs">algorithm configs</a>,
        <a href="#references">published reference numbers</a>
      </li>
    </ul>
  </nav>`;
  const rocSection = html`<section id="roc">
    <h2>ROC</h2>
    ${
      curves.length > 0
        ? html`<p>
            Curves from the sweep results given with --roc; points are the operating points of the runs in
            this report.
          </p>`
        : html`<p class="note">
            Each point is one operating point (the algorithm's configured threshold) per fault type. A curve
            needs a threshold sweep (UBL: the area percentile 70..98; PREPARE: the log-odds threshold); pass
            sweep results with <code>--roc &lt;file&gt;</code>.
          </p>`
    }
    ${rocPoints.length === 0 ? html`<p class="note">No predictor has both TPR and FPR in these results.</p>` : ''}
    ${figure(roc)}
  </section>`;

  const body = html`<header>
      <h1>${title}</h1>
      <p class="muted">
        foreshock ${VERSION} comparison report: ${experiments.length} experiment(s),
        ${summary.identities.length} algorithm config(s). Times are seconds; TPR/FPR per sample with the
        pending window W (UBL Eq. 5), outage seconds left out; scoring rules version ${SCORING_RULES}
        (docs/scoring.md).
      </p>
    </header>
    ${headlineSection(card, cardTimes)} ${nav}
    ${verdictSection(predictor, localizer, options.bestFileName ?? null)}
    ${comparisonSection(summary.rows, summary.faultTypes)} ${spreadSection(perRun) ?? ''} ${rocSection}
    ${sections} ${provenanceSection(views, VERSION)} ${configsSection(summary.identities)}
    ${referencesSection()}`;

  const best: BestModelFile = {
    format: 'foreshock-best-model/1',
    foreshock: VERSION,
    rules: { predictor: PREDICTOR_RULE, localizer: LOCALIZER_RULE },
    scoringRules: SCORING_RULES,
    predictor: predictor?.meetsRule ? bestEntry(predictor) : null,
    ...(predictor?.meetsRule
      ? {}
      : {
          noPredictor: {
            why: predictor
              ? `${predictor.why}: ${predictor.row.identity.label} does not meet the rule`
              : 'no predictor has a true positive in these results',
            closest: bestEntry(predictor),
          },
        }),
    localizer: bestEntry(localizer),
    inputs: views.map(({ input, faultType }) => ({
      results: input.resultsFile,
      resultsSha256: input.resultsSha256,
      foreshock: input.results.foreshock,
      dataset: input.results.dataset,
      datasetPath: input.datasetDir ?? input.results.datasetPath ?? null,
      datasetSha256: input.datasetSha256,
      faultType,
    })),
  };
  return { html: documentShell(title, body), best, charts: charts.blocks.length, warnings: charts.warnings };
}

/** The best-model file next to a report: reports/x.html -> reports/x.best.json. */
export function bestFileFor(htmlFile: string): string {
  return /\.html?$/i.test(htmlFile) ? htmlFile.replace(/\.html?$/i, '.best.json') : `${htmlFile}.best.json`;
}

export interface WrittenReport {
  htmlFile: string;
  /** Null for a benchmarks-only report (no runs, so no best model). */
  bestFile: string | null;
  bytes: number;
  charts: number;
  warnings: string[];
  best: BestModelFile | null;
}

export interface BuiltBenchmarksReport {
  html: string;
  charts: number;
  warnings: string[];
}

/** A report with only the Benchmarks section (no results: no verdict, no best-model file). */
export async function buildBenchmarksReport(
  leaderboards: LeaderboardInput[],
  options: Pick<ReportOptions, 'title'> = {},
): Promise<BuiltBenchmarksReport> {
  if (leaderboards.length === 0)
    throw new InternalError('a benchmarks report needs at least one leaderboard');
  const charts = new ChartSet();
  const section = await benchmarksSection(leaderboards, charts);
  const title = options.title ?? `foreshock benchmarks: ${leaderboards.map((l) => l.label).join(', ')}`;
  const body = html`<header>
      <h1>${title}</h1>
      <p class="muted">
        foreshock ${VERSION} benchmark report: ${leaderboards.length} leaderboard(s)
        (${leaderboards.map((l) => l.board.benchmark).join(', ')}).
      </p>
    </header>
    ${section}`;
  return { html: documentShell(title, body), charts: charts.blocks.length, warnings: charts.warnings };
}

function writeHtml(htmlFile: string, page: string): number {
  mkdirSync(dirname(htmlFile), { recursive: true });
  const bytes = Buffer.from(page, 'utf8');
  atomicWrite(htmlFile, bytes);
  return bytes.length;
}

/** Writes a benchmarks-only report (as `foreshock bench nab|smd` does next to leaderboard.json). */
export async function writeBenchmarksReport(
  leaderboards: LeaderboardInput[],
  htmlFile: string,
  options: Pick<ReportOptions, 'title'> = {},
): Promise<WrittenReport> {
  const built = await buildBenchmarksReport(leaderboards, options);
  const bytes = writeHtml(htmlFile, built.html);
  return { htmlFile, bestFile: null, bytes, charts: built.charts, warnings: built.warnings, best: null };
}

/**
 * Builds the report and writes it (and the best-model JSON next to it), each atomically. Without
 * experiments it is a benchmarks-only report of `options.leaderboards`, and no best-model file.
 */
export async function writeReport(
  experiments: ExperimentInput[],
  htmlFile: string,
  options: ReportOptions = {},
): Promise<WrittenReport> {
  if (experiments.length === 0) return writeBenchmarksReport(options.leaderboards ?? [], htmlFile, options);
  const bestFile = bestFileFor(htmlFile);
  const built = await buildReport(experiments, {
    ...options,
    bestFileName: options.bestFileName ?? bestFile.split(/[\\/]/).pop()!,
  });
  const bytes = writeHtml(htmlFile, built.html);
  atomicWrite(bestFile, `${JSON.stringify(built.best, null, 2)}\n`);
  return {
    htmlFile,
    bestFile,
    bytes,
    charts: built.charts,
    warnings: built.warnings,
    best: built.best,
  };
}
