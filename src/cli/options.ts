// Option parsing shared by commands: times, comma lists, JSON files or inline JSON, --overwrite.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { Argv } from 'yargs';
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

/**
 * An option that takes JSON: inline (`--config '{"ubl": {"W": 30}}'`, anything starting with `{` or
 * `[`), else the path of a JSON file.
 */
export function readJsonOption(value: string, option: string): unknown {
  if (!/^\s*[[{]/.test(value)) return readJsonFile(value, option);
  // Inline JSON gets the same size and depth bounds as a file.
  return parseJsonText(value, `--${option} (inline JSON)`);
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

export interface OverwriteArgs {
  overwrite: boolean;
}

export function overwriteOption<T>(y: Argv<T>, what: string): Argv<T & OverwriteArgs> {
  return y.option('overwrite', {
    type: 'boolean',
    default: false,
    describe: `replace ${what} if it exists (default: refuse)`,
  }) as Argv<T & OverwriteArgs>;
}

/** Refuse, before any work, to replace an earlier output the user did not say to replace. */
export function refuseExisting(files: readonly string[], overwrite: boolean): void {
  if (overwrite) return;
  const found = files.find((f) => existsSync(f));
  if (found !== undefined) throw new UserError(`${found} exists: give --overwrite to replace it`);
}

export interface OutputArgs {
  json: boolean;
  quiet: boolean;
}

/** `--json` (stdout: one JSON document, nothing else) and `--quiet` (no progress lines). */
export function outputOptions<T>(y: Argv<T>, json: string): Argv<T & OutputArgs> {
  return y
    .option('json', {
      type: 'boolean',
      default: false,
      describe: `print ${json} as JSON on stdout instead of a table`,
    })
    .option('quiet', {
      type: 'boolean',
      default: false,
      describe: 'no progress lines on stderr and no table (warnings and errors still)',
    }) as Argv<T & OutputArgs>;
}

/** Where progress lines go: stderr, or nowhere with --quiet. */
export function progressLog(args: OutputArgs): (line: string) => void {
  return args.quiet ? () => undefined : logLine;
}

/** The same for a command that writes many files under a directory: refuse a non-empty one. */
export function refuseNonEmptyDir(dir: string, overwrite: boolean): void {
  if (overwrite || !existsSync(dir)) return;
  if (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)
    throw new UserError(`${dir} exists and is not empty: give --overwrite to write into it`);
}
