// The parser's messages reworded into one actionable line (src/cli/parser-messages.ts), in process.
import { describe, expect, it } from 'vitest';
import {
  editDistance,
  nearest,
  notANumber,
  rewriteParserMessage,
  unknownFlags,
  type KnownOptions,
} from '../../src/cli/parser-messages.ts';

const REPLAY: KnownOptions = {
  names: ['help', 'h', 'version', 'dataset', 'out', 'pending-window', 'trigger', 'overwrite'],
  choices: { trigger: ['slo', 'alarm'] },
  commands: ['replay', 'rescore', 'report'],
};

describe('nearest', () => {
  it('finds typos (edits, transpositions) and unique prefixes, and nothing far away', () => {
    expect(editDistance('datset', 'dataset')).toBe(1);
    expect(editDistance('cpuhgo', 'cpuhog')).toBe(1);
    expect(nearest('datset', REPLAY.names)).toBe('dataset');
    expect(nearest('cpuhogg', ['memleak', 'cpuhog', 'diskhog'])).toBe('cpuhog');
    expect(nearest('pending', REPLAY.names)).toBe('pending-window');
    expect(nearest('zebra', REPLAY.names)).toBeUndefined();
    expect(nearest('q', ['dataset', 'out'])).toBeUndefined();
  });
});

describe('rewriteParserMessage', () => {
  it('keeps every line of "Invalid values" and names the option and the nearest choice', () => {
    const msg = 'Invalid values:\n  Argument: trigger, Given: "alarms", Choices: "slo", "alarm"';
    expect(rewriteParserMessage(msg, ['--trigger', 'alarms'], REPLAY)).toBe(
      '--trigger: "alarms" is not one of slo, alarm (did you mean alarm?)',
    );
  });

  it('names an unknown option with the nearest valid one, before the required option it hid', () => {
    const argv = ['replay', '--datset', 'd', '--out', 'o'];
    expect(unknownFlags(argv, REPLAY)).toEqual(['datset']);
    expect(rewriteParserMessage('Missing required argument: dataset', argv, REPLAY)).toBe(
      'unknown option --datset (did you mean --dataset?); missing required option --dataset',
    );
    expect(rewriteParserMessage('Unknown argument: datset', argv, REPLAY)).toBe(
      'unknown option --datset (did you mean --dataset?)',
    );
  });

  it('names an unknown command with the nearest one; --no-<flag> and negative numbers are not unknown', () => {
    expect(rewriteParserMessage('Unknown argument: reply', ['reply'], REPLAY)).toBe(
      'unknown command or argument "reply" (did you mean replay?)',
    );
    expect(
      unknownFlags(['--no-overwrite', '--pending-window', '-5', '--pendingWindow', '3'], REPLAY),
    ).toEqual([]);
  });

  it('joins the lines of a message it does not know into one', () => {
    expect(rewriteParserMessage('Implications failed:\n  a -> b', [], REPLAY)).toBe(
      'Implications failed:; a -> b',
    );
  });
});

describe('notANumber', () => {
  it('names the option as typed and the value typed, not an internal key or NaN', () => {
    const argv = ['--pending-window', 'abc', '--out', 'o'];
    expect(notANumber({ 'pending-window': NaN, pendingWindow: NaN }, ['pending-window'], argv)).toBe(
      '--pending-window: expected a number, got "abc"',
    );
    expect(notANumber({ hosts: NaN }, ['hosts'], ['--hosts=x1'])).toBe(
      '--hosts: expected a number, got "x1"',
    );
    expect(notANumber({ hosts: 5 }, ['hosts'], ['--hosts', '5'])).toBeUndefined();
  });
});
