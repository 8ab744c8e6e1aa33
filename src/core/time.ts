// Time values on the command line and in imported files: epoch milliseconds, epoch seconds or
// ISO 8601. Inside foreshock every time is epoch milliseconds (UTC) as a JS number.

import { UserError } from './errors.ts';
import { clip } from './schema.ts';

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
    if (!isCalendarTime(text)) {
      throw new UserError(`${what}: cannot read time "${clip(text)}" (not a date and time of the calendar)`);
    }
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) return ms;
  }
  throw new UserError(`${what}: cannot read time "${clip(text)}" (give epoch ms, epoch s or ISO 8601)`);
}

/**
 * Whether the date and time fields name a real moment: Date.parse rolls 2026-02-30 over to 2 March
 * and 24:00 over to the next day (issue 26). Day within its month (leap years included), hours
 * 0-23, minutes and seconds 0-59.
 */
function isCalendarTime(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2}))?)?)?/.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return false;
  const [h, min, sec] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  return h <= 23 && min <= 59 && sec <= 59;
}

function numericTime(value: number, what: string, text: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new UserError(`${what}: time "${clip(text)}" is not a non-negative finite number`);
  }
  return value < SECONDS_LIMIT ? Math.round(value * 1000) : Math.round(value);
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
