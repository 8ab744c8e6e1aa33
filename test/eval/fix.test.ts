// Fix scoring, rules version 2: whole-episode savings, measured vs modelled, unnecessary actions.
import { describe, expect, it } from 'vitest';
import { buildGroundTruth, DEFAULT_SCORING, scoreFix } from '../../src/eval/index.ts';
import { action, fault, makeDataset, s, wholePeriod } from './fixture.ts';

const P = { ...DEFAULT_SCORING, recoveryGraceS: 5 };

describe('scoreFix v2', () => {
  // Fault f on db [2, 20) -> episode [2, 25). Violations 4-7, a 4 s lull, 12-15, 18: 9 seconds.
  //                                 0         1         2
  //                                 012345678901234567890123456789
  const ds = makeDataset({ pattern: '....XXXX....XXXX..X...........', faults: [fault('f', 'db', 2, 20)] });
  const truth = buildGroundTruth(ds, wholePeriod(ds), P);

  it('counts violation seconds saved over the whole episode, not only its first run', () => {
    // Requested at 5, completed at 6: 6, 7, 12-15, 18 are saved = 7 (v1 stopped at the lull: 2).
    const m = scoreFix([action('f', 5, 6)], truth, P);
    expect(m.violationSecondsSaved).toBe(7);
    expect(m.episodeViolationSeconds).toBe(9);
    expect(m.preventions).toBe(0);
    // Recovery: from 6 on the SLO holds (modelled): fix time 6 - 5 = 1 s, labelled modelled.
    expect(m.fixTimeS).toBe(1);
    expect(m.fixTimeSource).toBe('modelled');
    expect({ actions: m.actions, modelled: m.modelled, measured: m.measured }).toEqual({
      actions: 1,
      modelled: 1,
      measured: 0,
    });
    expect(m.falseActions).toBe(0);
  });

  it('counts an action completed before the onset as a prevention with no fix time', () => {
    const m = scoreFix([action('f', 2, 3, true, 'scale-cpu')], truth, P);
    expect(m.violationSecondsSaved).toBe(9);
    expect(m.preventions).toBe(1);
    expect(m.fixTimeS).toBeNull();
  });

  it("takes a measured action's effect as recorded: nothing saved, recovery from the SLO itself", () => {
    const measured = { ...action('f', 5, 6), source: 'measured' as const };
    const m = scoreFix([measured], truth, P);
    expect(m.violationSecondsSaved).toBe(0);
    // The recorded SLO holds for 3 s from 8 on: fix time 3 s, labelled measured.
    expect(m.fixTimeS).toBe(3);
    expect(m.fixTimeSource).toBe('measured');
    expect(m.measured).toBe(1);
  });

  it('counts unnecessary actions (wrong host, no fault active, control run) and their disruption', () => {
    const m = scoreFix(
      [
        action(null, 5, 9, false, 'restart', 'web'), // not the culprit: 4 s of disruption
        action(null, 22, 30, false, 'replace-host'), // db, but the fault ended at 20: 8 s
        action(null, 23, 24, false, 'scale-cpu'), // unnecessary, not disruptive
        action('f', 5, 6), // needed
      ],
      truth,
      P,
    );
    expect(m.falseActions).toBe(3);
    expect(m.falseActionDisruptionS).toBe(12);

    const control = makeDataset({ pattern: '..........' });
    control.manifest.phases = [{ name: 'control', start: s(0), end: s(10) }];
    const c = scoreFix([action(null, 3, 5)], buildGroundTruth(control, wholePeriod(control), P), P);
    expect(c.falseActions).toBe(1);
    expect(c.falseActionDisruptionS).toBe(2);
    expect(c.violationSecondsSaved).toBeNull(); // no episode: nothing to save
  });
});
