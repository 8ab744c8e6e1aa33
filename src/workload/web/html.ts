// Small helpers for the web tier's server-rendered pages. Every value that comes from the database
// or the request goes through `esc` (text and attribute values) or `link` (URLs), never raw.

import { interactionPath, type Interaction } from '../interactions.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** HTML-escapes text for element content and double- or single-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** An escaped href to an interaction with query parameters. */
export function href(to: Interaction, params: Record<string, string | number> = {}): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) query.set(k, String(v));
  const q = query.toString();
  return esc(q ? `${interactionPath(to)}?${q}` : interactionPath(to));
}

export function link(to: Interaction, text: unknown, params: Record<string, string | number> = {}): string {
  return `<a href="${href(to, params)}">${esc(text)}</a>`;
}

export function hidden(name: string, value: unknown): string {
  return `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;
}

export function input(name: string, label: string, value: unknown = '', type = 'text'): string {
  return `<label>${esc(label)} <input type="${type}" name="${esc(name)}" value="${esc(value)}"></label><br>`;
}

export function form(to: Interaction, fields: string[], submit: string): string {
  return `<form action="${href(to)}" method="get">\n${fields.join('\n')}\n<input type="submit" value="${esc(submit)}"></form>`;
}

export function money(value: unknown): string {
  const n = Number(value);
  return Number.isFinite(n) ? n.toFixed(2) : '0.00';
}

/** The "nothing here" page body. The client emulator goes back when a page says Sorry. */
export function sorry(text: string): string {
  return `<p class="sorry">Sorry, ${esc(text)}</p>`;
}

export function table(headers: string[], rows: string[][]): string {
  const head = `<tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n${head}\n${body}\n</table>`;
}

const NAV = [
  link('Home', 'Home'),
  link('Browse', 'Browse'),
  link('Sell', 'Sell'),
  link('AboutMeAuth', 'About me'),
  link('Register', 'Register'),
].join(' | ');

/** A whole page: title (escaped here) and an already-escaped body. */
export function page(title: string, body: string): string {
  return (
    `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>RUBiS: ${esc(title)}</title></head>\n` +
    `<body>\n<nav>${NAV}</nav>\n<h1>${esc(title)}</h1>\n${body}\n` +
    `<footer>RUBiS-style auction site (workload after Rice University's RUBiS, E. Cecchet and J. Marguerite)</footer>\n` +
    `</body></html>\n`
  );
}
