// End to end: reports opened in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core; never a downloaded browser). Asserts no console errors, no page errors, no
// network request (the file is self-contained), every chart rendered as an SVG with axes and marks,
// the hostile report runs nothing injected; saves screenshots to test/report/__screenshots__/
// (git-ignored). Skips, saying so, only where /usr/bin/chromium is absent (CI installs it: .ci/run).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBenchmarksReport, buildReport } from '../../src/report/index.ts';
import { EVIL_HOST, EVIL_METRIC, evilExperiment, experimentFrom, smallSynth } from './fixtures.ts';
import { EVIL_DETECTOR, NAB_ORDER, nabBoard, smdBoard } from './leaderboard-fixtures.ts';
import { CHROMIUM, CHROMIUM_ARGS, chromiumPresent } from '../helpers/chromium.ts';
import { runReplayJob } from '../../src/runner/replay-job.ts';
import { synthesize } from '../../src/sim/synth/index.ts';

/** axe-core's browser bundle, injected into the page as a script (the page itself loads nothing). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Two runs of a small memory leak through every default algorithm: the card's 14 rows, the spread table. */
function fullExperiments(): ReturnType<typeof experimentFrom>[] {
  return [3, 4].map((seed) => {
    const dataset = synthesize({ hosts: 4, fault: 'memleak', seed, durationS: 600 });
    return {
      label: `/tmp/somewhere/run-${seed}`,
      resultsFile: null,
      resultsSha256: null,
      results: runReplayJob(dataset, null, {}),
      dataset,
      datasetDir: null,
      datasetSha256: null,
      datasetNote: null,
    };
  });
}

const SCREENSHOTS = join(import.meta.dirname, '__screenshots__');
const present = chromiumPresent;
if (!present)
  console.warn(`skipping the Chromium report tests: ${CHROMIUM} not found (apt-get install chromium)`);

interface Loaded {
  page: Page;
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
}

interface ChartInfo {
  id: string;
  kind: string;
  width: number;
  height: number;
  axes: number;
  axisLabels: number;
  marks: number;
  specLink: boolean;
}

describe.skipIf(!present)('reports in headless Chromium', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'foreshock-report-e2e-'));
  const files = {
    normal: join(tmp, 'normal.html'),
    evil: join(tmp, 'evil.html'),
    benchmarks: join(tmp, 'benchmarks.html'),
    full: join(tmp, 'full.html'),
  };
  let context: BrowserContext;
  const requests: string[] = [];
  let expectedCharts = 0;

  beforeAll(async () => {
    const normal = await buildReport([experimentFrom(smallSynth(), 'small-memleak')]);
    expectedCharts = normal.charts;
    expect(normal.warnings).toEqual([]);
    writeFileSync(files.normal, normal.html);
    writeFileSync(files.evil, (await buildReport([evilExperiment()])).html);
    const benchmarks = await buildBenchmarksReport([
      { label: 'runs/nab/leaderboard.json', board: nabBoard() },
      { label: 'runs/smd/leaderboard.json', board: smdBoard() },
    ]);
    expect(benchmarks.warnings).toEqual([]);
    writeFileSync(files.benchmarks, benchmarks.html);
    const full = await buildReport(fullExperiments());
    expect(full.warnings).toEqual([]);
    writeFileSync(files.full, full.html);
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    // Offline: anything but the report file itself (and blob: links it makes) is refused and recorded.
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('blob:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
  });

  afterAll(async () => {
    await context?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function open(file: string): Promise<Loaded> {
    const page = await context.newPage();
    const loaded: Loaded = { page, consoleErrors: [], pageErrors: [], dialogs: [] };
    page.on('console', (m) => {
      if (m.type() === 'error') loaded.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => loaded.pageErrors.push(e.message));
    page.on('dialog', async (d) => {
      loaded.dialogs.push(d.message());
      await d.dismiss();
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return loaded;
  }

  async function charts(page: Page): Promise<ChartInfo[]> {
    return page.$$eval('figure.chart', (figures) =>
      figures.map((fig) => {
        const svg = fig.querySelector('.svg-wrap > svg');
        const box = svg?.getBoundingClientRect();
        return {
          id: fig.id,
          kind: fig.getAttribute('data-kind') ?? '',
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          axes: svg?.querySelectorAll('g.role-axis').length ?? 0,
          axisLabels: svg?.querySelectorAll('g.role-axis-label text').length ?? 0,
          marks: svg?.querySelectorAll('g.role-mark path, g.role-mark line, g.role-mark rect').length ?? 0,
          specLink: fig.querySelector('p.spec-link a[download]') !== null,
        };
      }),
    );
  }

  it('renders every chart with axes, without errors or network access', async () => {
    const { page, consoleErrors, pageErrors, dialogs } = await open(files.normal);
    const found = await charts(page);
    expect(found).toHaveLength(expectedCharts);
    expect(found.map((c) => c.kind)).toEqual(
      expect.arrayContaining(['roc', 'overview', 'times', 'host-timeline']),
    );
    for (const c of found) {
      expect(c.width, c.id).toBeGreaterThan(100);
      expect(c.height, c.id).toBeGreaterThan(50);
      expect(c.axes, c.id).toBeGreaterThan(0);
      expect(c.axisLabels, c.id).toBeGreaterThan(0);
      expect(c.marks, c.id).toBeGreaterThan(0);
      expect(c.specLink, c.id).toBe(true);
    }
    // The download link carries the embedded spec, data included.
    const spec = await page.$eval('figure.chart p.spec-link a', async (a) =>
      (await fetch((a as HTMLAnchorElement).href)).json(),
    );
    expect(spec.$schema).toMatch(/vega-lite/);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const shot = join(SCREENSHOTS, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });

  it('shows hostile names as text and runs none of them', async () => {
    const { page, consoleErrors, pageErrors, dialogs } = await open(files.evil);
    await page.mouse.move(10, 10);
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain(EVIL_HOST);
    expect(text).toContain(EVIL_METRIC.slice(0, 10));
    expect(await page.$$eval('img, iframe, object, embed', (els) => els.length)).toBe(0);
    expect(await page.$$eval('script:not([type="application/json"])', (els) => els.length)).toBe(1);
    for (const c of await charts(page)) expect(c.axes, c.id).toBeGreaterThan(0);
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(requests).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-hostile-names.png'), fullPage: true });
  });

  it('renders the Benchmarks section: the NAB bars with axes, names as text, no errors', async () => {
    const { page, consoleErrors, pageErrors, dialogs } = await open(files.benchmarks);
    const found = await charts(page);
    expect(found.map((c) => c.kind)).toEqual(['nab-standard']);
    const c = found[0]!;
    expect(c.width).toBeGreaterThan(300);
    expect(c.height).toBeGreaterThan(100);
    expect(c.axes).toBeGreaterThanOrEqual(2);
    // Labelled axes: detector names (y) and scores (x); the x grid is an axis group of its own.
    expect(await page.$$eval('figure.chart g.role-axis-label', (gs) => gs.length)).toBe(2);
    expect(c.axisLabels).toBeGreaterThanOrEqual(NAB_ORDER.length);
    expect(c.specLink).toBe(true);
    // One drawn bar per detector, each with a positive width except the Null detector's 0.
    const bars = await page.$$eval('figure.chart g.mark-rect.role-mark path', (paths) =>
      paths.map((p) => (p as SVGGraphicsElement).getBBox().width),
    );
    expect(bars).toHaveLength(NAB_ORDER.length);
    expect(bars.filter((w) => w > 10)).toHaveLength(NAB_ORDER.length - 1);
    const yLabels = await page.$$eval('figure.chart g.role-axis-label text', (ts) =>
      ts.map((t) => t.textContent),
    );
    expect(yLabels).toEqual(expect.arrayContaining(NAB_ORDER));
    const tables = await page.$$eval('table.leaderboard', (ts) =>
      ts.map((t) =>
        [...t.querySelectorAll('tbody tr')].map((r) => r.querySelectorAll('td')[1]?.textContent?.trim()),
      ),
    );
    expect(tables).toHaveLength(2);
    expect(tables[0]!.map((t) => t?.replace(/\s*foreshock$/, ''))).toEqual(NAB_ORDER);
    expect(await page.evaluate(() => document.body.innerText)).toContain(EVIL_DETECTOR);
    expect(await page.$$eval('script:not([type="application/json"])', (els) => els.length)).toBe(1);
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(requests).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-benchmarks.png'), fullPage: true });
  });

  it('at 1400 px: no horizontal scroll, the headline card first, every chart titled with axis units, 0 serious axe violations', async () => {
    const { page, consoleErrors, pageErrors, dialogs } = await open(files.full);
    await page.setViewportSize({ width: 1400, height: 900 });
    const width = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      // Tables scroll inside their wrapper when too wide: none may need to.
      wideTables: [...document.querySelectorAll('.table-wrap')]
        .filter((w) => w.scrollWidth > w.clientWidth + 1)
        .map((w) => `${w.querySelector('table')?.className}: ${w.scrollWidth} > ${w.clientWidth}`),
    }));
    expect(width.scroll).toBeLessThanOrEqual(width.client);
    expect(width.wideTables).toEqual([]);
    // The headline card is the first section, with a row per algorithm, the verdict and the times chart.
    const card = await page.evaluate(() => {
      const first = document.querySelector('body section');
      const times = first?.querySelector('figure.chart[data-kind="times"]');
      return {
        id: first?.id,
        title: first?.querySelector('h2')?.textContent,
        rows: [...(first?.querySelectorAll('table.headline-card tbody tr') ?? [])].map(
          (r) => r.textContent ?? '',
        ),
        verdict: first?.querySelector('.verdict')?.textContent ?? '',
        timesTop: times?.getBoundingClientRect().top ?? Infinity,
      };
    });
    expect(card.id).toBe('headline');
    expect(card.title).toBe('Headline: 2 datasets (memleak), 2 runs');
    expect(card.rows.length).toBeGreaterThanOrEqual(10);
    expect(card.rows.join('\n')).toMatch(/alarmed \d+ s before the violation \(of \d+ s possible\)/);
    expect(card.verdict).toMatch(/Predictor: .*Localizer: /s);
    // On the first screen: the three-times chart starts within the 900 px viewport.
    expect(card.timesTop).toBeLessThan(900);
    expect(await page.title()).not.toContain('/tmp');
    const titles = await page.$$eval('figure.chart', (figures) =>
      figures.map((fig) => ({
        id: fig.id,
        kind: fig.getAttribute('data-kind') ?? '',
        caption: fig.querySelector('figcaption')?.textContent?.trim() ?? '',
        label: fig.querySelector('.svg-wrap > svg')?.getAttribute('aria-label') ?? '',
        axisTitles: [...fig.querySelectorAll('g.role-axis-title text')].map((t) => t.textContent ?? ''),
        panelTitles: [...fig.querySelectorAll('g.role-title-text text')].map((t) => t.textContent ?? ''),
      })),
    );
    expect(titles.length).toBeGreaterThan(5);
    for (const c of titles) {
      expect(c.caption, c.id).not.toBe('');
      expect(c.label, c.id).toBe(c.caption);
      expect(c.axisTitles.join(' | '), c.id).toMatch(/seconds|FPR|TPR/);
      if (c.kind === 'host-timeline' || c.kind === 'overview') {
        // Every metric and SLO panel names its unit; the events panel is a list of algorithms.
        const metricPanels = c.panelTitles.filter((t) => !/events/.test(t));
        expect(metricPanels.length, c.id).toBeGreaterThan(0);
        for (const t of metricPanels) expect(t, c.id).toMatch(/\(.+\)/);
      }
    }
    expect(await page.locator('#spread table tbody tr').count()).toBeGreaterThan(10);
    // axe-core, injected: no serious or critical violation.
    await page.addScriptTag({ content: AXE_SOURCE });
    const axe = await page.evaluate(async () => {
      type Rule = { id: string; impact: string };
      const w = window as unknown as { axe: { run: () => Promise<{ passes: Rule[]; violations: Rule[] }> } };
      const r = await w.axe.run();
      return {
        passes: r.passes.length,
        violations: r.violations.map((v) => ({ id: v.id, impact: v.impact })),
      };
    });
    expect(axe.passes).toBeGreaterThan(10);
    const violations = axe.violations;
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'report-first-screen.png') });
  });
});
