// The report's "Benchmarks" section: one table per leaderboard.json (NAB: the three profile scores;
// SMD: F1, point-adjusted F1, HitRate), foreshock's detectors marked and ranked among the published
// peers, and for NAB a bar chart of the standard scores. Every value goes through the `html` tag.

import type {
  NabLeaderboard,
  NabLeaderboardEntry,
  SmdLeaderboard,
  SmdLeaderboardEntry,
} from '../benchmarks/leaderboard.ts';
import type { VlSpec } from './charts/render.ts';
import { nabScoresSpec, type NabBar } from './charts/nab-scores.ts';
import { html, type Markup } from './escape.ts';
import { NA } from './format.ts';
import type { LeaderboardInput } from './leaderboard-input.ts';
import { figure, type ChartBlock } from './page.ts';

/** Where charts are rendered and numbered (the report's chart set). */
export interface ChartSink {
  add(kind: string, caption: string, spec: VlSpec): Promise<ChartBlock>;
}

export const BENCHMARKS_ANCHOR = 'benchmarks';

/**
 * Leaderboard order: by the benchmark's headline score, highest first; on a tie foreshock's row
 * first (as `foreshock bench` writes it); otherwise the file's order. The file is not trusted to be
 * sorted (it may be edited or hand-made).
 */
export function ranked<E extends { origin: string }>(entries: readonly E[], score: (e: E) => number): E[] {
  return entries
    .map((e, i) => ({ e, i }))
    .sort(
      (a, b) =>
        score(b.e) - score(a.e) ||
        (a.e.origin === b.e.origin ? 0 : a.e.origin === 'foreshock' ? -1 : 1) ||
        a.i - b.i,
    )
    .map(({ e }) => e);
}

/** A score as recorded, to at most 3 decimals (foreshock writes 3, the published table 1-2). */
function score(v: number): string {
  return String(Math.round(v * 1000) / 1000);
}

function rate(v: number | null | undefined): string {
  return v === null || v === undefined ? NA : v.toFixed(3);
}

const num = (text: string): Markup => html`<td class="num">${text}</td>`;

function detectorCell(name: string, origin: string): Markup {
  return origin === 'foreshock'
    ? html`<td><b>${name}</b> <span class="tag">foreshock</span></td>`
    : html`<td>${name}</td>`;
}

/** Names made unique for a chart axis (a repeated name would merge two bars). */
function uniqueLabels(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n} (${k})`;
  });
}

/** "foreshock windowed-gaussian ranks 3 of 22": the best foreshock row's place. */
function placeText(order: readonly { name: string; origin: string }[], what: string): string {
  const i = order.findIndex((e) => e.origin === 'foreshock');
  if (i < 0) return 'No foreshock detector in this leaderboard.';
  return `Best foreshock detector: ${order[i]!.name}, rank ${i + 1} of ${order.length} by ${what}.`;
}

async function nabPart(input: LeaderboardInput, board: NabLeaderboard, charts: ChartSink): Promise<Markup> {
  const order = ranked(board.entries, (e) => e.standard);
  const rows = order.map(
    (e: NabLeaderboardEntry, i) =>
      html`<tr class="${e.origin === 'foreshock' ? 'ours' : ''}">
        ${num(String(i + 1))} ${detectorCell(e.name, e.origin)}
        ${num(score(e.standard))}${num(score(e.reward_low_FP_rate))}${num(score(e.reward_low_FN_rate))}
        <td>${e.origin === 'foreshock' ? (e.thresholdRule ?? NA) : 'published'}</td>
        <td class="paper">${e.note ?? ''}</td>
      </tr>`,
  );
  const labels = uniqueLabels(order.map((e) => e.name));
  const bars: NabBar[] = order.map((e, i) => ({
    detector: labels[i]!,
    origin: e.origin,
    standard: e.standard,
  }));
  const chart = await charts.add(
    'nab-standard',
    `NAB (${input.label}): standard-profile score per detector, foreshock's among the published peers`,
    nabScoresSpec(bars),
  );
  return html`<h3>NAB: ${input.label}</h3>
    <p>
      Corpus ${board.corpus}. Scores are normalised (null detector 0, perfect 100) for the three NAB profiles:
      standard, reward low FP rate, reward low FN rate. foreshock's rows carry their threshold search (<code
        >local</code
      >
      is NAB's published procedure, the like-for-like rule; <code>sweep</code> the global optimum;
      <code>given</code> fixed thresholds). Published rows: ${board.publishedSource}.
      ${placeText(order, 'standard score')}
    </p>
    <div class="table-wrap">
      <table class="leaderboard" data-benchmark="NAB">
        <thead>
          <tr>
            <th>rank</th>
            <th>detector</th>
            <th>standard</th>
            <th>reward low FP</th>
            <th>reward low FN</th>
            <th>threshold rule</th>
            <th>note</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>
    ${figure(chart)}`;
}

function smdPart(input: LeaderboardInput, board: SmdLeaderboard): Markup {
  const order = ranked(board.entries, (e) => e.f1PointAdjusted);
  const rows = order.map(
    (e: SmdLeaderboardEntry, i) =>
      html`<tr class="${e.origin === 'foreshock' ? 'ours' : ''}">
        ${num(String(i + 1))} ${detectorCell(e.name, e.origin)}
        ${num(rate(e.f1PointAdjusted))}${num(rate(e.f1))}${num(rate(e.hitRate100))}${num(rate(e.hitRate150))}
        <td class="paper">${e.origin === 'foreshock' ? 'foreshock bench smd' : (e.source ?? 'published')}</td>
      </tr>`,
  );
  return html`<h3>SMD: ${input.label}</h3>
    <p>
      Machines: ${board.machines.length > 0 ? board.machines.join(', ') : NA}. Ranked by point-adjusted F1
      (best threshold); F1 is point-wise at its own best threshold; HitRate@100%/@150% is OmniAnomaly's
      culprit-metric measure. ${placeText(order, 'point-adjusted F1')}
    </p>
    <div class="table-wrap">
      <table class="leaderboard" data-benchmark="SMD">
        <thead>
          <tr>
            <th>rank</th>
            <th>detector</th>
            <th>F1 point-adjusted</th>
            <th>F1</th>
            <th>HitRate@100%</th>
            <th>HitRate@150%</th>
            <th>source</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>
    <p class="muted">${board.caveat}</p>`;
}

export async function benchmarksSection(
  inputs: readonly LeaderboardInput[],
  charts: ChartSink,
): Promise<Markup> {
  const parts: Markup[] = [];
  for (const input of inputs) {
    const board = input.board;
    parts.push(board.benchmark === 'NAB' ? await nabPart(input, board, charts) : smdPart(input, board));
  }
  return html`<section id="${BENCHMARKS_ANCHOR}">
    <h2>Benchmarks</h2>
    <p>
      foreshock's detectors (bold, marked "foreshock") ranked among published peers, from the
      <code>leaderboard.json</code> files <code>foreshock bench nab|smd</code> writes. Published numbers come
      from their sources as cited; protocols can differ (see each table's notes), so a rank is a pointer, not
      a like-for-like test.
    </p>
    ${parts}
  </section>`;
}
