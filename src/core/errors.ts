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

/** Something the user can fix: bad input, bad option, missing file. Exit code 1. */
export class UserError extends ForeshockError {}

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
