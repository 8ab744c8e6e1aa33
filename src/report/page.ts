// The HTML shell: one self-contained file (inline CSS, inline SVG, embedded specs, one small inline
// script), no external resources, so it opens offline from file:// and in a mail attachment.

import { escapeHtml, html, scriptJson, trusted, vetSvg, type Markup } from './escape.ts';
import type { VlSpec } from './charts/render.ts';

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1480px; padding: 0 20px 60px; color: #1d1d1f; }
h1 { font-size: 24px; margin: 24px 0 4px; }
h2 { font-size: 19px; margin: 36px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 22px 0 6px; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: #f6f8fa; padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
nav ul { margin: 4px 0; padding-left: 20px; }
.note { background: #fff8e1; border-left: 4px solid #f2a93b; padding: 6px 10px; margin: 8px 0; }
.muted { color: #666; }
.table-wrap { overflow-x: auto; margin: 8px 0; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #ddd; padding: 3px 6px; vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
table.facts th { text-align: left; white-space: nowrap; }
table.facts code { word-break: break-all; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.paper { min-width: 150px; max-width: 260px; font-size: 11px; }
p code { overflow-wrap: anywhere; }
table.summary td, table.summary th { padding: 3px 4px; }
table.summary caption { text-align: left; font-weight: 600; padding: 4px 0; }
table.summary th[scope='row'] { text-align: left; white-space: nowrap; background: none; font-weight: 600; vertical-align: top; }
th { vertical-align: bottom; }
tr.group-start td { border-top: 2px solid #999; }
figure.chart { margin: 12px 0 20px; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
figure.chart .svg-wrap { overflow-x: auto; }
figure.chart svg { display: block; max-width: none; font-family: sans-serif; }
.spec-link { font-size: 12px; margin: 2px 0 0; }
.verdict { border: 1px solid #cfd8dc; background: #f7fbfc; padding: 8px 12px; margin: 8px 0; }
tr.ours td { background: #fff1ec; }
.banner { background: #fdecea; border-left: 6px solid #c62828; color: #7f1d1d; padding: 8px 12px; margin: 8px 0; }
.headline-grid { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 16px; align-items: start; }
.headline-grid figure.chart { margin-top: 8px; width: 620px; }
table.headline-card { font-size: 12px; width: 100%; }
table.headline-card caption { text-align: left; caption-side: bottom; font-size: 12px; padding-top: 4px; }
table.headline-card th[scope='row'] { text-align: left; white-space: nowrap; vertical-align: top; }
tr.floor td, tr.floor th { background: #f5f5f5; }
.tag { font-size: 10px; color: #fff; background: #e4572e; border-radius: 3px; padding: 0 4px; white-space: nowrap; }
`;

// Adds a "download spec" link to every chart: the spec (with its data) comes from the figure's own
// JSON block, so nothing is fetched. Written for any browser from the last years; no dependencies.
const SCRIPT = `
(function () {
  var figures = document.querySelectorAll('figure.chart');
  for (var i = 0; i < figures.length; i++) {
    var fig = figures[i];
    var block = fig.querySelector('script.vl-spec');
    if (!block || typeof Blob === 'undefined' || !window.URL) continue;
    var link = document.createElement('a');
    link.textContent = 'download this chart\\u2019s vega-lite spec with its data (JSON)';
    link.download = fig.id + '.vl.json';
    link.href = URL.createObjectURL(new Blob([block.textContent], { type: 'application/json' }));
    var p = document.createElement('p');
    p.className = 'spec-link';
    p.appendChild(link);
    fig.appendChild(p);
  }
})();
`;

export function documentShell(title: string, body: Markup): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="generator" content="foreshock report" />
        <title>${title}</title>
        <style>
          ${trusted(CSS)}
        </style>
      </head>
      <body>
        <main>${body}</main>
        <script>
          ${trusted(SCRIPT)};
        </script>
      </body>
    </html> `.value;
}

/**
 * Vega names clip paths and gradients with ids that repeat from chart to chart; inlined in one
 * document, url(#clip1) would resolve to the first chart's clip. Prefix every id with the chart's.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`)
    .replace(
      /\b(xlink:href|href)="#([^"]+)"/g,
      (_m, attr: string, id: string) => `${attr}="#${prefix}-${id}"`,
    );
}

/**
 * Rounds path coordinates to 0.1 px (vega writes up to 3 decimals): a third smaller, no visible
 * change at screen resolution, and still byte-stable.
 */
export function compactSvgPaths(svg: string): string {
  return svg.replace(/\sd="([^"]*)"/g, (_m, d: string) => ` d="${d.replace(/(\d+\.\d)\d+/g, '$1')}"`);
}

/**
 * Drops vega's per-group ARIA roles (`role="graphics-symbol"` and its `aria-roledescription`, about
 * 5% of a report) and labels the chart once instead: the root <svg> becomes one image named by the
 * figure's caption, which is what a screen reader can use of a chart.
 */
export function labelSvg(svg: string, label: string): string {
  const stripped = svg.replace(/ (?:role="graphics-[a-z]+"|aria-roledescription="[^"]*")/g, '');
  return stripped.replace(/^<svg\b([^>]*?)>/, (_m, attrs: string) => {
    const clean = attrs.replace(/ (?:role|aria-label)="[^"]*"/g, '');
    return `<svg${clean} role="img" aria-label="${escapeHtml(label)}">`;
  });
}

/**
 * Drops attributes vega writes on every element that only restate SVG defaults (opacity 1, stroke
 * width 1) or what the page's CSS sets once (the sans-serif font), and the per-group aria-hidden
 * (the root is one labelled image); rounds translations to 0.1 px. About 9% of a report; nothing
 * visible changes.
 */
export function compactSvgAttributes(svg: string): string {
  return svg
    .replace(/ (?:opacity="1"|stroke-width="1"|font-family="sans-serif"|aria-hidden="true")(?=[ />])/g, '')
    .replace(
      / transform="translate\(([^)]*)\)"/g,
      (_m, xy: string) => ` transform="translate(${xy.replace(/(\d+\.\d)\d+/g, '$1')})"`,
    );
}

export interface ChartBlock {
  id: string;
  kind: string;
  caption: string;
  svg: string;
  spec: VlSpec;
}

export function figure(chart: ChartBlock, extra: Markup | null = null): Markup {
  const svg = vetSvg(
    labelSvg(compactSvgAttributes(compactSvgPaths(scopeSvgIds(chart.svg, chart.id))), chart.caption),
  );
  return html`<figure class="chart" id="${chart.id}" data-kind="${chart.kind}">
    <figcaption>${chart.caption}</figcaption>
    ${extra}
    <div class="svg-wrap">${svg}</div>
    <script type="application/json" class="vl-spec">
      ${trusted(scriptJson(chart.spec))}
    </script>
  </figure> `;
}
