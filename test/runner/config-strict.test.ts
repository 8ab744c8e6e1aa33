// Issue 26's configuration findings, each once accepted silently: a --config key naming no
// algorithm, a fix model of [] (and other shapes that are not one), a scoring minimum duration of 0.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { validateScoringParams } from '../../src/eval/params.ts';
import { runRca } from '../../src/runner/rca.ts';
import { runReplayJob } from '../../src/runner/replay-job.ts';
import { parseFixModel } from '../../src/sim/fix-model.ts';
import { loadExperiment } from '../../src/runner/experiment/spec.ts';
import { readRemoteSpec } from '../../src/stack/remote-spec.ts';
import { readLeaderboardFile } from '../../src/report/leaderboard-input.ts';
import { tinyDataset } from '../helpers/tiny-dataset.ts';

describe('config keys', () => {
  it('replay refuses a config key naming no algorithm, and names the key', () => {
    expect(() =>
      runReplayJob(tinyDataset({ seconds: 20, slo: '.'.repeat(20) }), null, {
        algorithms: ['threshold'],
        configs: { treshold: { k: 1 } },
      }),
    ).toThrow(/^config: "treshold" names no algorithm \(known: .*threshold/);
  });

  it('rca refuses a config key naming no algorithm', () => {
    expect(() => runRca([], { algorithms: ['zscore'], configs: { zscor: {} } })).toThrow(ConfigError);
  });

  it('a known algorithm key still configures it (unknown parameter keys stay refused)', () => {
    expect(() =>
      runReplayJob(tinyDataset({ seconds: 20, slo: '.'.repeat(20) }), null, {
        algorithms: ['threshold'],
        configs: { threshold: { nosuch: 1 } },
      }),
    ).toThrow(/algorithm threshold: unknown config key "nosuch"/);
  });
});

describe('fix model', () => {
  it.each([
    [[], /fix model must be a JSON object/],
    [{ latensy: {} }, /unknown fix model key "latensy"/],
    [{ latency: [] }, /latency must be an object/],
    [{ resolves: { memleak: 'restart' } }, /resolves\.memleak must be a list of action types/],
  ])('refuses %j', (raw, pattern) => {
    expect(() => parseFixModel(raw, 'fix.json')).toThrow(ConfigError);
    expect(() => parseFixModel(raw, 'fix.json')).toThrow(pattern);
  });

  it('accepts an empty object (the defaults) and a valid override', () => {
    expect(() => parseFixModel({}, 'f')).not.toThrow();
    const m = parseFixModel({ resolves: { memleak: ['restart'] } }, 'f');
    expect(m.resolves.memleak).toEqual(['restart']);
  });
});

describe('scoring minimum duration', () => {
  it('refuses 0 and accepts a positive value', () => {
    expect(() => validateScoringParams({ minDurationS: 0 })).toThrow(
      /^scoring: config key "minDurationS" must be > 0, got 0$/,
    );
    expect(validateScoringParams({ minDurationS: 0.5 }).minDurationS).toBe(0.5);
  });
});

describe('spec files nested too deep (issue 26: depth limits on every JSON reader)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'foreshock-deep-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const deep = `{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
  it.each([
    ['an experiment spec', (f: string) => loadExperiment(f, 'embedded')],
    ['a remote spec', (f: string) => readRemoteSpec(f)],
    ['a leaderboard file', (f: string) => readLeaderboardFile(f)],
  ])('refuses %s in one line naming the file', (name, read) => {
    const file = join(tmp, `${name.replace(/ /g, '-')}.json`);
    writeFileSync(file, deep);
    expect(() => read(file)).toThrow(/JSON nests deeper than 64 levels$/);
    expect(() => read(file)).toThrow(file);
  });
});
