// Docs match the code (issue 25): every command in a fenced `sh` block of README.md and docs/*.md is
// either parse-checked in process (the command, its options and their values exist: no handler
// runs), run for real in a sandbox (the fast ones, RUN below), or skipped by a rule that says why
// (SKIP below). A documented command that none of these covers fails the test, so a new example
// has to be placed in one of them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/program.ts';

interface DocCommand {
  where: string;
  text: string;
}

/** The commands of every fenced sh block: `\` continuations joined, comments dropped, `&&` split. */
function docCommands(file: string): DocCommand[] {
  const text = readFileSync(file, 'utf8');
  const out: DocCommand[] = [];
  for (const m of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const startLine = text.slice(0, m.index).split('\n').length;
    const lines = m[1]!.split('\n');
    let loop: string[] | null = null;
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]!;
      const lineNo = startLine + 1 + i;
      while (line.trimEnd().endsWith('\\') && i + 1 < lines.length)
        line = line.trimEnd().slice(0, -1) + ' ' + lines[++i]!.trim();
      line = line.replace(/(^|\s)#.*$/, '').trim();
      if (line === '') continue;
      // A shell loop is one unit, from `for` to its last `done`.
      if (loop !== null || /^for\b/.test(line)) {
        (loop ??= []).push(line);
        const opened = loop.join(' ').match(/\bdo\b/g)?.length ?? 0;
        const closed = loop.join(' ').match(/\bdone\b/g)?.length ?? 0;
        if (opened > 0 && opened === closed) {
          out.push({ where: `${file}:${lineNo}`, text: loop.join('; ') });
          loop = null;
        }
        continue;
      }
      for (const part of line.split(/\s+&&\s+|;\s+/))
        out.push({ where: `${file}:${lineNo}`, text: part.trim() });
    }
  }
  return out;
}

/** Commands not run or parse-checked, and why. The first rule that matches applies. */
const SKIP: readonly { pattern: RegExp; reason: string }[] = [
  { pattern: /^for\b/, reason: 'a loop over many runs (slow); its single commands appear elsewhere' },
  { pattern: /^sudo\b/, reason: 'needs root (the namespaced testbed)' },
  {
    pattern: /^npm (ci|test)\b/,
    reason: 'installs, or runs the whole test suite (the lead developer runs it)',
  },
  { pattern: /^npm run (bench|format)\b/, reason: 'benchmarks and formatting: not examples of the CLI' },
  { pattern: /^npx (vitest|tsx)\b/, reason: 'runs tests or a script, not the CLI' },
  { pattern: /^node (--import tsx|bin\/run-ts\.js)\b/, reason: 'runs a script, not the CLI' },
  { pattern: /^(cfn-lint|mkdir|ln|cp|echo|printf)\b/, reason: 'not a foreshock command (a shell step)' },
  { pattern: /[<>[\]$]|\.\.\./, reason: 'a template with placeholders (<...>, [...], $var, ...)' },
];

/** Run for real in a sandbox, in this order (each takes seconds): the quick start's fast steps. */
const RUN: readonly string[] = [
  'foreshock synth --hosts 5 --fault memleak --seed 1 --out datasets/my-run',
  'foreshock validate datasets/my-run',
  'foreshock replay --dataset datasets/my-run --algorithms zscore --localize-at 2026-01-01T00:20:00Z --out out/at',
  'foreshock algorithms',
  'foreshock faults list',
];

/** The foreshock argv of a documented command line, or null when it is not one. */
function foreshockArgv(text: string): string[] | null {
  const words = [...text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  // `nice -n 19 ...` and `/usr/bin/time -f FORMAT ...`: the command is what follows their 3 words.
  while (words[0] === 'nice' || words[0] === '/usr/bin/time') words.splice(0, 3);
  if (words[0] === 'foreshock') return words.slice(1);
  if (words[0] === 'node' && words[1] === 'bin/foreshock.js') return words.slice(2);
  const npm = /^(experiment|live)$/.exec(words[2] ?? '');
  if (words[0] === 'npm' && words[1] === 'run' && npm)
    return [npm[1]!, ...words.slice(words[3] === '--' ? 4 : 3)];
  return null;
}

const FILES = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];
const ALL = FILES.flatMap(docCommands);
const skipped = (c: DocCommand): string | undefined => SKIP.find((s) => s.pattern.test(c.text))?.reason;
const CHECKED = ALL.filter((c) => skipped(c) === undefined);

describe('documented commands', () => {
  it('every command is a foreshock command, or skipped by a rule with a reason', () => {
    expect(ALL.length).toBeGreaterThan(80);
    const unplaced = CHECKED.filter((c) => foreshockArgv(c.text) === null).map(
      (c) => `${c.where}: ${c.text}`,
    );
    expect(unplaced).toEqual([]);
    for (const r of RUN)
      expect(
        ALL.map((c) => c.text),
        r,
      ).toContain(r);
    const reasons = new Map<string, number>();
    for (const c of ALL) {
      const why = skipped(c);
      if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
    }
    // Printed so a reader of the test log sees what was not checked and why (never silent).
    console.log(
      `doc commands: ${ALL.length}; parse-checked ${CHECKED.length}; skipped: ${[...reasons].map(([r, n]) => `${n} (${r})`).join('; ')}`,
    );
  });

  it('every foreshock command parses: its command, options and values exist (no handler runs)', async () => {
    const failures: string[] = [];
    const stderr = process.stderr.write.bind(process.stderr);
    for (const c of CHECKED) {
      const argv = foreshockArgv(c.text)!;
      let said = '';
      process.stderr.write = ((s: string) => ((said += s), true)) as typeof process.stderr.write;
      try {
        const code = await main(argv, { parseOnly: true });
        if (code !== 0) failures.push(`${c.where}: ${c.text}\n    ${said.trim()}`);
      } finally {
        process.stderr.write = stderr;
      }
    }
    expect(failures).toEqual([]);
    // and the check can fail: a mistyped option, a value not among the choices, a wrong sub-command
    const quiet = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await main(['replay', '--datset', 'd', '--out', 'o'], { parseOnly: true })).toBe(1);
      expect(await main(['synth', '--fault', 'cpuhogg', '--out', 'o'], { parseOnly: true })).toBe(1);
      expect(await main(['faults', 'injct', '--host', 'db'], { parseOnly: true })).toBe(1);
    } finally {
      process.stderr.write = quiet;
    }
  }, 120_000);
});

describe('the fast documented commands run', () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'foreshock-doc-examples-'));
  afterAll(() => rmSync(sandbox, { recursive: true, force: true }));
  const repo = join(sandbox, 'repo');

  it('in order, in a sandbox with the shipped datasets, each exiting 0', () => {
    mkdirSync(join(repo, 'datasets'), { recursive: true });
    for (const d of readdirSync('datasets')) symlinkSync(resolve('datasets', d), join(repo, 'datasets', d));
    if (existsSync('../shared')) symlinkSync(resolve('../shared'), join(sandbox, 'shared'));
    for (const r of RUN) {
      const p = spawnSync(process.execPath, [resolve('bin/foreshock.js'), ...foreshockArgv(r)!], {
        cwd: repo,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(p.status, `${r}\n${p.stderr}`).toBe(0);
    }
    expect(existsSync(join(repo, 'out', 'at', 'results.json'))).toBe(true);
  }, 300_000);
});
