// Escaping: every string that reaches the report is text, never markup, whatever a dataset or a
// results file names its hosts, metrics, faults, datasets or algorithms.
import { describe, expect, it } from 'vitest';
import { buildReport, escapeHtml, scriptJson } from '../../src/report/index.ts';
import { html, trusted, vetSvg } from '../../src/report/escape.ts';
import {
  EVIL_ALGORITHM,
  EVIL_DATASET,
  EVIL_FAULT,
  EVIL_HOST,
  EVIL_METRIC,
  evilExperiment,
} from './fixtures.ts';

describe('escapeHtml and scriptJson', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('keeps JSON in a script block from closing it, and parses back to the same value', () => {
    const value = { host: '</script><script>alert(1)</script>', s: 'a\u2028b & <!--' };
    const text = scriptJson(value);
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('the html tag escapes interpolations and arrays, but not markup it built', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x"'}">${['<', inner]}</p>`.value).toBe(
      '<p title="&quot;x&quot;">&lt;<b>&lt;i&gt;</b></p>',
    );
  });

  it('vetSvg refuses scripts and event handlers but not the same words as text', () => {
    expect(() => vetSvg('<svg><script>x</script></svg>')).toThrow(/unsafe/);
    expect(() => vetSvg('<svg><g onload="x"></g></svg>')).toThrow(/unsafe/);
    expect(() => vetSvg('<svg><foreignObject></foreignObject></svg>')).toThrow(/unsafe/);
    expect(vetSvg('<svg><text aria-label="a onerror=b">x onload=y</text></svg>').value).toContain('onload=y');
    expect(trusted('<br>').value).toBe('<br>');
  });
});

describe('a report on hostile names', () => {
  it('shows every name as text and runs no injected markup', async () => {
    const { html: page } = await buildReport([evilExperiment()]);
    for (const evil of [EVIL_HOST, EVIL_METRIC, EVIL_ALGORITHM, EVIL_DATASET, EVIL_FAULT]) {
      expect(page).not.toContain(evil);
      expect(page).toContain(escapeHtml(evil));
    }
    expect(page).not.toMatch(/<img|<svg onload|<b onmouseover|<script>alert/i);
    // The only script elements: one JSON spec block per chart and the report's own script at the end.
    const scripts = page.match(/<script\b[^>]*>/g) ?? [];
    const specBlocks = scripts.filter((s) => s === '<script type="application/json" class="vl-spec">');
    expect(specBlocks.length).toBeGreaterThan(3);
    expect(scripts.length).toBe(specBlocks.length + 1);
    expect(scripts.at(-1)).toBe('<script>');
    // The embedded specs still carry the original names as data.
    const blocks = [
      ...page.matchAll(/<script type="application\/json" class="vl-spec">([^<]*)<\/script>/g),
    ].map((m) => JSON.parse(m[1]!) as unknown);
    expect(blocks).toHaveLength(specBlocks.length);
    const all = JSON.stringify(blocks);
    expect(all).toContain(JSON.stringify(EVIL_HOST).slice(1, -1));
    expect(all).toContain(JSON.stringify(EVIL_METRIC).slice(1, -1));
    // The culprit's timeline is there, named as text.
    expect(page).toContain(`host ${escapeHtml(EVIL_HOST)}`);
  });
});
