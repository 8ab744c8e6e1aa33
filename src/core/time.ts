// Time values on the command line and in imported files: epoch milliseconds, epoch seconds or
// ISO 8601. Inside foreshock every time is epoch milliseconds (UTC) as a JS number.

import { UserError } from './errors.ts';

/** Numbers below this are taken as epoch seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_LIMIT = 1e11;

/** Parses a time given as epoch ms, epoch s or ISO 8601 into epoch ms. Throws a UserError naming `what`. */
export function parseTime(input: string | number, what: string): number {
  if (typeof input === 'number') return numericTime(input, what, String(input));
  const text = input.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return numericTime(Number(text), what, text);
  // ISO 8601: require a date part so that free text does not slip through Date.parse's leniency.
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    // A date-time without zone is read as UTC (not local time) so results do not depend on TZ.
    const iso = /[T ][\d:.]+$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) return ms;
  }
  throw new UserError(`${what}: cannot read time "${text}" (give epoch ms, epoch s or ISO 8601)`);
}

function numericTime(value: number, what: string, text: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new UserError(`${what}: time "${text}" is not a non-negative finite number`);
  }
  return value < SECONDS_LIMIT ? Math.round(value * 1000) : Math.round(value);
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
