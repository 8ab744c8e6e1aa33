// What the client emulator reads from a page it received, as RUBiS's emulator read the previous
// HTML reply: the links (target interaction and query parameters), the form's action and hidden
// fields, and whether the page says the result is empty ("Sorry").

import { INTERACTIONS, interactionPath, type Interaction } from '../interactions.ts';

const ROUTES = new Map<string, Interaction>(INTERACTIONS.map((name) => [interactionPath(name), name]));

export interface PageLink {
  to: Interaction;
  params: URLSearchParams;
}

export interface PageInfo {
  links: PageLink[];
  /** The form's target interaction, if the page has a form. */
  formAction: Interaction | null;
  /** The form's hidden fields. */
  hidden: Map<string, string>;
  /** The page says there is nothing to show: RUBiS's emulator then goes back. */
  sorry: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

function unescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e]!);
}

function route(url: string): { to: Interaction; params: URLSearchParams } | null {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const to = ROUTES.get(path);
  if (!to) return null;
  return { to, params: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)) };
}

export function readPage(html: string): PageInfo {
  const links: PageLink[] = [];
  for (const m of html.matchAll(/<a href="([^"]*)"/g)) {
    const r = route(unescape(m[1]!));
    if (r) links.push(r);
  }
  const action = /<form action="([^"]*)"/.exec(html);
  const formRoute = action ? route(unescape(action[1]!)) : null;
  const hidden = new Map<string, string>();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    hidden.set(unescape(m[1]!), unescape(m[2]!));
  }
  return { links, formAction: formRoute?.to ?? null, hidden, sorry: html.includes('<p class="sorry">') };
}

/** Links of a page that lead to `to`. */
export function linksTo(page: PageInfo | null, to: Interaction): PageLink[] {
  return page ? page.links.filter((l) => l.to === to) : [];
}

/** Every value of a query parameter among a page's links (e.g. all `itemId`s it links to). */
export function linkValues(page: PageInfo | null, param: string): string[] {
  if (!page) return [];
  const out: string[] = [];
  for (const l of page.links) {
    const v = l.params.get(param);
    if (v !== null) out.push(v);
  }
  return out;
}
