// The headline card (src/report/headline.ts) as the report's first section: the banner, one row per
// algorithm in words, the verdict, then the three-times chart, so the answer is on the first screen.

import { html, type Markup } from './escape.ts';
import { rowLabel, type HeadlineCard } from './headline.ts';
import { figure, type ChartBlock } from './page.ts';

export const HEADLINE_ANCHOR = 'headline';

export function headlineSection(card: HeadlineCard, times: ChartBlock | null): Markup {
  const rows = card.rows.map(
    (r) =>
      html`<tr class="${r.floor ? 'floor' : ''}">
        <th scope="row">${rowLabel(r)}</th>
        <td>${r.kind === 'predictor' ? r.predicted : html`<span class="muted">${r.predicted}</span>`}</td>
        <td>${r.localized}</td>
        <td>${r.fixed}</td>
        <td>${r.chance}</td>
      </tr>`,
  );
  return html`<section id="${HEADLINE_ANCHOR}" class="headline">
    <h2>Headline: ${card.title}</h2>
    ${card.banner ? html`<div class="banner" role="alert"><b>${card.banner}</b></div>` : ''}
    <div class="verdict">
      <p><b>${card.verdict.predictor}</b></p>
      <p><b>${card.verdict.localizer}</b></p>
    </div>
    <div class="headline-grid">
      <div class="table-wrap">
        <table class="headline-card">
          <caption class="muted">
            Per algorithm${card.runs > 1 ? `, over ${card.runs} runs (times are means over the runs)` : ''}:
            the prediction lead to the SLO-violation onset of its maximum possible (fault start to onset), the
            time from the fault's start to the first ranking with the culprit first, the fix time (request to
            SLO recovery) and the violation seconds a fix saved. Chance floors: J = TPR - FPR is 0 for random
            alarms, AC@1 is 1/N for a random ranking of N hosts, and the seeded
            <i>[chance]</i>
            rows ran on the same data.
          </caption>
          <thead>
            <tr>
              <th scope="col">algorithm</th>
              <th scope="col">predicted</th>
              <th scope="col">localized</th>
              <th scope="col">fixed</th>
              <th scope="col">against chance</th>
            </tr>
          </thead>
          <tbody>
            ${rows}
          </tbody>
        </table>
      </div>
      ${times ? figure(times) : ''}
    </div>
  </section>`;
}
