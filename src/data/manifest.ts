// manifest.json: parsing and validation. Every problem becomes one DatasetError line that names the
// file and the field, e.g. `run/manifest.json: faults[0].end (5) is before start (9)`.

import { DATASET_FORMAT, type Manifest } from '../core/dataset.ts';
import { DatasetError } from '../core/errors.ts';

/** Formats this reader understands. Bump DATASET_FORMAT and keep old readers when the layout changes. */
export const KNOWN_FORMATS: readonly string[] = [DATASET_FORMAT];

type Json = Record<string, unknown>;

/**
 * Characters a host id or metric name may not hold: control characters and U+FEFF, which Arrow
 * readers' UTF-8 decoding drops at the start of a string (a name would not read back as written;
 * found by the fuzz suite, issue 26).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const BAD_NAME_CHAR = /[\u0000-\u001f\u007f\ufeff]/;

class Checker {
  constructor(readonly file: string) {}

  fail(problem: string): never {
    throw new DatasetError(this.file, problem);
  }

  object(value: unknown, path: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(`${path} must be an object`);
    return value as Json;
  }

  string(obj: Json, key: string, path: string): string {
    const v = obj[key];
    if (typeof v !== 'string' || v.length === 0) this.fail(`${path}${key} must be a non-empty string`);
    return v;
  }

  number(obj: Json, key: string, path: string, opts: { min?: number; optional?: boolean } = {}): number {
    const v = obj[key];
    if (v === undefined && opts.optional) return NaN;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${path}${key} must be a finite number`);
    if (opts.min !== undefined && v < opts.min) this.fail(`${path}${key} must be >= ${opts.min}, got ${v}`);
    return v;
  }

  array(obj: Json, key: string, path: string): unknown[] {
    const v = obj[key] ?? [];
    if (!Array.isArray(v)) this.fail(`${path}${key} must be an array`);
    return v;
  }
}

export function parseManifest(text: string, file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new DatasetError(file, `malformed JSON (${(err as Error).message})`);
  }
  return checkManifest(raw, file);
}

/** Validates a manifest object (from a file or built in memory) and returns it normalised. */
export function checkManifest(raw: unknown, file: string): Manifest {
  const c: Checker = new Checker(file);
  const m = c.object(raw, 'manifest');
  const format = m.format;
  if (typeof format !== 'string') c.fail('missing "format" (expected "foreshock-dataset/1")');
  if (!KNOWN_FORMATS.includes(format)) {
    c.fail(`unknown format version "${format}" (this foreshock reads ${KNOWN_FORMATS.join(', ')})`);
  }
  const name = c.string(m, 'name', '');
  const source = c.object(m.source ?? { kind: 'unknown' }, 'source');
  const sampleIntervalMs = c.number(m, 'sampleIntervalMs', '', { min: 1 });
  const start = c.number(m, 'start', '');
  const end = c.number(m, 'end', '');
  if (end <= start) c.fail(`end (${end}) must be after start (${start})`);

  const hosts = c.array(m, 'hosts', '').map((h, i) => {
    const o = c.object(h, `hosts[${i}]`);
    const id = c.string(o, 'id', `hosts[${i}].`);
    if (BAD_NAME_CHAR.test(id)) c.fail(`hosts[${i}].id holds a control character or U+FEFF`);
    if (o.harness !== undefined && typeof o.harness !== 'boolean')
      c.fail(`hosts[${i}].harness must be true or false`);
    return {
      id,
      ...(typeof o.role === 'string' ? { role: o.role } : {}),
      ...(o.harness === true ? { harness: true } : {}),
    };
  });
  if (hosts.length === 0) c.fail('hosts must list at least one host');
  const hostIds = new Set<string>();
  for (const h of hosts) {
    if (hostIds.has(h.id)) c.fail(`host "${h.id}" is listed twice in hosts`);
    hostIds.add(h.id);
  }
  const knownHost = (host: string, path: string): void => {
    if (!hostIds.has(host)) c.fail(`${path} names unknown host "${host}" (not in hosts)`);
  };

  const metrics = c.array(m, 'metrics', '').map((x, i) => {
    if (typeof x !== 'string' || x.length === 0) c.fail(`metrics[${i}] must be a non-empty string`);
    if (BAD_NAME_CHAR.test(x)) c.fail(`metrics[${i}] holds a control character or U+FEFF`);
    return x;
  });
  if (new Set(metrics).size !== metrics.length) c.fail('metrics lists a name twice');
  if (metrics.includes('time') || metrics.includes('host'))
    c.fail('metrics must not be named "time" or "host"');

  const dependencies = c.array(m, 'dependencies', '').map((e, i) => {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'string') {
      c.fail(`dependencies[${i}] must be a [caller, callee] pair of host ids`);
    }
    knownHost(e[0], `dependencies[${i}]`);
    knownHost(e[1], `dependencies[${i}]`);
    if (e[0] === e[1]) c.fail(`dependencies[${i}] makes host "${e[0]}" depend on itself`);
    return [e[0], e[1]] as [string, string];
  });

  let slo: Manifest['slo'] = null;
  if (m.slo !== undefined && m.slo !== null) {
    const s = c.object(m.slo, 'slo');
    slo = { signal: c.string(s, 'signal', 'slo.'), threshold: c.number(s, 'threshold', 'slo.') };
    if (s.maxErrorRate !== undefined) {
      const rate = c.number(s, 'maxErrorRate', 'slo.', { min: 0 });
      if (rate > 1) c.fail(`slo.maxErrorRate must be <= 1 (a share of the requests), got ${rate}`);
      slo.maxErrorRate = rate;
    }
  }

  const phases = c.array(m, 'phases', '').map((p, i) => {
    const o = c.object(p, `phases[${i}]`);
    const phase = {
      name: c.string(o, 'name', `phases[${i}].`),
      start: c.number(o, 'start', `phases[${i}].`),
      end: c.number(o, 'end', `phases[${i}].`),
    };
    if (phase.end < phase.start) c.fail(`phases[${i}].end (${phase.end}) is before start (${phase.start})`);
    return phase;
  });

  const faultIds = new Set<string>();
  const faults = c.array(m, 'faults', '').map((f, i) => {
    const path = `faults[${i}].`;
    const o = c.object(f, `faults[${i}]`);
    const fault: Manifest['faults'][number] = {
      id: c.string(o, 'id', path),
      type: c.string(o, 'type', path),
      host: c.string(o, 'host', path),
      start: c.number(o, 'start', path),
      end: c.number(o, 'end', path),
    };
    knownHost(fault.host, `faults[${i}] ("${fault.id}")`);
    if (fault.end < fault.start) c.fail(`faults[${i}].end (${fault.end}) is before start (${fault.start})`);
    if (faultIds.has(fault.id)) c.fail(`faults[${i}].id "${fault.id}" is used twice`);
    faultIds.add(fault.id);
    if (o.metrics !== undefined) {
      fault.metrics = c.array(o, 'metrics', path).map((x, k) => {
        if (typeof x !== 'string') c.fail(`${path}metrics[${k}] must be a string`);
        return x;
      });
    }
    if (o.params !== undefined) fault.params = c.object(o.params, `${path}params`);
    return fault;
  });

  const actions = c.array(m, 'actions', '').map((a, i) => {
    const path = `actions[${i}].`;
    const o = c.object(a, `actions[${i}]`);
    const action = {
      type: c.string(o, 'type', path),
      host: c.string(o, 'host', path),
      requested: c.number(o, 'requested', path),
      completed: c.number(o, 'completed', path),
    };
    knownHost(action.host, `actions[${i}]`);
    if (action.completed < action.requested) {
      c.fail(`actions[${i}].completed (${action.completed}) is before requested (${action.requested})`);
    }
    return action;
  });

  const seed = typeof m.seed === 'number' ? m.seed : null;
  return {
    format,
    name,
    source: { kind: typeof source.kind === 'string' ? source.kind : 'unknown', ...detail(source) },
    sampleIntervalMs,
    start,
    end,
    hosts,
    dependencies,
    metrics,
    slo,
    phases,
    faults,
    actions,
    seed,
  };
}

function detail(source: Json): { detail?: string } {
  return typeof source.detail === 'string' ? { detail: source.detail } : {};
}
