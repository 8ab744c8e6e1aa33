// Optional ROC inputs (--roc <file>): threshold-sweep results as JSON. The sweep command's exact
// format is not fixed yet, so this reader is deliberately tolerant: it walks the JSON and takes every
// object that has numeric `tpr` and `fpr` (directly or under `prediction` / `metrics.prediction`) as
// one operating point. Its curve is named by the nearest `algorithm` (or `name`) field, else the key
// it sits under, plus `faultType` when present; a curve is drawn in order of FPR.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UserError } from '../core/errors.ts';
import type { RocCurvePoint } from './charts/roc.ts';

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function rates(o: Record<string, unknown>): { tpr: number; fpr: number } | null {
  const metrics = o.metrics as Record<string, unknown> | undefined;
  for (const src of [o, o.prediction, metrics?.prediction]) {
    if (typeof src !== 'object' || src === null) continue;
    const s = src as Record<string, unknown>;
    const tpr = num(s.tpr);
    const fpr = num(s.fpr);
    if (tpr !== null && fpr !== null) return { tpr, fpr };
  }
  return null;
}

/** Operating points found in a parsed sweep JSON (exported for tests). */
export function rocPointsFrom(json: unknown, source: string): RocCurvePoint[] {
  const out: RocCurvePoint[] = [];
  // `named`: the nearest explicit algorithm/name field; `keyed`: the nearest object key (a fallback).
  const walk = (
    node: unknown,
    named: string | null,
    keyed: string | null,
    faultType: string | null,
  ): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, named, keyed, faultType);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    const own = typeof o.algorithm === 'string' ? o.algorithm : typeof o.name === 'string' ? o.name : null;
    const name = own ?? named;
    const ft = typeof o.faultType === 'string' ? o.faultType : faultType;
    const r = rates(o);
    if (r) {
      const label = `${name ?? keyed ?? 'unnamed'}${ft ? ` / ${ft}` : ''} (${source})`;
      // A ROC curve is drawn in order of FPR.
      out.push({ curve: label, tpr: r.tpr, fpr: r.fpr, order: r.fpr });
      return;
    }
    for (const [k, v] of Object.entries(o)) if (typeof v === 'object') walk(v, name, k, ft);
  };
  walk(json, null, null, null);
  return out;
}

export function readRocFile(file: string): RocCurvePoint[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      `--roc ${file}: ${code ? `cannot read (${code})` : `malformed JSON (${(err as Error).message})`}`,
    );
  }
  const points = rocPointsFrom(json, basename(file));
  if (points.length === 0)
    throw new UserError(`--roc ${file}: no operating points (objects with tpr and fpr) found`);
  return points;
}
