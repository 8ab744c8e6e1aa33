// Golden file: one host-timeline chart rendered from fixed data must match the committed SVG byte
// for byte (vega's headless SVG output is deterministic). After an intended change, regenerate with
//   UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts
// and review the new SVG (it opens in any browser).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSvg } from '../../src/report/charts/render.ts';
import { rocSpec } from '../../src/report/charts/roc.ts';
import { hostTimelineSpec } from '../../src/report/charts/timeline.ts';
import { timesSpec } from '../../src/report/charts/times.ts';

const GOLDEN = join(import.meta.dirname, 'golden', 'host-timeline.svg');

function fixedTimeline(): ReturnType<typeof hostTimelineSpec> {
  const buckets = (f: (t: number) => number): { t: number; lo: number; hi: number; m: number }[] =>
    Array.from({ length: 30 }, (_x, i) => {
      const t = i * 10;
      const m = f(t);
      return { t, lo: m - 2, hi: m + 3, m };
    });
  return hostTimelineSpec(
    [
      { metric: 'freemem', buckets: buckets((t) => (t < 180 ? 900 : 900 - (t - 180) * 4)) },
      { metric: 'availcpu', buckets: buckets((t) => 60 + (t % 50) / 5) },
    ],
    {
      algorithms: ['threshold', 'zscore'],
      faults: [{ start: 180, end: 270, kind: 'fault window', label: 'memleak on db-0' }],
      violations: [{ start: 220, end: 265, kind: 'SLO violated', label: 'SLO violated' }],
      alarmRuns: [
        { start: 200, end: 240, algorithm: 'threshold', kind: 'alarm' },
        { start: 250, end: 260, algorithm: 'threshold', kind: 'alarm' },
      ],
      localizations: [
        { t: 222, algorithm: 'threshold', kind: 'localized: culprit first', host: 'db-0' },
        { t: 222, algorithm: 'zscore', kind: 'localized: culprit first', host: 'db-0' },
      ],
      fixes: [
        { start: 222, end: 228, algorithm: 'zscore', kind: 'fix (effective)', label: 'restart on db-0' },
      ],
    },
    { originMs: 0, spanS: 300, bucketMs: 10_000, sampleIntervalMs: 1000 },
    "the run's start (1970-01-01T00:00:00.000Z)",
  );
}

describe('golden chart', () => {
  it('renders the fixed host timeline exactly as the committed SVG', async () => {
    const { svg, warnings } = await renderSvg(fixedTimeline());
    expect(warnings).toEqual([]);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) {
      if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`missing ${GOLDEN}: run with UPDATE_GOLDEN=1`);
      writeFileSync(GOLDEN, svg);
    }
    expect(svg).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('renders the same spec to the same bytes twice, and different data differently', async () => {
    const a = await renderSvg(timesSpec([{ algorithm: 'x', measure: 'fix', value: 3 }], ['x']));
    const b = await renderSvg(timesSpec([{ algorithm: 'x', measure: 'fix', value: 3 }], ['x']));
    const c = await renderSvg(timesSpec([{ algorithm: 'x', measure: 'fix', value: 4 }], ['x']));
    expect(a.svg).toBe(b.svg);
    expect(c.svg).not.toBe(a.svg);
    expect(a.svg).toContain('3 s');
  });

  it('renders charts without any data (a control run, no predictor) without warnings', async () => {
    expect((await renderSvg(rocSpec([], []))).warnings).toEqual([]);
    const none = await renderSvg(timesSpec([{ algorithm: 'a', measure: 'fix', value: null }], ['a']));
    expect(none.warnings).toEqual([]);
    expect(none.svg).toContain('n/a');
  });
});
