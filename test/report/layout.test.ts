// The report's size and accessibility helpers: the panel-bucket budget (downsample more, never drop a
// panel) and the chart SVG labelled once as an image instead of vega's per-group roles.
import { describe, expect, it } from 'vitest';
import {
  chooseBucketMs,
  MAX_BUCKETS,
  maxBucketsFor,
  MIN_BUCKETS,
  PANEL_BUCKET_BUDGET,
} from '../../src/report/downsample.ts';
import { compactSvgAttributes, labelSvg } from '../../src/report/page.ts';

describe('panel-bucket budget', () => {
  it('gives few panels the full resolution and many panels longer buckets, within bounds', () => {
    expect(maxBucketsFor(1)).toBe(MAX_BUCKETS);
    expect(maxBucketsFor(41)).toBe(Math.floor(PANEL_BUCKET_BUDGET / 41));
    expect(maxBucketsFor(10_000)).toBe(MIN_BUCKETS);
    // 5 hosts x 8 metrics + the overview over 1,800 s: 15 s buckets instead of 10 s.
    expect(chooseBucketMs(1_800_000, 1000, maxBucketsFor(41))).toBe(15_000);
    expect(chooseBucketMs(1_800_000, 1000, maxBucketsFor(5))).toBe(10_000);
  });
});

describe('labelSvg', () => {
  it("drops vega's per-group roles and names the chart once, escaped", () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" class="marks" width="10" height="10"><g class="mark-rect role-mark" role="graphics-object" aria-roledescription="rect mark container"><path d="M0,0h1"/></g></svg>';
    const out = labelSvg(svg, 'host <b>"db"</b>: metrics');
    expect(out).toMatch(
      /^<svg [^>]*role="img" aria-label="host &lt;b&gt;&quot;db&quot;&lt;\/b&gt;: metrics">/,
    );
    expect(out).not.toContain('graphics-object');
    expect(out).not.toContain('aria-roledescription');
    expect(out).toContain('<g class="mark-rect role-mark"><path d="M0,0h1"/></g>');
  });
});

describe('compactSvgAttributes', () => {
  it('drops default-valued attributes and rounds translations, leaving other values alone', () => {
    const svg =
      '<g aria-hidden="true"><line transform="translate(12.34567,-3.25)" x2="0" y2="42" stroke="#ddd" stroke-width="1" opacity="1"/><text font-family="sans-serif" opacity="0.5" stroke-width="1.5">a</text></g>';
    expect(compactSvgAttributes(svg)).toBe(
      '<g><line transform="translate(12.3,-3.2)" x2="0" y2="42" stroke="#ddd"/><text opacity="0.5" stroke-width="1.5">a</text></g>',
    );
  });
});
