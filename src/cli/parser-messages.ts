// The parser's (yargs') messages rewritten into one line a user can act on: every line of the message
// kept, unknown options and values named with the nearest valid one ("did you mean --dataset?"), and
// option names as typed (`--pending-window`), never internal keys. Pure: no yargs, no I/O.

/** What the parser knew about the command that failed: its options, their choices and aliases. */
export interface KnownOptions {
  /** Option names as declared (kebab-case), without dashes. */
  names: readonly string[];
  /** Allowed values per option, for `choices` options. */
  choices: Readonly<Record<string, readonly (string | number)[]>>;
  /** Commands (or sub-commands) valid at this point, for an unknown positional. */
  commands: readonly string[];
}

/** Edit distance (insertions, deletions, substitutions, adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate nearest to `word`, if near enough to be a likely typo: at most a third of the word's
 * length in edits (at least 1, at most 3), or the word is a prefix of exactly one candidate.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  if (best !== undefined && bestD <= Math.min(3, Math.max(1, Math.floor(w.length / 3)))) return best;
  const prefixed = candidates.filter((c) => w.length >= 3 && c.toLowerCase().startsWith(w));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

const dashed = (name: string): string => (name.length === 1 ? `-${name}` : `--${name}`);

/** kebab-case of a parser key, so a camelCase alias reads as the option the user typed. */
const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function unknownArgument(token: string, known: KnownOptions, isFlag: boolean): string {
  if (isFlag) {
    const guess = nearest(token, known.names);
    return `unknown option ${dashed(token)}${guess ? ` (did you mean ${dashed(guess)}?)` : ''}`;
  }
  const guess = nearest(token, known.commands);
  return `unknown command or argument "${token}"${guess ? ` (did you mean ${guess}?)` : ''}`;
}

/** The option tokens in argv that the command does not declare (without dashes). */
export function unknownFlags(argv: readonly string[], known: KnownOptions): string[] {
  const names = new Set(known.names.flatMap((n) => [n, `no-${n}`]));
  const out: string[] = [];
  for (const token of argv) {
    if (token === '--') break;
    const m = /^--?([^=]+)/.exec(token);
    if (!m || /^-\d/.test(token)) continue;
    const name = m[1]!;
    if (!names.has(name) && !names.has(kebab(name)) && !out.includes(name)) out.push(name);
  }
  return out;
}

/** One line: the whole parser message, reworded where we know its shape. */
export function rewriteParserMessage(msg: string, argv: readonly string[], known: KnownOptions): string {
  const lines = msg
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const head = lines[0] ?? msg;
  const flags = new Set(unknownFlags(argv, known));

  const unknown = /^Unknown arguments?: (.*)$/.exec(head);
  if (unknown) {
    const tokens = unknown[1]!.split(', ').map((t) => t.replace(/^"|"$/g, ''));
    return tokens.map((t) => unknownArgument(t, known, flags.has(t) || flags.has(kebab(t)))).join('; ');
  }

  if (head === 'Invalid values:') {
    return lines
      .slice(1)
      .map((l) => {
        const m = /^Argument: (.+?), Given: (.+?), Choices: (.+)$/.exec(l);
        if (!m) return l;
        const option = kebab(m[1]!);
        const given = m[2]!.replace(/^"|"$/g, '');
        const choices = known.choices[option] ?? known.choices[m[1]!] ?? [];
        const guess = nearest(given, choices.map(String));
        return (
          `${dashed(option)}: "${given}" is not one of ${choices.join(', ')}` +
          (guess ? ` (did you mean ${guess}?)` : '')
        );
      })
      .join('; ');
  }

  // A required option reported missing because it was mistyped: name the typo first.
  const typos = [...flags].map((f) => unknownArgument(f, known, true));
  const missing = /^Missing required arguments?: (.*)$/.exec(head);
  const rest = missing
    ? `missing required option ${missing[1]!
        .split(', ')
        .map((n) => dashed(kebab(n)))
        .join(', ')}`
    : lines.join('; ');
  return [...typos, rest].join('; ');
}

/** What the user typed after `--option` (or in `--option=value`), for an error message. */
export function typedValue(argv: readonly string[], option: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (t === `--${option}`) return argv[i + 1];
    if (t.startsWith(`--${option}=`)) return t.slice(option.length + 3);
  }
  return undefined;
}

/**
 * The first number option the parser could not read as a number (yargs gives NaN), named as typed:
 * `--hosts: expected a number, got "abc"`; undefined when all are numbers.
 */
export function notANumber(
  parsed: Readonly<Record<string, unknown>>,
  numberOptions: readonly string[],
  argv: readonly string[],
): string | undefined {
  for (const option of numberOptions) {
    const v = parsed[option];
    const values = Array.isArray(v) ? v : [v];
    if (values.some((x) => typeof x === 'number' && Number.isNaN(x))) {
      const typed = typedValue(argv, option);
      return `${dashed(option)}: expected a number, got ${typed === undefined ? 'nothing' : `"${typed}"`}`;
    }
  }
  return undefined;
}
