// The report's Benchmarks section: NAB and SMD leaderboards ranked with foreshock's rows marked,
// escaping, the NAB bar chart, the shape check of leaderboard.json, `foreshock report --leaderboard`
// and the leaderboard.html that `foreshock bench nab|smd` write, through real processes.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import {
  buildBenchmarksReport,
  buildReport,
  checkLeaderboard,
  ranked,
  readLeaderboardFile,
  type LeaderboardInput,
} from '../../src/report/index.ts';
import { experimentFrom, smallSynth } from './fixtures.ts';
import { EVIL_DETECTOR, NAB_ORDER, nabBoard, SMD_ORDER, smdBoard } from './leaderboard-fixtures.ts';

const BIN = resolve('bin/foreshock.js');
const tmp = mkdtempSync(join(tmpdir(), 'foreshock-leaderboard-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: resolve('.'),
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const unescape = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

interface Row {
  detector: string;
  ours: boolean;
  cells: string[];
}

/** The rows of the leaderboard table for one benchmark, as text. */
function tableRows(page: string, benchmark: 'NAB' | 'SMD'): Row[] {
  const table = new RegExp(
    `<table class="leaderboard" data-benchmark="${benchmark}">([\\s\\S]*?)</table>`,
  ).exec(page);
  expect(table, `${benchmark} table`).not.toBeNull();
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table![1]!)![1]!;
  return [...body.matchAll(/<tr class="([^"]*)">([\s\S]*?)<\/tr>/g)].map((m) => {
    const cells = [...m[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) =>
      unescape(
        c[1]!
          .replace(/<span class="tag">[^<]*<\/span>/g, '')
          .replace(/<[^>]+>/g, '')
          .trim(),
      ),
    );
    return { detector: cells[1]!, ours: m[1] === 'ours', cells };
  });
}

/** The embedded vega-lite specs of the charts of one kind. */
function specs(page: string, kind: string): Record<string, unknown>[] {
  const figures = [
    ...page.matchAll(/<figure class="chart" id="[^"]+" data-kind="([^"]+)">([\s\S]*?)<\/figure>/g),
  ];
  return figures
    .filter((f) => f[1] === kind)
    .map((f) =>
      JSON.parse(/<script type="application\/json" class="vl-spec">([\s\S]*?)<\/script>/.exec(f[2]!)![1]!),
    );
}

const inputs = (): LeaderboardInput[] => [
  { label: 'runs/nab/leaderboard.json', board: nabBoard() },
  { label: 'runs/smd/leaderboard.json', board: smdBoard() },
];

describe('Benchmarks section', () => {
  it('ranks foreshock among the peers, marks its rows, escapes names and draws the NAB bars', async () => {
    const built = await buildBenchmarksReport(inputs());
    const page = built.html;
    expect(built.warnings).toEqual([]);
    expect(built.charts).toBe(1);
    expect(page).toContain('<h2>Benchmarks</h2>');

    const nab = tableRows(page, 'NAB');
    expect(nab.map((r) => r.detector)).toEqual(NAB_ORDER);
    expect(nab.filter((r) => r.ours).map((r) => r.detector)).toEqual([
      'foreshock likelihood-ensemble',
      'foreshock windowed-gaussian',
    ]);
    // rank, detector, standard, low FP, low FN, threshold rule
    expect(nab[1]!.cells.slice(0, 6)).toEqual([
      '2',
      'foreshock likelihood-ensemble',
      '71.366',
      '64.661',
      '75.452',
      'local',
    ]);
    expect(nab[0]!.cells[5]).toBe('published');
    expect(page).toContain(
      'Best foreshock detector: foreshock likelihood-ensemble, rank 2 of 7 by standard score.',
    );

    const smd = tableRows(page, 'SMD');
    expect(smd.map((r) => r.detector)).toEqual(SMD_ORDER);
    expect(smd.filter((r) => r.ours).map((r) => r.detector)).toEqual([
      'foreshock threshold',
      'foreshock windowed-gaussian',
    ]);
    // rank, detector, F1 point-adjusted, F1, HitRate@100%, HitRate@150%
    expect(smd[2]!.cells.slice(0, 6)).toEqual([
      '3',
      'foreshock windowed-gaussian',
      '0.953',
      '0.287',
      'n/a',
      '0.580',
    ]);
    expect(smd[1]!.cells.slice(2, 4)).toEqual(['0.961', 'n/a']);

    // The hostile name is text everywhere: in the table, in the SVG (vega escapes) and in the spec JSON.
    expect(page).not.toContain(EVIL_DETECTOR);
    expect(page).toContain('<td>&lt;script&gt;x&lt;/script&gt;</td>');
    expect(page.match(/<script\b/g)).toHaveLength(2); // the chart's JSON block and the page's own script

    const [spec, ...more] = specs(page, 'nab-standard');
    expect(more).toHaveLength(0);
    expect(spec!.$schema).toMatch(/vega-lite/);
    const values = (spec!.data as { values: { detector: string; origin: string; standard: number }[] })
      .values;
    expect(values.map((v) => v.detector)).toEqual(NAB_ORDER);
    expect(values.find((v) => v.detector === EVIL_DETECTOR)?.standard).toBe(50);
    const svg = /data-kind="nab-standard">[\s\S]*?<div class="svg-wrap">(<svg[\s\S]*?<\/svg>)/.exec(
      page,
    )![1]!;
    const bars = /<g class="mark-rect role-mark layer_0_marks"[^>]*>([\s\S]*?)<\/g>/.exec(svg)![1]!;
    expect(bars.match(/<path /g)).toHaveLength(NAB_ORDER.length);
    expect(svg).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(svg).toContain('NAB score, standard profile');

    // Deterministic: the same leaderboards give the same bytes.
    expect((await buildBenchmarksReport(inputs())).html).toBe(page);
  });

  it('ties go to foreshock, then to the file order', () => {
    const e = (name: string, origin: string, s: number) => ({ name, origin, s });
    const order = ranked(
      [e('a', 'published', 5), e('b', 'published', 7), e('c', 'foreshock', 5), e('d', 'published', 5)],
      (x) => x.s,
    );
    expect(order.map((x) => x.name)).toEqual(['b', 'c', 'a', 'd']);
  });

  it('joins a comparison report as its own section, linked from the navigation', async () => {
    const built = await buildReport([experimentFrom(smallSynth('memleak', 2), 'small')], {
      leaderboards: [inputs()[0]!],
    });
    expect(built.warnings).toEqual([]);
    const page = built.html;
    expect(page).toContain('<a href="#benchmarks">Benchmarks</a> (NAB)');
    expect(page.indexOf('<section id="benchmarks">')).toBeGreaterThan(page.indexOf('<section id="exp-1"'));
    expect(page.indexOf('<section id="benchmarks">')).toBeLessThan(page.indexOf('<section id="inputs">'));
    expect(tableRows(page, 'NAB').map((r) => r.detector)).toEqual(NAB_ORDER);
    const ids = [...page.matchAll(/<figure class="chart" id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(specs(page, 'nab-standard')).toHaveLength(1);
  });
});

describe('leaderboard.json shape', () => {
  const bad = (mutate: (b: Record<string, unknown>) => void, board: unknown = nabBoard()): unknown => {
    const copy = JSON.parse(JSON.stringify(board)) as Record<string, unknown>;
    mutate(copy);
    return copy;
  };
  const entry0 = (b: Record<string, unknown>) => (b.entries as Record<string, unknown>[])[0]!;

  it.each([
    ['not an object', []],
    ['"benchmark" is neither "NAB" nor "SMD"', bad((b) => (b.benchmark = 'KDD'))],
    ['"entries" is not a non-empty array', bad((b) => (b.entries = []))],
    ['"publishedSource" is not a string', bad((b) => delete b.publishedSource)],
    ['entries[0]."standard" is not a finite number', bad((b) => (entry0(b).standard = '39.6'))],
    ['entries[0]."origin" is neither "foreshock" nor "published"', bad((b) => (entry0(b).origin = 'ours'))],
    ['entries[0]."name" is not a non-empty string', bad((b) => delete entry0(b).name)],
    ['"machines" is not an array of strings', bad((b) => (b.machines = 'machine-1-1'), smdBoard())],
    [
      'entries[0]."f1PointAdjusted" is not a finite number',
      bad((b) => (entry0(b).f1PointAdjusted = null), smdBoard()),
    ],
    [
      'entries[1]."hitRate100" is not a finite number',
      bad((b) => ((b.entries as Record<string, unknown>[])[1]!.hitRate100 = 'x'), smdBoard()),
    ],
  ])('refuses a file whose %s', (problem, value) => {
    expect(() => checkLeaderboard(value, 'lb.json')).toThrow(UserError);
    expect(() => checkLeaderboard(value, 'lb.json')).toThrow(
      `lb.json: not a foreshock leaderboard.json (${problem})`,
    );
  });

  it('accepts what it renders, and names the file when it is not JSON', () => {
    expect(checkLeaderboard(nabBoard(), 'x').entries).toHaveLength(NAB_ORDER.length);
    expect(checkLeaderboard(smdBoard(), 'x').benchmark).toBe('SMD');
    const file = join(tmp, 'broken.json');
    writeFileSync(file, '{"benchmark": "NAB", ');
    expect(() => readLeaderboardFile(file)).toThrow(new RegExp(`^${file}: malformed JSON`));
    expect(() => readLeaderboardFile(join(tmp, 'none.json'))).toThrow(/none\.json: cannot read \(ENOENT\)/);
  });
});

describe('foreshock report --leaderboard', () => {
  it('writes a report with only the Benchmarks section, and no best-model file', () => {
    const nab = join(tmp, 'nab', 'leaderboard.json');
    const smd = join(tmp, 'smd', 'leaderboard.json');
    for (const [file, board] of [
      [nab, nabBoard()],
      [smd, smdBoard()],
    ] as const) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(board, null, 2));
    }
    const out = join(tmp, 'reports', 'bench.html');
    const r = run('report', '--leaderboard', nab, smd, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`report: ${out}`);
    expect(r.stdout).not.toContain('best model');
    expect(existsSync(join(tmp, 'reports', 'bench.best.json'))).toBe(false);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain(`<title>foreshock benchmarks: ${nab}, ${smd}</title>`);
    expect(page).not.toContain('id="verdict"');
    expect(tableRows(page, 'NAB').map((r) => r.detector)).toEqual(NAB_ORDER);
    expect(tableRows(page, 'SMD').map((r) => r.detector)).toEqual(SMD_ORDER);
    expect(specs(page, 'nab-standard')).toHaveLength(1);
  });

  it('stops with one line on a malformed leaderboard, or with neither input', () => {
    const file = join(tmp, 'bad-leaderboard.json');
    writeFileSync(
      file,
      JSON.stringify({ benchmark: 'NAB', corpus: 'c', publishedSource: 's', entries: [{ name: 'a' }] }),
    );
    const r = run('report', '--leaderboard', file, '--out', join(tmp, 'bad.html'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `foreshock: ${file}: not a foreshock leaderboard.json (entries[0]."origin" is neither "foreshock" nor "published")\n`,
    );
    expect(existsSync(join(tmp, 'bad.html'))).toBe(false);
    const none = run('report', '--out', join(tmp, 'none.html'));
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/^foreshock: give --results .* and\/or --leaderboard/);
  });
});

/** A one-machine SMD layout: a step in one metric is the anomaly. */
function writeSmd(dir: string): void {
  for (const sub of ['train', 'test', 'test_label', 'interpretation_label'])
    mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'metric_names.txt'), 'cpu_r\nmem_u\n');
  const row = (i: number, anomaly: boolean) =>
    `${(0.5 + 0.01 * (i % 7)).toFixed(4)},${(0.3 + 0.01 * (i % 5) + (anomaly ? 0.5 : 0)).toFixed(4)}`;
  const labels = Array.from({ length: 200 }, (_, i) => (i >= 150 && i < 160 ? 1 : 0));
  writeFileSync(
    join(dir, 'train', 'machine-9-1.txt'),
    `${Array.from({ length: 200 }, (_, i) => row(i, false)).join('\n')}\n`,
  );
  writeFileSync(
    join(dir, 'test', 'machine-9-1.txt'),
    `${labels.map((l, i) => row(i, l === 1)).join('\n')}\n`,
  );
  writeFileSync(join(dir, 'test_label', 'machine-9-1.txt'), `${labels.join('\n')}\n`);
  writeFileSync(join(dir, 'interpretation_label', 'machine-9-1.txt'), '150-160:2\n');
}

const nabData = resolve(process.cwd(), '../shared/data/NAB');
const haveNab = existsSync(join(nabData, 'labels', 'combined_windows.json'));
if (!haveNab) console.warn(`skipping the bench nab leaderboard.html test: ${nabData} not found`);

describe('foreshock bench writes leaderboard.html next to leaderboard.json', () => {
  it('smd', () => {
    const data = join(tmp, 'SMD');
    writeSmd(data);
    const out = join(tmp, 'smd-out');
    const r = run('bench', 'smd', '--data', data, '--algorithms', 'threshold', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const html = join(out, 'leaderboard.html');
    expect(r.stdout).toContain(`leaderboard: ${html}`);
    const board = readLeaderboardFile(join(out, 'leaderboard.json')).board;
    expect(board.benchmark).toBe('SMD');
    const page = readFileSync(html, 'utf8');
    const rows = tableRows(page, 'SMD');
    expect(rows.map((x) => x.detector).sort()).toEqual(board.entries.map((e) => e.name).sort());
    const f1s = rows.map((x) => Number(x.cells[2]));
    expect(f1s).toEqual([...f1s].sort((a, b) => b - a));
    expect(rows.filter((x) => x.ours).map((x) => x.detector)).toEqual(['foreshock threshold']);
    expect(page).not.toContain('id="verdict"');
  });

  it.skipIf(!haveNab)('nab (two files)', () => {
    const root = join(tmp, 'NAB');
    const keys = ['realTraffic/speed_7578.csv', 'artificialNoAnomaly/art_noisy.csv'];
    const all = JSON.parse(readFileSync(join(nabData, 'labels', 'combined_windows.json'), 'utf8'));
    mkdirSync(join(root, 'labels'), { recursive: true });
    writeFileSync(
      join(root, 'labels', 'combined_windows.json'),
      JSON.stringify(Object.fromEntries(keys.map((k) => [k, all[k]]))),
    );
    for (const key of keys) {
      mkdirSync(join(root, 'data', dirname(key)), { recursive: true });
      copyFileSync(join(nabData, 'data', key), join(root, 'data', key));
    }
    const out = join(tmp, 'nab-out');
    const r = run(
      'bench',
      'nab',
      '--data',
      root,
      '--algorithms',
      'windowed-gaussian',
      '--out',
      out,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const html = join(out, 'leaderboard.html');
    // --json keeps stdout one JSON object; the path goes to stderr with the progress.
    expect(JSON.parse(r.stdout).leaderboard.benchmark).toBe('NAB');
    expect(r.stderr).toContain(`leaderboard: ${html}`);
    const page = readFileSync(html, 'utf8');
    const rows = tableRows(page, 'NAB');
    expect(rows.filter((x) => x.ours).map((x) => x.detector)).toEqual(['foreshock windowed-gaussian']);
    expect(rows.map((x) => x.detector)).toContain('ARTime');
    const standards = rows.map((x) => Number(x.cells[2]));
    expect(standards).toEqual([...standards].sort((a, b) => b - a));
    expect(specs(page, 'nab-standard')).toHaveLength(1);
  });
});
