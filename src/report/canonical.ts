// Config hashes: sha256 over a canonical JSON of an algorithm's config (object keys sorted at every
// level, no whitespace), so two configs that differ only in key order hash the same, and a report,
// a best-model file and live mode can all say which exact config they mean.

import { createHash } from 'node:crypto';

/** JSON with object keys sorted recursively; arrays keep their order. Non-finite numbers become null. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 (hex) of the canonical JSON of a config. */
export function configHash(config: unknown): string {
  return sha256Hex(canonicalJson(config ?? null));
}

/** The first 12 hex digits, for tables (the full hash is in the appendix and the best-model file). */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
