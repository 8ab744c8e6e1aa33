// Live mode and the best-model file: no predictor meets the rule (or a v1 verdict) -> --model is needed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { chooseModel } from '../../src/live/model.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'foreshock-best-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function dirWith(name: string, best: unknown): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'x.best.json'), JSON.stringify(best));
  return dir;
}

describe('chooseModel --model best', () => {
  it('asks for --model when no predictor meets the rule', () => {
    const dir = dirWith('none', {
      format: 'foreshock-best-model/1',
      scoringRules: 2,
      predictor: null,
      noPredictor: {
        why: 'no predictor has a true positive and FPR <= 0.05: prepare does not meet the rule',
      },
      localizer: { algorithm: 'fchain', config: {} },
    });
    expect(() => chooseModel({ model: 'best', reportsDir: dir })).toThrow(UserError);
    expect(() => chooseModel({ model: 'best', reportsDir: dir })).toThrow(
      /meets the best-model rule.*--model/,
    );
  });

  it('refuses a verdict written under scoring rules v1', () => {
    const dir = dirWith('v1', {
      format: 'foreshock-best-model/1',
      predictor: { algorithm: 'ubl', config: {} },
    });
    expect(() => chooseModel({ model: 'best', reportsDir: dir })).toThrow(/scoring rules version 1/);
  });

  it('takes the predictor of a v2 verdict', () => {
    const dir = dirWith('ok', {
      format: 'foreshock-best-model/1',
      scoringRules: 2,
      predictor: { algorithm: 'threshold', config: {}, meetsRule: true },
      localizer: null,
    });
    expect(chooseModel({ model: 'best', reportsDir: dir }).predictor.algorithm).toBe('threshold');
  });
});
