// The RCA evaluation (src/runner/rca.ts, `foreshock rca`) on RCAEval-style cases generated from the
// synthetic generator: export and re-import, per-fault-type scores that agree with src/eval, the
// trigger modes, online validation against recorded actions, and the command line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/core/dataset.ts';
import { UserError } from '../../../src/core/errors.ts';
import { readDataset, writeDataset } from '../../../src/data/dataset-io.ts';
import { importCsv } from '../../../src/data/import/csv.ts';
import { buildGroundTruth, DEFAULT_SCORING, scoreLocalization } from '../../../src/eval/index.ts';
import {
  exportRcaCase,
  formatRcaTable,
  listRcaCases,
  loadRcaCases,
  runRca,
  type RcaCase,
} from '../../../src/runner/rca.ts';
import { synthesize } from '../../../src/sim/synth/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'foreshock-rca-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FAULTS = ['memleak', 'cpuhog', 'diskhog', 'diskfill'] as const;
const casesDir = join(tmp, 'cases');
let cases: RcaCase[] = [];

beforeAll(() => {
  for (const fault of FAULTS) {
    exportRcaCase(synthesize({ hosts: 5, fault, seed: 1, durationS: 900 }), casesDir, `${fault}-1`);
  }
  cases = loadRcaCases(casesDir);
});

describe('exportRcaCase / importCsv', () => {
  it('round-trips a dataset through the RCAEval-style wide CSV + truth JSON', () => {
    const ds = synthesize({ hosts: 3, fault: 'memleak', seed: 2, durationS: 300 });
    const { csv, truth } = exportRcaCase(ds, join(tmp, 'rt'), 'rt');
    const back = importCsv(csv, truth);
    expect(back.metrics.hosts).toEqual(ds.metrics.hosts);
    expect(back.metrics.metrics).toEqual([...ds.metrics.metrics].sort());
    expect(Array.from(back.metrics.time)).toEqual(Array.from(ds.metrics.time));
    for (const m of ds.metrics.metrics) {
      const a = ds.metrics.columns[ds.metrics.metrics.indexOf(m)]!;
      const b = back.metrics.columns[back.metrics.metrics.indexOf(m)]!;
      expect(Array.from(b)).toEqual(Array.from(a));
    }
    expect(back.manifest.faults).toEqual(ds.manifest.faults.map(({ params: _p, ...f }) => f));
    expect(back.manifest.slo).toEqual(ds.manifest.slo);
    expect(Array.from(back.slo!.columns.mean_latency_ms!)).toEqual(
      Array.from(ds.slo!.columns.mean_latency_ms!),
    );
    expect(back.manifest.dependencies).toEqual(ds.manifest.dependencies);
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toMatch(/^time,app-0_availcpu,app-0_freemem,/);
  });

  it('refuses host names the column naming cannot carry', () => {
    const ds = synthesize({ hosts: 2, fault: 'none', seed: 1, durationS: 20 });
    ds.metrics.hosts = ['web_0', 'db-0'];
    expect(() => exportRcaCase(ds, join(tmp, 'bad'))).toThrow(/web_0/);
  });

  it('lists case pairs and says what is missing', () => {
    expect(listRcaCases(casesDir).map((c) => c.name)).toEqual(FAULTS.map((f) => `${f}-1`).sort());
    const lonely = join(tmp, 'lonely');
    exportRcaCase(synthesize({ hosts: 2, fault: 'cpuhog', seed: 1, durationS: 60 }), lonely, 'x');
    rmSync(join(lonely, 'x.truth.json'));
    expect(() => listRcaCases(lonely)).toThrow(/no truth file x\.truth\.json/);
    expect(() => listRcaCases(join(tmp, 'nowhere'))).toThrow(UserError);
  });
});

describe('runRca', () => {
  it('scores every localizer per fault type and overall, reproducibly', () => {
    const report = runRca(cases);
    const again = runRca(cases);
    expect(JSON.stringify(again)).toBe(JSON.stringify(report));
    const algorithms = [...new Set(report.summary.map((r) => r.algorithm))];
    expect(algorithms).toEqual(expect.arrayContaining(['fchain', 'pal', 'histogram', 'topology', 'zscore']));
    for (const name of algorithms) {
      const rows = report.summary.filter((r) => r.algorithm === name);
      expect(rows.map((r) => r.faultType)).toEqual([...[...FAULTS].sort(), 'all']);
      expect(rows.at(-1)!.n).toBe(FAULTS.length);
      for (const r of rows) expect(r.computeMs).toBeNull();
    }
    const fchain = report.summary.find((r) => r.algorithm === 'fchain' && r.faultType === 'all')!;
    expect(fchain.ac1).toBe(1);
    expect(fchain.precision).toBe(1);
    expect(fchain.recall).toBe(1);
    // The distribution-change baseline pinpoints victims too.
    const histogram = report.summary.find((r) => r.algorithm === 'histogram' && r.faultType === 'all')!;
    expect(histogram.precision!).toBeLessThan(fchain.precision!);
    for (const c of report.cases) expect(c.trigger?.kind).toBe('slo');
  });

  it('agrees with src/eval scoreLocalization on single-fault cases', () => {
    const report = runRca(cases, { algorithms: ['fchain', 'zscore', 'histogram'] });
    for (const c of report.cases) {
      const ds = cases.find((x) => x.name === c.case)!.dataset;
      const truth = buildGroundTruth(ds, { start: ds.manifest.start, end: ds.manifest.end }, DEFAULT_SCORING);
      const type = c.faults[0]!.type;
      for (const [name, loc] of Object.entries(c.localizations)) {
        const expected = scoreLocalization([loc!], truth, { allFaults: true });
        const row = report.summary.find((r) => r.algorithm === name && r.faultType === type)!;
        expect({
          ac1: row.ac1,
          ac3: row.ac3,
          avg5: row.avg5,
          chanceAc1: row.chance1,
          chanceAc3: row.chance3,
          precision: row.precision,
          recall: row.recall,
        }).toEqual({
          ac1: expected.ac1,
          ac3: expected.ac3,
          avg5: expected.avg5,
          chanceAc1: expected.chance.ac1,
          chanceAc3: expected.chance.ac3,
          precision: expected.precision,
          recall: expected.recall,
        });
      }
    }
  });

  it('localizes at the fault start + delay with --trigger fault, and misses SLO-less cases with --trigger slo', () => {
    const one = [cases[0]!];
    const fault = one[0]!.dataset.manifest.faults[0]!;
    const byFault = runRca(one, { algorithms: ['fchain'], trigger: 'fault', delayS: 45 });
    expect(byFault.cases[0]!.trigger).toEqual({
      kind: 'explicit',
      time: fault.start + 45_000,
      firedAt: fault.start + 45_000,
    });

    const noSlo: Dataset = {
      ...one[0]!.dataset,
      slo: null,
      manifest: { ...one[0]!.dataset.manifest, slo: null },
    };
    const strict = runRca([{ name: 'no-slo', dataset: noSlo }], { algorithms: ['fchain'], trigger: 'slo' });
    expect(strict.cases[0]!.trigger).toBeNull();
    expect(strict.summary.find((r) => r.faultType === 'all')).toMatchObject({
      n: 1,
      ac1: 0,
      recall: 0,
      precision: null,
    });
    const auto = runRca([{ name: 'no-slo', dataset: noSlo }], { algorithms: ['fchain'] });
    expect(auto.cases[0]!.trigger!.kind).toBe('explicit');
  });

  it('refuses predictors', () => {
    expect(() => runRca(cases, { algorithms: ['threshold'] })).toThrow(/predictor, not a localizer/);
  });

  it('validates fchain against a scale-up recorded in the run: kept when the SLO improved, dropped when not', () => {
    const base = cases.find((c) => c.name === 'cpuhog-1')!;
    const first = runRca([base], { algorithms: ['fchain'] }).cases[0]!;
    const fired = first.trigger!.firedAt;
    const culprit = base.dataset.manifest.faults[0]!.host;
    expect(first.localizations.fchain!.pinpointed).toEqual([culprit]);
    const action = { type: 'scale-cpu', host: culprit, requested: fired + 1000, completed: fired + 2000 };

    // As recorded the SLO stays violated after the scale-up: fchain drops its answer.
    const recorded: Dataset = { ...base.dataset, manifest: { ...base.dataset.manifest, actions: [action] } };
    const dropped = runRca([{ name: 'v', dataset: recorded }], { algorithms: ['fchain'] }).cases[0]!;
    expect(dropped.localizations.fchain!.pinpointed).toEqual([]);
    expect(dropped.localizations.fchain!.note).toContain(`dropped by validation: ${culprit}`);

    // A run where the latency fell back after the scale-up completed: validated, kept.
    const latency = Float64Array.from(base.dataset.slo!.columns.mean_latency_ms!);
    base.dataset.slo!.time.forEach((t, i) => {
      if (t >= action.completed) latency[i] = 20;
    });
    const helped: Dataset = {
      ...recorded,
      slo: { time: base.dataset.slo!.time, columns: { mean_latency_ms: latency } },
    };
    const kept = runRca([{ name: 'v', dataset: helped }], { algorithms: ['fchain'] }).cases[0]!;
    expect(kept.localizations.fchain!.pinpointed).toEqual([culprit]);
    expect(kept.localizations.fchain!.note).toContain(`validated: ${culprit}`);
    expect(kept.localizations.fchain!.note).not.toContain('not validated');
  });
});

describe('foreshock rca (command line)', () => {
  const BIN = resolve('bin/foreshock.js');
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, 'rca', ...args], { encoding: 'utf8', timeout: 120_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };

  it('prints the report as JSON (--json); the table has AC@1, AC@3, Avg@5, precision, recall per fault type', () => {
    // --datasets adds a foreshock dataset directory as one more case.
    const dsDir = join(tmp, 'ds-memleak-2');
    writeDataset(dsDir, synthesize({ hosts: 4, fault: 'memleak', seed: 2, durationS: 600 }));
    const json = run('--cases', casesDir, '--datasets', dsDir, '--algorithms', 'fchain,pal', '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    const extra = { name: 'synth-memleak-4h-s2', dataset: readDataset(dsDir) };
    expect(report).toEqual(runRca([...cases, extra], { algorithms: ['fchain', 'pal'] }));
    expect(report.cases).toHaveLength(FAULTS.length + 1);
    const table = formatRcaTable(report);
    expect(table).toMatch(
      /^algorithm\s+fault type\s+n\s+AC@1\s+AC@3\s+Avg@5\s+chance@1\s+chance@3\s+precision\s+recall( |\n)/,
    );
    // The chance floor k/N sits beside the AC@k: the cpuhog case has 5 hosts, so a random ranking
    // has AC@1 0.20 and AC@3 0.60.
    expect(table).toMatch(
      /\nfchain\s+cpuhog\s+1\s+1\.00\s+1\.00\s+1\.00\s+0\.20\s+0\.60\s+1\.00\s+1\.00[ \n]/,
    );
    expect(table.split('\n')).toHaveLength(1 + 2 * (FAULTS.length + 1));
  });

  it('fails with one line, exit code 1, for a bad directory', () => {
    const bad = run('--cases', join(tmp, 'nowhere'));
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^foreshock: --cases .*not a directory/);
  });

  it('names the key of a bad algorithm config (the same path the command takes)', () => {
    expect(() => runRca(cases, { algorithms: ['nope'] })).toThrow(/unknown algorithm "nope"/);
    expect(() =>
      runRca(cases, { algorithms: ['fchain'], configs: { fchain: { lookBackS: 'long' } } }),
    ).toThrow(/lookBackS/);
  });
});
