// One small validator for the JSON files users hand to foreshock: a schema is a function that checks
// a parsed value and returns it typed, or throws a SchemaError naming the path inside the value
// (`algorithms.ubl.alarms[3].time must be a finite number, got "x"`). `parseJsonFile` bounds the
// text before it is parsed (size, nesting depth: a 50,000-deep truth file overflowed the stack when
// written back, issue 26) and `checkJson` turns a failure into one DatasetError line naming the file.
// Values quoted in messages are cut to MAX_QUOTE characters.

import { DatasetError } from './errors.ts';

/** The longest value a message quotes; longer ones are cut and marked with an ellipsis. */
export const MAX_QUOTE = 200;
/** Default nesting limit: foreshock's own files nest under 10 levels. */
export const MAX_JSON_DEPTH = 64;
/** Default size limit for a JSON file a user hands over. */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;

/** Cuts `text` to `max` characters (an ellipsis and the full length mark a cut). */
export function clip(text: string, max = MAX_QUOTE): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

/** A value as a message quotes it: JSON, cut to MAX_QUOTE characters. */
export function quote(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return clip(text);
}

export class SchemaError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path === '' ? 'the document' : path} ${problem}`);
  }
}

export type Schema<T> = (value: unknown, path: string) => T;

const join = (path: string, key: string): string =>
  /^[A-Za-z_$][\w$-]*$/.test(key) ? (path === '' ? key : `${path}.${key}`) : `${path}[${quote(key)}]`;

export function number(opts: { min?: number; max?: number; integer?: boolean } = {}): Schema<number> {
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new SchemaError(path, `must be a finite number, got ${quote(v)}`);
    if (opts.integer && !Number.isInteger(v)) throw new SchemaError(path, `must be an integer, got ${v}`);
    if (opts.min !== undefined && v < opts.min)
      throw new SchemaError(path, `must be >= ${opts.min}, got ${v}`);
    if (opts.max !== undefined && v > opts.max)
      throw new SchemaError(path, `must be <= ${opts.max}, got ${v}`);
    return v;
  };
}

export function string(opts: { nonEmpty?: boolean; oneOf?: readonly string[] } = {}): Schema<string> {
  return (v, path) => {
    if (typeof v !== 'string') throw new SchemaError(path, `must be a string, got ${quote(v)}`);
    if (opts.nonEmpty && v.length === 0) throw new SchemaError(path, 'must not be empty');
    if (opts.oneOf && !opts.oneOf.includes(v))
      throw new SchemaError(path, `must be one of ${opts.oneOf.join(', ')}, got ${quote(v)}`);
    return v;
  };
}

export const boolean: Schema<boolean> = (v, path) => {
  if (typeof v !== 'boolean') throw new SchemaError(path, `must be true or false, got ${quote(v)}`);
  return v;
};

/** Anything (passed through unchecked: free-form parts such as an algorithm's config). */
export const any: Schema<unknown> = (v) => v;

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return (v, path) => (v === null ? null : inner(v, path));
}

export function array<T>(item: Schema<T>, opts: { min?: number } = {}): Schema<T[]> {
  return (v, path) => {
    if (!Array.isArray(v)) throw new SchemaError(path, `must be an array, got ${quote(v)}`);
    if (opts.min !== undefined && v.length < opts.min)
      throw new SchemaError(path, `must have at least ${opts.min} entries`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

/** A JSON object used as a map: every value checked by `value`. */
export function record<T>(value: Schema<T>): Schema<Record<string, T>> {
  return (v, path) => {
    const o = plainObject(v, path);
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(o)) out[k] = value(x, join(path, k));
    return out;
  };
}

type Fields = Record<string, Schema<unknown>>;
type Typed<F extends Fields> = { [K in keyof F]: ReturnType<F[K]> };

/**
 * An object with the given fields (a field whose schema accepts undefined is optional). Keys not
 * listed are kept as they are (`extra: 'keep'`, for files that carry more than the reader uses) or
 * refused (`extra: 'refuse'`, for configuration, where an unknown key is a typo).
 */
export function object<F extends Fields>(
  fields: F,
  opts: { extra?: 'keep' | 'refuse' } = {},
): Schema<Typed<F> & Record<string, unknown>> {
  return (v, path) => {
    const o = plainObject(v, path);
    if (opts.extra === 'refuse') {
      const unknown = Object.keys(o).find((k) => !(k in fields));
      if (unknown !== undefined)
        throw new SchemaError(
          join(path, unknown),
          `is not a known key (known: ${Object.keys(fields).join(', ')})`,
        );
    }
    const out: Record<string, unknown> = { ...o };
    for (const [k, schema] of Object.entries(fields)) {
      const x = schema(o[k], join(path, k));
      if (x !== undefined || k in o) out[k] = x;
    }
    return out as Typed<F> & Record<string, unknown>;
  };
}

export function optional<T>(inner: Schema<T>): Schema<T | undefined> {
  return (v, path) => (v === undefined ? undefined : inner(v, path));
}

function plainObject(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new SchemaError(path, `must be an object, got ${quote(v)}`);
  return v as Record<string, unknown>;
}

/** Runs `schema` over `value`; a failure is one DatasetError line: `<file>: <path> <problem>`. */
export function checkJson<T>(schema: Schema<T>, value: unknown, file: string, what = ''): T {
  try {
    return schema(value, '');
  } catch (err) {
    if (err instanceof SchemaError) throw new DatasetError(file, `${what}${err.message}`);
    throw err;
  }
}

/**
 * The deepest nesting of arrays and objects in JSON text, scanned without recursion; stops counting
 * once `limit` is passed.
 */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Refuses JSON text over the size or nesting limit (one DatasetError line naming `file`). */
export function checkJsonBounds(
  text: string,
  file: string,
  opts: { maxDepth?: number; maxBytes?: number } = {},
): void {
  const maxBytes = opts.maxBytes ?? MAX_JSON_BYTES;
  const maxDepth = opts.maxDepth ?? MAX_JSON_DEPTH;
  if (text.length > maxBytes) throw new DatasetError(file, `larger than ${maxBytes} bytes`);
  if (jsonDepth(text, maxDepth) > maxDepth)
    throw new DatasetError(file, `JSON nests deeper than ${maxDepth} levels`);
}

/** Parses JSON text after checking its size and nesting; one DatasetError line naming `file` otherwise. */
export function parseJsonText(
  text: string,
  file: string,
  opts: { maxDepth?: number; maxBytes?: number } = {},
): unknown {
  checkJsonBounds(text, file, opts);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DatasetError(file, `malformed JSON (${clip((err as Error).message)})`);
  }
}
