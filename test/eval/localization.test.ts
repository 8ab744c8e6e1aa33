// Localization scoring, rules version 2: cases = failing episodes, chance AC@k, null without a case.
import { describe, expect, it } from 'vitest';
import { buildGroundTruth, DEFAULT_SCORING, scoreLocalization } from '../../src/eval/index.ts';
import { fault, loc, makeDataset, s, wholePeriod } from './fixture.ts';

const P = { ...DEFAULT_SCORING, recoveryGraceS: 5 };
const hosts = ['web', 'db', 'app', 'kafka'];

describe('scoreLocalization v2', () => {
  // Fault a on db [2, 10): onset 4 (run 4-7). Fault b on web [20, 28): no SLO effect -> no case.
  //                                 0         1         2         3
  //                                 0123456789012345678901234567890123
  const ds = makeDataset({
    pattern: '....XXXX..........................',
    faults: [fault('a', 'db', 2, 10), fault('b', 'web', 20, 28)],
    hosts,
    harness: ['kafka'],
  });
  const truth = buildGroundTruth(ds, wholePeriod(ds), P);

  it('has one case per failing episode; the first localization is its answer; chance is k/N', () => {
    const m = scoreLocalization(
      [
        loc(9, 7, ['kafka', 'web', 'db'], ['web']), // kafka is not scored: db ranks 2nd
        loc(12, 7, ['db'], ['db']), // later: not the answer, but its pinpointed db counts for recall
        loc(25, 22, ['web'], ['web']), // b has no case: an unmapped answer, its pinpointed host is wrong
      ],
      truth,
    );
    expect(m.cases).toBe(1);
    expect(m.hosts).toBe(3);
    expect(m.ac1).toBe(0);
    expect(m.ac3).toBe(1);
    expect(m.avg5).toBeCloseTo((0 + 1 + 1 + 1 + 1) / 5);
    expect(m.chance.ac1).toBeCloseTo(1 / 3);
    expect(m.chance.ac3).toBe(1);
    expect(m.chance.avg5).toBeCloseTo((1 / 3 + 2 / 3 + 1 + 1 + 1) / 5);
    expect(m.precision).toBeCloseTo(1 / 3); // pinpointed web, db, web; db is right
    expect(m.recall).toBe(1);
    expect(m.timeS).toBe(2); // 9 - 7
    expect(m.ttlS).toBe(10); // first answer with db first: 12, minus f.start 2
  });

  it('makes every fault a case with allFaults (explicit localization times)', () => {
    const m = scoreLocalization([loc(25, 22, ['web'], ['web'])], truth, { allFaults: true });
    expect(m.cases).toBe(2);
    expect(m.ac1).toBe(0.5); // a: miss; b: web first
  });

  it('reports AC@k, precision and recall as null (n/a) with no case, never 0', () => {
    const control = makeDataset({ pattern: '..........', hosts });
    control.manifest.phases = [{ name: 'control', start: s(0), end: s(10) }];
    const m = scoreLocalization(
      [loc(5, 4, ['db'], ['db'])],
      buildGroundTruth(control, wholePeriod(control), P),
    );
    expect(m).toMatchObject({
      cases: 0,
      ac1: null,
      ac3: null,
      avg5: null,
      precision: null,
      recall: null,
      timeS: null,
      ttlS: null,
      chance: { ac1: null, ac3: null, avg5: null },
    });
  });
});
