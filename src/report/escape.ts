// Escaping for the HTML report. Every string that reaches the page goes through one of two doors:
// - escapeHtml: text content and attribute values (quoted with "), e.g. a host named
//   `<script>alert(1)</script>` shows as text;
// - scriptJson: JSON inside <script type="application/json"> blocks. Script content is raw text
//   (entities are not decoded there), so instead of HTML entities it uses JSON's own \uXXXX escapes
//   for <, > and &: the text can never close the block, and JSON.parse gives back the original.
// The `html` tag below applies escapeHtml to every interpolated value unless it is markup this
// module built (a Markup); so forgetting to escape takes an explicit `trusted(...)`.

import { InternalError } from '../core/errors.ts';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML text content and for attribute values (in single or double quotes). */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** JSON for a <script type="application/json"> block: JSON.parse(block.textContent) gives `value` back. */
export function scriptJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Markup that is already safe (built by `html`, or vetted SVG). Never construct from user text. */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = Markup | string | number | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Markup) return value.value;
  if (Array.isArray(value)) return value.map((v) => render(v as Interpolation)).join('');
  return escapeHtml(value);
}

/** Template tag: literal parts are markup, every interpolated value is escaped (arrays are joined). */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Markup(out);
}

/** Wraps markup produced elsewhere by this module's own code (e.g. a script we wrote). */
export function trusted(markup: string): Markup {
  return new Markup(markup);
}

/**
 * Vega renders SVG strings with its own escaping of text and attributes; this is a second check
 * before the SVG is inlined: no element or attribute that can run script may appear. Text content
 * and attribute values may contain such words as text (a metric named "onerror=..."), so the check
 * looks at element names and attribute names only (values are blanked first; vega quotes every
 * value with " and escapes " inside it).
 */
export function vetSvg(svg: string): Markup {
  if (!svg.startsWith('<svg')) throw new InternalError('chart renderer returned no SVG');
  for (const match of svg.matchAll(/<[^>]*>/g)) {
    const tag = match[0];
    const names = tag.replace(/"[^"]*"/g, '""');
    const bad =
      /^<\s*\/?\s*(script|foreignObject|iframe|object|embed|a)\b/i.exec(names) ??
      /\son[a-z]+\s*=/i.exec(names) ??
      /(href|src)\s*=\s*"\s*(javascript|data):/i.exec(tag);
    if (bad) throw new InternalError(`rendered SVG contains unsafe markup near "${bad[0]}"`);
  }
  return new Markup(svg);
}
