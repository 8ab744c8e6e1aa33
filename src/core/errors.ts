// Error vocabulary. The CLI (src/cli/program.ts) maps these to exit codes: UserError -> 1 (one line,
// no stack), any other retriable ForeshockError -> 3 (one line: trying again may help), anything
// else -> 2 (internal error, with stack). `retriable` tells a caller whether trying again can help
// (a dead broker can come back; a corrupt file will not), as kafkajs does.

export class ForeshockError extends Error {
  readonly retriable: boolean;
  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}

/** Runs of non-space characters longer than this in a user-error message are cut (see below). */
const MAX_RUN = 260;
/** And a message is never longer than this. */
const MAX_MESSAGE = 2000;

/**
 * The safety net under "errors cut long values to 200 characters" (issue 26: a 1 MB CSV cell was
 * echoed whole): readers quote values through core/schema.ts's `clip`, and any value that slips
 * through unquoted is cut here, keeping its first 200 characters and its length.
 */
export function cutLongValues(message: string): string {
  // One line: a newline or control character from an echoed value (a JSON.parse message quotes the
  // text around the error) is shown escaped.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const oneLine = message.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const cut = oneLine.replace(
    new RegExp(`[^\\s]{${MAX_RUN + 1},}`, 'g'),
    (run) => `${run.slice(0, 200)}... (${run.length} characters)`,
  );
  return cut.length <= MAX_MESSAGE ? cut : `${cut.slice(0, MAX_MESSAGE)}... (${cut.length} characters)`;
}

/** Something the user can fix: bad input, bad option, missing file. Exit code 1. */
export class UserError extends ForeshockError {
  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(cutLongValues(message), options);
  }
}

/** A dataset (or input file) is missing, malformed or inconsistent. Message: `<file>: <problem>`. */
export class DatasetError extends UserError {
  readonly file: string;
  readonly problem: string;
  constructor(file: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${file}: ${problem}`, options);
    this.file = file;
    this.problem = problem;
  }
}

/** An algorithm or scenario configuration is invalid. Message names the key. */
export class ConfigError extends UserError {}

/** A bug or an impossible state inside foreshock. Exit code 2. */
export class InternalError extends ForeshockError {}

export function assertNever(x: never, what: string): never {
  throw new InternalError(`unexpected ${what}: ${String(x)}`);
}
