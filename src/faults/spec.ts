// Typed fault specs (issue 8): what a fault is, its parameters with ranges and defaults, and the
// one-line ConfigErrors a bad spec gets. Pure: no I/O, no clock. The parameter table below is the
// single source for both validation and `foreshock faults list`, so the docs cannot drift from
// what is accepted. The parameter names follow the peer catalogues (Chaos Mesh, ChaosBlade,
// Litmus, stress-ng), which agree on them.
//
// src/core/config.ts ParamSpecs is not reused: faults need string and one-of parameters and
// messages of the form `fault.percent: must be a number in [1, 100], got 150`.

import { ConfigError } from '../core/errors.ts';

export type RampProfile = 'step' | 'linear' | 'exponential';
export interface CpuHogSpec {
  type: 'cpuhog';
  percent: number;
  cores: number;
  ramp: RampProfile;
  rampS: number;
  durationS: number;
}
/** Where a memory leak lives: in the fault program's own memory, or inside the host's service. */
export type LeakPlace = 'process' | 'service';
export interface MemLeakSpec {
  type: 'memleak';
  mibPerS: number;
  ramp: RampProfile;
  rampS: number;
  maxMiB: number;
  into: LeakPlace;
  durationS: number;
}
export interface DiskHogSpec {
  type: 'diskhog';
  mibPerS: number;
  ramp: RampProfile;
  rampS: number;
  blockKiB: number;
  fsync: boolean;
  maxMiB: number;
  durationS: number;
}
/** Exactly one of `percent` (target used share of the file system) or `mib` (file size). */
export interface DiskFillSpec {
  type: 'diskfill';
  percent?: number;
  mib?: number;
  /** Absent: the whole size at once (fallocate). Given: the file grows at this rate (a runaway log). */
  mibPerS?: number;
  ramp: RampProfile;
  rampS: number;
  durationS: number;
}
export interface NetLossSpec {
  type: 'netloss';
  percent: number;
  iface: string;
  durationS: number;
}
export type FaultSpec = CpuHogSpec | MemLeakSpec | DiskHogSpec | DiskFillSpec | NetLossSpec;
export type FaultType = FaultSpec['type'];

export const FAULT_TYPES: readonly FaultType[] = ['cpuhog', 'memleak', 'diskhog', 'diskfill', 'netloss'];

/**
 * Seconds the on-host program may outlive `durationS` before its hard deadline: room for setup
 * (fallocate, nft), a slow revert and node's own start. After it the program exits regardless.
 */
export const FAULT_GRACE_S = 30;

export function faultTimeoutS(spec: FaultSpec): number {
  return spec.durationS + FAULT_GRACE_S;
}

/**
 * Share of the full intensity at `tS` seconds into the fault, in [0, 1].
 * step: 1 from the start. linear: t / rampS. exponential: 0.01 * 100^(t / rampS), i.e. 1 % at the
 * start growing by a constant factor per second to 100 % at rampS (a pure exponential cannot start
 * at 0, and 1 % is small enough to look like "nothing yet" on every metric). Capped at 1 after
 * rampS; rampS 0 means full intensity at once.
 */
export function rampFactor(profile: RampProfile, tS: number, rampS: number): number {
  if (profile === 'step' || rampS <= 0 || tS >= rampS) return 1;
  const x = Math.max(0, tS) / rampS;
  return profile === 'linear' ? x : Math.min(1, 0.01 * Math.pow(100, x));
}

const ID_RE = /^[a-z0-9][a-z0-9-]{0,40}$/;

/** Fault ids become file names (`<id>.json`) and nft table names, hence the narrow alphabet. */
export function validateFaultId(id: unknown): string {
  if (typeof id !== 'string' || !ID_RE.test(id)) {
    throw new ConfigError(`fault id: must match ${ID_RE.source}, got ${JSON.stringify(id)}`);
  }
  return id;
}

// ---- parameter table ---------------------------------------------------------------------------

/** One documented parameter. `default` undefined = no default (diskfill's one-of pair). */
export type FaultParamDoc =
  | { kind: 'number' | 'integer'; doc: string; default?: number; min: number; max: number; range: string }
  | { kind: 'boolean'; doc: string; default: boolean; range: string }
  | { kind: 'enum'; doc: string; default: string; values: readonly string[]; range: string }
  | { kind: 'string'; doc: string; default: string; pattern: RegExp; range: string };

function num(min: number, max: number, def: number | undefined, doc: string): FaultParamDoc {
  return { kind: 'number', doc, default: def, min, max, range: `[${min}, ${max}]` };
}
function int(min: number, max: number, def: number, doc: string): FaultParamDoc {
  return { kind: 'integer', doc, default: def, min, max, range: `integer [${min}, ${max}]` };
}
function bool(def: boolean, doc: string): FaultParamDoc {
  return { kind: 'boolean', doc, default: def, range: 'true | false' };
}
const RAMPS: readonly RampProfile[] = ['step', 'linear', 'exponential'];
const ramp: FaultParamDoc = {
  kind: 'enum',
  doc: 'how the intensity grows to full over rampS: step (at once), linear, exponential (1 % -> 100 %)',
  default: 'step',
  values: RAMPS,
  range: RAMPS.join(' | '),
};
const rampS = num(0, 3600, 0, 'seconds to reach full intensity (0 = at once)');
const durationS = num(1, 86400, 60, 'seconds the fault lasts; it then reverts itself');

export interface FaultTypeDoc {
  doc: string;
  params: Record<string, FaultParamDoc>;
}

export const FAULT_PARAM_DOCS: Readonly<Record<FaultType, FaultTypeDoc>> = {
  cpuhog: {
    doc: 'busy-loop worker threads, each with a duty cycle of percent % per 100 ms period',
    params: {
      percent: num(1, 100, 100, 'busy share of each core, in %'),
      cores: int(1, 64, 1, 'worker threads (cores kept busy)'),
      ramp,
      rampS,
      durationS,
    },
  },
  memleak: {
    doc: 'allocates and touches memory at mibPerS (resident, not just reserved), holds it at maxMiB; CPU-quiet',
    params: {
      mibPerS: num(0.1, 1024, 10, 'growth rate in MiB/s at full intensity'),
      ramp,
      rampS,
      maxMiB: int(1, 65536, 256, 'growth stops here and the memory is held until the end'),
      into: {
        kind: 'enum',
        doc: "process: the fault program's own memory (squeezes the host under its memory limit); service: the heap of the host's service, through its fault hook (<dir>/service.sock; the embedded stack's database tier has one)",
        default: 'process',
        values: ['process', 'service'],
        range: 'process | service',
      },
      durationS,
    },
  },
  diskhog: {
    doc: 'paced writes of blockKiB blocks to <dir>/<id>.data at mibPerS; rewrites from offset 0 at maxMiB',
    params: {
      mibPerS: num(0.1, 1024, 20, 'write rate in MiB/s at full intensity'),
      ramp,
      rampS,
      blockKiB: int(4, 16384, 1024, 'size of each write in KiB (at most maxMiB * 1024)'),
      fsync: bool(true, 'fsync after each block, so the bytes reach the disk now'),
      maxMiB: int(1, 65536, 128, 'file size at which writing restarts at offset 0 (the disk does not fill)'),
      durationS,
    },
  },
  diskfill: {
    doc: 'one file <dir>/<id>.data taking the space asked for (at once, or growing at mibPerS), held until the end; give exactly one of percent, mib',
    params: {
      percent: num(1, 100, undefined, "target used share of the file system in % (df's Use%)"),
      mib: num(1, 1048576, undefined, 'file size in MiB (capped at the space available)'),
      mibPerS: num(
        0.1,
        1024,
        undefined,
        'growth rate in MiB/s at full intensity (written like a log); absent = the whole size at once (fallocate)',
      ),
      ramp,
      rampS,
      durationS,
    },
  },
  netloss: {
    doc: 'nftables rules dropping percent % of packets in and out of iface (in the current network namespace)',
    params: {
      percent: num(0.1, 100, 10, 'share of packets dropped per direction, in % (0.1 steps)'),
      iface: {
        kind: 'string',
        doc: 'interface name',
        default: 'eth0',
        pattern: /^[a-zA-Z0-9_.-]{1,15}$/,
        range: '/^[a-zA-Z0-9_.-]{1,15}$/',
      },
      durationS,
    },
  },
};

// ---- validation --------------------------------------------------------------------------------

function checkParam(where: string, p: FaultParamDoc, v: unknown): unknown {
  const got = `got ${JSON.stringify(v)}`;
  switch (p.kind) {
    case 'number':
    case 'integer': {
      const ok =
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (p.kind === 'number' || Number.isInteger(v)) &&
        v >= p.min &&
        v <= p.max;
      if (!ok)
        throw new ConfigError(
          `${where}: must be ${p.kind === 'number' ? 'a number' : 'an integer'} in [${p.min}, ${p.max}], ${got}`,
        );
      return v;
    }
    case 'boolean':
      if (typeof v !== 'boolean') throw new ConfigError(`${where}: must be true or false, ${got}`);
      return v;
    case 'enum':
      if (typeof v !== 'string' || !p.values.includes(v))
        throw new ConfigError(`${where}: must be one of ${p.values.join(', ')}, ${got}`);
      return v;
    case 'string':
      if (typeof v !== 'string' || !p.pattern.test(v))
        throw new ConfigError(`${where}: must match ${p.range}, ${got}`);
      return v;
  }
}

/**
 * Checks a raw (JSON) fault spec and fills its defaults. `where` prefixes every message (e.g.
 * `scenario.faults[2]`), so the user sees which fault and which field is wrong.
 */
export function validateFaultSpec(raw: unknown, where = 'fault'): FaultSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${where}: must be an object, got ${JSON.stringify(raw) ?? String(raw)}`);
  }
  const given = raw as Record<string, unknown>;
  const type = given.type;
  const known = FAULT_TYPES.join(', ');
  if (type === undefined) throw new ConfigError(`${where}.type: missing (known: ${known})`);
  if (typeof type !== 'string' || !(FAULT_TYPES as readonly string[]).includes(type)) {
    throw new ConfigError(`${where}.type: unknown ${JSON.stringify(type)} (known: ${known})`);
  }
  const { params } = FAULT_PARAM_DOCS[type as FaultType];
  const unknown = Object.keys(given).filter((k) => k !== 'type' && !Object.hasOwn(params, k));
  if (unknown.length > 0) {
    throw new ConfigError(
      `${where}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} for ${type} (known: type, ${Object.keys(params).join(', ')})`,
    );
  }
  const out: Record<string, unknown> = { type };
  for (const [key, p] of Object.entries(params)) {
    const v = given[key] ?? p.default;
    if (v === undefined) continue; // only diskfill's one-of pair and its optional rate have no default
    out[key] = checkParam(`${where}.${key}`, p, v);
  }
  const spec = out as unknown as FaultSpec;
  if (spec.type === 'diskfill') {
    const n = (spec.percent === undefined ? 0 : 1) + (spec.mib === undefined ? 0 : 1);
    if (n !== 1) {
      throw new ConfigError(
        `${where}: diskfill needs exactly one of percent, mib (got ${n === 0 ? 'neither' : 'both'})`,
      );
    }
  }
  if (spec.type === 'diskhog' && spec.blockKiB > spec.maxMiB * 1024) {
    throw new ConfigError(
      `${where}.blockKiB: must be <= maxMiB * 1024 (${spec.maxMiB * 1024}), got ${spec.blockKiB}`,
    );
  }
  return spec;
}
