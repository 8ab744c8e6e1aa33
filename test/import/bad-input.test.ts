// Every bad input gives a one-line DatasetError `<file>: <problem>` naming the file and, where
// there is one, the line.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { importCsv } from '../../src/data/import/csv.ts';
import { importNab, importNabDirectory } from '../../src/data/import/nab.ts';
import { importSeed } from '../../src/data/import/seed.ts';
import { importSmd, listSmdMachines } from '../../src/data/import/smd.ts';
import { datasetError, tempTree } from './helpers.ts';

/** Asserts that fn throws a DatasetError for `file` whose message contains `problem`. */
function expectProblem(fn: () => unknown, file: string, problem: string | RegExp): void {
  const err = datasetError(fn);
  expect(err.file).toBe(file);
  expect(err.message.startsWith(`${file}: `)).toBe(true);
  if (typeof problem === 'string') expect(err.message).toContain(problem);
  else expect(err.message).toMatch(problem);
}

describe('NAB importer rejects bad input', () => {
  const good = 'timestamp,value\n2020-01-01 00:00:00,1\n2020-01-01 00:01:00,2\n';
  const csvCases: [string, string, string | RegExp][] = [
    ['empty.csv', '', 'empty file'],
    ['header.csv', 'time,value\n2020-01-01 00:00:00,1\n', 'line 1: expected the header "timestamp,value"'],
    [
      'fields.csv',
      `${good}2020-01-01 00:02:00,3,4\n`,
      'line 4: expected 2 fields (timestamp,value), found 3',
    ],
    ['value.csv', `${good}2020-01-01 00:02:00,abc\n`, 'line 4: value "abc" is not a finite number'],
    ['novalue.csv', `${good}2020-01-01 00:02:00,\n`, 'line 4: value "" is not a finite number'],
    ['time.csv', `${good}yesterday,3\n`, /line 4: cannot read time "yesterday"/],
    [
      'back.csv',
      `${good}2019-12-31 23:59:00,3\n`,
      'line 4: timestamp "2019-12-31 23:59:00" goes back in time',
    ],
    ['blank.csv', 'timestamp,value\n2020-01-01 00:00:00,1\n\n2020-01-01 00:01:00,2\n', 'line 3: empty line'],
    ['one.csv', 'timestamp,value\n2020-01-01 00:00:00,1\n', 'only 1 sample(s): need at least 2'],
  ];
  const dir = tempTree(Object.fromEntries(csvCases.map(([name, text]) => [`cat/${name}`, text])));
  const labels = tempTree({ 'labels/combined_windows.json': '{}' });
  const noLabels = { labelsPath: path.join(labels, 'labels', 'combined_windows.json') };

  for (const [name, , problem] of csvCases) {
    it(`${name}: ${String(problem)}`, () => {
      const file = path.join(dir, 'cat', name);
      // Errors in the CSV come before the labels are looked at.
      expectProblem(() => importNab(file, noLabels), file, problem);
    });
  }

  it('a missing file', () => {
    expectProblem(() => importNab(path.join(dir, 'nope.csv')), path.join(dir, 'nope.csv'), 'file not found');
  });

  it('a repeated timestamp in strict mode', () => {
    const root = tempTree({
      'labels/combined_windows.json': '{"cat/dup.csv": []}',
      'data/cat/dup.csv': `${good}2020-01-01 00:01:00,3\n2020-01-01 00:02:00,4\n`,
    });
    const file = path.join(root, 'data', 'cat', 'dup.csv');
    expectProblem(
      () => importNab(file, { strict: true }),
      file,
      'line 4: duplicate timestamp "2020-01-01 00:01:00"',
    );
    expect(importNab(file).metrics.time.length).toBe(3); // default: dropped with a warning
  });

  const labelCases: [string, string, string][] = [
    ['malformed JSON', '{"cat/x.csv": [', 'malformed JSON'],
    ['no entry', '{"cat/other.csv": []}', 'no entry for "cat/x.csv"'],
    ['not a list', '{"cat/x.csv": {}}', '"cat/x.csv": expected a list of [start, end] windows'],
    [
      'bad window',
      '{"cat/x.csv": [["2020-01-01 00:00:00"]]}',
      '"cat/x.csv" window 1: expected ["start", "end"]',
    ],
    ['bad time', '{"cat/x.csv": [["soon", "later"]]}', 'window 1: cannot read time "soon"'],
    [
      'end before start',
      '{"cat/x.csv": [["2020-01-01 00:01:00", "2020-01-01 00:00:00"]]}',
      'window 1: end 2020-01-01 00:00:00 is before start 2020-01-01 00:01:00',
    ],
  ];
  for (const [what, json, problem] of labelCases) {
    it(`labels: ${what}`, () => {
      const root = tempTree({ 'labels/combined_windows.json': json, 'data/cat/x.csv': good });
      const labelsFile = path.join(root, 'labels', 'combined_windows.json');
      expectProblem(() => importNab(path.join(root, 'data', 'cat', 'x.csv')), labelsFile, problem);
    });
  }

  it('directories: missing, or without CSV files', () => {
    const missing = path.join(dir, 'no-such-dir');
    expectProblem(() => importNabDirectory(missing), missing, 'directory not found');
    const empty = tempTree({ 'data/README.md': 'x' });
    expectProblem(() => importNabDirectory(empty), path.join(empty, 'data'), 'no .csv files found');
  });
});

describe('SMD importer rejects bad input', () => {
  const base = {
    'metric_names.txt': 'a\nb\nc\n',
    'train/m.txt': '1,2,3\n4,5,6\n',
    'test/m.txt': '1,2,3\n4,5,6\n7,8,9\n',
    'test_label/m.txt': '0\n1\n0\n',
    'interpretation_label/m.txt': '1-2:1,3\n',
  };
  const cases: [string, Record<string, string>, string, string][] = [
    [
      'too few columns',
      { 'train/m.txt': '1,2,3\n4,5\n' },
      'train/m.txt',
      'line 2: expected 3 values, found 2',
    ],
    [
      'too many columns',
      { 'test/m.txt': '1,2,3\n4,5,6,7\n7,8,9\n' },
      'test/m.txt',
      'line 2: expected 3 values, found 4',
    ],
    [
      'a non-number',
      { 'test/m.txt': '1,2,3\n4,x5,6\n7,8,9\n' },
      'test/m.txt',
      'line 2, column 2: "x5" is not a finite number',
    ],
    [
      'NaN',
      { 'train/m.txt': 'NaN,2,3\n4,5,6\n' },
      'train/m.txt',
      'line 1, column 1: "NaN" is not a finite number',
    ],
    [
      'an empty cell',
      { 'train/m.txt': '1,,3\n4,5,6\n' },
      'train/m.txt',
      'line 1, column 2: "" is not a finite number',
    ],
    ['an empty line', { 'train/m.txt': '1,2,3\n\n4,5,6\n' }, 'train/m.txt', 'line 2: empty line'],
    ['an empty file', { 'test/m.txt': '\n' }, 'test/m.txt', 'empty file'],
    [
      'short labels',
      { 'test_label/m.txt': '0\n1\n' },
      'test_label/m.txt',
      'has 2 labels but test/m.txt has 3 rows',
    ],
    [
      'long labels',
      { 'test_label/m.txt': '0\n1\n0\n0\n' },
      'test_label/m.txt',
      'has 4 labels but test/m.txt has 3 rows',
    ],
    [
      'a label not 0/1',
      { 'test_label/m.txt': '0\n2\n0\n' },
      'test_label/m.txt',
      'line 2: expected 0 or 1, found "2"',
    ],
    [
      'interpretation syntax',
      { 'interpretation_label/m.txt': '1-2:1\n5:1\n' },
      'interpretation_label/m.txt',
      'line 2: expected "start-end:d1,d2,...", found "5:1"',
    ],
    [
      'interpretation range',
      { 'interpretation_label/m.txt': '2-9:1\n' },
      'interpretation_label/m.txt',
      'line 1: rows 2-9 are not a non-empty range within the 3 test rows',
    ],
    [
      'interpretation dimension',
      { 'interpretation_label/m.txt': '0-1:4\n' },
      'interpretation_label/m.txt',
      'line 1: dimension 4 is not in 1..3',
    ],
    [
      'duplicate metric names',
      { 'metric_names.txt': 'a\nb\na\n' },
      'metric_names.txt',
      'line 3: duplicate metric name "a"',
    ],
    ['no test labels', { 'test_label/m.txt': '' }, 'test_label/m.txt', 'empty file'],
  ];
  for (const [what, override, rel, problem] of cases) {
    it(what, () => {
      const dir = tempTree({ ...base, ...override });
      expectProblem(() => importSmd(dir, 'm'), path.join(dir, ...rel.split('/')), problem);
    });
  }

  it('a good directory imports (the cases above differ from it in one file)', () => {
    const { test } = importSmd(tempTree(base), 'm');
    expect(test.manifest.faults[0]?.metrics).toEqual(['a', 'c']);
  });

  it('missing files and directories', () => {
    const dir = tempTree(base);
    expectProblem(() => importSmd(dir, 'zz'), path.join(dir, 'train', 'zz.txt'), 'file not found');
    const missing = path.join(dir, 'nowhere');
    expectProblem(() => importSmd(missing, 'm'), missing, 'directory not found');
    expectProblem(() => listSmdMachines(missing), missing, 'directory not found');
    const notSmd = tempTree({ 'train/m.txt': '1\n' });
    expectProblem(
      () => listSmdMachines(notSmd),
      notSmd,
      'not an SMD directory (needs train/ and test/ subdirectories)',
    );
  });
});

describe('CSV importer rejects bad input', () => {
  const good = 'time,a_x\n1700000000,1\n1700000001,2\n';
  const csvCases: [string, string, string][] = [
    ['empty.csv', '', 'empty file'],
    ['notime.csv', 'when,a_x\n1,2\n', 'line 1: no "time" (or "timestamp") column'],
    [
      'nounderscore.csv',
      'time,cpu\n1700000000,1\n1700000001,2\n',
      'line 1: column "cpu" is not named <host>_<metric>',
    ],
    [
      'emptyhost.csv',
      'time,_cpu\n1700000000,1\n1700000001,2\n',
      'line 1: column "_cpu" is not named <host>_<metric>',
    ],
    ['dupcol.csv', 'time,a_x,a_x\n1700000000,1,1\n', 'line 1: duplicate column "a_x"'],
    ['norows.csv', 'time,a_x\n', 'no data rows after the header'],
    ['dup.csv', `${good}1700000001,3\n`, 'line 4: duplicate time "1700000001"'],
    ['unsorted.csv', `${good}1699999999,3\n`, 'line 4: time goes back "1699999999"'],
    ['fields.csv', `${good}1700000002\n`, 'line 4: expected 2 fields, found 1'],
    ['value.csv', `${good}1700000002,high\n`, 'line 4, column "a_x": "high" is not a number'],
    [
      'mixed.csv',
      `${good}1700000002000,3\n`,
      'line 4: time column mixes epoch seconds and epoch milliseconds',
    ],
    [
      'isomix.csv',
      'time,a_x\n2023-01-01T00:00:00Z,1\n1700000001,2\n',
      'line 3: numeric time "1700000001" in a file of ISO',
    ],
    ['iso.csv', 'time,a_x\n2023-01-01T00:00:00Z,1\n2023-13-45T00:00:00Z,2\n', 'line 3: cannot read time'],
    ['notime2.csv', 'time,a_x\n2023-01-01T00:00:00Z,1\n,2\n', 'line 3: empty time'],
    ['blank.csv', 'time,a_x\n1700000000,1\n\n1700000001,2\n', 'line 3: empty line'],
    ['single.csv', 'time,a_x\n1700000000,1\n', 'only 1 sample(s)'],
  ];
  const dir = tempTree(Object.fromEntries(csvCases.map(([name, text]) => [name, text])));
  for (const [name, , problem] of csvCases) {
    it(`${name}: ${problem}`, () => {
      expectProblem(() => importCsv(path.join(dir, name)), path.join(dir, name), problem);
    });
  }

  it('a missing file', () => {
    expectProblem(() => importCsv(path.join(dir, 'nope.csv')), path.join(dir, 'nope.csv'), 'file not found');
  });

  const fault = { host: 'a', type: 'cpuhog', start: 1700000000 };
  const truthCases: [string, string, string][] = [
    ['malformed JSON', '{"faults": [', 'malformed JSON'],
    ['not an object', '[]', 'expected a JSON object'],
    ['no faults list', '{}', '"faults" must be a list'],
    [
      'fault host unknown',
      JSON.stringify({ faults: [{ ...fault, host: 'b' }] }),
      'faults[0]: host "b" is not in the CSV',
    ],
    [
      'fault without type',
      JSON.stringify({ faults: [{ host: 'a', start: 1 }] }),
      'faults[0]: "type" must be a non-empty string',
    ],
    [
      'bad start',
      JSON.stringify({ faults: [{ ...fault, start: 'noon' }] }),
      'faults[0].start: cannot read time "noon"',
    ],
    [
      'end before start',
      JSON.stringify({ faults: [{ ...fault, end: 1699999999 }] }),
      'faults[0]: end is not after start',
    ],
    [
      'unknown metric',
      JSON.stringify({ faults: [{ ...fault, metrics: ['y'] }] }),
      'faults[0]: metric "y" is not in the CSV',
    ],
    [
      'edge unknown host',
      JSON.stringify({ faults: [], edges: [['a', 'z']] }),
      'edge a -> z: unknown host "z"',
    ],
    [
      'edge not a pair',
      JSON.stringify({ faults: [], edges: [['a']] }),
      'edges[0]: expected ["caller", "callee"]',
    ],
    [
      'slo column unknown',
      JSON.stringify({ faults: [], slo: { column: 'lat', threshold: 1 } }),
      'slo.column "lat" is not',
    ],
    ['slo without threshold', JSON.stringify({ faults: [], slo: { column: 'a_x' } }), '"slo" must be {'],
  ];
  for (const [what, json, problem] of truthCases) {
    it(`truth: ${what}`, () => {
      const at = tempTree({ 'c.csv': good, 't.json': json });
      expectProblem(
        () => importCsv(path.join(at, 'c.csv'), path.join(at, 't.json')),
        path.join(at, 't.json'),
        problem,
      );
    });
  }

  it('truth: a missing file', () => {
    const at = tempTree({ 'c.csv': good });
    const truth = path.join(at, 't.json');
    expectProblem(() => importCsv(path.join(at, 'c.csv'), truth), truth, 'file not found');
  });
});

describe('seed importer rejects bad input', () => {
  const line = (ts: number) =>
    `{"count": 1, "mem": 1, "max": 5, "timestamp": ${ts}, "summation": 5, "violations": 0, "cpu": 1, "mean": 5}`;
  const cases: [string, string, string][] = [
    ['empty.txt', '\n\n', 'empty file'],
    ['json.txt', `${line(1)}\n{"count": 1,\n`, 'line 2: malformed JSON'],
    ['array.txt', `${line(1)}\n[1, 2]\n`, 'line 2: expected a JSON object'],
    [
      'missing.txt',
      '{"count": 1, "mem": 1, "max": 5, "timestamp": 1, "violations": 0, "cpu": 1, "mean": 5}\n',
      'line 1: missing field "summation"',
    ],
    [
      'nocpu.txt',
      '{"count": 1, "mem": 1, "max": 5, "timestamp": 1, "summation": 5, "mean": 5}\n',
      'line 1: missing field "cpu"',
    ],
    [
      'type.txt',
      `${line(1)}\n${line(2).replace('"count": 1', '"count": "1"')}\n`,
      'line 2: field "count" must be a non-negative number, found "1"',
    ],
    [
      'nullmean.txt',
      line(1).replace('"mean": 5', '"mean": null'),
      'line 1: field "mean" must be a non-negative number, found null',
    ],
    [
      'cpu.txt',
      line(1).replace('"cpu": 1', '"cpu": "high"'),
      'line 1: field "cpu" must be a number or null, found "high"',
    ],
    ['back.txt', `${line(5)}\n${line(6)}\n${line(4)}\n`, 'line 3: timestamp 4 goes back in time'],
  ];
  const dir = tempTree(Object.fromEntries(cases.map(([name, text]) => [name, text])));
  for (const [name, , problem] of cases) {
    it(`${name}: ${problem}`, () => {
      expectProblem(() => importSeed(path.join(dir, name)), path.join(dir, name), problem);
    });
  }

  it('a missing file, and a bad threshold option (a ConfigError, not a file problem)', () => {
    expectProblem(() => importSeed(path.join(dir, 'nope.txt')), path.join(dir, 'nope.txt'), 'file not found');
    expect(() => importSeed(path.join(dir, 'back.txt'), { thresholdMs: 0 })).toThrow(ConfigError);
  });
});
