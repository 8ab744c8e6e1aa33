// Renders a vega-lite spec to an SVG string in Node, without a browser: vega-lite compiles it to a
// vega spec, a headless vega View (renderer 'none') draws it. The output is byte-stable for the same
// spec (text widths are estimated without canvas; every chart sets explicit sizes and label limits),
// which is what makes golden-file tests and reproducible reports possible.

import { parse, View, type LoggerInterface } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { InternalError } from '../../core/errors.ts';

/** A vega-lite spec as built here: plain JSON (data inline), so it can be embedded and reopened. */
export type VlSpec = Record<string, unknown>;

export const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Shared look: sizes and limits are explicit so no text width depends on the machine. */
export const CHART_CONFIG = {
  font: 'sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 10, titleFontSize: 11, labelLimit: 140, titleLimit: 600, titleFontWeight: 'normal' },
  legend: {
    labelFontSize: 10,
    titleFontSize: 11,
    labelLimit: 220,
    titleLimit: 300,
    orient: 'bottom',
    direction: 'horizontal',
    columns: 4,
    symbolLimit: 50,
    symbolOpacity: 1,
  },
  title: { fontSize: 11, anchor: 'start', limit: 700, fontWeight: 'normal', offset: 4 },
  // Per-mark ARIA labels repeat the data in the SVG; the figure's caption describes the chart instead.
  aria: false,
} as const;

export interface RenderedChart {
  svg: string;
  warnings: string[];
}

function collectingLogger(sink: string[]): LoggerInterface {
  let level = 2; // Warn
  const logger: LoggerInterface = {
    level(l?: number) {
      if (l === undefined) return level as never;
      level = l;
      return logger;
    },
    error(...args: readonly unknown[]) {
      sink.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args: readonly unknown[]) {
      sink.push(`warning: ${args.map(String).join(' ')}`);
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  } as LoggerInterface;
  return logger;
}

/**
 * Vega numbers clip paths and gradients with a counter shared by every view in the process
 * (clip1, then clip163 in a later chart), so the same chart would render differently depending on
 * what was rendered before. Renumber the ids of each SVG in order of first appearance.
 */
export function renumberSvgIds(svg: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) if (!ids.has(m[1]!)) ids.set(m[1]!, `id${ids.size + 1}`);
  if (ids.size === 0) return svg;
  const rename = (id: string): string => ids.get(id) ?? id;
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${rename(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${rename(id)})`)
    .replace(/\b(xlink:href|href)="#([^"]+)"/g, (_m, attr: string, id: string) => `${attr}="#${rename(id)}"`);
}

/** Compiles and renders a vega-lite spec; vega's and vega-lite's warnings are returned, not printed. */
export async function renderSvg(spec: VlSpec): Promise<RenderedChart> {
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  let view: View | null = null;
  try {
    const compiled = compile(spec as unknown as TopLevelSpec, { logger }).spec;
    view = new View(parse(compiled), { renderer: 'none', logger });
    const svg = renumberSvgIds(await view.toSVG());
    return { svg, warnings };
  } catch (err) {
    throw new InternalError(`chart rendering failed: ${(err as Error).message}`, { cause: err });
  } finally {
    view?.finalize();
  }
}
