import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import {
  FAULT_GRACE_S,
  FAULT_PARAM_DOCS,
  FAULT_TYPES,
  faultTimeoutS,
  rampFactor,
  validateFaultId,
  validateFaultSpec,
} from '../../src/faults/spec.ts';

function err(raw: unknown, where?: string): string {
  try {
    validateFaultSpec(raw, where);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe('validateFaultSpec', () => {
  it('fills the documented defaults', () => {
    expect(validateFaultSpec({ type: 'cpuhog' })).toEqual({
      type: 'cpuhog',
      percent: 100,
      cores: 1,
      ramp: 'step',
      rampS: 0,
      durationS: 60,
    });
    expect(validateFaultSpec({ type: 'memleak' })).toEqual({
      type: 'memleak',
      mibPerS: 10,
      ramp: 'step',
      rampS: 0,
      maxMiB: 256,
      into: 'process',
      durationS: 60,
    });
    expect(validateFaultSpec({ type: 'diskhog' })).toEqual({
      type: 'diskhog',
      mibPerS: 20,
      ramp: 'step',
      rampS: 0,
      blockKiB: 1024,
      fsync: true,
      maxMiB: 128,
      durationS: 60,
    });
    expect(validateFaultSpec({ type: 'diskfill', mib: 5 })).toEqual({
      type: 'diskfill',
      mib: 5,
      ramp: 'step',
      rampS: 0,
      durationS: 60,
    });
    expect(validateFaultSpec({ type: 'netloss' })).toEqual({
      type: 'netloss',
      percent: 10,
      iface: 'eth0',
      durationS: 60,
    });
  });

  it('keeps given values', () => {
    const s = { type: 'cpuhog', percent: 30, cores: 2, ramp: 'linear', rampS: 10, durationS: 5 };
    expect(validateFaultSpec(s)).toEqual(s);
  });

  it('names the field and its range in every range error, for every numeric parameter', () => {
    for (const type of FAULT_TYPES) {
      for (const [key, p] of Object.entries(FAULT_PARAM_DOCS[type].params)) {
        if (p.kind !== 'number' && p.kind !== 'integer') continue;
        const base = type === 'diskfill' && key !== 'mib' && key !== 'percent' ? { mib: 1 } : {};
        const msg = err({ type, ...base, [key]: p.max + 1 });
        expect(msg).toBe(
          `fault.${key}: must be ${p.kind === 'number' ? 'a number' : 'an integer'} in [${p.min}, ${p.max}], got ${p.max + 1}`,
        );
        expect(err({ type, ...base, [key]: p.min - 1 })).toContain(`fault.${key}: `);
        expect(err({ type, ...base, [key]: 'x' })).toContain(`got "x"`);
      }
    }
  });

  it('gives the example messages of the issue', () => {
    expect(err({ type: 'cpuhog', percent: 150 })).toBe(
      'fault.percent: must be a number in [1, 100], got 150',
    );
    expect(err({ type: 'x' })).toBe(
      'fault.type: unknown "x" (known: cpuhog, memleak, diskhog, diskfill, netloss)',
    );
    expect(err({ type: 'cpuhog', cores: 1.5 })).toBe('fault.cores: must be an integer in [1, 64], got 1.5');
  });

  it('rejects other kinds of bad values naming the field', () => {
    expect(err({ type: 'diskhog', fsync: 'yes' })).toBe('fault.fsync: must be true or false, got "yes"');
    expect(err({ type: 'memleak', ramp: 'sudden' })).toBe(
      'fault.ramp: must be one of step, linear, exponential, got "sudden"',
    );
    expect(err({ type: 'netloss', iface: 'eth0; rm -rf /' })).toMatch(/^fault\.iface: must match /);
    expect(err({ type: 'netloss', iface: 'a'.repeat(16) })).toMatch(/^fault\.iface: /);
    expect(err({ type: 'cpuhog', durationS: Infinity })).toMatch(/^fault\.durationS: /);
    expect(err({ type: 'diskhog', blockKiB: 4096, maxMiB: 2 })).toBe(
      'fault.blockKiB: must be <= maxMiB * 1024 (2048), got 4096',
    );
  });

  it('rejects non-objects, a missing or unknown type, and unknown keys by name', () => {
    expect(err(null)).toBe('fault: must be an object, got null');
    expect(err([1])).toMatch(/^fault: must be an object/);
    expect(err({})).toMatch(/^fault\.type: missing \(known: cpuhog, /);
    expect(err({ type: 7 })).toMatch(/^fault\.type: unknown 7 /);
    expect(err({ type: 'cpuhog', pct: 5, foo: 1 })).toBe(
      'fault: unknown keys "pct", "foo" for cpuhog (known: type, percent, cores, ramp, rampS, durationS)',
    );
    expect(err({ type: 'netloss', mib: 5 })).toMatch(/^fault: unknown key "mib" for netloss/);
    // Inherited names are not parameters either.
    expect(err({ type: 'cpuhog', toString: 1 })).toMatch(/^fault: unknown key "toString" for cpuhog/);
  });

  it('uses `where` as the prefix', () => {
    expect(err({ type: 'cpuhog', cores: 0 }, 'scenario.faults[1]')).toMatch(
      /^scenario\.faults\[1\]\.cores: /,
    );
  });

  it('diskfill needs exactly one of percent and mib', () => {
    expect(err({ type: 'diskfill' })).toBe('fault: diskfill needs exactly one of percent, mib (got neither)');
    expect(err({ type: 'diskfill', percent: 50, mib: 10 })).toBe(
      'fault: diskfill needs exactly one of percent, mib (got both)',
    );
    expect(validateFaultSpec({ type: 'diskfill', percent: 90 })).toEqual({
      type: 'diskfill',
      percent: 90,
      ramp: 'step',
      rampS: 0,
      durationS: 60,
    });
    expect(err({ type: 'diskfill', percent: 0 })).toBe('fault.percent: must be a number in [1, 100], got 0');
  });

  it('documents every parameter with a doc and a range', () => {
    for (const type of FAULT_TYPES) {
      expect(FAULT_PARAM_DOCS[type].doc).not.toBe('');
      for (const p of Object.values(FAULT_PARAM_DOCS[type].params)) {
        expect(p.doc).not.toBe('');
        expect(p.range).not.toBe('');
      }
    }
  });
});

describe('validateFaultId', () => {
  it('accepts short lowercase ids', () => {
    expect(validateFaultId('cpu-1')).toBe('cpu-1');
    expect(validateFaultId('a'.repeat(41))).toBe('a'.repeat(41));
  });
  it.each(['', '-a', 'A', 'a_b', 'a.b', 'a/b', '../x', 'a'.repeat(42), 'a b'])('rejects %j', (id) => {
    expect(() => validateFaultId(id)).toThrow(ConfigError);
    expect(() => validateFaultId(id)).toThrow(/^fault id: must match /);
  });
  it('rejects non-strings', () => {
    expect(() => validateFaultId(5)).toThrow('fault id: must match ^[a-z0-9][a-z0-9-]{0,40}$, got 5');
  });
});

describe('rampFactor and faultTimeoutS', () => {
  it('step is 1 at once', () => {
    expect(rampFactor('step', 0, 10)).toBe(1);
    expect(rampFactor('step', 5, 10)).toBe(1);
  });
  it('linear is t / rampS, capped at 1', () => {
    expect(rampFactor('linear', 0, 10)).toBe(0);
    expect(rampFactor('linear', 2.5, 10)).toBe(0.25);
    expect(rampFactor('linear', 10, 10)).toBe(1);
    expect(rampFactor('linear', 20, 10)).toBe(1);
    expect(rampFactor('linear', -1, 10)).toBe(0);
  });
  it('exponential goes from 1 % to 100 % by a constant factor', () => {
    expect(rampFactor('exponential', 0, 10)).toBeCloseTo(0.01, 12);
    expect(rampFactor('exponential', 5, 10)).toBeCloseTo(0.1, 12);
    expect(rampFactor('exponential', 10, 10)).toBe(1);
    expect(rampFactor('exponential', 30, 10)).toBe(1);
  });
  it('rampS 0 means full intensity', () => {
    expect(rampFactor('linear', 0, 0)).toBe(1);
    expect(rampFactor('exponential', 0, 0)).toBe(1);
  });
  it('the hard deadline is the duration plus the grace', () => {
    expect(faultTimeoutS(validateFaultSpec({ type: 'cpuhog', durationS: 5 }))).toBe(5 + FAULT_GRACE_S);
  });
});

describe('memleak into', () => {
  it('accepts process and service, and names the choices otherwise', () => {
    expect(validateFaultSpec({ type: 'memleak', into: 'service' })).toMatchObject({ into: 'service' });
    expect(() => validateFaultSpec({ type: 'memleak', into: 'heap' })).toThrow(
      'fault.into: must be one of process, service, got "heap"',
    );
  });
});
