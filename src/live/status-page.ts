// The live status page: one self-contained HTML document (inline CSS and JS, nothing fetched but
// the same-origin SSE stream /events). The server-side template carries only the escaped title;
// every piece of run data arrives over SSE and is put into the DOM with textContent/createElement,
// never as markup, so a host or metric named `<img src=x onerror=...>` shows as text. The served
// CSP (script-src 'unsafe-inline', connect-src 'self', nothing else) backs this up.
//
// The inline script is plain ES2020 in a TS template literal: it must not contain backticks,
// `${` or backslashes (they would be interpreted here, not in the browser).

import { escapeHtml } from '../report/escape.ts';

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { display: flex; flex-wrap: wrap; gap: 0.6em; align-items: baseline; padding: 0.8em 1.2em;
  background: #fff; border-bottom: 1px solid #ddd; }
header h1 { font-size: 1.3em; margin: 0 0.6em 0 0; }
main { padding: 0 1.2em 1.2em; }
h2 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
.meta { color: #555; }
.badge { border-radius: 3px; padding: 0.1em 0.5em; font-size: 0.85em; background: #e4e4e4; }
.badge[data-state="acting"] { background: #fde2c8; color: #8a3c00; }
.badge[data-state="dry-run"] { background: #dcebfb; color: #124f8c; }
.badge[data-state="connected"] { background: #d6f0d6; color: #1d5e1d; }
.badge[data-state="reconnecting"], .badge[data-state="disconnected"] { background: #f8d4d4; color: #8c1d1d; }
#slo[data-violated="true"] { color: #a40000; font-weight: 600; }
#slo[data-violated="false"] { color: #1d5e1d; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: #f0f0f0; font-weight: 600; }
.scroll { overflow-x: auto; }
ol#events { list-style: none; padding: 0; margin: 0; font-family: ui-monospace, monospace; font-size: 0.9em; }
ol#events li { padding: 0.15em 0; border-bottom: 1px solid #eee; overflow-wrap: anywhere; }
.time { color: #595959; margin-right: 0.6em; }
.kind { display: inline-block; min-width: 7.5em; margin-right: 0.6em; font-weight: 600; }
li[data-kind="alarm"] .kind, li[data-kind="slo"] .kind { color: #a40000; }
li[data-kind="localization"] .kind { color: #6a3d9a; }
li[data-kind="action"] .kind { color: #8a3c00; }
li[data-state="failed"], li[data-state="rolled-back"] { background: #fdecec; }
li[data-state="done"], li[data-state="kept"] { background: #eef8ee; }
.empty { color: #595959; font-style: italic; }
`;

const SCRIPT = `
'use strict';
const MAX_ENTRIES = 200;
const hosts = new Map(); // host -> { time, values }
const metricNames = new Set();
let sloViolated = null;

const byId = (id) => document.getElementById(id);
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
function fmt(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number' || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) return v.toExponential(2);
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(a >= 100 ? 1 : a >= 1 ? 2 : 3);
}
function clock(ms) {
  return Number.isFinite(ms) ? new Date(ms).toLocaleTimeString([], { hour12: false }) : '–';
}
function setBadge(id, state, text) {
  const b = byId(id);
  b.dataset.state = state;
  b.textContent = text;
}

// Rebuilt whole on every sample: hosts x metrics is small, and the column set may grow.
function renderHosts() {
  const names = [...metricNames].sort();
  byId('hosts-head').replaceChildren(el('th', 'host'), el('th', 'updated'), ...names.map((n) => el('th', n)));
  const rows = [...hosts.keys()].sort().map((h) => {
    const s = hosts.get(h);
    const tr = el('tr');
    tr.append(el('th', h), el('td', clock(s.time)));
    // Object.hasOwn: a metric called "constructor" or "__proto__" must not read the prototype.
    for (const n of names) tr.append(el('td', fmt(Object.hasOwn(s.values, n) ? s.values[n] : undefined), 'num'));
    return tr;
  });
  byId('hosts-body').replaceChildren(...rows);
  byId('hosts-empty').hidden = rows.length > 0;
}
function setHost(host, time, values) {
  hosts.set(host, { time, values: values || {} });
  for (const n of Object.keys(values || {})) metricNames.add(n);
}

function addEntry(time, kind, text, state) {
  const li = el('li');
  li.dataset.kind = kind;
  if (state) li.dataset.state = state;
  li.append(el('span', clock(time), 'time'), el('span', kind, 'kind'), el('span', text, 'text'));
  const list = byId('events');
  list.prepend(li);
  while (list.children.length > MAX_ENTRIES) list.lastElementChild.remove();
  byId('events-empty').hidden = true;
}

function showSlo(ev) {
  const slo = byId('slo');
  slo.dataset.violated = String(ev.violated);
  slo.textContent = (ev.violated ? 'VIOLATED' : 'met') + ': mean ' + fmt(ev.mean) + ' ms over ' + fmt(ev.count) +
    ' requests (threshold ' + fmt(ev.thresholdMs) + ' ms) at ' + clock(ev.time);
  // Only the transitions go to the event list: a line per SLO window would drown everything else.
  if (sloViolated !== null && sloViolated !== ev.violated)
    addEntry(ev.time, 'slo', ev.violated ? 'SLO violated: mean ' + fmt(ev.mean) + ' ms' : 'SLO met again');
  sloViolated = ev.violated;
}

function apply(ev) {
  switch (ev.type) {
    case 'metrics':
      setHost(ev.host, ev.time, ev.values);
      renderHosts();
      break;
    case 'slo':
      showSlo(ev);
      break;
    case 'alarm':
      addEntry(ev.time, 'alarm', ev.host + ': score ' + fmt(ev.score) + ', detected ' + clock(ev.detectedAt) +
        ', latency ' + fmt(ev.latencyMs) + ' ms');
      break;
    case 'localization': {
      const top = (ev.ranking || []).slice(0, 5)
        .map((r) => r.host + (r.metric === null || r.metric === undefined ? '' : '/' + r.metric) + ' ' + fmt(r.score));
      addEntry(ev.time, 'localization', 'trigger ' + ev.trigger + ': ' + (top.length ? top.join(', ') : 'no candidates'));
      break;
    }
    case 'action':
      addEntry(ev.time, 'action', ev.action + ' on ' + ev.host + ': ' + ev.state + (ev.detail ? ' – ' + ev.detail : '') +
        (typeof ev.durationMs === 'number' ? ' (' + fmt(ev.durationMs) + ' ms)' : ''), ev.state);
      break;
    case 'info':
      addEntry(ev.time, 'info', ev.message);
      break;
    default:
      break; // an event type this page does not know yet: ignore it
  }
}

// A (re)connection starts from a fresh snapshot, so state is reset rather than merged.
function renderSnapshot(snap) {
  byId('model').textContent = 'model ' + snap.model;
  byId('stack').textContent = 'stack ' + snap.stack;
  byId('started').textContent = 'since ' + clock(snap.startedAt);
  setBadge('mode', snap.act ? 'acting' : 'dry-run', snap.act ? 'acting' : 'dry run');
  hosts.clear();
  metricNames.clear();
  sloViolated = null;
  byId('events').replaceChildren();
  byId('events-empty').hidden = false;
  for (const [h, s] of Object.entries(snap.hosts || {})) setHost(h, s.time, s.values);
  renderHosts();
  for (const ev of snap.recent || []) apply(ev);
  if (snap.slo) showSlo(snap.slo);
  document.documentElement.dataset.snapshot = 'received';
}

const source = new EventSource('/events');
source.addEventListener('open', () => setBadge('conn', 'connected', 'connected'));
source.addEventListener('error', () => {
  if (source.readyState === EventSource.CLOSED) setBadge('conn', 'disconnected', 'disconnected');
  else setBadge('conn', 'reconnecting', 'reconnecting…');
});
source.addEventListener('snapshot', (e) => renderSnapshot(JSON.parse(e.data)));
source.addEventListener('live', (e) => apply(JSON.parse(e.data)));
`;

/** The status page; `title` is escaped, everything else is filled in by the page from /events. */
export function statusPageHtml(title: string): string {
  const t = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t}</title>
<style>${CSS}</style>
</head>
<body>
<header>
  <h1>${t}</h1>
  <span id="model" class="meta"></span>
  <span id="stack" class="meta"></span>
  <span id="started" class="meta"></span>
  <span id="mode" class="badge"></span>
  <span id="conn" class="badge" data-state="connecting">connecting…</span>
</header>
<main>
  <h2>SLO</h2>
  <p id="slo">no SLO sample yet</p>
  <h2>Hosts</h2>
  <div class="scroll">
    <table id="hosts"><thead><tr id="hosts-head"></tr></thead><tbody id="hosts-body"></tbody></table>
  </div>
  <p id="hosts-empty" class="empty">no host sample yet</p>
  <h2>Alarms, localizations and actions <span class="meta">(newest first)</span></h2>
  <p id="events-empty" class="empty">nothing yet</p>
  <ol id="events"></ol>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
