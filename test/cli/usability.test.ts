// A CLI that helps (issue 25), through real processes: the parser's whole message with "did you mean",
// option names as typed, --overwrite or a refusal wherever an output exists, inline JSON options,
// readable help (common options first, no broken words), shell completion.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUserError, runCli as run } from '../helpers/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'foreshock-usability-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const data = join(tmp, 'd');

beforeAll(() => {
  const r = run('synth', '--hosts', '3', '--fault', 'cpuhog', '--duration', '300', '--out', data);
  expect(r.code, r.stderr).toBe(0);
});

describe('errors', () => {
  it('an unknown value: the whole message, the option, the nearest choice', () => {
    expectUserError(
      run('synth', '--fault', 'cpuhogg', '--out', join(tmp, 'x')),
      /--fault: "cpuhogg" is not one of memleak, cpuhog, .* \(did you mean cpuhog\?\)/,
    );
    expectUserError(
      run('replay', '--dataset', data, '--trigger', 'alarms', '--out', join(tmp, 'x')),
      /--trigger: "alarms" is not one of slo, alarm \(did you mean alarm\?\)/,
    );
  });

  it('a mistyped option or command is named with the nearest valid one', () => {
    expectUserError(
      run('replay', '--datset', data, '--out', join(tmp, 'x')),
      /unknown option --datset \(did you mean --dataset\?\); missing required option --dataset/,
    );
    expectUserError(run('rescor'), /unknown command or argument "rescor" \(did you mean rescore\?\)/);
    // in a sub-command: its options, and its help named
    expectUserError(
      run('faults', 'inject', '--hots', 'db', '--type', 'cpuhog'),
      /unknown option --hots \(did you mean --host\?\); .*\(see foreshock faults inject --help\)$/,
    );
  });

  it('a number option that is not a number: the option as typed and the value typed', () => {
    expectUserError(
      run('replay', '--dataset', data, '--pending-window', 'abc', '--out', join(tmp, 'x')),
      /^foreshock: --pending-window: expected a number, got "abc"$/,
    );
    expectUserError(
      run('synth', '--hosts', 'abc', '--out', join(tmp, 'x')),
      /--hosts: expected a number, got "abc"/,
    );
    expect(existsSync(join(tmp, 'x'))).toBe(false);
  });
});

describe('outputs', () => {
  // Spawned CLI processes: seconds each on an idle machine, more on a busy one.
  it('replay refuses to replace its results without --overwrite, and replaces them with it', () => {
    const out = join(tmp, 'r');
    const args = [
      'replay',
      '--dataset',
      data,
      '--algorithms',
      'threshold',
      '--config',
      '{"threshold": {"consecutive": 4}}',
    ];
    expect(run(...args, '--out', out).code).toBe(0);
    const file = join(out, 'results.json');
    const first = statSync(file).mtimeMs;
    // inline JSON was read as JSON, not as a file name
    expect(JSON.parse(readFileSync(file, 'utf8')).algorithms.threshold.config.consecutive).toBe(4);
    expectUserError(run(...args, '--out', out), /r\/results\.json exists: give --overwrite to replace it/);
    expect(statSync(file).mtimeMs).toBe(first);
    expect(run(...args, '--out', out, '--overwrite').code).toBe(0);
  }, 180_000);

  it('synth and report refuse to replace their output without --overwrite', () => {
    expectUserError(
      run('synth', '--hosts', '3', '--out', data),
      /d\/manifest\.json exists: give --overwrite to replace it/,
    );
    const html = join(tmp, 'earlier.html');
    writeFileSync(html, '<p>an earlier report</p>');
    expectUserError(
      run('report', '--results', data, '--out', html),
      /earlier\.html exists: give --overwrite/,
    );
    expect(readFileSync(html, 'utf8')).toBe('<p>an earlier report</p>');
  }, 120_000);

  it('experiment --synthetic refuses the options only a run on a stack uses', () => {
    expectUserError(
      run('experiment', 'memleak', '--synthetic', '--reps', '0', '--out', join(tmp, 'runs')),
      /--synthetic replays one shipped synthetic run: --reps only apply to a run on a stack/,
    );
    expectUserError(
      run('experiment', 'my-spec.json', '--synthetic', '--out', join(tmp, 'runs')),
      /not "my-spec\.json" \(a spec file runs on a stack: drop --synthetic\)/,
    );
  });

  it('a malformed inline JSON option is named', () => {
    expectUserError(
      run('replay', '--dataset', data, '--fix-model', '{latency', '--out', join(tmp, 'y')),
      /--fix-model \(inline JSON\): malformed JSON/,
    );
  });
});

describe('--json and --quiet', () => {
  it('replay --quiet prints only where the results went; rescore --json prints one JSON document', () => {
    const out = join(tmp, 'q');
    const quiet = run(
      'replay',
      '--dataset',
      data,
      '--algorithms',
      'threshold,zscore',
      '--quiet',
      '--out',
      out,
    );
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(`results: ${join(out, 'results.json')}\n`);
    const json = run(
      'rescore',
      '--results',
      out,
      '--dataset',
      data,
      '--pending-window',
      '30',
      '--json',
      '--out',
      join(tmp, 'w30'),
    );
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      results: string;
      algorithms: Record<string, { metrics: unknown }>;
    };
    expect(doc.results).toBe(join(tmp, 'w30', 'results.json'));
    expect(Object.keys(doc.algorithms)).toEqual(['threshold', 'zscore']);
    expect(doc.algorithms.threshold!.metrics).toHaveProperty('prediction.tp');
  });
});

describe('help', () => {
  it('breaks no word, lists the AWS options after the common ones, keeps examples whole', () => {
    const top = run('--help');
    expect(top.code).toBe(0);
    // every word of every description is whole: the text joined back equals the descriptions
    expect(top.stdout.replace(/\s+/g, ' ')).toContain(
      'Run an experiment end to end: stack up, workload, fault, record, tear down, replay every algorithm, report',
    );
    const exp = run('experiment', '--help').stdout;
    expect(exp.indexOf('Options:')).toBeGreaterThan(0);
    expect(exp.indexOf('--stack ')).toBeLessThan(exp.indexOf('With --stack remote or aws:'));
    expect(exp.indexOf('With --stack remote or aws:')).toBeLessThan(exp.indexOf('--aws-region'));
    expect(exp).toMatch(
      /\n {2}foreshock experiment cpuhog --stack local --reps 5 --normal 600 --record-only\n/,
    );
  });

  it('completion prints a bash/zsh script, and completes a command and its options', () => {
    const script = run('completion');
    expect(script.code).toBe(0);
    expect(script.stdout).toMatch(
      /complete -o bashdefault -o default -F _foreshock_yargs_completions foreshock/,
    );
    const commands = run('--get-yargs-completions', 'foreshock', 're');
    expect(commands.stdout.split('\n')).toEqual(expect.arrayContaining(['replay', 'rescore', 'report']));
    const options = run('--get-yargs-completions', 'foreshock', 'replay', '--pe');
    expect(options.stdout).toContain('--pending-window');
  });
});
