// Experiment specs (experiments/<name>.json): what to run, where, for how long, and how to score it.
// A spec names the workload, the target host, the fault (a src/faults spec; none for a control
// run), the phases, the SLO, the pending window, the repetitions and the seed. `overrides.<stack>`
// replaces top-level sections for one stack (the embedded stack has no cgroup caps, so its faults
// need other sizes than the namespaced testbed's, and `caps` gives its hosts a CPU cap).
//
// Validation names the field and its allowed range: `experiments/memleak.json: phases.faultS: must be
// a number in [10, 3600], got 5`.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, UserError } from '../../core/errors.ts';
import { MIXES, type Mix } from '../../workload/data-files.ts';
import { validateFaultSpec, type FaultSpec } from '../../faults/spec.ts';
import { SESSION_STACKS, type SessionStack } from '../../stack/session.ts';
import { checkJsonBounds } from '../../core/schema.ts';

export const EXPERIMENTS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'experiments',
);

export const FIX_ACTIONS = ['restart', 'raise-limit'] as const;
export type FixAction = (typeof FIX_ACTIONS)[number];

export interface ExperimentPhases {
  /** Clients run, nothing is scored (caches fill, JIT warms up). */
  warmupS: number;
  /** Training data for the algorithms (the `normal` phase). */
  normalS: number;
  /** The fault is active (a control run has no fault but keeps the phase as `control`). */
  faultS: number;
  recoveryS: number;
}

export interface ExperimentSpec {
  name: string;
  description: string;
  workload: { mix: Mix; users: number; scale: number };
  /** Host the fault is injected on (one of web, db, client, kafka, analysis). */
  target: string;
  /** null = control run. Its durationS is the fault phase's length. */
  fault: FaultSpec | null;
  phases: ExperimentPhases;
  slo: { latencyMs: number };
  pendingWindowS: number;
  repetitions: number;
  seed: number;
  /** A fix performed once the SLO has been violated for `afterViolationS` s, only with --fix. */
  fix: { action: FixAction; afterViolationS: number } | null;
  /**
   * CPU caps of embedded hosts, cores by host (`"caps": { "db": { "cpuCores": 0.5 } }`, usually in
   * overrides.embedded): the host's processes share that much CPU time (stack/cpu-cap.ts). Empty
   * = no caps. Embedded only: the local testbed's hosts are capped by the testbed itself.
   */
  caps: Record<string, number>;
}

const TOP_KEYS = [
  'name',
  'description',
  'workload',
  'target',
  'fault',
  'phases',
  'slo',
  'pendingWindowS',
  'repetitions',
  'seed',
  'fix',
  'caps',
  'overrides',
  'stacks',
] as const;
const HOSTS = ['web', 'db', 'client', 'kafka', 'analysis'];
/** Hosts an embedded CPU cap can apply to (the services; the client host is the harness). */
const CAPPABLE_HOSTS = ['db', 'web'];

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(where: string, v: unknown, min: number, max: number, integer = false): number {
  if (
    typeof v !== 'number' ||
    !Number.isFinite(v) ||
    v < min ||
    v > max ||
    (integer && !Number.isInteger(v))
  ) {
    throw new ConfigError(
      `${where}: must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function obj(where: string, v: unknown, keys: readonly string[]): Obj {
  if (!isObj(v)) throw new ConfigError(`${where}: must be an object, got ${JSON.stringify(v)}`);
  for (const k of Object.keys(v)) {
    if (!keys.includes(k)) throw new ConfigError(`${where}: unknown key "${k}" (known: ${keys.join(', ')})`);
  }
  return v;
}

/** Validates a parsed spec for one stack (its overrides applied). `file` prefixes every message. */
export function validateExperimentSpec(raw: unknown, stack: SessionStack, file: string): ExperimentSpec {
  const top = obj(file, raw, TOP_KEYS);
  const overrides =
    top.overrides === undefined ? {} : obj(`${file}: overrides`, top.overrides, [...SESSION_STACKS]);
  const over =
    overrides[stack] === undefined ? {} : obj(`${file}: overrides.${stack}`, overrides[stack], TOP_KEYS);
  const s: Obj = { ...top, ...over };
  const at = (field: string): string => `${file}: ${field}`;
  // Where the fault can show its effect (issue 18): a fault that would only load or fill this
  // machine's own disk on the embedded stack is not run there.
  if (s.stacks !== undefined) {
    const known = SESSION_STACKS as readonly string[];
    if (
      !Array.isArray(s.stacks) ||
      s.stacks.length === 0 ||
      s.stacks.some((x) => !known.includes(x as string))
    )
      throw new ConfigError(
        `${at('stacks')}: must be a non-empty list of ${known.join(', ')}, got ${JSON.stringify(s.stacks)}`,
      );
    if (!(s.stacks as string[]).includes(stack))
      throw new UserError(
        `${file}: this experiment runs on ${(s.stacks as string[]).join(', ')}, not on the ${stack} stack (its description says why): use --stack ${(s.stacks as string[])[0]}`,
      );
  }

  if (typeof s.name !== 'string' || !/^[a-z][a-z0-9-]{0,40}$/.test(s.name))
    throw new ConfigError(`${at('name')}: must match [a-z][a-z0-9-]*, got ${JSON.stringify(s.name)}`);
  const w = obj(at('workload'), s.workload, ['mix', 'users', 'scale']);
  if (typeof w.mix !== 'string' || !(w.mix in MIXES))
    throw new ConfigError(
      `${at('workload.mix')}: must be one of ${Object.keys(MIXES).join(', ')}, got ${JSON.stringify(w.mix)}`,
    );
  const workload = {
    mix: w.mix as Mix,
    users: num(at('workload.users'), w.users, 1, 5000, true),
    scale: num(at('workload.scale'), w.scale, 0.001, 1),
  };
  if (typeof s.target !== 'string' || !HOSTS.includes(s.target))
    throw new ConfigError(
      `${at('target')}: must be one of ${HOSTS.join(', ')}, got ${JSON.stringify(s.target)}`,
    );
  const p = obj(at('phases'), s.phases, ['warmupS', 'normalS', 'faultS', 'recoveryS']);
  const phases: ExperimentPhases = {
    warmupS: num(at('phases.warmupS'), p.warmupS, 0, 3600),
    normalS: num(at('phases.normalS'), p.normalS, 10, 86_400),
    faultS: num(at('phases.faultS'), p.faultS, 10, 3600),
    recoveryS: num(at('phases.recoveryS'), p.recoveryS, 0, 3600),
  };
  let fault: FaultSpec | null = null;
  if (s.fault !== null) {
    const f = obj(at('fault'), s.fault, Object.keys(isObj(s.fault) ? s.fault : {}));
    if ('durationS' in f)
      throw new ConfigError(`${at('fault.durationS')}: set by phases.faultS, leave it out`);
    fault = validateFaultSpec({ ...f, durationS: phases.faultS }, at('fault'));
  }
  const slo = obj(at('slo'), s.slo, ['latencyMs']);
  let fix: ExperimentSpec['fix'] = null;
  if (s.fix !== undefined && s.fix !== null) {
    const fx = obj(at('fix'), s.fix, ['action', 'afterViolationS']);
    if (typeof fx.action !== 'string' || !(FIX_ACTIONS as readonly string[]).includes(fx.action))
      throw new ConfigError(
        `${at('fix.action')}: must be one of ${FIX_ACTIONS.join(', ')}, got ${JSON.stringify(fx.action)}`,
      );
    if (fx.action === 'raise-limit') {
      if (stack !== 'local')
        throw new ConfigError(`${at('fix.action')}: raise-limit needs the local stack (cgroup limits)`);
      if (fault?.type !== 'memleak' && fault?.type !== 'cpuhog')
        throw new ConfigError(
          `${at('fix.action')}: raise-limit applies to memleak (memory) and cpuhog (CPU) faults`,
        );
    }
    fix = {
      action: fx.action as FixAction,
      afterViolationS: num(at('fix.afterViolationS'), fx.afterViolationS ?? 5, 1, 600),
    };
  }
  const caps: Record<string, number> = {};
  if (s.caps !== undefined) {
    if (stack !== 'embedded')
      throw new ConfigError(
        `${at('caps')}: embedded stack only (the ${stack} stack's hosts have their own caps); put it in overrides.embedded`,
      );
    const c = obj(at('caps'), s.caps, CAPPABLE_HOSTS);
    for (const [host, v] of Object.entries(c))
      caps[host] = num(
        at(`caps.${host}.cpuCores`),
        obj(at(`caps.${host}`), v, ['cpuCores']).cpuCores,
        0.05,
        64,
      );
  }
  return {
    name: s.name,
    description: typeof s.description === 'string' ? s.description : '',
    workload,
    target: s.target,
    fault,
    phases,
    slo: { latencyMs: num(at('slo.latencyMs'), slo.latencyMs, 1, 60_000) },
    pendingWindowS: num(at('pendingWindowS'), s.pendingWindowS, 1, 3600),
    repetitions: num(at('repetitions'), s.repetitions ?? 1, 1, 100, true),
    seed: num(at('seed'), s.seed ?? 1, 0, 2 ** 31, true),
    fix,
    caps,
  };
}

/** Names of the experiments in `dir` (file names without .json), sorted. */
export function listExperiments(dir = EXPERIMENTS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Loads experiments/<name>.json (or a path to a .json file) for a stack. */
export function loadExperiment(
  nameOrFile: string,
  stack: SessionStack,
  dir = EXPERIMENTS_DIR,
): ExperimentSpec {
  const file = nameOrFile.endsWith('.json') ? nameOrFile : path.join(dir, `${nameOrFile}.json`);
  if (!existsSync(file)) {
    if (file === nameOrFile) throw new UserError(`${file}: experiment spec file not found`);
    throw new UserError(`unknown experiment "${nameOrFile}" (known: ${listExperiments(dir).join(', ')})`);
  }
  let raw: unknown;
  const text = readFileSync(file, 'utf8');
  checkJsonBounds(text, file);
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const rel = path.relative(process.cwd(), file) || file;
  return validateExperimentSpec(raw, stack, rel);
}
