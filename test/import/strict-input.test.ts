// Issue 26's importer findings, each once accepted silently: numbers that are not decimal, dates
// that are not in the calendar, ground truth outside the data, seed rows outside physical ranges,
// a deeply nested truth file (a stack overflow that left metrics.arrow and slo.arrow behind),
// a duplicate fault id blamed on the output, and a 1 MB cell echoed whole.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTime } from '../../src/core/time.ts';
import { importCsv } from '../../src/data/import/csv.ts';
import { importNab } from '../../src/data/import/nab.ts';
import { importSeed } from '../../src/data/import/seed.ts';
import { expectUserError, runCli } from '../helpers/cli.ts';
import { datasetError, tempTree } from './helpers.ts';

const dirs: string[] = [];
const tree = (files: Record<string, string>): string => {
  const dir = tempTree(files);
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CSV_HEAD = 'time,web_cpu,db_cpu\n';
const csvRows = (cell: string): string =>
  CSV_HEAD + `1767225600,1,2\n1767225601,${cell},2\n1767225602,3,4\n1767225603,3,4\n`;

describe('strict decimal numbers', () => {
  it.each(['0x1A', '0b101', '0o7', '"  "', 'Infinity', '1e', '1_000'])('CSV refuses %s', (cell) => {
    const dir = tree({ 'c.csv': csvRows(cell) });
    const err = datasetError(() => importCsv(path.join(dir, 'c.csv')));
    expect(err.message).toMatch(/c\.csv: line 3, column "web_cpu": ".*" is not a number$/);
  });

  it.each(['1.5', '-2', '.5', '3.', '1e3', '-1.25E-2', 'NaN', ''])('CSV accepts %s', (cell) => {
    const dir = tree({ 'c.csv': csvRows(cell) });
    expect(() => importCsv(path.join(dir, 'c.csv'))).not.toThrow();
  });

  it.each(['0x1A', '0b101', ' '])('NAB refuses %s', (cell) => {
    const dir = tree({
      'n.csv': `timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00,${cell}\n2026-01-01 00:10:00,2\n`,
    });
    const err = datasetError(() => importNab(path.join(dir, 'n.csv')));
    expect(err.message).toMatch(/n\.csv: line 3: value ".*" is not a finite number$/);
  });

  it('cuts a 1 MB cell to 200 characters in the message', () => {
    const dir = tree({ 'c.csv': csvRows('x'.repeat(1_048_576)) });
    const err = datasetError(() => importCsv(path.join(dir, 'c.csv')));
    expect(err.message.length).toBeLessThan(400 + dir.length);
    expect(err.message).toContain('(1048576 characters)');
  });
});

describe('column names', () => {
  it('refuses a U+FEFF inside the header (found by the fuzz suite: the name did not read back)', () => {
    const dir = tree({ 'c.csv': csvRows('2').replace('db_cpu', 'db_\ufeffcpu') });
    const err = datasetError(() => importCsv(path.join(dir, 'c.csv')));
    expect(err.message).toMatch(/c\.csv: line 1: column 3 holds a control character or U\+FEFF$/);
  });
});

describe('strict calendar dates', () => {
  it.each([
    '2026-02-30T00:00:00Z',
    '2026-02-29',
    '2026-13-01',
    '2026-04-31 12:00:00',
    '2026-01-01T24:00:00Z',
    '2026-01-01T12:60:00Z',
  ])('refuses %s', (text) => {
    expect(() => parseTime(text, 'when')).toThrow(
      /^when: cannot read time ".*" \(not a date and time of the calendar\)$/,
    );
  });

  it.each([
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2026-12-31T23:59:59Z', Date.UTC(2026, 11, 31, 23, 59, 59)],
    ['2026-01-31', Date.UTC(2026, 0, 31)],
  ])('accepts %s', (text, ms) => {
    expect(parseTime(text, 'when')).toBe(ms);
  });
});

describe('ground truth within the data', () => {
  it('refuses a truth fault entirely outside the CSV, naming the truth file', () => {
    const dir = tree({
      'c.csv': csvRows('2'),
      't.json': JSON.stringify({ faults: [{ host: 'db', type: 'x', start: '3000-01-01T00:00:00Z' }] }),
    });
    const err = datasetError(() => importCsv(path.join(dir, 'c.csv'), path.join(dir, 't.json')));
    expect(err.file).toBe(path.join(dir, 't.json'));
    expect(err.message).toMatch(/faults\[0\]: .* lies outside the data/);
  });

  it('refuses a duplicate fault id against the truth file, not the output', () => {
    const f = { host: 'db', type: 'x', start: 1767225601, id: 'same' };
    const dir = tree({ 'c.csv': csvRows('2'), 't.json': JSON.stringify({ faults: [f, f] }) });
    const err = datasetError(() => importCsv(path.join(dir, 'c.csv'), path.join(dir, 't.json')));
    expect(err.file).toBe(path.join(dir, 't.json'));
    expect(err.message).toMatch(/faults\[1\]: id "same" is used twice$/);
  });

  it('refuses a NAB window entirely outside the data, naming the labels file', () => {
    const dir = tree({
      'data/cat/n.csv':
        'timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00,2\n2026-01-01 00:10:00,2\n',
      'labels/combined_windows.json': JSON.stringify({
        'cat/n.csv': [['2027-01-01 00:00:00.000000', '2027-01-02 00:00:00.000000']],
      }),
    });
    const err = datasetError(() => importNab(path.join(dir, 'data/cat/n.csv')));
    expect(err.file).toBe(path.join(dir, 'labels/combined_windows.json'));
    expect(err.message).toMatch(/window 1 of "cat\/n\.csv" .* lies outside the data/);
  });
});

describe('seed rows within physical ranges', () => {
  const line = (o: Record<string, unknown>): string =>
    JSON.stringify({
      count: 10,
      summation: 500,
      mean: 50,
      max: 90,
      violations: 0,
      cpu: 40,
      mem: 30,
      timestamp: 1767225600,
      ...o,
    });
  it.each([
    [{ timestamp: 1e20 }, /timestamp 100000000000000000000 is not in epoch seconds/],
    [{ count: 0.5 }, /count 0.5 is not a whole number/],
    [{ mean: 95 }, /mean 95 is above max 90/],
    [{ cpu: -1 }, /cpu -1 is not a percentage/],
    [{ mem: 250 }, /mem 250 is not a percentage/],
  ])('refuses %j', (o, pattern) => {
    const dir = tree({
      's.txt': `${line({})}\n${line({ ...o, timestamp: (o as { timestamp?: number }).timestamp ?? 1767225601 })}\n`,
    });
    const err = datasetError(() => importSeed(path.join(dir, 's.txt')));
    expect(err.message).toMatch(/s\.txt: line 2: /);
    expect(err.message).toMatch(pattern);
  });
});

describe('import csv with a truth file nested 50,000 levels deep (the CLI)', () => {
  it('is one line, exit 1, and writes nothing', () => {
    const deep = '{"faults":[],"x":' + '['.repeat(50_000) + ']'.repeat(50_000) + '}';
    const dir = tree({ 'c.csv': csvRows('2'), 't.json': deep });
    const out = path.join(dir, 'out');
    const r = runCli(
      'import',
      'csv',
      path.join(dir, 'c.csv'),
      '--truth',
      path.join(dir, 't.json'),
      '--out',
      out,
    );
    expectUserError(r, /t\.json: JSON nests deeper than 64 levels$/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
