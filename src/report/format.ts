// Number formatting for the report's tables: one place, so every table says "n/a" the same way.

export const NA = 'n/a';

export function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? NA : `${(100 * v).toFixed(digits)}%`;
}

export function fixed(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? NA : v.toFixed(digits);
}

export function ratio(v: number | null | undefined): string {
  return v === null || v === undefined ? NA : v.toFixed(2);
}

export function count(v: number | null | undefined): string {
  return v === null || v === undefined ? NA : String(v);
}

/** Signed difference in percentage points (ours - paper). */
export function diffPp(ours: number | null | undefined, paper: number): string {
  if (ours === null || ours === undefined) return NA;
  const d = 100 * (ours - paper);
  return `${d >= 0 ? '+' : '\u2212'}${Math.abs(d).toFixed(1)} pp`;
}

/** Signed difference in the unit given (ours - paper). */
export function diffUnit(ours: number | null | undefined, paper: number, unit: string, digits = 1): string {
  if (ours === null || ours === undefined) return NA;
  const d = ours - paper;
  return `${d >= 0 ? '+' : '\u2212'}${Math.abs(d).toFixed(digits)} ${unit}`;
}
