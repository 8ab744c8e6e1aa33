// Option parsing shared by commands: times, comma lists, JSON files.
import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.ts';
import { parseJsonText } from '../core/schema.ts';
import { parseTime } from '../core/time.ts';

export function parseTimeList(text: string | undefined, option: string): number[] | undefined {
  if (text === undefined) return undefined;
  return text
    .split(',')
    .filter((s) => s.trim().length > 0)
    .map((s) => parseTime(s, `--${option}`));
}

export function parseList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return items.length > 0 ? items : undefined;
}

export function readJsonFile(file: string, option: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(
      `--${option} ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  // Bounded in size and depth before parsing; a bad file is one line naming the option and the file.
  return parseJsonText(text, `--${option} ${file}`);
}

/** Progress lines on stderr, so stdout stays machine-readable. */
export function logLine(line: string): void {
  process.stderr.write(`${line}\n`);
}
