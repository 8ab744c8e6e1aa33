// The foreshock command line. Handlers are thin: parse -> call a library function -> print.
// Exit codes: 0 ok, 1 user error (one line, no stack trace), 2 internal error (with stack),
// 3 a temporary failure outside foreshock (a broker, host or API that did not answer: one line,
// no stack trace; retrying may help).
//
// Only the command being run is loaded (src/cli/commands/index.ts): `--help` and a mistyped command
// answer without loading any algorithm, stack or SDK module.

import { createRequire } from 'node:module';
import type { Argv, CommandModule, MiddlewareFunction } from 'yargs';
import { ForeshockError, UserError } from '../core/errors.ts';
import { VERSION } from '../version.ts';
import { COMMANDS, commandName, selectedCommand } from './commands/index.ts';
import { notANumber, rewriteParserMessage, type KnownOptions } from './parser-messages.ts';

// yargs' CommonJS build: its ES module build wraps help text every N characters, cutting words
// ("tear dow / n"), because cliui's ESM entry ships a character-count stand-in for wrap-ansi.
const yargs = createRequire(import.meta.url)('yargs') as (args: string[]) => Argv;

function report(err: unknown): number {
  if (err instanceof UserError) {
    process.stderr.write(`foreshock: ${err.message.split('\n')[0]}\n`);
    return 1;
  }
  if (err instanceof ForeshockError && err.retriable) {
    const line = err.message.split('\n')[0]!;
    process.stderr.write(
      `foreshock: ${line}${/retry/i.test(line) ? '' : ' (temporary: retrying may help)'}\n`,
    );
    return 3;
  }
  if (err instanceof ForeshockError || err instanceof Error) {
    process.stderr.write(`foreshock: internal error: ${err.stack ?? err.message}\n`);
    return 2;
  }
  process.stderr.write(`foreshock: internal error: ${String(err)}\n`);
  return 2;
}

/** What yargs exposes at run time (used, not in its typings) about the (sub)command it parses. */
interface Parsing {
  getOptions(): {
    key: Record<string, unknown>;
    alias: Record<string, string[]>;
    choices: Record<string, (string | number)[]>;
    number: string[];
  };
  getInternalMethods(): {
    getCommandInstance(): { getCommands(): string[] };
    getContext(): { commands: string[] };
  };
}

/** The options yargs knew when it failed: those of the (sub)command it was parsing. */
function knownOptions(y: Parsing | undefined, commands: readonly string[]): KnownOptions {
  const o = y?.getOptions();
  const names = new Set<string>(['help', 'h', 'version']);
  for (const k of Object.keys(o?.key ?? {})) names.add(k);
  for (const [k, as] of Object.entries(o?.alias ?? {})) for (const a of [k, ...as]) names.add(a);
  return { names: [...names], choices: o?.choices ?? {}, commands };
}

/** Widest help text; narrower on a narrower terminal. */
const HELP_WIDTH = Math.min(110, process.stdout.columns ?? 110);

/**
 * yargs sets an example's command beside its description in a column at most half the help wide, so
 * a long command wraps inside it; a command too long for that column gets the line to itself, its
 * description on the next line as a shell comment.
 */
function wholeExamples(y: Argv): Argv {
  const example = y.example.bind(y) as (command: string, description: string) => Argv;
  const own = (command: string, description: string): Argv =>
    command.length + 4 <= HELP_WIDTH / 2 || description === ''
      ? example(command, description)
      : example(`${command}\n# ${description}`, '');
  return Object.assign(y, { example: own });
}

/** With parseOnly: sub-commands (`faults inject`, `aws deploy`, ...) parse, but their handlers do not run. */
function parseOnlyCommands(y: Argv): Argv {
  const command = y.command.bind(y) as (m: CommandModule) => Argv;
  const own = (m: CommandModule): Argv => {
    if (typeof m !== 'object') throw new Error('parseOnly: sub-commands must be registered as objects');
    return command({ ...m, handler: () => undefined });
  };
  return Object.assign(y, { command: own });
}

export interface MainOptions {
  /** Parse and validate only: no handler runs (the doc-examples test checks documented commands). */
  parseOnly?: boolean;
}

export async function main(argv: string[], o: MainOptions = {}): Promise<number> {
  // Shell completion calls `foreshock --get-yargs-completions foreshock <words...>`.
  const words = argv[0] === '--get-yargs-completions' ? argv.slice(2) : argv;
  const selected = selectedCommand(words);
  let parsing: Parsing | undefined;
  /** The (sub)command being parsed, e.g. ['faults', 'inject']. */
  let commandPath: string[] = selected ? [commandName(selected)] : [];
  let subcommands: string[] = COMMANDS.map(commandName);
  const cli = yargs(argv)
    .scriptName('foreshock')
    .usage(
      '$0 <command> [options]\n\nPredict, localize and fix faults in multi-host metric streams; score how early and how well.',
    );
  for (const e of COMMANDS) {
    if (e !== selected) {
      cli.command(e.command, e.describe);
      continue;
    }
    const mod = await e.load();
    const builder = mod.builder;
    cli.command({
      ...mod,
      ...(o.parseOnly ? { handler: () => undefined } : {}),
      command: e.command,
      describe: e.describe,
      builder: (y: Argv): Argv => {
        const ours = wholeExamples(o.parseOnly ? parseOnlyCommands(y) : y);
        return typeof builder === 'function' ? (builder(ours) as Argv) : ours.options(builder ?? {});
      },
    });
  }
  cli
    .completion('completion', 'Print a bash/zsh completion script: foreshock completion >> ~/.bashrc')
    .exitProcess(!o.parseOnly)
    .demandCommand(1, 'give a command')
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(HELP_WIDTH)
    .middleware(
      ((args: Record<string, unknown>, y: Parsing) => {
        // Runs before validation, inside the command being parsed: remember its options for `fail`,
        // and name a number option the parser read as NaN by the option and what was typed.
        parsing = y;
        commandPath = [...y.getInternalMethods().getContext().commands];
        const sub = y.getInternalMethods().getCommandInstance().getCommands();
        if (sub.length > 0) subcommands = sub;
        const nan = notANumber(args, y.getOptions().number, argv);
        if (nan) throw new UserError(nan);
      }) as unknown as MiddlewareFunction,
      true,
    )
    .fail((msg, err) => {
      // Throwing stops yargs before any handler runs; a usage problem is the user's to fix.
      if (err) throw err;
      const line = rewriteParserMessage(msg, argv, knownOptions(parsing, subcommands));
      // The help to read: the command's, or its sub-command's (`foreshock faults inject --help`).
      const path = commandPath.length > 0 ? `foreshock ${commandPath.join(' ')} ` : '';
      throw new UserError(`${line} (see ${path}--help)`);
    });
  try {
    await cli.parseAsync();
  } catch (err) {
    return report(err);
  }
  return 0;
}
