// The fuzz suite's seeded case generator and checker, shared by test/fuzz/fuzz.test.ts (about 1,000
// cases in npm test) and bench/fuzz.bench.ts (10,000+). From one valid input per reader (a dataset
// directory, an RCAEval-style CSV + truth JSON, a NAB CSV + labels, seed JSON lines, a results.json,
// a fix model, a --config file) it derives mutated inputs: byte-level damage for Arrow files,
// structural edits with hostile values for JSON, cell and line edits for CSV and JSON lines. Each
// case runs in a worker thread with a time limit (BoundedRunner); the verdict for each is either a
// correct acceptance (the reader returned, and importers' output reads back) or a one-line user
// error naming one of the case's files, with no partial output. Anything else is a finding.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../src/core/dataset.ts';
import { createRng, type Rng } from '../../src/core/rng.ts';
import { writeDataset } from '../../src/data/dataset-io.ts';
import { withDatasetPath } from '../../src/report/inputs.ts';
import { runReplayJob } from '../../src/runner/replay-job.ts';
import { BoundedRunner, type Outcome } from '../helpers/bounded.ts';
import { T0, tinyDataset } from '../helpers/tiny-dataset.ts';

export const READERS = fileURLToPath(new URL('./readers.ts', import.meta.url));

/** Longest user-error line accepted: quoted values are cut to 200 characters, paths come on top. */
const MAX_MESSAGE = 1500;

export type Target =
  | 'manifest'
  | 'metrics.arrow'
  | 'slo.arrow'
  | 'csv'
  | 'truth'
  | 'nab-csv'
  | 'nab-labels'
  | 'seed'
  | 'results'
  | 'fix-model'
  | 'config';

/** Relative share of each target in a run. */
const WEIGHTS: Record<Target, number> = {
  manifest: 14,
  'metrics.arrow': 18,
  'slo.arrow': 7,
  csv: 11,
  truth: 9,
  'nab-csv': 7,
  'nab-labels': 5,
  seed: 9,
  results: 12,
  'fix-model': 4,
  config: 4,
};

export interface FuzzCase {
  id: number;
  target: Target;
  mutation: string;
  fn: string;
  args: unknown[];
  /** Paths one of which a user error must name. */
  names: string[];
  /** Output directory that must hold no manifest after a failure. */
  out?: string;
}

/** The valid inputs every case starts from, written under `root/base`. */
export interface Bases {
  root: string;
  dataset: string;
  csv: string;
  truth: string;
  nabCsv: string;
  nabLabels: string;
  seed: string;
  results: string;
  fixModel: string;
  config: string;
}

function baseDataset(): Dataset {
  const ds = tinyDataset({ seconds: 8, slo: '...XX...' });
  ds.manifest.faults = [
    { id: 'f1', type: 'memleak', host: 'db', start: T0 + 2000, end: T0 + 6000, metrics: ['freemem'] },
  ];
  ds.manifest.phases = [
    { name: 'normal', start: T0, end: T0 + 2000 },
    { name: 'fault', start: T0 + 2000, end: T0 + 8000 },
  ];
  return ds;
}

export function writeBases(root: string): Bases {
  const base = join(root, 'base');
  mkdirSync(base, { recursive: true });
  const dataset = join(base, 'dataset');
  const ds = baseDataset();
  writeDataset(dataset, ds);

  const s0 = T0 / 1000;
  const csvRows = Array.from({ length: 12 }, (_, i) => {
    const lat = i >= 6 && i < 9 ? 180 : 40 + i;
    return `${s0 + i},${20 + i},${500 - i},${30 + (i % 3)},${800 - 2 * i},${lat}`;
  });
  const csv = join(base, 'case.csv');
  writeFileSync(csv, `time,web_cpu,web_mem,db_cpu,db_mem,latency\n${csvRows.join('\n')}\n`);
  const truth = join(base, 'case.truth.json');
  writeFileSync(
    truth,
    JSON.stringify({
      faults: [{ host: 'db', type: 'memleak', start: s0 + 5, end: s0 + 9, metrics: ['mem'], id: 'f1' }],
      slo: { column: 'latency', threshold: 100 },
      edges: [['web', 'db']],
    }),
  );

  const nabDir = join(base, 'nab');
  mkdirSync(join(nabDir, 'data', 'cat'), { recursive: true });
  mkdirSync(join(nabDir, 'labels'), { recursive: true });
  const nabCsv = join(nabDir, 'data', 'cat', 'n.csv');
  const stamp = (i: number): string =>
    new Date(T0 + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
  writeFileSync(
    nabCsv,
    `timestamp,value\n${Array.from({ length: 12 }, (_, i) => `${stamp(i)},${(10 + Math.sin(i)).toFixed(3)}`).join('\n')}\n`,
  );
  const nabLabels = join(nabDir, 'labels', 'combined_windows.json');
  writeFileSync(nabLabels, JSON.stringify({ 'cat/n.csv': [[`${stamp(5)}.000000`, `${stamp(7)}.000000`]] }));

  const seed = join(base, 'seed.txt');
  writeFileSync(
    seed,
    Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({
        count: 10 + i,
        summation: (10 + i) * (50 + i),
        mean: 50 + i,
        max: 90 + i,
        violations: 0,
        cpu: 30 + i,
        mem: i % 4 === 0 ? null : 40,
        timestamp: s0 + i,
      }),
    ).join('\n') + '\n',
  );

  const results = join(base, 'results.json');
  const replayed = runReplayJob(ds, null, { algorithms: ['threshold', 'zscore'] });
  writeFileSync(results, JSON.stringify(withDatasetPath(replayed, dataset), null, 2));

  const fixModel = join(base, 'fix-model.json');
  writeFileSync(
    fixModel,
    JSON.stringify({
      latency: {
        restart: { kind: 'uniform', minMs: 1000, maxMs: 3000 },
        migrate: { kind: 'empirical', samplesMs: [4000, 5000] },
      },
      resolves: { memleak: ['restart', 'migrate'] },
    }),
  );
  const config = join(base, 'config.json');
  writeFileSync(config, JSON.stringify({ threshold: {}, zscore: {} }));
  return { root, dataset, csv, truth, nabCsv, nabLabels, seed, results, fixModel, config };
}

// ---- mutations -------------------------------------------------------------------------------

const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  0.5,
  1e308,
  -1e308,
  1e20,
  32_503_680_000_000,
  '',
  ' ',
  'x',
  '0x1A',
  '0b101',
  '2026-02-30T00:00:00Z',
  '../../etc/passwd',
  '<script>',
  [],
  {},
  [null],
  [[]],
  { x: null },
];

function hostileValue(rng: Rng): { value: unknown; label: string } {
  const k = rng.int(HOSTILE_VALUES.length + 3);
  if (k === HOSTILE_VALUES.length) return { value: 'A'.repeat(300_000), label: 'a 300 kB string' };
  if (k === HOSTILE_VALUES.length + 1) {
    let v: unknown = 1;
    const depth = 20 + rng.int(200);
    for (let i = 0; i < depth; i++) v = [v];
    return { value: v, label: `nested ${depth} deep` };
  }
  if (k === HOSTILE_VALUES.length + 2) return { value: rng.normal() * 1e6, label: 'a random number' };
  const value = HOSTILE_VALUES[k];
  return { value, label: JSON.stringify(value) };
}

type Json = unknown;

/** Every path into a JSON value (arrays and objects), the root included. */
function paths(
  value: Json,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at);
  if (out.length > 5000) return out;
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function getAt(value: Json, path: (string | number)[]): Json {
  let v = value as Record<string | number, Json>;
  for (const k of path) v = v[k] as Record<string | number, Json>;
  return v;
}

/** A structural edit of JSON text: replace, delete, add or duplicate somewhere. */
function mutateJson(text: string, rng: Rng): { text: string; label: string } {
  const doc = JSON.parse(text) as Json;
  const all = paths(doc);
  const path = all[rng.int(all.length)]!;
  const where = path.length === 0 ? 'the root' : path.join('.');
  const kind = rng.int(10);
  if (path.length === 0 || kind < 5) {
    const { value, label } = hostileValue(rng);
    if (path.length === 0) return { text: JSON.stringify(value), label: `root := ${label}` };
    const parent = getAt(doc, path.slice(0, -1)) as Record<string | number, Json>;
    parent[path[path.length - 1]!] = value;
    return { text: JSON.stringify(doc), label: `${where} := ${label.slice(0, 40)}` };
  }
  const parent = getAt(doc, path.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = path[path.length - 1]!;
  if (kind < 7) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
    return { text: JSON.stringify(doc), label: `delete ${where}` };
  }
  if (kind < 9) {
    const target = getAt(doc, path);
    if (Array.isArray(target)) {
      target.push(target.length > 0 ? target[rng.int(target.length)] : hostileValue(rng).value);
      return { text: JSON.stringify(doc), label: `duplicate an entry of ${where}` };
    }
    if (target !== null && typeof target === 'object') {
      (target as Record<string, Json>)[`unknown${rng.int(100)}`] = hostileValue(rng).value;
      return { text: JSON.stringify(doc), label: `add a key to ${where}` };
    }
  }
  return mutateText(JSON.stringify(doc), rng);
}

const CELLS = [
  '0x1A',
  '0b101',
  '" "',
  '',
  'NaN',
  '1e400',
  '-0',
  '2026-02-30T00:00:00Z',
  'abc',
  '"a,b"',
  '1,2',
  'Infinity',
  '-1e308',
  '9'.repeat(400),
  'null',
  '\u0000',
];

/** A line or cell edit of CSV / JSON-lines text. */
function mutateLines(text: string, rng: Rng, separator: string): { text: string; label: string } {
  const lines = text.split('\n');
  const i = rng.int(Math.max(1, lines.length - 1));
  const kind = rng.int(8);
  if (kind < 4) {
    const cells = lines[i]!.split(separator);
    const c = rng.int(cells.length);
    const cell = CELLS[rng.int(CELLS.length)]!;
    cells[c] = cell;
    lines[i] = cells.join(separator);
    return {
      text: lines.join('\n'),
      label: `line ${i + 1} field ${c + 1} := ${JSON.stringify(cell).slice(0, 30)}`,
    };
  }
  if (kind === 4) {
    lines.splice(i, 1);
    return { text: lines.join('\n'), label: `delete line ${i + 1}` };
  }
  if (kind === 5) {
    lines.splice(i, 0, lines[i]!);
    return { text: lines.join('\n'), label: `duplicate line ${i + 1}` };
  }
  if (kind === 6) {
    const j = rng.int(Math.max(1, lines.length - 1));
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    return { text: lines.join('\n'), label: `swap lines ${i + 1} and ${j + 1}` };
  }
  return mutateText(text, rng);
}

/** Character-level damage: truncate, insert, delete or replace a character. */
function mutateText(text: string, rng: Rng): { text: string; label: string } {
  const at = rng.int(Math.max(1, text.length));
  switch (rng.int(4)) {
    case 0:
      return { text: text.slice(0, at), label: `truncate at ${at}` };
    case 1: {
      const ch = ['"', ',', '{', '[', '\n', '\r', '\ufeff', '\\', '0', ' '][rng.int(10)]!;
      return {
        text: text.slice(0, at) + ch + text.slice(at),
        label: `insert ${JSON.stringify(ch)} at ${at}`,
      };
    }
    case 2:
      return { text: text.slice(0, at) + text.slice(at + 1 + rng.int(20)), label: `delete at ${at}` };
    default: {
      const ch = String.fromCharCode(32 + rng.int(95));
      return {
        text: text.slice(0, at) + ch + text.slice(at + 1),
        label: `replace at ${at} with ${JSON.stringify(ch)}`,
      };
    }
  }
}

/** Byte-level damage of a binary file, biased to the metadata (its first and last bytes). */
function mutateBytes(bytes: Uint8Array, rng: Rng): { bytes: Uint8Array; label: string } {
  const out = Uint8Array.from(bytes);
  const n = out.length;
  const pick = (): number => {
    const r = rng.next();
    if (r < 0.4) return rng.int(Math.min(n, 512));
    if (r < 0.8) return Math.max(0, n - 1 - rng.int(Math.min(n, 512)));
    return rng.int(n);
  };
  const at = pick();
  switch (rng.int(8)) {
    case 0:
    case 1: {
      const bit = 1 << rng.int(8);
      out[at] = out[at]! ^ bit;
      return { bytes: out, label: `flip bit ${bit} at ${at}` };
    }
    case 2: {
      const v = [0x00, 0xff, 0xef, 0x7f, 0x80][rng.int(5)]!;
      out[at] = v;
      return { bytes: out, label: `byte ${at} := 0x${v.toString(16)}` };
    }
    case 3: {
      const aligned = at & ~3;
      const v = [0x7fffffff, -1, -0x80000000, n, n + 8, 0, 8][rng.int(7)]!;
      if (aligned + 4 <= n) new DataView(out.buffer).setInt32(aligned, v, true);
      return { bytes: out, label: `int32 at ${aligned} := ${v}` };
    }
    case 4:
      return { bytes: out.slice(0, at), label: `truncate at ${at}` };
    case 5: {
      const len = 1 + rng.int(16);
      const merged = new Uint8Array(n - Math.min(len, n - at));
      merged.set(out.subarray(0, at));
      merged.set(out.subarray(at + len), at);
      return { bytes: merged, label: `delete ${len} bytes at ${at}` };
    }
    case 6: {
      const len = 1 + rng.int(16);
      const merged = new Uint8Array(n + len);
      merged.set(out.subarray(0, at));
      for (let k = 0; k < len; k++) merged[at + k] = rng.int(256);
      merged.set(out.subarray(at), at + len);
      return { bytes: merged, label: `insert ${len} bytes at ${at}` };
    }
    default: {
      for (let k = 0; k < 4; k++) {
        const p = pick();
        out[p] = rng.int(256);
      }
      return { bytes: out, label: `4 random bytes near ${at}` };
    }
  }
}

// ---- cases -----------------------------------------------------------------------------------

function pickTarget(rng: Rng): Target {
  const entries = Object.entries(WEIGHTS) as [Target, number][];
  const total = entries.reduce((a, [, w]) => a + w, 0);
  let r = rng.next() * total;
  for (const [t, w] of entries) {
    r -= w;
    if (r < 0) return t;
  }
  return entries[0]![0];
}

/** Writes case `id`'s input files under `root/cases/<id>` and says how to run it. */
export function makeCase(bases: Bases, seed: number, id: number): FuzzCase {
  const rng = createRng(seed).fork(`case-${id}`);
  const target = pickTarget(rng);
  const dir = join(bases.root, 'cases', String(id));
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'out');
  const text = (file: string): string => readFileSync(file, 'utf8');
  const write = (name: string, content: string | Uint8Array): string => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const datasetCase = (file: string, mutation: string, content: string | Uint8Array): FuzzCase => {
    const ds = join(dir, 'dataset');
    cpSync(bases.dataset, ds, { recursive: true });
    writeFileSync(join(ds, file), content);
    return { id, target, mutation, fn: 'readDatasetSummary', args: [ds], names: [ds] };
  };
  switch (target) {
    case 'manifest': {
      const m = mutateJson(text(join(bases.dataset, 'manifest.json')), rng);
      return datasetCase('manifest.json', m.label, m.text);
    }
    case 'metrics.arrow':
    case 'slo.arrow': {
      const m = mutateBytes(readFileSync(join(bases.dataset, target)), rng);
      return datasetCase(target, m.label, m.bytes);
    }
    case 'csv': {
      const m = mutateLines(text(bases.csv), rng, ',');
      const csv = write('case.csv', m.text);
      return {
        id,
        target,
        mutation: m.label,
        fn: 'importCsvSummary',
        args: [csv, bases.truth, out],
        names: [csv, bases.truth],
        out,
      };
    }
    case 'truth': {
      const m = mutateJson(text(bases.truth), rng);
      const truth = write('case.truth.json', m.text);
      return {
        id,
        target,
        mutation: m.label,
        fn: 'importCsvSummary',
        args: [bases.csv, truth, out],
        names: [bases.csv, truth],
        out,
      };
    }
    case 'nab-csv':
    case 'nab-labels': {
      // The labels key is the CSV's path relative to <root>/data: keep the tree.
      const tree = join(dir, 'nab');
      cpSync(join(bases.nabLabels, '..', '..'), tree, { recursive: true });
      const labels = join(tree, 'labels', 'combined_windows.json');
      const csv = join(tree, 'data', 'cat', 'n.csv');
      const m =
        target === 'nab-csv'
          ? mutateLines(text(bases.nabCsv), rng, ',')
          : mutateJson(text(bases.nabLabels), rng);
      writeFileSync(target === 'nab-csv' ? csv : labels, m.text);
      return {
        id,
        target,
        mutation: m.label,
        fn: 'importNabSummary',
        args: [csv, labels, out],
        names: [csv, labels],
        out,
      };
    }
    case 'seed': {
      const lines = text(bases.seed).split('\n');
      const k = rng.int(lines.length - 1);
      const m = rng.next() < 0.6 ? mutateJson(lines[k]!, rng) : mutateLines(text(bases.seed), rng, ',');
      if (m.text.includes('\n') || lines.length < 2) {
        const file = write('seed.txt', m.text);
        return {
          id,
          target,
          mutation: m.label,
          fn: 'importSeedSummary',
          args: [file, out],
          names: [file],
          out,
        };
      }
      lines[k] = m.text;
      const file = write('seed.txt', lines.join('\n'));
      return {
        id,
        target,
        mutation: `line ${k + 1}: ${m.label}`,
        fn: 'importSeedSummary',
        args: [file, out],
        names: [file],
        out,
      };
    }
    case 'results': {
      const m = mutateJson(text(bases.results), rng);
      const file = write('results.json', m.text);
      return {
        id,
        target,
        mutation: m.label,
        fn: 'reportSummary',
        args: [file, bases.dataset],
        names: [file, bases.dataset],
      };
    }
    case 'fix-model': {
      const m = mutateJson(text(bases.fixModel), rng);
      const file = write('fix-model.json', m.text);
      return { id, target, mutation: m.label, fn: 'fixModelSummary', args: [file], names: [file] };
    }
    case 'config': {
      const m = mutateJson(text(bases.config), rng);
      const file = write('config.json', m.text);
      return { id, target, mutation: m.label, fn: 'configSummary', args: [file], names: [file] };
    }
  }
}

export interface Verdict {
  kind: 'accepted' | 'user-error' | 'finding';
  detail: string;
}

/** Judges one outcome: a correct acceptance, a proper user error, or a finding (with why). */
export function judge(c: FuzzCase, outcome: Outcome): Verdict {
  if (outcome.kind === 'timeout') return { kind: 'finding', detail: `hang (no answer in ${outcome.ms} ms)` };
  if (outcome.kind === 'ok') return { kind: 'accepted', detail: JSON.stringify(outcome.value) };
  const line = `${outcome.name}: ${outcome.message.slice(0, 300)}`;
  if (!outcome.chain.includes('UserError')) return { kind: 'finding', detail: `crash: ${line}` };
  if (outcome.message.includes('\n')) return { kind: 'finding', detail: `multi-line message: ${line}` };
  if (outcome.message.length > MAX_MESSAGE)
    return { kind: 'finding', detail: `message of ${outcome.message.length} characters: ${line}` };
  if (!c.names.some((p) => outcome.message.includes(p)))
    return { kind: 'finding', detail: `message names none of the case's files: ${line}` };
  if (c.out && existsSync(join(c.out, 'manifest.json')))
    return { kind: 'finding', detail: `partial output: ${c.out} has a manifest after: ${line}` };
  return { kind: 'user-error', detail: outcome.message };
}

export interface RunReport {
  cases: number;
  accepted: number;
  userErrors: number;
  findings: { c: FuzzCase; detail: string }[];
  byTarget: Record<string, { accepted: number; userErrors: number; findings: number }>;
  elapsedMs: number;
}

/** Generates and runs `count` cases from `seed`, each with a `timeoutMs` limit. */
export async function runFuzz(
  bases: Bases,
  opts: {
    seed: number;
    count: number;
    timeoutMs: number;
    first?: number;
    onCase?: (c: FuzzCase, v: Verdict) => void;
  },
): Promise<RunReport> {
  const runner = new BoundedRunner(READERS);
  const started = Date.now();
  const report: RunReport = {
    cases: 0,
    accepted: 0,
    userErrors: 0,
    findings: [],
    byTarget: {},
    elapsedMs: 0,
  };
  try {
    const first = opts.first ?? 0;
    for (let id = first; id < first + opts.count; id++) {
      const c = makeCase(bases, opts.seed, id);
      const verdict = judge(c, await runner.run(c.fn, c.args, opts.timeoutMs));
      const t = (report.byTarget[c.target] ??= { accepted: 0, userErrors: 0, findings: 0 });
      report.cases++;
      if (verdict.kind === 'accepted') {
        report.accepted++;
        t.accepted++;
      } else if (verdict.kind === 'user-error') {
        report.userErrors++;
        t.userErrors++;
      } else {
        report.findings.push({ c, detail: verdict.detail });
        t.findings++;
      }
      opts.onCase?.(c, verdict);
      if (verdict.kind !== 'finding')
        rmSync(join(bases.root, 'cases', String(id)), { recursive: true, force: true });
    }
  } finally {
    await runner.close();
  }
  report.elapsedMs = Date.now() - started;
  return report;
}
