// Typed, documented algorithm parameters. Each parameter carries its default, its range and where the
// value comes from (a paper section, or "reconstruction"), so `foreshock algorithms` can print them
// and a bad config fails with one line naming the algorithm and the key.

import { ConfigError } from './errors.ts';

interface ParamBase {
  doc: string;
  /** Provenance: a paper section (e.g. "UBL §3.2") or "reconstruction: <why>". */
  source: string;
}

export type ParamSpec =
  | (ParamBase & { type: 'number'; default: number; min?: number; max?: number })
  | (ParamBase & { type: 'integer'; default: number; min?: number; max?: number })
  | (ParamBase & { type: 'boolean'; default: boolean })
  | (ParamBase & { type: 'enum'; default: string; values: readonly string[] });

export type ParamSpecs = Record<string, ParamSpec>;

/** The config object type described by a ParamSpecs record. */
export type ConfigOf<S extends ParamSpecs> = {
  [K in keyof S]: S[K] extends { type: 'boolean' }
    ? boolean
    : S[K] extends { type: 'enum' }
      ? string
      : number;
};

export function defaultsOf<S extends ParamSpecs>(specs: S): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) out[key] = spec.default;
  return out as ConfigOf<S>;
}

/** Fills defaults and checks types and ranges; unknown keys are errors (a typo must not pass silently). */
export function validateConfig<S extends ParamSpecs>(owner: string, specs: S, raw: unknown): ConfigOf<S> {
  if (raw === undefined || raw === null) return defaultsOf(specs);
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`${owner}: config must be an object`);
  const given = raw as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(key in specs)) {
      throw new ConfigError(
        `${owner}: unknown config key "${key}" (known: ${Object.keys(specs).join(', ')})`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const v = given[key] ?? spec.default;
    const where = `${owner}: config key "${key}"`;
    switch (spec.type) {
      case 'number':
      case 'integer': {
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw new ConfigError(`${where} must be a finite number`);
        if (spec.type === 'integer' && !Number.isInteger(v))
          throw new ConfigError(`${where} must be an integer`);
        if (spec.min !== undefined && v < spec.min)
          throw new ConfigError(`${where} must be >= ${spec.min}, got ${v}`);
        if (spec.max !== undefined && v > spec.max)
          throw new ConfigError(`${where} must be <= ${spec.max}, got ${v}`);
        break;
      }
      case 'boolean':
        if (typeof v !== 'boolean') throw new ConfigError(`${where} must be true or false`);
        break;
      case 'enum':
        if (typeof v !== 'string' || !spec.values.includes(v)) {
          throw new ConfigError(`${where} must be one of ${spec.values.join(', ')}`);
        }
        break;
    }
    out[key] = v;
  }
  return out as ConfigOf<S>;
}
