import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, UserError } from '../../src/core/errors.ts';
import { listExperiments, loadExperiment, validateExperimentSpec } from '../../src/runner/experiment/spec.ts';

const base = {
  name: 'x',
  workload: { mix: 'bidding', users: 10, scale: 0.01 },
  target: 'db',
  fault: { type: 'memleak', mibPerS: 2, maxMiB: 100 },
  phases: { warmupS: 5, normalS: 30, faultS: 20, recoveryS: 5 },
  slo: { latencyMs: 100 },
  pendingWindowS: 50,
};

describe('experiment specs', () => {
  it('ships memleak, cpuhog, diskhog, diskfill and control, valid on the stacks they run on', () => {
    const names = listExperiments();
    for (const n of ['memleak', 'cpuhog', 'diskhog', 'diskfill', 'control']) expect(names).toContain(n);
    // The disk faults would only load or fill this machine's own disk on the embedded stack.
    for (const n of ['diskhog', 'diskfill'])
      expect(() => loadExperiment(n, 'embedded')).toThrow(
        /runs on local, remote, aws, not on the embedded stack \(its description says why\): use --stack local/,
      );
    for (const n of names) {
      for (const stack of ['embedded', 'local'] as const) {
        if (stack === 'embedded' && (n === 'diskhog' || n === 'diskfill')) continue;
        const s = loadExperiment(n, stack);
        expect(s.name).toBe(n);
        // The fault lasts exactly the fault phase.
        if (s.fault) expect(s.fault.durationS).toBe(s.phases.faultS);
      }
    }
    expect(loadExperiment('control', 'local').fault).toBeNull();
  });

  it('refuses a bad stacks list in one line', () => {
    expect(() => validateExperimentSpec({ ...base, stacks: ['moon'] }, 'local', 'f.json')).toThrow(
      /f\.json: stacks: must be a non-empty list of embedded, local, remote, aws, got \["moon"\]/,
    );
    expect(validateExperimentSpec({ ...base, stacks: ['local'] }, 'local', 'f.json').name).toBe(base.name);
  });

  it('applies a stack override', () => {
    const raw = { ...base, overrides: { embedded: { target: 'web' } } };
    expect(validateExperimentSpec(raw, 'embedded', 'f.json').target).toBe('web');
    expect(validateExperimentSpec(raw, 'local', 'f.json').target).toBe('db');
  });

  it('names the field and the allowed range of a bad value', () => {
    const bad =
      (patch: object): (() => unknown) =>
      () =>
        validateExperimentSpec({ ...base, ...patch }, 'local', 'experiments/x.json');
    expect(bad({ phases: { ...base.phases, faultS: 5 } })).toThrow(
      'experiments/x.json: phases.faultS: must be a number in [10, 3600], got 5',
    );
    expect(bad({ target: 'mars' })).toThrow(
      /target: must be one of web, db, client, kafka, analysis, got "mars"/,
    );
    expect(bad({ workload: { ...base.workload, mix: 'buying' } })).toThrow(/workload.mix: must be one of/);
    expect(bad({ fault: { type: 'memleak', mibPerS: 5000 } })).toThrow(/fault.mibPerS/);
    expect(bad({ fault: { type: 'memleak', durationS: 3 } })).toThrow(
      /fault.durationS: set by phases.faultS/,
    );
    expect(bad({ colour: 'red' })).toThrow(/unknown key "colour"/);
    expect(bad({ repetitions: 0 })).toThrow(/repetitions: must be an integer in \[1, 100\]/);
    expect(bad({ phases: { ...base.phases, faultS: 5 } })).toThrow(ConfigError);
    expect(() =>
      validateExperimentSpec({ ...base, fix: { action: 'raise-limit' } }, 'embedded', 'x.json'),
    ).toThrow(/fix.action: raise-limit needs the local stack/);
    expect(() =>
      validateExperimentSpec(
        { ...base, fault: { type: 'diskfill', percent: 90 }, fix: { action: 'raise-limit' } },
        'local',
        'x.json',
      ),
    ).toThrow(/raise-limit applies to memleak \(memory\) and cpuhog \(CPU\) faults/);
    expect(
      validateExperimentSpec({ ...base, fix: { action: 'raise-limit' } }, 'local', 'x.json').fix,
    ).toEqual({
      action: 'raise-limit',
      afterViolationS: 5,
    });
  });

  it('reads CPU caps for the embedded stack and refuses bad ones in one line', () => {
    const capped = { ...base, overrides: { embedded: { caps: { db: { cpuCores: 0.5 } } } } };
    expect(validateExperimentSpec(capped, 'embedded', 'f.json').caps).toEqual({ db: 0.5 });
    expect(validateExperimentSpec(capped, 'local', 'f.json').caps).toEqual({});
    expect(validateExperimentSpec(base, 'embedded', 'f.json').caps).toEqual({});
    // The shipped embedded cpuhog caps db; the main job (memleak) has no cap.
    expect(loadExperiment('cpuhog', 'embedded').caps).toEqual({ db: 0.25 });
    expect(loadExperiment('memleak', 'embedded').caps).toEqual({});
    const bad =
      (caps: unknown, stack: 'embedded' | 'local' = 'embedded'): (() => unknown) =>
      () =>
        validateExperimentSpec({ ...base, caps }, stack, 'f.json');
    expect(bad({ db: { cpuCores: 0.5 } }, 'local')).toThrow(
      "f.json: caps: embedded stack only (the local stack's hosts have their own caps); put it in overrides.embedded",
    );
    expect(bad({ client: { cpuCores: 1 } })).toThrow('f.json: caps: unknown key "client" (known: db, web)');
    expect(bad({ db: { cpuCores: 0 } })).toThrow(
      'f.json: caps.db.cpuCores: must be a number in [0.05, 64], got 0',
    );
    expect(bad({ db: { cores: 1 } })).toThrow('f.json: caps.db: unknown key "cores" (known: cpuCores)');
    expect(bad({ db: 0.5 })).toThrow('f.json: caps.db: must be an object, got 0.5');
    expect(bad([1])).toThrow(ConfigError);
  });

  it('lists the valid names for an unknown experiment, and reports bad JSON with the file', () => {
    expect(() => loadExperiment('memlek', 'embedded')).toThrow(UserError);
    expect(() => loadExperiment('memlek', 'embedded')).toThrow(
      /unknown experiment "memlek" \(known: .*control.*memleak/,
    );
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fs-exp-'));
    const f = path.join(dir, 'broken.json');
    writeFileSync(f, '{"name": ');
    expect(() => loadExperiment(f, 'embedded')).toThrow(/broken.json: not valid JSON/);
    // a path to a spec file is not an experiment name: say the file is missing, not "unknown experiment"
    expect(() => loadExperiment(path.join(dir, 'nope.json'), 'embedded')).toThrow(
      /nope\.json: experiment spec file not found$/,
    );
  });
});
